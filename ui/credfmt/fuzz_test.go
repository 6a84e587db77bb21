package credfmt

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// shUnquote reads back one word quoted by shQuote the way a POSIX shell does: single-quoted
// runs are literal, and outside them a backslash escapes the next character.
func shUnquote(t *testing.T, s string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case in && c == '\'':
			in = false
		case in:
			b.WriteByte(c)
		case c == '\'':
			in = true
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		default:
			t.Fatalf("unquoted character %q in %q", c, s)
		}
	}
	if in {
		t.Fatalf("unterminated quote in %q", s)
	}
	return b.String()
}

// fishUnquote reads a fish single-quoted word: \\ and \' are the only escapes.
func fishUnquote(t *testing.T, s string) string {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		t.Fatalf("not single-quoted: %q", s)
	}
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && i+1 < len(body) && (body[i+1] == '\\' || body[i+1] == '\'') {
			i++
			b.WriteByte(body[i])
			continue
		}
		if c == '\'' {
			t.Fatalf("bare quote inside %q", s)
		}
		b.WriteByte(c)
	}
	return b.String()
}

// psUnquote reads a PowerShell single-quoted string: a doubled quote character is one quote.
func psUnquote(t *testing.T, s string) string {
	r := []rune(s)
	isQ := func(c rune) bool {
		return c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201a' || c == '\u201b'
	}
	if len(r) < 2 || r[0] != '\'' || r[len(r)-1] != '\'' {
		t.Fatalf("not single-quoted: %q", s)
	}
	body := r[1 : len(r)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if isQ(body[i]) {
			if i+1 >= len(body) || !isQ(body[i+1]) {
				t.Fatalf("lone quote in %q", s)
			}
			i++
		}
		b.WriteRune(body[i])
	}
	return b.String()
}

func FuzzQuoting(f *testing.F) {
	for _, s := range []string{"", "plain", "it's", `back\slash`, "'", "''", "\\'", "‘smart’", "$HOME `x`", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := shUnquote(t, shQuote(s)); got != s {
			t.Fatalf("sh: %q → %q → %q", s, shQuote(s), got)
		}
		if got := fishUnquote(t, fishQuote(s)); got != s {
			t.Fatalf("fish: %q → %q → %q", s, fishQuote(s), got)
		}
		if !strings.ContainsRune(s, '\uFFFD') { // invalid UTF-8 is not a PowerShell string
			if got := psUnquote(t, psQuote(s)); got != s {
				t.Fatalf("powershell: %q → %q → %q", s, psQuote(s), got)
			}
		}
	})
}

// FuzzConfigJSON feeds arbitrary existing config files to the config-json merge: it must never
// panic, and when it accepts a file the result is JSON holding every profile it had plus ours.
func FuzzConfigJSON(f *testing.F) {
	for _, s := range []string{"", "{}", `{"profiles":null}`, `{"current":"a","profiles":[{"name":"a"},{"name":"stsdeck","x":1}]}`,
		`{"profiles":[1,"x",null]}`, `[]`, `{"profiles":{}}`, `{"current":5}`} {
		f.Add([]byte(s))
	}
	c := model.Credentials{AccessKeyID: "STS.k", AccessKeySecret: "s", SecurityToken: "t", Expiration: time.Unix(0, 0)}
	f.Fuzz(func(t *testing.T, existing []byte) {
		out, err := Format("config-json", c, Options{Existing: existing})
		if err != nil {
			return
		}
		var cfg struct {
			Profiles []json.RawMessage `json:"profiles"`
		}
		if err := json.Unmarshal([]byte(out), &cfg); err != nil {
			t.Fatalf("output not JSON: %v\n%s", err, out)
		}
		var before struct {
			Profiles []json.RawMessage `json:"profiles"`
		}
		_ = json.Unmarshal(existing, &before)
		if len(cfg.Profiles) < len(before.Profiles) || len(cfg.Profiles) > len(before.Profiles)+1 {
			t.Fatalf("profiles %d → %d", len(before.Profiles), len(cfg.Profiles))
		}
		if !strings.Contains(out, `"sts_token": "t"`) {
			t.Fatalf("our profile missing:\n%s", out)
		}
	})
}
