package ossemu

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

const testAccount = "1234567890123456"

// testAuth is an Authenticator over a fixed table (the STS sandbox's authority in production).
type testAuth struct {
	mu    sync.Mutex
	creds map[string]*testCred
	clock model.Clock
}

type testCred struct {
	model.SandboxCredential
	token string
}

func (a *testAuth) Credential(ctx context.Context, ak, token string) (*model.SandboxCredential, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.creds[ak]
	if !ok {
		return nil, model.ErrUnknownAccessKey
	}
	if c.token != "" || token != "" {
		switch {
		case token == "":
			return nil, model.ErrTokenMissing
		case token != c.token:
			for _, o := range a.creds {
				if o.token == token {
					return nil, model.ErrTokenMismatch
				}
			}
			return nil, model.ErrTokenInvalid
		}
		if !c.Expiration.IsZero() && !a.clock.Now().Before(c.Expiration) {
			return nil, model.ErrTokenExpired
		}
	}
	cc := c.SandboxCredential
	return &cc, nil
}

func mustPolicy(t testing.TB, name, src string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, fs := policy.Validate(name, []byte(src), kind)
	if p == nil {
		t.Fatalf("policy %s: %v", name, fs)
	}
	return p
}

const (
	ramTestPolicy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/*"]}]}`
	fullPolicy    = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:*"],"Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*","acs:oss:*:*:*"]}]}`
	srcSession    = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/src/*"]}]}`
	denyPolicy    = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:*"],"Resource":["*"]},{"Effect":"Deny","Action":["oss:DeleteObject"],"Resource":["acs:oss:*:*:examplebucket/*"]}]}`
)

type env struct {
	t      testing.TB
	srv    *Server
	auth   *testAuth
	wall   *model.OffsetClock
	authCk *model.OffsetClock
	hs     map[string]*httptest.Server // region → listener
	dir    string
	full   diskFull // set: the store's writes fail as on a full disk
}

func newEnv(t testing.TB, buckets ...Bucket) *env {
	t.Helper()
	if len(buckets) == 0 {
		buckets = []Bucket{{Name: "examplebucket", Region: "cn-hangzhou"}, {Name: "otherbucket", Region: "cn-shanghai"}}
	}
	e := &env{t: t, dir: t.TempDir(), hs: map[string]*httptest.Server{}}
	e.wall = model.NewOffsetClock(model.WallClock, 0)
	e.authCk = model.NewOffsetClock(e.wall, 0)
	e.auth = &testAuth{clock: e.authCk, creds: map[string]*testCred{}}
	e.addCreds(t)
	e.start(buckets)
	return e
}

func (e *env) start(buckets []Bucket) {
	t := e.t
	srv, err := New(Config{DataDir: e.dir, AccountID: testAccount, Buckets: buckets, Auth: e.auth, WallClock: e.wall, AuthClock: e.authCk,
		Disk: DiskOptions{WriteFault: e.full.fault}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	for _, r := range srv.Regions() {
		hs := httptest.NewServer(srv.Handler(r))
		e.hs[r] = hs
		t.Cleanup(hs.Close)
	}
	t.Cleanup(func() { srv.Close() })
}

func (e *env) addCreds(t testing.TB) {
	add := func(ak, secret, token string, p policy.Principal, arn string, ident []*policy.Policy, sess *policy.Policy, exp time.Time) {
		e.auth.creds[ak] = &testCred{token: token, SandboxCredential: model.SandboxCredential{AccessKeyID: ak, Secret: secret, Principal: p,
			ARN: arn, DisplayName: p.Name, Identity: ident, Session: sess, Expiration: exp}}
	}
	role := policy.Principal{AccountID: testAccount, Type: "role", Name: "RamOssTest", ID: "300000000000000001", SessionName: "partner-b"}
	ram := mustPolicy(t, "RamTestPolicy", ramTestPolicy, policy.KindIdentity)
	full := mustPolicy(t, "FullExample", fullPolicy, policy.KindIdentity)
	add("LTAIroot", "rootsecret", "", policy.Principal{AccountID: testAccount, Type: "root"}, "acs:ram::"+testAccount+":root", nil, nil, time.Time{})
	add("LTAI5tExampleUser", "ExampleSecret123", "", policy.Principal{AccountID: testAccount, Type: "user", Name: "sts-issuer", ID: "200000000000000001"},
		"acs:ram::"+testAccount+":user/sts-issuer", []*policy.Policy{full}, nil, time.Time{})
	add("LTAInoperm", "nopermsecret", "", policy.Principal{AccountID: testAccount, Type: "user", Name: "nobody", ID: "200000000000000002"},
		"acs:ram::"+testAccount+":user/nobody", []*policy.Policy{}, nil, time.Time{})
	add("LTAIdeny", "denysecret", "", policy.Principal{AccountID: testAccount, Type: "user", Name: "nodelete", ID: "200000000000000003"},
		"acs:ram::"+testAccount+":user/nodelete", []*policy.Policy{mustPolicy(t, "NoDelete", denyPolicy, policy.KindIdentity)}, nil, time.Time{})
	exp := time.Now().Add(time.Hour)
	add("STS.capture", "capturesecret", "CAIScapture", role, "acs:ram::"+testAccount+":assumed-role/RamOssTest/partner-b",
		[]*policy.Policy{ram}, mustPolicy(t, "session", srcSession, policy.KindSession), exp)
	add("STS.nosession", "nosessionsecret", "CAISnosession", role, "acs:ram::"+testAccount+":assumed-role/RamOssTest/partner-b",
		[]*policy.Policy{ram}, nil, exp)
}

// client returns an SDK client for the region's listener (path style unless opts change it).
func (e *env) client(region, ak, sk, token string, opts ...func(*ossdk.Config)) *ossdk.Client {
	cfg := ossdk.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, token)).
		WithRegion(region).
		WithEndpoint(e.hs[region].URL).
		WithUsePathStyle(true).
		WithRetryMaxAttempts(1)
	for _, o := range opts {
		o(cfg)
	}
	return ossdk.NewClient(cfg)
}

func v1(c *ossdk.Config) { c.WithSignatureVersion(ossdk.SignatureVersionV1) }

// dialTo makes every connection go to addr (virtual-hosted names do not resolve here).
func dialTo(addr string) func(c *ossdk.Config) {
	return func(c *ossdk.Config) {
		d := &net.Dialer{Timeout: 5 * time.Second}
		c.WithHttpClient(&http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}}})
	}
}

func serviceErr(t testing.TB, err error) *ossdk.ServiceError {
	t.Helper()
	var se *ossdk.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("want a ServiceError, got %v", err)
	}
	return se
}

func wantErr(t testing.TB, err error, status int, code, ec string) *ossdk.ServiceError {
	t.Helper()
	se := serviceErr(t, err)
	if se.StatusCode != status || se.Code != code || (ec != "" && se.EC != ec) {
		t.Fatalf("want %d %s EC %s, got %d %s EC %s: %s", status, code, ec, se.StatusCode, se.Code, se.EC, se.Message)
	}
	if se.RequestID == "" {
		t.Errorf("error without request id")
	}
	return se
}

func hostOf(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }

// assertInside checks that nothing was written next to the data dir and that no file under it
// is named after an object key.
func assertInside(t testing.TB, dir string) {
	t.Helper()
	parent, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parent {
		if !p.IsDir() {
			t.Fatalf("file %s written next to the data dir", p.Name())
		}
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		n := d.Name()
		if strings.Contains(n, "passwd") || strings.Contains(n, "..") || strings.Contains(n, "kkkk") {
			t.Fatalf("key text in a file name: %s", path)
		}
		return nil
	})
}

func rootPrincipal() policy.Principal { return policy.Principal{AccountID: testAccount, Type: "root"} }
