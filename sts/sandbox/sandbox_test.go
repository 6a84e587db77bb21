package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	stsclient "github.com/alibabacloud-go/sts-20150401/v2/client"
	"github.com/alibabacloud-go/tea/tea"
	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

func start(t *testing.T, o Options) *Running {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	r, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func stsFor(t *testing.T, endpoint, ak, secret, token string) *stsclient.Client {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &openapi.Config{AccessKeyId: tea.String(ak), AccessKeySecret: tea.String(secret), Endpoint: tea.String(u.Host),
		Protocol: tea.String(u.Scheme), RegionId: tea.String("cn-hangzhou")}
	if token != "" {
		cfg.SecurityToken = tea.String(token)
	}
	c, err := stsclient.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStartInfo(t *testing.T) {
	r := start(t, Options{})
	i := r.Info
	for name, u := range map[string]string{"sts": i.STSEndpoint, "ram": i.RAMEndpoint, "oss": i.OSSEndpoint} {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "http" || pu.Path != "" || !strings.HasPrefix(pu.Host, "127.0.0.1:") || strings.HasSuffix(u, "/") {
			t.Errorf("%s endpoint %q is not an absolute URL without a trailing slash", name, u)
		}
	}
	if i.STSEndpoint != i.RAMEndpoint || i.STSEndpoint == i.OSSEndpoint {
		t.Errorf("endpoints %+v", i)
	}
	if i.Region != "cn-hangzhou" || i.AccountID != "1234567890123456" || i.CAFile != "" {
		t.Errorf("info %+v", i)
	}
	var users []string
	for _, u := range i.Users {
		users = append(users, u.Name+":"+u.Kind)
		if u.AccessKeyID == "" || u.AccessKeySecret == "" {
			t.Errorf("user %s has no keys", u.Name)
		}
	}
	if got := strings.Join(users, ","); got != "root:root,sts-issuer:user,sts-only:user,no-sts-user:user" {
		t.Errorf("users %s", got)
	}
	if len(i.Roles) != 6 || i.Roles[0].ARN != "acs:ram::1234567890123456:role/ramosstest" || i.Roles[1].MaxSessionDuration != 43200 {
		t.Errorf("roles %+v", i.Roles)
	}
	if len(i.Buckets) != 2 || i.Buckets[0].Endpoint != i.OSSEndpoint || i.Buckets[1].Region != "cn-beijing" || i.Buckets[1].Endpoint == i.OSSEndpoint || i.Buckets[1].Endpoint == "" {
		t.Errorf("buckets %+v", i.Buckets)
	}

	t.Run("one sandbox per data dir", func(t *testing.T) {
		dir := t.TempDir()
		start(t, Options{DataDir: dir})
		_, err := Start(context.Background(), Options{DataDir: dir})
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "held by process") {
			t.Fatalf("second sandbox: %v", err)
		}
	})
}

// TestBothHalvesEndToEnd issues a token through the STS half with the official SDK and uses it
// on the OSS half with the official OSS SDK: the session policy allows src/ only.
func TestBothHalvesEndToEnd(t *testing.T) {
	r := start(t, Options{})
	issuer, _ := r.Info.User("sts-issuer")
	c := stsFor(t, r.Info.STSEndpoint, issuer.AccessKeyID, issuer.AccessKeySecret, "")
	resp, err := c.AssumeRole(&stsclient.AssumeRoleRequest{RoleArn: tea.String(r.Info.Roles[0].ARN), RoleSessionName: tea.String("partner-b"),
		Policy: tea.String(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cr := resp.Body.Credentials
	oc := ossdk.NewClient(ossdk.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(tea.StringValue(cr.AccessKeyId), tea.StringValue(cr.AccessKeySecret), tea.StringValue(cr.SecurityToken))).
		WithRegion("cn-hangzhou").WithEndpoint(r.Info.OSSEndpoint).WithUsePathStyle(true).WithRetryMaxAttempts(1))
	ctx := context.Background()
	if _, err := oc.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/hello.txt"), Body: bytes.NewReader([]byte("hello"))}); err != nil {
		t.Fatalf("put inside the prefix: %v", err)
	}
	_, err = oc.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("other/hello.txt"), Body: bytes.NewReader([]byte("hello"))})
	var se *ossdk.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 403 {
		t.Fatalf("put outside the prefix: %v", err)
	}
	ctl, err := r.Control()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ctl.Trace(ctx, "oss", se.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RequestID != se.RequestID || tr.Status != 403 {
		t.Fatalf("oss trace %+v", tr)
	}

	t.Run("advancing the clock expires the token on both halves", func(t *testing.T) {
		off, err := ctl.Advance(ctx, 2*time.Hour)
		if err != nil || off != 2*time.Hour {
			t.Fatalf("advance: %v %v", off, err)
		}
		defer ctl.Advance(ctx, -2*time.Hour)
		_, err = oc.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/late.txt"), Body: bytes.NewReader([]byte("x"))})
		if !errors.As(err, &se) || se.StatusCode != 403 {
			t.Fatalf("OSS with an expired token: %v", err)
		}
		_, err = stsFor(t, r.Info.STSEndpoint, tea.StringValue(cr.AccessKeyId), tea.StringValue(cr.AccessKeySecret), tea.StringValue(cr.SecurityToken)).GetCallerIdentity()
		var sdkErr *tea.SDKError
		if !errors.As(err, &sdkErr) || tea.StringValue(sdkErr.Code) != "InvalidSecurityToken.Expired" {
			t.Fatalf("STS with an expired token: %v", err)
		}
		rid := ""
		var data map[string]any
		if json.Unmarshal([]byte(tea.StringValue(sdkErr.Data)), &data) == nil {
			rid, _ = data["RequestId"].(string)
		}
		tr, err := ctl.Trace(ctx, "sts", rid)
		if err != nil || tr.Check != "token" || tr.Code != "InvalidSecurityToken.Expired" {
			t.Fatalf("sts trace %+v %v", tr, err)
		}
		st, err := ctl.Clock(ctx)
		if err != nil || st.OffsetSeconds != 7200 || st.Now.Sub(st.Wall) < 2*time.Hour-time.Second {
			t.Fatalf("clock %+v %v", st, err)
		}
	})

	t.Run("unknown trace", func(t *testing.T) {
		if _, err := ctl.Trace(ctx, "sts", "NOPE"); err == nil || !strings.Contains(err.Error(), "no trace") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestTLS(t *testing.T) {
	r := start(t, Options{TLS: true})
	if !strings.HasPrefix(r.Info.STSEndpoint, "https://") || !strings.HasPrefix(r.Info.OSSEndpoint, "https://") || r.Info.CAFile == "" {
		t.Fatalf("info %+v", r.Info)
	}
	if st, err := os.Stat(r.Info.CAFile); err != nil || st.Size() == 0 {
		t.Fatalf("CA file: %v", err)
	}
	ctl, err := r.Control()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.Clock(context.Background()); err != nil {
		t.Fatalf("control over TLS with the CA file: %v", err)
	}
}

func TestBadSeed(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	os.WriteFile(seed, []byte("account_id: \"1\"\nroles:\n  - name: R\n    max_session_duration: 60\n"), 0o600)
	_, err := Start(context.Background(), Options{DataDir: t.TempDir(), SeedFile: seed})
	if err == nil || !strings.Contains(err.Error(), seed+": line 4, col 27: roles[0].max_session_duration: want 3600 to 43200 seconds, got 60") {
		t.Fatalf("err %v", err)
	}
	var ie *InputError
	if !errors.As(err, &ie) || !ie.BadInput() {
		t.Errorf("a bad seed is not marked as bad input: %T", err)
	}
	_, err = Start(context.Background(), Options{DataDir: t.TempDir(), SeedFile: filepath.Join(t.TempDir(), "missing.yaml")})
	if !errors.As(err, &ie) {
		t.Errorf("a missing seed file is not marked as bad input: %v", err)
	}
}

func TestRunWritesReadyFile(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	got := make(chan Info, 1)
	go func() {
		done <- Run(ctx, Options{DataDir: filepath.Join(dir, "data")}, ready, func(i Info) { got <- i })
	}()
	var info Info
	select {
	case info = <-got:
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no ready callback")
	}
	st, err := os.Stat(ready)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ready file %v %v", st, err)
	}
	raw, _ := os.ReadFile(ready)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, ","); got != "account_id,buckets,oss_endpoint,ram_endpoint,region,roles,sts_endpoint,users" {
		t.Fatalf("ready file keys %s", got)
	}
	u := m["users"].([]any)[0].(map[string]any)
	b := m["buckets"].([]any)[0].(map[string]any)
	ro := m["roles"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "kind", "access_key_id", "access_key_secret"} {
		if _, ok := u[k]; !ok {
			t.Errorf("users[0] lacks %s", k)
		}
	}
	for _, k := range []string{"name", "region", "endpoint"} {
		if _, ok := b[k]; !ok {
			t.Errorf("buckets[0] lacks %s", k)
		}
	}
	for _, k := range []string{"name", "arn", "max_session_duration"} {
		if _, ok := ro[k]; !ok {
			t.Errorf("roles[0] lacks %s", k)
		}
	}
	if m["sts_endpoint"] != info.STSEndpoint {
		t.Errorf("ready file and callback disagree")
	}
	// The sandbox also publishes itself in its data dir, where --sandbox commands look.
	published := filepath.Join(dir, "data", ReadyFileName)
	if st, err := os.Stat(published); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("published ready file %v %v", st, err)
	}
	if pub, _ := os.ReadFile(published); string(pub) != string(raw) {
		t.Errorf("published ready file differs from --ready-file:\n%s", pub)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop")
	}
	for _, f := range []string{ready, published} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s left after the sandbox stopped: %v", f, err)
		}
	}
	// The data dir is free again.
	r, err := Start(context.Background(), Options{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	r.Close()
}
