package stsemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func (c capture) request() *http.Request {
	r := httptest.NewRequest(c.Method, c.URI, strings.NewReader(c.Body))
	r.Header = c.Header.Clone()
	r.Host = c.Host
	r.RemoteAddr = "127.0.0.1:40000"
	return r
}

func (c capture) time(t testing.TB) time.Time {
	ts := c.Header.Get("X-Acs-Date")
	if ts == "" {
		ts = paramValue(c.rpcParams(t), "Timestamp")
	}
	tm, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

type errorJSON struct {
	RequestID, HostID, Code, Message, Recommend string
}

func decodeErr(t testing.TB, rec *httptest.ResponseRecorder) errorJSON {
	t.Helper()
	var e struct {
		RequestId, HostId, Code, Message, Recommend string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, rec.Body)
	}
	return errorJSON{e.RequestId, e.HostId, e.Code, e.Message, e.Recommend}
}

// TestCapturedRequestsEndToEnd sends every captured STS request through the handler with the
// wall clock set to the request's own time: each must be answered with credentials; a replay
// must be refused as a reused nonce; and an hour later the timestamp must be refused.
func TestCapturedRequestsEndToEnd(t *testing.T) {
	ts := newTestServer(t)
	h := ts.Handler()
	for _, c := range stsCaptures(t) {
		t.Run(c.Client, func(t *testing.T) {
			ts.wall.Set(c.time(t).Add(3 * time.Second))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.request())
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var resp struct {
				RequestId       string
				AssumedRoleUser struct{ Arn, AssumedRoleId string }
				Credentials     struct{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			if want := "acs:ram::1234567890123456:role/ramosstest/partner-b"; resp.AssumedRoleUser.Arn != want {
				t.Errorf("Arn %q, want %q", resp.AssumedRoleUser.Arn, want)
			}
			if !strings.HasPrefix(resp.Credentials.AccessKeyId, "STS.") {
				t.Errorf("AccessKeyId %q", resp.Credentials.AccessKeyId)
			}
			exp, err := time.Parse("2006-01-02T15:04:05Z", resp.Credentials.Expiration)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.time(t).Add(3 * time.Second).Truncate(time.Second).Add(time.Hour); !exp.Equal(want) {
				t.Errorf("Expiration %v, want %v", exp, want)
			}
			if rec.Header().Get("x-acs-request-id") != resp.RequestId {
				t.Errorf("request id header %q vs body %q", rec.Header().Get("x-acs-request-id"), resp.RequestId)
			}
			cred, err := ts.Authority().Credential(context.Background(), resp.Credentials.AccessKeyId, resp.Credentials.SecurityToken)
			if err != nil {
				t.Fatal(err)
			}
			if cred.Secret != resp.Credentials.AccessKeySecret || cred.Session == nil || cred.Principal.Name != "RamOssTest" || cred.Principal.SessionName != "partner-b" {
				t.Errorf("credential %+v", cred)
			}

			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, c.request())
			if e := decodeErr(t, rec); rec.Code != 400 || e.Code != "SignatureNonceUsed" || e.Message != "Specified signature nonce was used already." {
				t.Errorf("replay: %d %+v", rec.Code, e)
			}

			ts.wall.Set(c.time(t).Add(16 * time.Minute))
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, c.request())
			if e := decodeErr(t, rec); rec.Code != 400 || e.Code != "InvalidTimeStamp.Expired" || e.Message != "Specified time stamp or date value is expired." {
				t.Errorf("late: %d %+v", rec.Code, e)
			}
		})
	}
}

func TestCapturedRequestsWrongKeys(t *testing.T) {
	ts := newTestServer(t)
	h := ts.Handler()
	c := stsCaptures(t)[0]
	ts.wall.Set(c.time(t))
	t.Run("tampered RoleSessionName", func(t *testing.T) {
		r := c.request()
		if r.URL.RawQuery != "" && strings.Contains(r.URL.RawQuery, "partner-b") {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "partner-b", "partner-c", 1)
		} else {
			body := strings.Replace(c.Body, "partner-b", "partner-c", 1)
			r = httptest.NewRequest(c.Method, c.URI, strings.NewReader(body))
			r.Header, r.Host = c.Header.Clone(), c.Host
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		e := decodeErr(t, rec)
		if rec.Code != 400 || e.Code != "SignatureDoesNotMatch" || !strings.HasPrefix(e.Message, "Specified signature is not matched with our calculation. server string to sign is:") {
			t.Fatalf("%d %+v", rec.Code, e)
		}
		if strings.Contains(rec.Body.String(), captureSecret) {
			t.Fatal("the secret leaked into the error body")
		}
		if e.RequestID == "" || e.HostID != "sts.aliyuncs.com" || !strings.Contains(e.Recommend, "SignatureDoesNotMatch") {
			t.Fatalf("error shape %+v", e)
		}
		tr, ok := ts.Trace(e.RequestID)
		if !ok || tr.Check != "signature" || tr.Code != "SignatureDoesNotMatch" || tr.Status != 400 {
			t.Fatalf("trace %+v", tr)
		}
	})
}

func TestTokenSealing(t *testing.T) {
	dir := t.TempDir()
	s1, err := LoadOrCreateSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, tokenKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v err %v", st.Mode(), err)
	}
	c := &TokenClaims{AccessKeyID: "STS.abc", AccessKeySecret: "sec", RoleName: "R", SessionName: "s", Expiration: 10}
	tok, err := s1.Seal(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("reopens after restart", func(t *testing.T) {
		s2, err := LoadOrCreateSealer(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s2.Open(tok)
		if err != nil || got.AccessKeySecret != "sec" || got.RoleName != "R" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("other sandbox's key refuses", func(t *testing.T) {
		s3, _ := LoadOrCreateSealer(t.TempDir())
		if _, err := s3.Open(tok); err == nil {
			t.Fatal("foreign key opened the token")
		}
	})
	t.Run("every byte flip refuses", func(t *testing.T) {
		for i := len(tokenPrefix); i < len(tok); i++ {
			b := []byte(tok)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			if _, err := s1.Open(string(b)); err == nil {
				// Flipping base64 padding bits may decode to the same bytes; only then is success allowed.
				if i < len(tok)-3 {
					t.Fatalf("flipped byte %d opened", i)
				}
			}
		}
	})
	t.Run("truncated refuses", func(t *testing.T) {
		for _, n := range []int{0, 4, 10, len(tok) / 2, len(tok) - 4} {
			if _, err := s1.Open(tok[:n]); err == nil {
				t.Fatalf("truncated to %d opened", n)
			}
		}
	})
	t.Run("too-open key file refused", func(t *testing.T) {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, tokenKeyFile), make([]byte, 32), 0o644)
		os.Chmod(filepath.Join(d, tokenKeyFile), 0o644)
		if _, err := LoadOrCreateSealer(d); err == nil || !strings.Contains(err.Error(), "too open") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestCredentialErrors(t *testing.T) {
	ts := newTestServer(t)
	a := ts.Authority()
	now := time.Now().UTC()
	ts.wall.Set(now)
	seal := func(c TokenClaims) string {
		tok, err := a.Sealer().Seal(&c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := TokenClaims{AccessKeyID: "STS.good", AccessKeySecret: "s", AccountID: a.AccountID(), RoleName: "RamOssTest",
		SessionName: "x1", SourceAK: captureAK, IssuedAt: now.Unix(), Expiration: now.Add(time.Hour).Unix()}
	expired := good
	expired.Expiration = now.Add(-time.Second).Unix()
	goneRole := good
	goneRole.RoleName = "NoSuchRole"
	tests := []struct {
		name, ak, tok string
		want          error
	}{
		{"unknown long-lived key", "LTAI5tUnknown", "", model.ErrUnknownAccessKey},
		{"STS key without token", "STS.good", "", model.ErrTokenMissing},
		{"garbage token", "STS.good", "CAISnotatoken", model.ErrTokenInvalid},
		{"token for another key", "STS.other", seal(good), model.ErrTokenMismatch},
		{"expired token", "STS.good", seal(expired), model.ErrTokenExpired},
		{"role removed", "STS.good", seal(goneRole), model.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Credential(context.Background(), tt.ak, tt.tok)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("long-lived user", func(t *testing.T) {
		c, err := a.Credential(context.Background(), captureAK, "")
		if err != nil || c.Secret != captureSecret || c.Principal.Type != "user" || c.Principal.Name != "sts-issuer" || len(c.Identity) != 4 || !c.Expiration.IsZero() {
			t.Fatalf("%+v %v", c, err)
		}
	})
	t.Run("expiry follows the authorization clock", func(t *testing.T) {
		tok := seal(good)
		if _, err := a.Credential(context.Background(), "STS.good", tok); err != nil {
			t.Fatal(err)
		}
		ts.AuthClock().Advance(2 * time.Hour)
		defer ts.AuthClock().Advance(-2 * time.Hour)
		if _, err := a.Credential(context.Background(), "STS.good", tok); !errors.Is(err, model.ErrTokenExpired) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestLockDir(t *testing.T) {
	ts := newTestServer(t)
	_, err := New(Config{DataDir: ts.dir, Seed: testSeed(t)})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "process ") {
		t.Fatalf("second server on the same dir: %v", err)
	}
	ts.Close()
	s2, err := New(Config{DataDir: ts.dir, Seed: testSeed(t)})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	s2.Close()
}

func TestKeysPersist(t *testing.T) {
	dir := t.TempDir()
	seed, err := ParseSeed("default", DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := New(Config{DataDir: dir, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	u1 := s1.Authority().Users()
	s1.Close()
	st, err := os.Stat(filepath.Join(dir, keysFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("keys file %v %v", st, err)
	}
	s2, err := New(Config{DataDir: dir, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	u2 := s2.Authority().Users()
	if len(u1) != 4 || len(u2) != 4 {
		t.Fatalf("users %d %d", len(u1), len(u2))
	}
	for i := range u1 {
		if u1[i] != u2[i] || u1[i].AccessKeyID == "" || u1[i].AccessKeySecret == "" {
			t.Fatalf("keys changed across restart or empty: %+v vs %+v", u1[i].Name, u2[i].Name)
		}
	}
}
