package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Item 9: after a re-issue the files saved this session are offered for rewriting (y/N) with
// the new token, 0600.
func TestReissueOffersToRewriteSavedExports(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	dir := t.TempDir()
	env, js := filepath.Join(dir, "partner.env"), filepath.Join(dir, "partner.json")
	tkExportTo(t, s, "env", env)
	tkSend(t, s, tkKey("esc"))
	tkExportTo(t, s, "json", js)
	tkSend(t, s, tkKey("esc"))
	old := s.Creds().AccessKeyID
	for _, p := range []string{env, js} {
		if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s: %v %q", p, err, b)
		}
	}

	tkSend(t, s, tkKey("r")) // the same policy: re-issues at once
	newKey := s.Creds().AccessKeyID
	if newKey == old {
		t.Fatal("r did not re-issue")
	}
	v := flat(tkView(s))
	if !strings.Contains(v, "2 file(s) saved this session hold the previous token: "+env+" (env), "+js+" (json)") || !s.InputFocused() {
		t.Fatalf("no rewrite question:\n%s", tkView(s))
	}
	tkSend(t, s, tkKey("y"))
	for _, p := range []string{env, js} {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), newKey) || strings.Contains(string(b), old+"\"") || strings.Contains(string(b), old+"'") {
			t.Errorf("%s not rewritten with %s: %v\n%s", p, newKey, err, b)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v", p, fi.Mode().Perm(), err)
		}
	}
	if v := flat(tkView(s)); !strings.Contains(v, "rewrote "+env+" with the new token (env, mode 0600)") {
		t.Errorf("outcome not shown:\n%s", tkView(s))
	}

	// n keeps them (and says the files still hold the previous token).
	tkSend(t, s, tkKey("r"))
	third := s.Creds().AccessKeyID
	tkSend(t, s, tkKey("n"))
	if b, _ := os.ReadFile(env); strings.Contains(string(b), third) {
		t.Errorf("n rewrote the file")
	}
	if v := flat(tkView(s)); !strings.Contains(v, "the saved files still hold the previous token") {
		t.Errorf("n not acknowledged:\n%s", tkView(s))
	}
}

// Nothing saved: a re-issue asks nothing.
func TestReissueWithoutSavedExportsAsksNothing(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	tkSend(t, s, tkKey("r"))
	if s.InputFocused() || strings.Contains(tkView(s), "saved this session") {
		t.Errorf("asked without saved files:\n%s", tkView(s))
	}
}
