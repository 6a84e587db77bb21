package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
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

// The handler's refusals, driven directly: a peer that is not loopback cannot connect to a
// 127.0.0.1 listener at all, so this is where its refusal is testable.
func TestCredentialHandlerRefusals(t *testing.T) {
	h := &CredentialHandler{Path: "/secretpath", Renewer: testRenewer(t)}
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
		if _, err := loopbackAddr(a); (err == nil) != ok {
			t.Errorf("%s: %v", a, err)
		}
	}
}

func TestExternalCommand(t *testing.T) {
	got := externalCommand([]string{"--sandbox", "--role", "R", "--format", "external-profile", "--out", "f", "--json", "--template", "upload-only,no-delete", "--prefix", "a b/"})
	want := `stsdeck issue --sandbox --role R --template upload-only,no-delete --prefix 'a b/' --format external`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestChildEnvReplaces(t *testing.T) {
	got := childEnv([]string{"A=1", "OSS_SESSION_TOKEN=old", "B=2"}, map[string]string{"OSS_SESSION_TOKEN": "new"})
	if strings.Join(got, " ") != "A=1 B=2 OSS_SESSION_TOKEN=new" {
		t.Fatal(got)
	}
	_ = http.StatusOK
}
