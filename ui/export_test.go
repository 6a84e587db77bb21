package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tkExportTo opens the export menu, picks kind, and asks for a file at path.
func tkExportTo(t *testing.T, s *IssueScreen, kind, path string) {
	t.Helper()
	tkSend(t, s, tkKey("x"))
	for s.exp.selected() != kind {
		tkSend(t, s, tkKey("down"))
	}
	tkSend(t, s, tkKey("f"))
	if !s.InputFocused() {
		t.Fatal("path field not focused")
	}
	s.exp.path.SetValue(path)
	tkSend(t, s, tkKey("enter"))
}

func TestExportFileIs0600(t *testing.T) {
	tests := []struct {
		kind string
		want string
	}{
		{"env", "export ALIBABA_CLOUD_SECURITY_TOKEN='" + tkToken + "'"},
		{"fish", "set -gx OSS_SESSION_TOKEN '" + tkToken + "'"},
		{"powershell", "$Env:OSS_ACCESS_KEY_SECRET = '" + tkSecret + "'"},
		{"json", `"SecurityToken": "` + tkToken + `"`},
		{"ossutil", "stsToken=" + tkToken},
		{"aliyun-cli", "--sts-token '" + tkToken + "'"},
		{"config-json", `"sts_token": "` + tkToken + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			s, _, _, _ := tkIssueScreen(t)
			tkIssued(t, s)
			path := filepath.Join(t.TempDir(), "creds.out")
			tkExportTo(t, s, tt.kind, path)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatalf("not written: %v\nview:\n%s", err, tkView(s))
			}
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
			}
			data, _ := os.ReadFile(path)
			if !strings.Contains(string(data), tt.want) {
				t.Fatalf("file lacks %q:\n%s", tt.want, data)
			}
			if s.exp.open {
				t.Fatal("menu still open after writing")
			}
			if v := tkView(s); !strings.Contains(v, "wrote "+tt.kind+" to "+path+" (mode 0600)") {
				t.Fatalf("no confirmation:\n%s", v)
			}
		})
	}
}

func TestExportOverwriteConfirm(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	path := filepath.Join(t.TempDir(), "creds.sh")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tkExportTo(t, s, "env", path)
	if s.exp.stage != expConfirm {
		t.Fatalf("stage = %d, want confirm; view:\n%s", s.exp.stage, tkView(s))
	}
	if v := tkView(s); !strings.Contains(v, "! "+path+" exists —\n  overwrite it? (y/n)") {
		t.Fatalf("no overwrite question:\n%s", v)
	}
	if data, _ := os.ReadFile(path); string(data) != "old\n" {
		t.Fatalf("overwritten before confirmation: %q", data)
	}
	// n keeps the file and goes back to the path.
	tkSend(t, s, tkKey("n"))
	if data, _ := os.ReadFile(path); string(data) != "old\n" {
		t.Fatalf("n overwrote: %q", data)
	}
	if s.exp.stage != expAskPath || !strings.Contains(tkView(s), "not written") {
		t.Fatalf("after n: stage %d\n%s", s.exp.stage, tkView(s))
	}
	// Ask again and confirm.
	tkSend(t, s, tkKey("enter"))
	tkSend(t, s, tkKey("y"))
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "export ALIBABA_CLOUD_ACCESS_KEY_ID=") {
		t.Fatalf("y did not write: %q", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("overwritten file mode %v, want 0600", fi.Mode().Perm())
	}
	// No temp files left behind.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Fatalf("directory holds %d entries", len(ents))
	}
}

func TestExportConfigJSONMergesExisting(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	path := filepath.Join(t.TempDir(), "config.json")
	existing := `{"current":"work","profiles":[{"name":"work","mode":"AK","access_key_id":"LTAIkeep","access_key_secret":"k","region_id":"cn-beijing"}],"meta_path":""}`
	os.WriteFile(path, []byte(existing), 0o600)
	tkExportTo(t, s, "config-json", path)
	if v := tkView(s); !strings.Contains(v, "merge the \"stsdeck\" profile into it, keeping the others? (y/n)") {
		t.Fatalf("no merge question:\n%s", v)
	}
	tkSend(t, s, tkKey("y"))
	var cfg struct {
		Current  string           `json:"current"`
		Profiles []map[string]any `json:"profiles"`
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	if cfg.Current != "work" || len(cfg.Profiles) != 2 || cfg.Profiles[0]["access_key_id"] != "LTAIkeep" || cfg.Profiles[1]["sts_token"] != tkToken {
		t.Fatalf("merge wrong: %s", data)
	}
}

func TestExportRefusesMissingDirectory(t *testing.T) {
	tests := []struct {
		name string
		path func(dir string) string
		want string
	}{
		{"missing directory", func(dir string) string { return filepath.Join(dir, "nonexistent", "f") }, "no such directory: "},
		{"parent is a file", func(dir string) string {
			f := filepath.Join(dir, "file")
			os.WriteFile(f, nil, 0o600)
			return filepath.Join(f, "f")
		}, "not a directory: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _, _ := tkIssueScreen(t)
			tkIssued(t, s)
			dir := t.TempDir()
			path := tt.path(dir)
			tkExportTo(t, s, "env", path)
			if v := tkView(s); !strings.Contains(flat(v), tt.want+filepath.Dir(path)) {
				t.Errorf("view lacks %q:\n%s", tt.want+filepath.Dir(path), v)
			}
			if _, err := os.Stat(filepath.Join(dir, "nonexistent")); err == nil {
				t.Error("the missing directory was created")
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("the file was written")
			}
		})
	}
}

func TestExportDirectoryPathError(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	dir := t.TempDir()
	tkExportTo(t, s, "env", dir)
	if s.exp.stage != expConfirm {
		// a directory is refused at once or after confirmation
		if v := tkView(s); !strings.Contains(v, "is a directory") {
			t.Fatalf("view:\n%s", v)
		}
		return
	}
	tkSend(t, s, tkKey("y"))
	if v := tkView(s); !strings.Contains(v, "✗") {
		t.Fatalf("no error shown for a directory:\n%s", v)
	}
}

func TestExportClipboardOSC52(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	var buf bytes.Buffer
	s.clip = &buf
	tkIssued(t, s)
	tkSend(t, s, tkKey("x"))
	tkSend(t, s, tkKey("c")) // env is first
	out := buf.String()
	if !strings.HasPrefix(out, "\x1b]52;c;") {
		t.Fatalf("not an OSC 52 sequence: %q", out)
	}
	payload := strings.TrimSuffix(strings.TrimPrefix(out, "\x1b]52;c;"), "\x07")
	dec, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("payload not base64: %v", err)
	}
	if !strings.Contains(string(dec), "export OSS_SESSION_TOKEN='"+tkToken+"'") {
		t.Fatalf("clipboard content wrong: %s", dec)
	}
	v := tkView(s)
	if !strings.Contains(v, "via OSC 52 — best effort") {
		t.Fatalf("best-effort notice missing:\n%s", v)
	}
	// Inside tmux: the plain sequence (for tmux's set-clipboard) and a DCS-wrapped one (for
	// passthrough to the outer terminal).
	buf.Reset()
	s.tmux = true
	tkSend(t, s, tkKey("x"))
	tkSend(t, s, tkKey("c"))
	if !strings.HasPrefix(buf.String(), out) || !strings.Contains(buf.String(), "\x1bPtmux;") {
		t.Fatalf("tmux sequences wrong: %q…", buf.String()[:20])
	}
}

func TestExportPresignedURL(t *testing.T) {
	s, _, _, cl := tkIssueScreen(t)
	var buf bytes.Buffer
	s.clip = &buf
	tkIssued(t, s)
	tkSend(t, s, TickMsg{Now: tkNow.Add(30 * time.Minute)})
	tkSend(t, s, tkKey("x"))
	for s.exp.selected() != presignPUT {
		tkSend(t, s, tkKey("down"))
	}
	tkSend(t, s, tkKey("c"))
	if len(cl.presigns) != 1 || cl.presigns[0] != "PUT examplebucket/src/stsdeck-test.txt 30m0s" {
		t.Fatalf("presign calls = %v (expiry must not outlive the token)", cl.presigns)
	}
	if !strings.Contains(tkView(s), "sent presign-put") {
		t.Fatalf("view:\n%s", tkView(s))
	}
	// An expired token: refused with a reason, nothing presigned.
	tkSend(t, s, TickMsg{Now: tkNow.Add(2 * time.Hour)})
	tkSend(t, s, tkKey("x"))
	tkSend(t, s, tkKey("c"))
	if len(cl.presigns) != 1 {
		t.Fatal("presigned with an expired token")
	}
	if v := tkView(s); !strings.Contains(v, "the token has expired") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestExportMenuKeys(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	tkSend(t, s, tkKey("x"))
	if !s.exp.open {
		t.Fatal("x did not open the export menu")
	}
	n := len(exportKinds())
	tkSend(t, s, tkKey("up"))
	if s.exp.cursor != n-1 {
		t.Fatalf("up from the top should wrap: %d", s.exp.cursor)
	}
	tkSend(t, s, tkKey("f"))
	tkSend(t, s, tkKey("esc"))
	if s.exp.stage != expList || s.InputFocused() {
		t.Fatal("esc in the path field should go back to the list")
	}
	tkSend(t, s, tkKey("esc"))
	if s.exp.open {
		t.Fatal("esc did not close the menu")
	}
}

// The confirmation of an export shows once on the whole console (the card), not also on the
// status line.
func TestExportConfirmationOnce(t *testing.T) {
	svc, _, _, _ := tkServices()
	d := newConsoleDriver(t, New(svc, Options{NoColor: true, Now: func() time.Time { return tkNow }}))
	is := d.app().Screen(ScreenIssue).(*IssueScreen)
	is.clip = io.Discard
	d.send(tkRoleMsg(time.Hour))
	d.send(PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
	d.keys("alt+3", "enter")
	if is.Creds() == nil {
		t.Fatalf("no token:\n%s", d.view())
	}
	path := filepath.Join(t.TempDir(), "creds.env")
	d.keys("esc", "x", "f")
	is.exp.path.SetValue(path)
	d.keys("enter")
	v := d.view()
	if n := strings.Count(v, "wrote env to"); n != 1 {
		t.Errorf("the confirmation shows %d times:\n%s", n, v)
	}
}
