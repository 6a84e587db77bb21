package oss_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/oss"
	"github.com/stsdeck/stsdeck/sts"
	"github.com/stsdeck/stsdeck/sts/sandbox"
)

// Everything goes through the real SDKs (STS for the token, OSS for the objects) to the
// in-process sandbox over loopback.

type env struct {
	r   *sandbox.Running
	sts *sts.Client
	svc *oss.Service
}

func setup(t testing.TB, cfg oss.Config) *env {
	t.Helper()
	r, err := sandbox.Start(context.Background(), sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	u, _ := r.Info.User("sts-issuer")
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(u.AccessKeyID).WithAccessKeySecret(u.AccessKeySecret).Build()
	if err != nil {
		t.Fatal(err)
	}
	stsEP, _ := model.ParseEndpoint("sts", r.Info.STSEndpoint)
	c, err := sts.New(sts.Config{Credentials: p, Region: r.Info.Region, STSEndpoint: stsEP, RAMEndpoint: stsEP})
	if err != nil {
		t.Fatal(err)
	}
	ossEP, err := model.ParseEndpoint("oss", r.Info.OSSEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Region, cfg.Endpoint = r.Info.Region, ossEP
	return &env{r: r, sts: c, svc: oss.NewService(cfg)}
}

func (e *env) token(t testing.TB, role, policy string, d time.Duration) model.Credentials {
	t.Helper()
	cr, err := e.sts.AssumeRole(context.Background(), model.IssueRequest{
		RoleARN: issuereq.RoleARN(e.r.Info.AccountID, role), SessionName: "oss-test", Duration: d, Policy: policy,
	})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", role, err)
	}
	return cr
}

const srcOnly = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject","oss:GetObject","oss:DeleteObject"],"Resource":"acs:oss:*:*:examplebucket/src/*"},` +
	`{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:examplebucket","Condition":{"StringLike":{"oss:Prefix":"src/*"}}}]}`

func TestObjectLifecycle(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		name := "V4"
		if v1 {
			name = "V1"
		}
		t.Run(name, func(t *testing.T) {
			e := setup(t, oss.Config{SignatureV1: v1, PartSize: 256 << 10, Threshold: 512 << 10, Parallel: 3})
			c := e.svc.With(e.token(t, "OssReadWrite", "", 0))
			ctx := context.Background()
			for _, size := range []int64{0, 1000, 3<<20 + 17} { // single PUT, and multipart with a short last part
				g := oss.Generated{Seed: uint64(size), N: size}
				key := "src/obj-" + strings.Repeat("x", int(size%7)) + "-" + time.Now().Format("150405.000000")
				var mu sync.Mutex
				var last model.Progress
				calls := 0
				info, err := c.Put(ctx, "examplebucket", key, g, size, func(p model.Progress) {
					mu.Lock()
					defer mu.Unlock()
					if p.Done < last.Done {
						t.Errorf("progress went backwards: %d after %d", p.Done, last.Done)
					}
					last = p
					calls++
				})
				if err != nil {
					t.Fatalf("Put %d bytes: %v", size, err)
				}
				if last.Done != size || last.Total != size || calls < 2 {
					t.Errorf("final progress %+v after %d calls", last, calls)
				}
				if info.ETag == "" || info.CRC64 == "" {
					t.Errorf("Put info %+v", info)
				}
				var buf bytes.Buffer
				got, err := c.Get(ctx, "examplebucket", key, &buf)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if !bytes.Equal(buf.Bytes(), g.Bytes()) || got.Size != size || got.CRC64 != info.CRC64 {
					t.Errorf("Get returned %d bytes (crc %s), want %d (crc %s)", buf.Len(), got.CRC64, size, info.CRC64)
				}
				h, err := c.Head(ctx, "examplebucket", key)
				if err != nil || h.Size != size || h.ETag != info.ETag {
					t.Errorf("Head %+v %v", h, err)
				}
				list, err := c.List(ctx, "examplebucket", key, 10)
				if err != nil || len(list) != 1 || list[0].Key != key || list[0].Size != size {
					t.Errorf("List %+v %v", list, err)
				}
				if err := c.Delete(ctx, "examplebucket", key); err != nil {
					t.Fatal(err)
				}
				_, err = c.Head(ctx, "examplebucket", key)
				var ae *model.APIError
				if !errors.As(err, &ae) || ae.Code != "NoSuchKey" || ae.StatusCode != 404 {
					t.Errorf("Head after delete: %v", err)
				}
			}
		})
	}
}

func TestPresignedURLs(t *testing.T) {
	e := setup(t, oss.Config{})
	c := e.svc.With(e.token(t, "OssReadWrite", "", 0))
	ctx := context.Background()
	put, err := c.Presign(ctx, "PUT", "examplebucket", "src/presigned.txt", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(put, "x-oss-security-token") {
		t.Errorf("presigned URL lacks the token parameter: %s", put)
	}
	req, _ := http.NewRequest(http.MethodPut, put, strings.NewReader("via presigned PUT"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %s", resp.Status)
	}
	get, err := c.Presign(ctx, "GET", "examplebucket", "src/presigned.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(get)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "via presigned PUT" {
		t.Fatalf("presigned GET: %s %q", resp.Status, body)
	}
	// Tampering with the key breaks the signature.
	resp, err = http.Get(strings.Replace(get, "presigned.txt", "presigned.txx", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("tampered URL answered %s", resp.Status)
	}
}

func TestClassicScenarioProbe(t *testing.T) {
	e := setup(t, oss.Config{})
	c := e.svc.With(e.token(t, "OssReadWrite", srcOnly, 0))
	rep, err := c.Probe(context.Background(), model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/", Outside: "dst/"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{ // scope/op -> allowed
		"inside/put": true, "inside/head": true, "inside/get": true, "inside/list": true, "inside/delete": true,
		"outside/put": false, "outside/head": false, "outside/get": false, "outside/list": false, "outside/delete": false,
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("%d results", len(rep.Results))
	}
	for _, r := range rep.Results {
		k := r.Scope + "/" + r.Op
		if r.Actual.Allowed != want[k] {
			t.Errorf("%s: allowed %v (status %d %s %s), want %v", k, r.Actual.Allowed, r.Actual.Status, r.Actual.Code, r.Actual.EC, want[k])
		}
		if !want[k] && (r.Actual.Status != 403 || r.Actual.EC != "0003-00000301" || r.Actual.RequestID == "") {
			t.Errorf("%s: denial %+v, want 403 with the session-policy EC", k, r.Actual)
		}
		// The server's message travels with a denial (HEAD answers have no body to carry one).
		if !want[k] && r.Op != "head" && r.Actual.Message == "" {
			t.Errorf("%s: denial without the server's message: %+v", k, r.Actual)
		}
		if want[k] && r.Actual.Message != "" {
			t.Errorf("%s: allowed, yet message %q", k, r.Actual.Message)
		}
		if r.Op != "list" && !strings.Contains(r.Key, oss.ProbeMarker) {
			t.Errorf("%s: key %q is not a probe key", k, r.Key)
		}
		if r.Scope == "inside" && r.Op != "list" && !strings.HasPrefix(r.Key, "src/") || r.Scope == "outside" && !strings.HasPrefix(r.Key, "dst/") {
			t.Errorf("%s: key %q in the wrong place", k, r.Key)
		}
	}
	if len(rep.LeftBehind) != 0 {
		t.Errorf("left behind %v", rep.LeftBehind)
	}
	// Upload-only: the object stays, and the probe says so.
	up := e.svc.With(e.token(t, "RamOssTest", "", 0))
	rep, err = up.Probe(context.Background(), model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.LeftBehind) != 2 || rep.Outside != "dst/" {
		t.Fatalf("left behind %v outside %q, want both probe objects", rep.LeftBehind, rep.Outside)
	}
	// get of the object it could not read: 403, not NoSuchKey.
	for _, r := range rep.Results {
		if r.Op == "get" && (r.Actual.Allowed || r.Actual.Status != 403) {
			t.Errorf("get %+v", r.Actual)
		}
	}
}

func TestProbeNoSuchKeyCountsAsAllowed(t *testing.T) {
	e := setup(t, oss.Config{})
	// Read-only: put is denied, so head/get meet a missing key: 404 NoSuchKey = allowed.
	c := e.svc.With(e.token(t, "OssReadOnly", "", 0))
	rep, err := c.Probe(context.Background(), model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		switch r.Op {
		case "put":
			if r.Actual.Allowed {
				t.Errorf("%s put allowed", r.Scope)
			}
		case "get", "head":
			if !r.Actual.Allowed || r.Actual.Status != 404 {
				t.Errorf("%s %s: %+v, want allowed 404", r.Scope, r.Op, r.Actual)
			}
		}
	}
}

func TestExpiredTokenAndCancel(t *testing.T) {
	e := setup(t, oss.Config{PartSize: 128 << 10, Threshold: 256 << 10, Parallel: 2})
	ctx := context.Background()
	cr := e.token(t, "OssReadWrite", "", 15*time.Minute)
	c := e.svc.With(cr)

	t.Run("cancelled multipart leaves nothing", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		size := int64(8 << 20)
		_, err := c.Put(cctx, "examplebucket", "src/cancelled.bin", oss.Generated{Seed: 1, N: size}, size, func(p model.Progress) {
			if p.Done > 0 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		_, err = c.Head(ctx, "examplebucket", "src/cancelled.bin")
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Code != "NoSuchKey" {
			t.Errorf("after cancel: %v", err)
		}
		// The upload was aborted on the server: no parts are left behind.
		lu, err := c.SDK().ListMultipartUploads(ctx, &ossdk.ListMultipartUploadsRequest{Bucket: ossdk.Ptr("examplebucket")})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range lu.Uploads {
			t.Errorf("multipart upload left on the server after cancel: key %s, upload id %s", ossdk.ToString(u.Key), ossdk.ToString(u.UploadId))
		}
	})

	t.Run("expired token", func(t *testing.T) {
		ctl, err := e.r.Control()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ctl.Advance(ctx, 16*time.Minute); err != nil {
			t.Fatal(err)
		}
		_, err = c.Put(ctx, "examplebucket", "src/late.txt", strings.NewReader("late"), 4, nil)
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Code != "SecurityTokenExpired" || ae.StatusCode != 403 || !strings.Contains(ae.Hint, "expired") {
			t.Fatalf("want SecurityTokenExpired, got %v", err)
		}
		if oss.DeniedBy(ae) != "credentials" || strings.Contains(ae.Error(), cr.SecurityToken) {
			t.Errorf("DeniedBy %q / error leaks the token", oss.DeniedBy(ae))
		}
	})
}
