package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The operator's language. Main picks it once, before any command parses its flags (the
// top-level usage needs it too): --lang, $STSDECK_LANG, the aliyun CLI profile's language,
// the locale, else English (i18n.Detect). Every command accepts --lang (registered by
// langFlag so flag parsing takes it); what a script reads (--json, exit codes, export formats,
// the audit log) is the same in every language.

// chooseLang sets env.T from args and the environment; a --lang naming no language stsdeck
// speaks is bad input (false).
func chooseLang(args []string, env *Env) bool {
	if env.T != nil {
		return true
	}
	flagLang, profile := i18n.ScanArgs(args)
	lang, _ := i18n.Detect(i18n.DetectInput{Flag: flagLang, Profile: profile, Getenv: env.Getenv})
	env.T = i18n.New(lang)
	if !i18n.ValidFlag(flagLang) {
		env.T.Ln(env.Stderr, "stsdeck: --lang %q: want zh or en", flagLang)
		return false
	}
	return true
}

// tr is the command's translator (English when Main did not choose one: tests calling a run
// function directly).
func (env *Env) tr() *i18n.T {
	if env.T == nil {
		env.T = i18n.New(i18n.EN)
	}
	return env.T
}

// langFlag registers --lang on fs (its value was read by chooseLang already).
func langFlag(fs *flag.FlagSet) {
	fs.Func("lang", "language of the text a person reads: `zh` or en (default: $STSDECK_LANG, the aliyun CLI profile's, the locale's)", func(string) error { return nil })
}

// printFlags is flag.PrintDefaults with each flag's usage in the operator's language.
func printFlags(w io.Writer, fs *flag.FlagSet, tr *i18n.T) {
	fs.VisitAll(func(f *flag.Flag) {
		usage := tr.S(f.Usage)
		name, usage := flag.UnquoteUsage(&flag.Flag{Name: f.Name, Usage: usage, Value: f.Value, DefValue: f.DefValue})
		var b strings.Builder
		fmt.Fprintf(&b, "  -%s", f.Name) // i18n:ok
		if len(name) > 0 {
			b.WriteString(" " + name)
		}
		if b.Len() <= 4 {
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !isZeroDefault(f) {
			b.WriteString(tr.S(" (default %s)", quoteDefault(f)))
		}
		fmt.Fprintln(w, b.String())
	})
}

func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

func quoteDefault(f *flag.Flag) string {
	if _, ok := f.Value.(interface{ IsBoolFlag() bool }); ok {
		return f.DefValue
	}
	if strings.ContainsAny(f.DefValue, " \t") || f.DefValue == "" {
		return fmt.Sprintf("%q", f.DefValue)
	}
	if _, err := fmt.Sscanf(f.DefValue, "%d", new(int)); err == nil {
		return f.DefValue
	}
	return fmt.Sprintf("%q", f.DefValue)
}

// severityText is a finding's severity in the operator's language.
func severityText(tr *i18n.T, sev string) string {
	switch sev {
	case "error":
		return tr.S("error")
	case "warning":
		return tr.S("warning")
	case "suggestion":
		return tr.S("suggestion")
	}
	return sev
}

// findingText is polFindingText in the operator's language: FILE:LINE:COL: severity: path: message.
func findingText(tr *i18n.T, f polFinding) string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", f.Line, f.Col)
	}
	b.WriteString(": " + severityText(tr, string(f.Severity)) + ": ")
	if f.Path != "" {
		b.WriteString(f.Path + ": ")
	}
	b.WriteString(tr.Domain(f.Message))
	return b.String()
}

// inputErrorText is polInputError.Error in the operator's language.
func inputErrorText(tr *i18n.T, e *polInputError) string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Line > 0 {
		b.WriteString(tr.S("line %d, col %d: ", e.Line, e.Col))
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(tr.Domain(e.Message))
	return b.String()
}

// problemText is issuereq.Problem.String in the operator's language.
func problemText(tr *i18n.T, p issuereq.Problem) string {
	var b strings.Builder
	b.WriteString(p.Field)
	if p.Line > 0 {
		b.WriteString(tr.S(" line %d, col %d", p.Line, p.Col))
	}
	if p.Path != "" {
		b.WriteString(" " + p.Path)
	}
	sev := "error"
	if p.Warning {
		sev = "warning"
		if p.Severity != "" {
			sev = p.Severity
		}
	}
	b.WriteString(": " + severityText(tr, sev) + ": " + tr.Domain(p.Message))
	return b.String()
}
