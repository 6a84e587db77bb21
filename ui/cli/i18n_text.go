package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Errors a person reads and a script may too. An error made by msg.Errf keeps its English
// text as Error() (what --json and logs carry, byte-identical in every language) and is shown
// in the operator's language when printed for a person (errText). Errors from elsewhere (the
// OS, the cloud's own Message strings) keep their text; English domain text from model/... goes
// through T.Domain.

// lerr is an English message with its arguments, translatable when printed.
type lerr struct {
	id   string
	args []any
}

func (e *lerr) Error() string { return fmt.Sprintf(e.id, e.args...) }

// Unwrap returns the error arguments (errors.Is/As see through a msg.Errf as through %w).
func (e *lerr) Unwrap() []error {
	var out []error
	for _, a := range e.args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

type msgs struct{}

// msg makes translatable errors: msg.Errf("--role %q: ...", v) (the ID is the English format;
// use %v for an error argument, it is unwrapped like %w).
var msg msgs

// Errf is fmt.Errorf for a message a person reads (the format is its catalog ID).
func (msgs) Errf(format string, args ...any) error { return &lerr{id: format, args: args} }

// errText is err in tr's language: a msg.Errf message translated (its error arguments too),
// anything else through T.Domain (which leaves what it does not know as it is).
func errText(tr *i18n.T, err error) string {
	if err == nil {
		return ""
	}
	var e *lerr
	if le, ok := err.(*lerr); ok {
		e = le
	}
	if e == nil {
		return tr.Domain(err.Error())
	}
	return tr.S(e.id, trArgs(tr, e.args)...)
}

// trArgs replaces error arguments by their text in tr's language.
func trArgs(tr *i18n.T, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if err, ok := a.(error); ok {
			out[i] = errText(tr, err)
			continue
		}
		out[i] = a
	}
	return out
}

// padCells pads s with spaces to w terminal cells (CJK = 2), as %-*s does for ASCII.
func padCells(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// colWidth is the widest of ss in cells, at least min.
func colWidth(min int, ss ...string) int {
	for _, s := range ss {
		if n := ansi.StringWidth(s); n > min {
			min = n
		}
	}
	return min
}

// writeTable writes rows as columns two spaces apart, each as wide in terminal cells as its
// widest cell (text/tabwriter counts runes, so a Chinese header would shift every row); the
// last column is not padded.
func writeTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = colWidth(widths[i], c)
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(padCells(c, widths[i]+2))
		}
		fmt.Fprintln(w, b.String())
	}
}
