package ui

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// S on the token card serves the card's token on a loopback credentials URI (credentials-go's
// URI shape), the card shows renewals, the next renewal and fetches; U shows the URI; quitting
// while a command fetched it asks first; S again stops and removes the 0600 URL file.
func TestServeFromTokenCard(t *testing.T) {
	s, iss, aud, _ := tkIssueScreen(t)
	iss.at = time.Now // the renewer decides age on the real clock (live mode, no sandbox clock)
	s.setServeDir(t.TempDir())
	tkIssued(t, s)
	issued := len(aud.recs)
	tkSend(t, s, tkKey("S"))
	t.Cleanup(s.StopServing)
	if s.serve.srv == nil {
		t.Fatalf("not serving: %q\n%s", s.serve.err, tkView(s))
	}
	srv := s.serve.srv
	fi, err := os.Stat(srv.URLFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("URL file: %v %v", fi, err)
	}
	v := tkView(s)
	for _, want := range []string{"Serving", "credentials URI on 127.0.0.1 for ramosstest", "Renewals", "0 (token " + s.creds.AccessKeyID,
		"Next renewal", "(server clock)", "0 in the last minute", "hidden (U shows it"} {
		if !strings.Contains(v, want) {
			t.Errorf("card lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, srv.URL) {
		t.Fatal("the URI is on screen before it was asked for")
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != 200 || got["AccessKeyId"] != s.creds.AccessKeyID || got["AccessKeySecret"] != tkSecret {
		t.Fatalf("served %d %v", resp.StatusCode, got["AccessKeyId"])
	}
	if len(aud.recs) != issued {
		t.Fatal("serving the card's own token issued another")
	}
	tkSend(t, s, tkKey("U"))
	if v := tkView(s); !strings.Contains(v, srv.URL) || !strings.Contains(v, "1 in the last minute") {
		t.Fatalf("after U:\n%s", v)
	}
	if w := s.ServeWarning(tkNow); !strings.Contains(w, "fetched 1× in the last minute") {
		t.Fatalf("warning %q", w)
	}
	tkSend(t, s, tkKey("S"))
	if s.serve.srv != nil {
		t.Fatal("S did not stop")
	}
	if _, err := os.Stat(srv.URLFile); !os.IsNotExist(err) {
		t.Fatalf("URL file left after stop: %v", err)
	}
	if _, err := http.Get(srv.URL); err == nil {
		t.Fatal("still serving")
	}
}

// Quitting the console while a command fetched the served token asks; n keeps running; the
// console's Close stops serving.
func TestServeQuitWarnsAndCloseStops(t *testing.T) {
	svc, iss, _, _ := tkServices()
	iss.at = time.Now
	d := newConsoleDriver(t, New(svc, Options{NoColor: true, Now: cClock, ServeDir: t.TempDir()}))
	a := d.app()
	is := a.Screen(ScreenIssue).(*IssueScreen)
	tkIssued(t, is)
	d.keys("3", "S")
	srv := is.serve.srv
	if srv == nil {
		t.Fatalf("not serving: %s", is.serve.err)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d.keys("q")
	if d.quit || !strings.Contains(d.view(), "quit and stop serving? (y/n)") {
		t.Fatalf("quit did not ask:\n%s", d.view())
	}
	d.keys("n")
	if d.quit {
		t.Fatal("n quit")
	}
	a.Close()
	if _, err := os.Stat(srv.URLFile); !os.IsNotExist(err) {
		t.Fatalf("URL file left after Close: %v", err)
	}
}
