package credserve

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

func testRenewer(t *testing.T) *flow.Renewer {
	t.Helper()
	r, err := flow.NewRenewer(flow.RenewerConfig{Issue: func(_ context.Context, d time.Duration) (flow.IssueResult, error) {
		return flow.IssueResult{Creds: model.Credentials{AccessKeyID: "STS.test", AccessKeySecret: "secret", SecurityToken: "token",
			Expiration: time.Now().Add(d)}, Record: model.AuditRecord{DurationSeconds: int64(d / time.Second)}}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A started server: 127.0.0.1 only, a 256-bit path, the URL in a 0600 file; the right path is
// served and counted, any other 404 and not counted; Close removes the file and stops serving.
func TestServerServesCountsAndCloses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "serve", "console.url")
	s, err := Start(testRenewer(t), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL)
	}
	if i := strings.LastIndex(s.URL, "/"); len(s.URL)-i-1 < 43 { // 32 bytes base64url
		t.Fatalf("path too short: %s", s.URL)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("URL file %v %v", fi, err)
	}
	data, _ := os.ReadFile(file)
	if strings.TrimSpace(string(data)) != s.URL {
		t.Fatalf("file holds %q", data)
	}
	get := func(u string) (int, map[string]string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]string
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	for range 3 {
		if code, m := get(s.URL); code != 200 || m["AccessKeyId"] != "STS.test" || m["Code"] != "Success" {
			t.Fatalf("%d %v", code, m)
		}
	}
	if code, _ := get(s.URL + "x"); code != 404 {
		t.Fatalf("wrong path: %d", code)
	}
	if last, total := s.Fetches(time.Now()); last != 3 || total != 3 {
		t.Fatalf("fetches %d/%d, want 3/3", last, total)
	}
	if last, _ := s.Fetches(time.Now().Add(2 * time.Minute)); last != 0 {
		t.Fatalf("fetches two minutes later: %d", last)
	}
	s.Close()
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("URL file left: %v", err)
	}
	if _, err := http.Get(s.URL); err == nil {
		t.Fatal("still serving after Close")
	}
}

func TestHandlerRefusesNonLoopback(t *testing.T) {
	for remote, ok := range map[string]bool{"127.0.0.1:1": true, "[::1]:2": true, "192.0.2.1:3": false, "garbage": false} {
		if LoopbackPeer(remote) != ok {
			t.Errorf("%s: want %v", remote, ok)
		}
	}
	for a, ok := range map[string]bool{"127.0.0.1:0": true, "0.0.0.0:0": false, ":0": false} {
		if _, err := LoopbackAddr(a); (err == nil) != ok {
			t.Errorf("%s: %v", a, err)
		}
	}
}

// The handler's refusals, driven directly: a peer that is not loopback cannot connect to a
// 127.0.0.1 listener at all, so this is where its refusal is testable.
func TestCredentialHandlerRefusals(t *testing.T) {
	h := &Handler{Path: "/secretpath", Renewer: testRenewer(t)}
	tests := []struct {
		name, method, target, remote, host string
		want                               int
	}{
		{"served", "GET", "/secretpath", "127.0.0.1:5000", "127.0.0.1:9", 200},
		{"ipv6 loopback", "GET", "/secretpath", "[::1]:5000", "localhost:9", 200},
		{"non-loopback peer", "GET", "/secretpath", "192.0.2.7:5000", "127.0.0.1:9", 403},
		{"non-loopback peer, wrong path", "GET", "/", "10.0.0.1:5000", "127.0.0.1:9", 403},
		{"wrong path", "GET", "/secretpat", "127.0.0.1:5000", "127.0.0.1:9", 404},
		{"path prefix", "GET", "/secretpath/x", "127.0.0.1:5000", "127.0.0.1:9", 404},
		{"dns rebinding host", "GET", "/secretpath", "127.0.0.1:5000", "evil.example", 403},
		{"post", "POST", "/secretpath", "127.0.0.1:5000", "127.0.0.1:9", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			req.RemoteAddr, req.Host = tt.remote, tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			body := rec.Body.String()
			if tt.want != 200 && strings.Contains(body, "secret\"") {
				t.Errorf("a refusal carries the secret: %s", body)
			}
			if tt.want == 200 && (!strings.Contains(body, `"AccessKeySecret":"secret"`) || rec.Header().Get("Cache-Control") != "no-store") {
				t.Errorf("answer %s %v", body, rec.Header())
			}
		})
	}
}

func TestLoopbackAddr(t *testing.T) {
	for a, ok := range map[string]bool{"127.0.0.1:0": true, "localhost:8080": true, "0.0.0.0:0": false, ":0": false, "192.0.2.1:80": false, "127.0.0.1:99999": false, "nonsense": false} {
		if _, err := LoopbackAddr(a); (err == nil) != ok {
			t.Errorf("%s: %v", a, err)
		}
	}
}
