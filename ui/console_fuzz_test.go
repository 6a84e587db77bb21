package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// ParsePreviewContext reads what the operator types: never panics; accepted values are
// normalized (and so accepted again unchanged); refusals name the field.
func FuzzParsePreviewContext(f *testing.F) {
	for _, s := range [][3]string{{"192.0.2.10", "yes", "now"}, {"", "", ""}, {"::1", "no", "2026-11-27T10:00:00Z"},
		{"1.2.3.4/24", "maybe", "tomorrow"}, {"?", "?", "?"}} {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ip, https, tm string) {
		c, err := ParsePreviewContext(ip, https, tm, now)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "source IP") && !strings.HasPrefix(msg, "https") && !strings.HasPrefix(msg, "time") {
				t.Fatalf("error does not name the field: %q", msg)
			}
			return
		}
		yes := map[string]string{"true": "yes", "false": "no"}[c.HTTPS]
		again, err := ParsePreviewContext(c.SourceIP, yes, c.Time, now)
		if err != nil || again != c {
			t.Fatalf("normalized %+v does not parse to itself: %+v, %v", c, again, err)
		}
		for _, v := range []string{c.SourceIP, c.HTTPS, c.Time} {
			if !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 in %+v", c)
			}
		}
	})
}

// replaceStringAt edits what the operator typed at a position a finding gave: it must never
// panic, and a success changes only the one line, which then holds the value JSON-quoted.
func FuzzReplaceStringAt(f *testing.F) {
	f.Add("{\n  \"Action\": \"oss:PutObjec\",\n}", 2, 13, "oss:PutObject")
	f.Add(`{"é": "bad"}`, 1, 7, "good")
	f.Add(`{"A": "a\"b"}`, 1, 7, `x"y`)
	f.Add(``, 0, 0, "")
	f.Fuzz(func(t *testing.T, doc string, line, col int, value string) {
		out, err := replaceStringAt(doc, line, col, value)
		if err != nil {
			return
		}
		in, got := strings.Split(doc, "\n"), strings.Split(out, "\n")
		if len(in) != len(got) {
			t.Fatalf("line count changed: %d → %d", len(in), len(got))
		}
		for i := range in {
			if i != line-1 && in[i] != got[i] {
				t.Fatalf("line %d changed: %q → %q", i+1, in[i], got[i])
			}
		}
		if q, _ := json.Marshal(value); !strings.Contains(got[line-1], string(q)) {
			t.Fatalf("line %q lacks %s", got[line-1], q)
		}
	})
}
