package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrapPath wraps an ARN, a path or a URL to w cells, breaking after a '/' or ':' so that no
// part (a role name, a session name) is split; a part wider than w alone is hard-wrapped.
func wrapPath(s string, w int) []string {
	if w < 1 || ansi.StringWidth(s) <= w {
		return []string{s}
	}
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '/' || s[i] == ':' {
			parts = append(parts, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case ansi.StringWidth(line)+ansi.StringWidth(p) <= w:
			line += p
		case ansi.StringWidth(p) <= w:
			out = append(out, line)
			line = p
		default:
			// A part wider than the line: fill the current line, then hard-wrap the rest.
			hard := strings.Split(ansi.Hardwrap(line+p, w, false), "\n")
			out = append(out, hard[:len(hard)-1]...)
			line = hard[len(hard)-1]
		}
	}
	if line != "" {
		out = append(out, line)
	}
	if len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return out
}
