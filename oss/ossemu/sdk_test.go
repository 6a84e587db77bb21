package ossemu

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"github.com/stsdeck/stsdeck/model"
)

var ctx = context.Background()

func TestSDKObjectRoundTrip(t *testing.T) {
	e := newEnv(t)
	for _, mode := range []struct {
		name string
		opts []func(*ossdk.Config)
	}{{"v4", nil}, {"v1", []func(*ossdk.Config){v1}}} {
		t.Run(mode.name, func(t *testing.T) {
			c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "", mode.opts...)
			body := []byte(strings.Repeat("hello world ", 1000))
			key := "dir/" + mode.name + "/a b+c.txt"
			put, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key),
				Body: bytes.NewReader(body), ContentType: ossdk.Ptr("text/plain"), Metadata: map[string]string{"author": "partner-b"}})
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(body)
			wantETag := `"` + strings.ToUpper(fmt.Sprintf("%x", sum)) + `"`
			wantCRC := strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10)
			if ossdk.ToString(put.ETag) != wantETag || ossdk.ToString(put.HashCRC64) != wantCRC {
				t.Fatalf("put: etag %s crc %s, want %s %s", ossdk.ToString(put.ETag), ossdk.ToString(put.HashCRC64), wantETag, wantCRC)
			}
			if put.Headers.Get("x-oss-request-id") == "" {
				t.Error("no x-oss-request-id")
			}
			get, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if !bytes.Equal(got, body) || get.Metadata["author"] != "partner-b" || ossdk.ToString(get.ContentType) != "text/plain" {
				t.Fatalf("get: %d bytes, meta %v, type %s", len(got), get.Metadata, ossdk.ToString(get.ContentType))
			}
			rg, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key), Range: ossdk.Ptr("bytes=6-10")})
			if err != nil {
				t.Fatal(err)
			}
			part, _ := io.ReadAll(rg.Body)
			rg.Body.Close()
			if string(part) != "world" || rg.StatusCode != 206 || ossdk.ToString(rg.ContentRange) != fmt.Sprintf("bytes 6-10/%d", len(body)) {
				t.Fatalf("range: %q %d %s", part, rg.StatusCode, ossdk.ToString(rg.ContentRange))
			}
			head, err := c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
			if err != nil {
				t.Fatal(err)
			}
			if head.ContentLength != int64(len(body)) || ossdk.ToString(head.HashCRC64) != wantCRC || ossdk.ToString(head.ETag) != wantETag || ossdk.ToString(head.ObjectType) != "Normal" {
				t.Fatalf("head: %+v", head)
			}
			if _, err := c.DeleteObject(ctx, &ossdk.DeleteObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)}); err != nil {
				t.Fatal(err)
			}
			_, err = c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
			wantErr(t, err, 404, "NoSuchKey", "0026-00000001")
			_, err = c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
			se := wantErr(t, err, 404, "NoSuchKey", "0026-00000001")
			if se.Headers.Get("x-oss-err") == "" {
				t.Error("HEAD error without x-oss-err")
			}
			_, err = c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("nobucket"), Key: ossdk.Ptr("k")})
			wantErr(t, err, 404, "NoSuchBucket", "0015-00000101")
		})
	}
}

func TestSDKListing(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	keys := []string{"a.txt", "dir/1", "dir/2", "dir/sub/3", "dir+plus/x", "dir space/y", "z"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("v2-paginated", func(t *testing.T) {
		p := c.NewListObjectsV2Paginator(&ossdk.ListObjectsV2Request{Bucket: ossdk.Ptr("examplebucket"), MaxKeys: 2})
		var got []string
		pages := 0
		for p.HasNext() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, o := range page.Contents {
				got = append(got, ossdk.ToString(o.Key))
			}
		}
		want := []string{"a.txt", "dir space/y", "dir+plus/x", "dir/1", "dir/2", "dir/sub/3", "z"}
		if strings.Join(got, "|") != strings.Join(want, "|") || pages != 4 {
			t.Fatalf("got %q in %d pages", got, pages)
		}
	})
	t.Run("v2-delimiter", func(t *testing.T) {
		var objs, cps []string
		p := c.NewListObjectsV2Paginator(&ossdk.ListObjectsV2Request{Bucket: ossdk.Ptr("examplebucket"), Delimiter: ossdk.Ptr("/"), MaxKeys: 1})
		for p.HasNext() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				objs = append(objs, ossdk.ToString(o.Key))
			}
			for _, cp := range page.CommonPrefixes {
				cps = append(cps, ossdk.ToString(cp.Prefix))
			}
		}
		if strings.Join(objs, "|") != "a.txt|z" || strings.Join(cps, "|") != "dir space/|dir+plus/|dir/" {
			t.Fatalf("objects %q prefixes %q", objs, cps)
		}
	})
	t.Run("v2-prefix-start-after", func(t *testing.T) {
		res, err := c.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: ossdk.Ptr("examplebucket"), Prefix: ossdk.Ptr("dir/"), StartAfter: ossdk.Ptr("dir/1"), Delimiter: ossdk.Ptr("/")})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Contents) != 1 || ossdk.ToString(res.Contents[0].Key) != "dir/2" || len(res.CommonPrefixes) != 1 || ossdk.ToString(res.CommonPrefixes[0].Prefix) != "dir/sub/" || res.KeyCount != 2 {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("buckets-info-location", func(t *testing.T) {
		lb, err := c.ListBuckets(ctx, &ossdk.ListBucketsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(lb.Buckets) != 2 || ossdk.ToString(lb.Buckets[0].Name) != "examplebucket" || ossdk.ToString(lb.Buckets[1].Region) != "cn-shanghai" {
			t.Fatalf("%+v", lb.Buckets)
		}
		info, err := c.GetBucketInfo(ctx, &ossdk.GetBucketInfoRequest{Bucket: ossdk.Ptr("examplebucket")})
		if err != nil {
			t.Fatal(err)
		}
		if ossdk.ToString(info.BucketInfo.Name) != "examplebucket" || ossdk.ToString(info.BucketInfo.Location) != "oss-cn-hangzhou" || ossdk.ToString(info.BucketInfo.ACL) != "private" {
			t.Fatalf("%+v", info.BucketInfo)
		}
		loc, err := c.GetBucketLocation(ctx, &ossdk.GetBucketLocationRequest{Bucket: ossdk.Ptr("examplebucket")})
		if err != nil || ossdk.ToString(loc.LocationConstraint) != "oss-cn-hangzhou" {
			t.Fatalf("%v %v", err, loc)
		}
	})
}

func TestSDKVirtualHosted(t *testing.T) {
	e := newEnv(t)
	addr := hostOf(e.hs["cn-hangzhou"].URL)
	for _, tc := range []struct{ name, endpoint string }{
		{"aliyuncs", "http://oss-cn-hangzhou.aliyuncs.com"},
		{"localhost", "http://localhost:" + strings.Split(addr, ":")[1]},
	} {
		for _, sig := range []string{"v4", "v1"} {
			t.Run(tc.name+"/"+sig, func(t *testing.T) {
				opts := []func(*ossdk.Config){dialTo(addr), func(c *ossdk.Config) { c.WithUsePathStyle(false).WithEndpoint(tc.endpoint) }}
				if sig == "v1" {
					opts = append(opts, v1)
				}
				c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "", opts...)
				key := "vh/" + tc.name + sig
				if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key), Body: strings.NewReader("x")}); err != nil {
					t.Fatal(err)
				}
				res, err := c.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: ossdk.Ptr("examplebucket"), Prefix: ossdk.Ptr(key)})
				if err != nil || len(res.Contents) != 1 {
					t.Fatalf("%v %+v", err, res)
				}
			})
		}
	}
}

func TestSDKPresign(t *testing.T) {
	e := newEnv(t)
	for _, sig := range []string{"v4", "v1"} {
		t.Run(sig, func(t *testing.T) {
			var opts []func(*ossdk.Config)
			if sig == "v1" {
				opts = append(opts, v1)
			}
			c := e.client("cn-hangzhou", "STS.capture", "capturesecret", "CAIScapture", opts...)
			key := "src/presigned-" + sig + ".txt"
			pr, err := c.Presign(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(pr.Method, pr.URL, strings.NewReader("presigned body"))
			for k, v := range pr.SignedHeaders {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("presigned PUT: %d %s", resp.StatusCode, b)
			}
			// The session policy does not allow GetObject: the presigned GET is denied by it.
			gr, err := c.Presign(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
			if err != nil {
				t.Fatal(err)
			}
			resp, err = http.Get(gr.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || !bytes.Contains(b, []byte("0003-00000301")) {
				t.Fatalf("presigned GET: %d %s", resp.StatusCode, b)
			}
			// Tampering with the URL breaks it.
			resp, err = http.Get(strings.Replace(gr.URL, "presigned-", "presignee-", 1))
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || !bytes.Contains(b, []byte("SignatureDoesNotMatch")) {
				t.Fatalf("tampered: %d %s", resp.StatusCode, b)
			}
			// Expired: move the wall clock past the URL's expiry.
			e.wall.Advance(16 * time.Minute)
			defer e.wall.Advance(-16 * time.Minute)
			resp, err = http.Get(gr.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || !bytes.Contains(b, []byte("Request has expired.")) {
				t.Fatalf("expired: %d %s", resp.StatusCode, b)
			}
		})
	}
}

type errorXML struct {
	Code               string
	Message            string
	RequestId          string
	HostId             string
	EC                 string
	RecommendDoc       string
	Endpoint           string
	AccessDeniedDetail model.AccessDeniedDetail
}

func parseErrorBody(t testing.TB, se *ossdk.ServiceError) errorXML {
	t.Helper()
	var x errorXML
	if err := xml.Unmarshal(se.Snapshot, &x); err != nil {
		t.Fatalf("error body: %v: %s", err, se.Snapshot)
	}
	return x
}

func (e *env) trace(t testing.TB, region, id string) model.Trace {
	t.Helper()
	resp, err := http.Get(e.hs[region].URL + "/-/trace/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr model.Trace
	if resp.StatusCode != 200 {
		t.Fatalf("trace %s: %d", id, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// The classic scenario: a token whose session policy allows examplebucket/src/* uploads to src/
// and is denied at dst/ by the session policy.
func TestSDKClassicScenario(t *testing.T) {
	e := newEnv(t)
	for _, sig := range []string{"v4", "v1"} {
		t.Run(sig, func(t *testing.T) {
			var opts []func(*ossdk.Config)
			if sig == "v1" {
				opts = append(opts, v1)
			}
			c := e.client("cn-hangzhou", "STS.capture", "capturesecret", "CAIScapture", opts...)
			if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/exampletest.txt"), Body: strings.NewReader("hello world")}); err != nil {
				t.Fatal(err)
			}
			_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("dst/exampletest.txt"), Body: strings.NewReader("hello world")})
			se := wantErr(t, err, 403, "AccessDenied", "0003-00000301")
			x := parseErrorBody(t, se)
			if x.Message != "Access denied by authorizer's policy." || x.AccessDeniedDetail.AuthAction != "oss:PutObject" ||
				x.AccessDeniedDetail.PolicyType != "SessionPolicy" || x.AccessDeniedDetail.NoPermissionType != "ImplicitDeny" ||
				x.AccessDeniedDetail.AuthPrincipalType != "AssumedRoleUser" || x.HostId != "examplebucket.oss-cn-hangzhou.aliyuncs.com" ||
				x.RecommendDoc != "https://api.aliyun.com/troubleshoot?q=0003-00000301" {
				t.Fatalf("body: %+v", x)
			}
			tr := e.trace(t, "cn-hangzhou", se.RequestID)
			if tr.Check != "session-policy" || tr.DecidedBy != "session" || tr.Decision != "ImplicitDeny" || tr.Status != 403 ||
				tr.Resource != "acs:oss:cn-hangzhou:"+testAccount+":examplebucket/dst/exampletest.txt" || tr.Operation != "PutObject" {
				t.Fatalf("trace: %+v", tr)
			}
			if strings.Contains(string(se.Snapshot), "capturesecret") || strings.Contains(string(se.Snapshot), "CAIScapture") {
				t.Fatal("secret in error body")
			}
		})
	}
}

func TestSDKAuthErrors(t *testing.T) {
	e := newEnv(t)
	put := func(c *ossdk.Client, key string) error {
		_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key), Body: strings.NewReader("x")})
		return err
	}
	cases := []struct {
		name              string
		ak, sk, token     string
		key               string
		status            int
		code, ec, message string
		prep              func() func()
	}{
		{name: "unknown-ak", ak: "LTAIunknown", sk: "x", key: "src/a", status: 403, code: "InvalidAccessKeyId", ec: "0002-00000902"},
		{name: "wrong-secret", ak: "LTAI5tExampleUser", sk: "wrong", key: "src/a", status: 403, code: "SignatureDoesNotMatch"},
		{name: "forged-token", ak: "STS.capture", sk: "capturesecret", token: "CAISforged", key: "src/a", status: 403, code: "InvalidSecurityToken", ec: "0002-00000006"},
		{name: "other-token", ak: "STS.capture", sk: "capturesecret", token: "CAISnosession", key: "src/a", status: 403, code: "AccessKeyIdAndSecurityTokenNotMatch", ec: "0002-00000004"},
		{name: "missing-token", ak: "STS.capture", sk: "capturesecret", key: "src/a", status: 403, code: "InvalidSecurityToken"},
		{name: "expired-token", ak: "STS.capture", sk: "capturesecret", token: "CAIScapture", key: "src/a", status: 403, code: "SecurityTokenExpired", ec: "0002-00000007",
			prep: func() func() { e.authCk.Advance(2 * time.Hour); return func() { e.authCk.Advance(-2 * time.Hour) } }},
		{name: "ram-explicit-deny", ak: "LTAIdeny", sk: "denysecret", key: "DELETE", status: 403, code: "AccessDenied", ec: "0003-00000201"},
		{name: "implicit-deny-acl", ak: "LTAInoperm", sk: "nopermsecret", key: "src/a", status: 403, code: "AccessDenied", ec: "0003-00000001",
			message: "You have no right to access this object because of bucket acl."},
		{name: "anonymous", key: "src/a", status: 403, code: "AccessDenied", ec: "0003-00001201", message: "Anonymous access is forbidden for this operation."},
		{name: "no-session-role-ok-put", ak: "STS.nosession", sk: "nosessionsecret", token: "CAISnosession", key: "dst/a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prep != nil {
				defer tc.prep()()
			}
			var c *ossdk.Client
			if tc.ak == "" {
				cfg := ossdk.LoadDefaultConfig().WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider()).WithRegion("cn-hangzhou").WithEndpoint(e.hs["cn-hangzhou"].URL).WithUsePathStyle(true).WithRetryMaxAttempts(1)
				c = ossdk.NewClient(cfg)
			} else {
				c = e.client("cn-hangzhou", tc.ak, tc.sk, tc.token)
			}
			var err error
			if tc.key == "DELETE" {
				_, err = c.DeleteObject(ctx, &ossdk.DeleteObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/a")})
			} else {
				err = put(c, tc.key)
			}
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			se := wantErr(t, err, tc.status, tc.code, tc.ec)
			if tc.message != "" && se.Message != tc.message {
				t.Fatalf("message %q", se.Message)
			}
			if strings.Contains(string(se.Snapshot), tc.sk+"<") && tc.sk != "" && tc.code != "SignatureDoesNotMatch" {
				t.Fatal("secret in body")
			}
		})
	}
}

func TestWrongRegionEndpoint(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	_, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("otherbucket"), Key: ossdk.Ptr("k")})
	se := wantErr(t, err, 403, "AccessDenied", "")
	x := parseErrorBody(t, se)
	if !strings.HasPrefix(x.Message, "The bucket you are attempting to access must be addressed using the specified endpoint") || x.Endpoint != "oss-cn-shanghai.aliyuncs.com" {
		t.Fatalf("%+v", x)
	}
}

func TestBucketPolicyLayer(t *testing.T) {
	bp := `{"Version":"1","Statement":[
 {"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:examplebucket/public/*"]},
 {"Effect":"Deny","Principal":["*"],"Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/locked/*"]}]}`
	e := newEnv(t, Bucket{Name: "examplebucket", Region: "cn-hangzhou", Policy: bp})
	owner := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	if _, err := owner.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("public/p.txt"), Body: strings.NewReader("public")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.hs["cn-hangzhou"].URL + "/examplebucket/public/p.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "public" {
		t.Fatalf("anonymous read of public/: %d %s", resp.StatusCode, b)
	}
	user := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	_, err = user.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("locked/x"), Body: strings.NewReader("x")})
	se := wantErr(t, err, 403, "AccessDenied", "0003-00000101")
	if x := parseErrorBody(t, se); x.Message != "Access denied by bucket policy." || x.AccessDeniedDetail.PolicyType != "BucketPolicy" || x.AccessDeniedDetail.NoPermissionType != "ExplicitDeny" {
		t.Fatalf("%+v", x)
	}
	tr := e.trace(t, "cn-hangzhou", se.RequestID)
	if tr.Check != "bucket-policy" || len(tr.Statements) == 0 {
		t.Fatalf("trace %+v", tr)
	}
}

// Raw HTTP checks the SDK would not let us send.
func TestRawRequests(t *testing.T) {
	e := newEnv(t)
	base := e.hs["cn-hangzhou"].URL
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	t.Run("bad-content-md5", func(t *testing.T) {
		// Sign a request whose Content-MD5 does not match the body through the presigner.
		wrong := md5.Sum([]byte("other"))
		pr, err := c.Presign(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("md5"), ContentMD5: ossdk.Ptr(base64.StdEncoding.EncodeToString(wrong[:]))})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("PUT", pr.URL, strings.NewReader("body"))
		for k, v := range pr.SignedHeaders {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !bytes.Contains(b, []byte("<Code>BadDigest</Code>")) {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		_, err = c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("md5")})
		wantErr(t, err, 404, "NoSuchKey", "")
	})
	t.Run("skew", func(t *testing.T) {
		e.wall.Advance(time.Hour)
		defer e.wall.Advance(-time.Hour)
		sr := &SigRequest{Method: "GET", Bucket: "examplebucket", Header: http.Header{}}
		date := time.Now().UTC().Format(http.TimeFormat)
		sr.Header.Set("Date", date)
		sig := v1Sign("ExampleSecret123", V1StringToSign(sr, date))
		req, _ := http.NewRequest("GET", base+"/examplebucket/", nil)
		req.Header.Set("Date", date)
		req.Header.Set("Authorization", "OSS LTAI5tExampleUser:"+sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !bytes.Contains(b, []byte("RequestTimeTooSkewed")) || !bytes.Contains(b, []byte("<MaxAllowedSkewMilliseconds>900000<")) {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		// The SDK corrects its clock from the Date header and retries.
		c2 := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "", func(c *ossdk.Config) { c.WithRetryMaxAttempts(3) })
		if _, err := c2.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: ossdk.Ptr("examplebucket")}); err != nil {
			t.Fatalf("SDK skew correction: %v", err)
		}
	})
	t.Run("metadata-too-large", func(t *testing.T) {
		_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("meta"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"big": strings.Repeat("m", 9000)}})
		wantErr(t, err, 400, "MetadataTooLarge", "")
	})
	t.Run("trace-unknown", func(t *testing.T) {
		resp, err := http.Get(base + "/-/trace/NOPE")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatal(resp.StatusCode)
		}
	})
	t.Run("keys-cannot-escape", func(t *testing.T) {
		for _, k := range []string{"../../../etc/passwd", "..", "a/../../b", "\x00nul", strings.Repeat("k", 1023)} {
			if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(k), Body: strings.NewReader(k)}); err != nil {
				t.Fatalf("%q: %v", k, err)
			}
			g, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(k)})
			if err != nil {
				t.Fatalf("%q: %v", k, err)
			}
			b, _ := io.ReadAll(g.Body)
			g.Body.Close()
			if string(b) != k {
				t.Fatalf("%q read back %q", k, b)
			}
		}
		_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(strings.Repeat("k", 1024)), Body: strings.NewReader("x")})
		wantErr(t, err, 400, "InvalidObjectName", "")
		assertInside(t, e.dir)
	})
}
