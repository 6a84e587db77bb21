package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The export list's PostObject form: the limits form with defaults inside the token's life,
// bad limits refused where they are typed, then the JSON field set written 0600 — signed for
// the policy's prefix, size and type, never outliving the token.
func TestExportPostObjectForm(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	tkSend(t, s, tkKey("x"))
	for s.exp.selected() != postJSON {
		tkSend(t, s, tkKey("down"))
	}
	if v := tkView(s); !strings.Contains(v, "post-form-json") || !strings.Contains(v, "browser upload form") {
		t.Fatalf("menu:\n%s", v)
	}
	tkSend(t, s, tkKey("f"))
	if s.exp.stage != expPost || !s.InputFocused() {
		t.Fatalf("limits form not open (stage %d)", s.exp.stage)
	}
	v := tkView(s)
	for _, want := range []string{"Upload form limits", "max size", "100MiB", "content type", "valid for", "1h"} {
		if !strings.Contains(v, want) {
			t.Errorf("limits form lacks %q:\n%s", want, v)
		}
	}
	p := &s.exp.post
	p.fields[0].SetValue("6GiB")
	tkSend(t, s, tkKey("enter"))
	if !strings.Contains(s.exp.err, "5GiB") || s.exp.stage != expPost {
		t.Fatalf("6GiB accepted: %q", s.exp.err)
	}
	p.fields[0].SetValue("10MiB")
	p.fields[1].SetValue("image/")
	p.fields[2].SetValue("2h")
	tkSend(t, s, tkKey("enter"))
	if !strings.Contains(s.exp.err, "beyond the token's expiry") {
		t.Fatalf("2h on a 1h token accepted: %q", s.exp.err)
	}
	p.fields[2].SetValue("30m")
	tkSend(t, s, tkKey("enter"))
	if s.exp.stage != expAskPath {
		t.Fatalf("no path prompt (stage %d, err %q)", s.exp.stage, s.exp.err)
	}
	path := filepath.Join(t.TempDir(), "form.json")
	s.exp.path.SetValue(path)
	tkSend(t, s, tkKey("enter"))
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("form file %v %v (%s)", fi, err, s.exp.err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), tkSecret) {
		t.Fatal("the form holds the secret")
	}
	var form struct {
		Action string                         `json:"action"`
		Fields []struct{ Name, Value string } `json:"fields"`
		Policy json.RawMessage                `json:"policy"`
		Prefix string                         `json:"prefix"`
	}
	if err := json.Unmarshal(data, &form); err != nil {
		t.Fatal(err)
	}
	pol := string(form.Policy)
	for _, want := range []string{`"content-length-range"`, "10485760", `"starts-with"`, `"src/"`, "image/"} {
		if !strings.Contains(pol, want) {
			t.Errorf("policy lacks %s: %s", want, pol)
		}
	}
	names := map[string]string{}
	for _, f := range form.Fields {
		names[f.Name] = f.Value
	}
	if names["x-oss-security-token"] != tkToken || names["x-oss-signature"] == "" || form.Prefix != "src/" {
		t.Fatalf("fields %v", names)
	}
}
