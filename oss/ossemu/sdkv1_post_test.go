package ossemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	osv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// PostObject forms signed the way browser clients sign them, by a signer written here from the
// clients' sources (not the emulator's PostSignatureV1/V4):
//
//   - V1 (OSS docs "PostObject", ali-oss calculatePostSignature): policy = base64(JSON of the
//     policy, as JSON.stringify writes it), Signature = base64(HMAC-SHA1(secret, policy)) — the
//     primitive the OSS Go SDK v1 signs its V1 headers with (getSignedStr).
//   - V4 (OSS docs "POST V4 signature", ali-oss signPostObjectPolicyV4): the policy carries
//     x-oss-signature-version, x-oss-credential, x-oss-date (and x-oss-security-token for STS)
//     conditions; x-oss-signature = hex(HMAC-SHA256(SigningKey, policy)) with the SigningKey
//     derived exactly as the OSS Go SDK v1's V4 signer derives it (getSignedStrV4: HMAC-SHA256
//     chain "aliyun_v4"+secret → yyyymmdd → region → product → "aliyun_v4_request").
//
// The v1 SDK exports no signing helper, so TestSDKv1PostSigningPrimitives checks this signer's
// primitives against what the SDK itself signs (its debug log's string to sign and the
// signature it sends). The forms are posted with mime/multipart over real HTTP to the bucket's
// virtual-hosted name, as a browser posts them.

// browserSigV1 is the V1 Signature of a policy.
func browserSigV1(secret, policyB64 string) string {
	m := hmac.New(sha1.New, []byte(secret))
	io.WriteString(m, policyB64)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// browserSigningKeyV4 is the v1 SDK's V4 signing key (auth.go getSignedStrV4, h1…h4).
func browserSigningKeyV4(secret, day, region, product string) []byte {
	key := []byte("aliyun_v4" + secret)
	for _, s := range []string{day, region, product, "aliyun_v4_request"} {
		m := hmac.New(sha256.New, key)
		io.WriteString(m, s)
		key = m.Sum(nil)
	}
	return key
}

func browserHMACHex(key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, s)
	return hex.EncodeToString(m.Sum(nil))
}

// browserPolicy is a POST policy as a browser client sends it.
type browserPolicy struct {
	Expiration string `json:"expiration"`
	Conditions []any  `json:"conditions"`
}

// encodePolicy is base64(JSON.stringify(policy)): compact, no HTML escaping.
func encodePolicy(t testing.TB, p browserPolicy) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// browserForm is what a browser client puts in the form besides the file.
type browserForm struct {
	v4        bool
	keys      postKeys
	region    string
	now       time.Time
	policy    browserPolicy
	policyB64 string // the signed policy field
	fields    []kv   // in the order sent; the signature fields last
}

// newBrowserForm signs conds (valid for an hour) for keys as a browser client does and returns
// the form with fields before the signature fields.
func newBrowserForm(t testing.TB, v4 bool, keys postKeys, region string, now time.Time, fields []kv, conds ...any) *browserForm {
	t.Helper()
	f := &browserForm{v4: v4, keys: keys, region: region, now: now.UTC()}
	f.policy = browserPolicy{Expiration: now.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z"), Conditions: append([]any{}, conds...)}
	day := f.now.Format("20060102")
	date := f.now.Format("20060102T150405Z")
	cred := keys.ak + "/" + day + "/" + region + "/oss/aliyun_v4_request"
	if v4 {
		f.policy.Conditions = append(f.policy.Conditions, map[string]string{"x-oss-signature-version": "OSS4-HMAC-SHA256"},
			map[string]string{"x-oss-credential": cred}, map[string]string{"x-oss-date": date})
		if keys.token != "" {
			f.policy.Conditions = append(f.policy.Conditions, map[string]string{"x-oss-security-token": keys.token})
		}
	}
	f.policyB64 = encodePolicy(t, f.policy)
	f.fields = append(f.fields, fields...)
	if keys.token != "" {
		f.fields = append(f.fields, kv{"x-oss-security-token", keys.token})
	}
	if v4 {
		sig := browserHMACHex(browserSigningKeyV4(keys.sk, day, region, "oss"), f.policyB64)
		f.fields = append(f.fields, kv{"policy", f.policyB64}, kv{"x-oss-signature-version", "OSS4-HMAC-SHA256"},
			kv{"x-oss-credential", cred}, kv{"x-oss-date", date}, kv{"x-oss-signature", sig})
	} else {
		f.fields = append(f.fields, kv{"OSSAccessKeyId", keys.ak}, kv{"policy", f.policyB64}, kv{"Signature", browserSigV1(keys.sk, f.policyB64)})
	}
	return f
}

func (f *browserForm) get(name string) string {
	for _, p := range f.fields {
		if strings.EqualFold(p[0], name) {
			return p[1]
		}
	}
	return ""
}

// set replaces a field's value (appending it when absent); del removes it.
func (f *browserForm) set(name, value string) {
	for i := range f.fields {
		if strings.EqualFold(f.fields[i][0], name) {
			f.fields[i][1] = value
			return
		}
	}
	f.fields = append(f.fields, kv{name, value})
}

func (f *browserForm) del(name string) {
	out := f.fields[:0]
	for _, p := range f.fields {
		if !strings.EqualFold(p[0], name) {
			out = append(out, p)
		}
	}
	f.fields = out
}

// browserFile is the form's file part as a browser sends it.
type browserFile struct {
	name, contentType string
	data              []byte
}

// browserPost posts the form (fields, then the file) with mime/multipart to the bucket's
// virtual-hosted endpoint http://<bucket>.oss-<region>.aliyuncs.com/ (dialed to the region's
// listener).
func (e *env) browserPost(t testing.TB, bucket, region string, fields []kv, file browserFile) postAnswer {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+file.name+`"`)
	h.Set("Content-Type", file.contentType)
	fw, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file.data)
	w.Close()
	addr := hostOf(e.hs[region].URL)
	d := &net.Dialer{Timeout: 5 * time.Second}
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer c.CloseIdleConnections()
	req, err := http.NewRequest("POST", "http://"+bucket+".oss-"+region+".aliyuncs.com/", &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", "https://partner.example")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := postAnswer{status: resp.StatusCode, header: resp.Header, body: string(body)}
	var x struct{ Code, EC, Message string }
	if xml.Unmarshal(body, &x) == nil {
		a.code, a.ec, a.message = x.Code, x.EC, x.Message
	}
	return a
}

// addBrowserSTS registers an STS credential with the test authenticator, as the STS sandbox
// would issue one to a partner's browser app: the role's identity policy allows PutObject on the
// bucket, the session policy only under uploads/partner-b/.
func (e *env) addBrowserSTS(t testing.TB, exp time.Time) postKeys {
	t.Helper()
	k := postKeys{"STS.browserUpload01", "browserUploadSecret01", "CAISbrowserUploadToken01"}
	role := policy.Principal{AccountID: testAccount, Type: "role", Name: "PartnerUpload", ID: "300000000000000007", SessionName: "partner-b-web"}
	ident := mustPolicy(t, "UploadIdentity", ramTestPolicy, policy.KindIdentity)
	sess := mustPolicy(t, "session", `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/uploads/partner-b/*"]}]}`, policy.KindSession)
	e.auth.mu.Lock()
	defer e.auth.mu.Unlock()
	e.auth.creds[k.ak] = &testCred{token: k.token, SandboxCredential: model.SandboxCredential{AccessKeyID: k.ak, Secret: k.sk, Principal: role,
		ARN: "acs:ram::" + testAccount + ":assumed-role/PartnerUpload/partner-b-web", DisplayName: role.Name,
		Identity: []*policy.Policy{ident}, Session: sess, Expiration: exp}}
	return k
}

// v1Root is a v1 SDK bucket handle with the account's root keys, to look at what was stored.
func (e *env) v1Root(t testing.TB) *osv1.Bucket {
	return e.v1Bucket(t, v1Modes[0], "LTAIroot", "rootsecret", "")
}

// The signer's primitives are the v1 SDK's: for requests the SDK signs itself (V1 and V4,
// long-term and STS keys, two regions), the SDK's own string to sign (from its debug log),
// signed with this file's primitives, is the signature the SDK put on the wire.
func TestSDKv1PostSigningPrimitives(t *testing.T) {
	var mu sync.Mutex
	var authz []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		authz = append(authz, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(200)
	}))
	defer srv.Close()
	signStrRE := regexp.MustCompile(`\]signStr:(.*)`)
	v4RE := regexp.MustCompile(`^OSS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/oss/aliyun_v4_request,(?:AdditionalHeaders=[^,]*,)?Signature=([0-9a-f]{64})$`)
	v1RE := regexp.MustCompile(`^OSS ([^:]+):(.+)$`)
	for _, tc := range []struct {
		name    string
		version osv1.AuthVersionType
		keys    postKeys
		region  string
	}{
		{"v1", osv1.AuthV1, userKeys, "cn-hangzhou"},
		{"v1-sts", osv1.AuthV1, stsKeys, "cn-hangzhou"},
		{"v4", osv1.AuthV4, userKeys, "cn-hangzhou"},
		{"v4-sts", osv1.AuthV4, stsKeys, "cn-hangzhou"},
		{"v4-beijing", osv1.AuthV4, postKeys{"LTAIother", "an0ther/Secret+=", ""}, "cn-beijing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logBuf bytes.Buffer
			opts := []osv1.ClientOption{osv1.AuthVersion(tc.version), osv1.Region(tc.region), osv1.SetLogLevel(osv1.Debug),
				osv1.SetLogger(log.New(&logBuf, "", 0))}
			if tc.keys.token != "" {
				opts = append(opts, osv1.SecurityToken(tc.keys.token))
			}
			c, err := osv1.New(srv.URL, tc.keys.ak, tc.keys.sk, opts...)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.Bucket("examplebucket")
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			authz = nil
			mu.Unlock()
			if err := b.PutObject("uploads/a.png", strings.NewReader("x"), osv1.ContentType("image/png"), osv1.Meta("uploader", "partner-b")); err != nil {
				t.Fatal(err)
			}
			m := signStrRE.FindStringSubmatch(logBuf.String())
			mu.Lock()
			sent := append([]string(nil), authz...)
			mu.Unlock()
			if m == nil || len(sent) != 1 {
				t.Fatalf("no string to sign in the SDK's log or not one request (%d):\n%s", len(sent), logBuf.String())
			}
			signStr := strings.ReplaceAll(m[1], `\n`, "\n") // the SDK's log escapes LF (EscapeLFString)
			if tc.version == osv1.AuthV4 {
				p := v4RE.FindStringSubmatch(sent[0])
				if p == nil || p[1] != tc.keys.ak || p[3] != tc.region {
					t.Fatalf("V4 Authorization: %q", sent[0])
				}
				if got := browserHMACHex(browserSigningKeyV4(tc.keys.sk, p[2], tc.region, "oss"), signStr); got != p[4] {
					t.Fatalf("signing key derivation differs from the SDK's: %s, SDK %s\nstring to sign %q", got, p[4], signStr)
				}
				return
			}
			p := v1RE.FindStringSubmatch(sent[0])
			if p == nil || p[1] != tc.keys.ak {
				t.Fatalf("V1 Authorization: %q", sent[0])
			}
			if got := browserSigV1(tc.keys.sk, signStr); got != p[2] {
				t.Fatalf("HMAC-SHA1 primitive differs from the SDK's: %s, SDK %s", got, p[2])
			}
		})
	}
}

// uploadConds are the limits a partner's upload form carries: bucket, key prefix, size, type,
// a metadata value and the success status.
func uploadConds() []any {
	return []any{
		map[string]string{"bucket": "examplebucket"},
		[]any{"starts-with", "$key", "uploads/partner-b/"},
		[]any{"content-length-range", 1, 64 << 10},
		[]any{"in", "$content-type", []string{"image/png", "image/jpeg"}},
		[]any{"eq", "$x-oss-meta-uploader", "partner-b"},
		[]any{"eq", "$success_action_status", "201"},
	}
}

func uploadFields() []kv {
	return []kv{{"key", "uploads/partner-b/${filename}"}, {"Content-Type", "image/png"}, {"x-oss-meta-uploader", "partner-b"},
		{"success_action_status", "201"}, {"Cache-Control", "max-age=60"}}
}

// Browser-signed forms upload, V1 and V4, with the user's long-term keys and with an STS token
// (x-oss-security-token) that the test authenticator issued.
func TestSDKv1PostObjectBrowser(t *testing.T) {
	e := newEnv(t)
	root := e.v1Root(t)
	web := e.addBrowserSTS(t, e.authCk.Now().Add(time.Hour))
	png := append([]byte("\x89PNG\r\n\x1a\n"), randBytes(20<<10, 5)...)
	for _, tc := range []struct {
		name string
		v4   bool
		keys postKeys
	}{
		{"v1", false, userKeys},
		{"v4", true, userKeys},
		{"v1-sts", false, web},
		{"v4-sts", true, web},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBrowserForm(t, tc.v4, tc.keys, "cn-hangzhou", time.Now(), uploadFields(), uploadConds()...)
			a := e.browserPost(t, "examplebucket", "cn-hangzhou", f.fields, browserFile{tc.name + ".png", "image/png", png})
			var pr struct{ Bucket, Key, ETag, Location string }
			key := "uploads/partner-b/" + tc.name + ".png"
			if a.status != 201 || xml.Unmarshal([]byte(a.body), &pr) != nil || pr.Bucket != "examplebucket" || pr.Key != key || pr.ETag == "" ||
				pr.Location != "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/"+key || a.header.Get("x-oss-hash-crc64ecma") != crcOf(png) {
				t.Fatalf("post: %d %s %v", a.status, a.body, a.header)
			}
			if got := readAll(t)(root.GetObject(key)); !bytes.Equal(got, png) {
				t.Fatalf("stored %d bytes, want %d", len(got), len(png))
			}
			h, err := root.GetObjectDetailedMeta(key)
			if err != nil {
				t.Fatal(err)
			}
			if h.Get("Content-Type") != "image/png" || h.Get("X-Oss-Meta-Uploader") != "partner-b" || h.Get("Cache-Control") != "max-age=60" ||
				h.Get("ETag") != pr.ETag {
				t.Fatalf("stored attributes: %v", h)
			}
			tr, ok := e.srv.Trace(a.header.Get("x-oss-request-id"))
			if !ok || tr.Operation != "PostObject" || tr.Action != "oss:PutObject" || tr.Decision != "Allow" {
				t.Fatalf("trace: %+v", tr)
			}
			if tc.keys.token != "" && !strings.Contains(tr.Caller, "assumed-role/PartnerUpload") {
				t.Fatalf("caller %q", tr.Caller)
			}
		})
	}
	// The STS token's session policy still binds: a form whose own policy allows another
	// prefix is refused by the session layer.
	t.Run("sts-session-policy", func(t *testing.T) {
		for _, v4 := range []bool{false, true} {
			f := newBrowserForm(t, v4, web, "cn-hangzhou", time.Now(), []kv{{"key", "elsewhere/x.png"}}, []any{"starts-with", "$key", "elsewhere/"})
			a := e.browserPost(t, "examplebucket", "cn-hangzhou", f.fields, browserFile{"x.png", "image/png", png})
			if a.status != 403 || a.code != "AccessDenied" || a.ec != "0003-00000301" {
				t.Fatalf("v4=%v: %d %s %s", v4, a.status, a.code, a.ec)
			}
		}
	})
	// An expired token is refused even when the form's policy is still valid.
	t.Run("sts-expired", func(t *testing.T) {
		f := newBrowserForm(t, true, web, "cn-hangzhou", time.Now(), uploadFields(), uploadConds()...)
		e.authCk.Advance(61 * time.Minute)
		defer e.authCk.Advance(-61 * time.Minute)
		a := e.browserPost(t, "examplebucket", "cn-hangzhou", f.fields, browserFile{"late.png", "image/png", png})
		if a.status != 403 || a.code != "SecurityTokenExpired" {
			t.Fatalf("%d %s %s", a.status, a.code, a.body)
		}
	})
}

// Every tampered field of a browser-signed form is refused with its own answer, and nothing is
// stored; V1 and V4, long-term keys and STS.
func TestSDKv1PostObjectTampered(t *testing.T) {
	e := newEnv(t)
	root := e.v1Root(t)
	web := e.addBrowserSTS(t, e.authCk.Now().Add(time.Hour))
	now := time.Now()
	png := []byte("\x89PNG\r\n\x1a\nsmall")
	type want struct {
		status   int
		code, ec string
	}
	sdm := func(v4 bool) want {
		if v4 {
			return want{403, "SignatureDoesNotMatch", "0002-00000201"}
		}
		return want{403, "SignatureDoesNotMatch", "0002-00000040"}
	}
	condFailed := want{403, "AccessDenied", "0006-00000227"}
	type tamper struct {
		name   string
		only   string // "v1", "v4", "sts" or "" (all)
		mutate func(t testing.TB, f *browserForm, file *browserFile) (bucket, region string)
		want   func(v4, sts bool) want
	}
	same := func(w want) func(bool, bool) want { return func(bool, bool) want { return w } }
	here := func() (string, string) { return "examplebucket", "cn-hangzhou" }
	repolicy := func(t testing.TB, f *browserForm, edit func(p *browserPolicy)) {
		p := f.policy
		p.Conditions = append([]any{}, p.Conditions...)
		edit(&p)
		f.set("policy", encodePolicy(t, p)) // the signature fields stay as signed
	}
	tampers := []tamper{
		{name: "policy-prefix-widened", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			repolicy(t, f, func(p *browserPolicy) { p.Conditions[1] = []any{"starts-with", "$key", ""} })
			f.set("key", "anywhere/x.png")
			return here()
		}, want: func(v4, _ bool) want { return sdm(v4) }},
		{name: "policy-size-raised", mutate: func(t testing.TB, f *browserForm, file *browserFile) (string, string) {
			repolicy(t, f, func(p *browserPolicy) { p.Conditions[2] = []any{"content-length-range", 1, 1 << 30} })
			file.data = bytes.Repeat([]byte("z"), 65<<10)
			return here()
		}, want: func(v4, _ bool) want { return sdm(v4) }},
		{name: "policy-expiration-extended", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			repolicy(t, f, func(p *browserPolicy) {
				p.Expiration = now.Add(24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
			})
			return here()
		}, want: func(v4, _ bool) want { return sdm(v4) }},
		{name: "policy-condition-dropped", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			repolicy(t, f, func(p *browserPolicy) { p.Conditions = p.Conditions[1:] })
			return here()
		}, want: func(v4, _ bool) want { return sdm(v4) }},
		{name: "signature-one-char", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			name := "Signature"
			if f.v4 {
				name = "x-oss-signature"
			}
			s := []byte(f.get(name))
			s[3] ^= 1
			f.set(name, string(s))
			return here()
		}, want: func(v4, _ bool) want { return sdm(v4) }},
		{name: "signed-with-another-secret", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			k := f.keys
			k.sk = "not-" + k.sk
			for _, p := range newBrowserForm(t, f.v4, k, f.region, f.now, nil, uploadConds()...).fields {
				f.set(p[0], p[1])
			}
			return here()
		}, want: func(v4, _ bool) want { return sdm(v4) }},
		{name: "access-key-swapped", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			if f.v4 {
				f.set("x-oss-credential", "LTAIroot"+f.get("x-oss-credential")[len(f.keys.ak):])
			} else {
				f.set("OSSAccessKeyId", "LTAIroot")
			}
			return here()
		}, want: func(v4, sts bool) want {
			if sts { // the token names another access key
				return want{403, "AccessKeyIdAndSecurityTokenNotMatch", ""}
			}
			return sdm(v4)
		}},
		{name: "access-key-unknown", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			if f.v4 {
				f.set("x-oss-credential", "LTAInobody"+f.get("x-oss-credential")[len(f.keys.ak):])
			} else {
				f.set("OSSAccessKeyId", "LTAInobody")
			}
			return here()
		}, want: same(want{403, "InvalidAccessKeyId", ""})},
		{name: "token-forged", only: "sts", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-security-token", f.keys.token+"x")
			return here()
		}, want: same(want{403, "InvalidSecurityToken", ""})},
		{name: "token-dropped", only: "sts", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.del("x-oss-security-token")
			return here()
		}, want: same(want{403, "InvalidSecurityToken", ""})},
		{name: "token-of-another-session", only: "sts", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-security-token", stsKeys.token)
			return here()
		}, want: same(want{403, "AccessKeyIdAndSecurityTokenNotMatch", ""})},
		{name: "key-outside-prefix", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("key", "uploads/partner-c/x.png")
			return here()
		}, want: same(condFailed)},
		{name: "content-type-changed", mutate: func(t testing.TB, f *browserForm, file *browserFile) (string, string) {
			f.set("Content-Type", "text/html")
			file.contentType = "text/html"
			return here()
		}, want: same(condFailed)},
		{name: "content-type-field-dropped-file-html", mutate: func(t testing.TB, f *browserForm, file *browserFile) (string, string) {
			f.del("Content-Type")
			file.contentType = "text/html"
			return here()
		}, want: same(condFailed)},
		{name: "meta-changed", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-meta-uploader", "mallory")
			return here()
		}, want: same(condFailed)},
		{name: "meta-dropped", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.del("x-oss-meta-uploader")
			return here()
		}, want: same(condFailed)},
		{name: "status-changed", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("success_action_status", "200")
			return here()
		}, want: same(condFailed)},
		{name: "file-too-big", mutate: func(_ testing.TB, _ *browserForm, file *browserFile) (string, string) {
			file.data = bytes.Repeat([]byte("z"), 64<<10+1)
			return here()
		}, want: same(want{400, "EntityTooLarge", "0006-00000003"})},
		{name: "file-empty", mutate: func(_ testing.TB, _ *browserForm, file *browserFile) (string, string) {
			file.data = nil
			return here()
		}, want: same(want{400, "EntityTooSmall", "0006-00000004"})},
		{name: "other-bucket", mutate: func(testing.TB, *browserForm, *browserFile) (string, string) {
			return "otherbucket", "cn-shanghai"
		}, want: func(v4, _ bool) want {
			if v4 { // the scope names hangzhou
				return want{400, "InvalidArgument", "0002-00000226"}
			}
			return condFailed
		}},
		{name: "date-moved", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			moved := f.now.Add(-time.Second)
			if moved.Day() != f.now.Day() {
				moved = f.now.Add(time.Second) // stay on the scope's day
			}
			f.set("x-oss-date", moved.Format("20060102T150405Z"))
			return here()
		}, want: same(condFailed)},
		{name: "date-day-before", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-date", f.now.Add(-24*time.Hour).Format("20060102T150405Z"))
			return here()
		}, want: same(want{400, "InvalidArgument", "0002-00000224"})},
		{name: "credential-region", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-credential", strings.Replace(f.get("x-oss-credential"), "/cn-hangzhou/", "/cn-beijing/", 1))
			return here()
		}, want: same(want{400, "InvalidArgument", "0002-00000226"})},
		{name: "credential-day", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			day := f.now.Format("20060102")
			f.set("x-oss-credential", strings.Replace(f.get("x-oss-credential"), day, f.now.Add(-24*time.Hour).Format("20060102"), 1))
			return here()
		}, want: same(want{400, "InvalidArgument", "0002-00000224"})},
		{name: "credential-service", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-credential", strings.Replace(f.get("x-oss-credential"), "/oss/", "/sts/", 1))
			return here()
		}, want: same(want{400, "InvalidArgument", "0002-00000224"})},
		{name: "credential-terminator", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-credential", strings.Replace(f.get("x-oss-credential"), "aliyun_v4_request", "aliyun_v4_requesX", 1))
			return here()
		}, want: same(want{400, "InvalidArgument", "0002-00000224"})},
		{name: "signed-for-beijing", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.fields = newBrowserForm(t, true, f.keys, "cn-beijing", f.now, f.fields[:len(uploadFields())], uploadConds()...).fields
			return here()
		}, want: same(want{400, "InvalidArgument", "0002-00000226"})},
		{name: "signature-version-changed", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			f.set("x-oss-signature-version", "OSS4-HMAC-SHA1")
			return here()
		}, want: same(want{400, "InvalidArgument", ""})},
		{name: "v4-signature-sent-as-v1", only: "v4", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			sig := f.get("x-oss-signature")
			for _, n := range []string{"x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-signature"} {
				f.del(n)
			}
			f.set("OSSAccessKeyId", f.keys.ak)
			f.set("Signature", sig)
			return here()
		}, want: same(want{403, "SignatureDoesNotMatch", "0002-00000040"})},
		{name: "v1-signature-sent-as-v4", only: "v1", mutate: func(t testing.TB, f *browserForm, _ *browserFile) (string, string) {
			sig := f.get("Signature")
			f.del("Signature")
			f.del("OSSAccessKeyId")
			f.set("x-oss-signature-version", "OSS4-HMAC-SHA256")
			f.set("x-oss-credential", f.keys.ak+"/"+f.now.Format("20060102")+"/cn-hangzhou/oss/aliyun_v4_request")
			f.set("x-oss-date", f.now.Format("20060102T150405Z"))
			f.set("x-oss-signature", sig)
			return here()
		}, want: same(want{403, "SignatureDoesNotMatch", "0002-00000201"})},
	}
	for _, mode := range []struct {
		name string
		v4   bool
		keys postKeys
	}{{"v1", false, userKeys}, {"v4", true, userKeys}, {"v1-sts", false, web}, {"v4-sts", true, web}} {
		sts := mode.keys.token != ""
		for _, tc := range tampers {
			if (tc.only == "v1" && mode.v4) || (tc.only == "v4" && !mode.v4) || (tc.only == "sts" && !sts) {
				continue
			}
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				key := "uploads/partner-b/" + mode.name + "-" + tc.name + ".png"
				fields := uploadFields()
				fields[0][1] = key
				f := newBrowserForm(t, mode.v4, mode.keys, "cn-hangzhou", now, fields, uploadConds()...)
				file := browserFile{"f.png", "image/png", png}
				bucket, region := tc.mutate(t, f, &file)
				a := e.browserPost(t, bucket, region, f.fields, file)
				w := tc.want(mode.v4, sts)
				if a.status != w.status || a.code != w.code || (w.ec != "" && a.ec != w.ec) {
					t.Fatalf("got %d %s EC %s (%s), want %d %s EC %s", a.status, a.code, a.ec, a.message, w.status, w.code, w.ec)
				}
				if a.header.Get("x-oss-request-id") == "" {
					t.Error("no request id")
				}
				for _, secret := range []string{mode.keys.sk, "rootsecret"} {
					if strings.Contains(a.body, secret) {
						t.Fatal("a secret in the error body")
					}
				}
				for _, k := range []string{key, f.get("key"), "anywhere/x.png"} {
					if ok, err := root.IsObjectExist(strings.ReplaceAll(k, "${filename}", file.name)); err != nil || ok {
						t.Fatalf("%s stored by a refused form (%v)", k, err)
					}
				}
			})
		}
	}
	// The untampered form is accepted, in every mode (the tampering above is what fails).
	for _, mode := range []struct {
		v4   bool
		keys postKeys
	}{{false, userKeys}, {true, userKeys}, {false, web}, {true, web}} {
		f := newBrowserForm(t, mode.v4, mode.keys, "cn-hangzhou", now, uploadFields(), uploadConds()...)
		if a := e.browserPost(t, "examplebucket", "cn-hangzhou", f.fields, browserFile{"ok.png", "image/png", png}); a.status != 201 {
			t.Fatalf("untampered v4=%v sts=%v: %d %s", mode.v4, mode.keys.token != "", a.status, a.body)
		}
	}
}
