package stsemu

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"
	stsclient "github.com/alibabacloud-go/sts-20150401/v2/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// testCert is the sandbox certificate every TLS test server uses; SSL_CERT_FILE points at it
// (Go reads SSL_CERT_FILE once per process, so it is set here before any TLS handshake).
var testCert tls.Certificate

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stsemu-tls")
	if err != nil {
		panic(err)
	}
	c, path, err := EnsureCert(dir, time.Now())
	if err != nil {
		panic(err)
	}
	testCert = c
	os.Setenv("SSL_CERT_FILE", path)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startHTTP starts ts on loopback (TLS when tlsOn) and returns host:port.
func startHTTP(t testing.TB, ts *testServer, tlsOn bool) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(ts.Handler())
	srv.Config.MaxHeaderBytes = 1 << 20
	if tlsOn {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{testCert}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://")
}

type keys struct{ ak, secret, token string }

var (
	issuerKeys = keys{captureAK, captureSecret, ""}
	rootKeys   = keys{"LTAI5tRootKey0001", "RootSecret000001", ""}
	stsOnly    = keys{"LTAI5tStsOnly0001", "StsOnlySecret0001", ""}
	noSTS      = keys{"LTAI5tNoSts000001", "NoStsSecret000001", ""}
)

func openapiConfig(host, protocol string, k keys) *openapi.Config {
	cfg := &openapi.Config{
		AccessKeyId:     tea.String(k.ak),
		AccessKeySecret: tea.String(k.secret),
		Endpoint:        tea.String(host),
		Protocol:        tea.String(protocol),
		RegionId:        tea.String("cn-hangzhou"),
	}
	if k.token != "" {
		cfg.SecurityToken = tea.String(k.token)
	}
	return cfg
}

func newSTS(t testing.TB, host, protocol string, k keys) *stsclient.Client {
	t.Helper()
	c, err := stsclient.NewClient(openapiConfig(host, protocol, k))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newSTSDistinct is newSTS with a ReadTimeout unique to i, so concurrent clients do not share
// tea's pooled http.Client (see TestAssumeRoleConcurrent).
func newSTSDistinct(t testing.TB, host string, k keys, i int) *stsclient.Client {
	t.Helper()
	cfg := openapiConfig(host, "http", k)
	cfg.ReadTimeout = tea.Int(30000 + i)
	c, err := stsclient.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newRAM(t testing.TB, host string, k keys) *ramclient.Client {
	t.Helper()
	c, err := ramclient.NewClient(openapiConfig(host, "http", k))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type assumeArgs struct {
	arn, session, policy, ext string
	dur                       int64
}

func assume(c *stsclient.Client, a assumeArgs) (*stsclient.AssumeRoleResponse, error) {
	req := &stsclient.AssumeRoleRequest{RoleArn: tea.String(a.arn), RoleSessionName: tea.String(a.session)}
	if a.policy != "" {
		req.Policy = tea.String(a.policy)
	}
	if a.ext != "" {
		req.ExternalId = tea.String(a.ext)
	}
	if a.dur != 0 {
		req.DurationSeconds = tea.Int64(a.dur)
	}
	return c.AssumeRole(req)
}

func sdkErr(t testing.TB, err error) (int, string, string) {
	t.Helper()
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("want *tea.SDKError, got %T %v", err, err)
	}
	return tea.IntValue(se.StatusCode), tea.StringValue(se.Code), tea.StringValue(se.Message)
}

const arnPrefix = "acs:ram::1234567890123456:role/"

func TestSTSSDKAssumeRole(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	c := newSTS(t, host, "http", issuerKeys)

	resp, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: "partner-b",
		policy: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	b := resp.Body
	if got := tea.StringValue(b.AssumedRoleUser.Arn); got != arnPrefix+"ramosstest/partner-b" {
		t.Errorf("Arn %s", got)
	}
	if !strings.HasSuffix(tea.StringValue(b.AssumedRoleUser.AssumedRoleId), ":partner-b") {
		t.Errorf("AssumedRoleId %s", tea.StringValue(b.AssumedRoleUser.AssumedRoleId))
	}
	exp, err := time.Parse("2006-01-02T15:04:05Z", tea.StringValue(b.Credentials.Expiration))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expiration in %v", d)
	}
	tmp := keys{tea.StringValue(b.Credentials.AccessKeyId), tea.StringValue(b.Credentials.AccessKeySecret), tea.StringValue(b.Credentials.SecurityToken)}
	cred, err := ts.Authority().Credential(context.Background(), tmp.ak, tmp.token)
	if err != nil {
		t.Fatal(err)
	}
	if cred.Secret != tmp.secret || cred.Session == nil || cred.ARN != arnPrefix+"ramosstest/partner-b" || len(cred.Identity) != 1 || cred.Identity[0].Name != "RamTestPolicy" {
		t.Fatalf("credential %+v", cred)
	}

	t.Run("GetCallerIdentity as user and as role session", func(t *testing.T) {
		id, err := c.GetCallerIdentity()
		if err != nil {
			t.Fatal(err)
		}
		if tea.StringValue(id.Body.IdentityType) != "RAMUser" || tea.StringValue(id.Body.Arn) != "acs:ram::1234567890123456:user/sts-issuer" || tea.StringValue(id.Body.AccountId) != "1234567890123456" {
			t.Errorf("%+v", id.Body)
		}
		id, err = newSTS(t, host, "http", tmp).GetCallerIdentity()
		if err != nil {
			t.Fatal(err)
		}
		if tea.StringValue(id.Body.IdentityType) != "AssumedRoleUser" || tea.StringValue(id.Body.Arn) != arnPrefix+"ramosstest/partner-b" {
			t.Errorf("%+v", id.Body)
		}
	})

	t.Run("role chaining", func(t *testing.T) {
		// A RamOssTest session has no sts:AssumeRole permission: refused by RAM.
		_, err := assume(newSTS(t, host, "http", tmp), assumeArgs{arn: arnPrefix + "OssReadOnly", session: "chained"})
		if st, code, msg := sdkErr(t, err); st != 403 || code != "NoPermission" || !strings.Contains(msg, msgNoPermissionRAM) {
			t.Fatalf("%d %s %s", st, code, msg)
		}
	})

	t.Run("12 h session on OssReadWrite", func(t *testing.T) {
		resp, err := assume(c, assumeArgs{arn: arnPrefix + "OssReadWrite", session: "long", dur: 43200})
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := time.Parse("2006-01-02T15:04:05Z", tea.StringValue(resp.Body.Credentials.Expiration))
		if d := time.Until(exp); d < 11*time.Hour+59*time.Minute {
			t.Errorf("expiration in %v", d)
		}
	})

	t.Run("external id", func(t *testing.T) {
		if _, err := assume(c, assumeArgs{arn: arnPrefix + "PartnerWithExternalId", session: "partner", ext: "partner-b-7f3c", dur: 7200}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("TLS", func(t *testing.T) {
		hostTLS := startHTTP(t, ts, true)
		if _, err := assume(newSTS(t, hostTLS, "https", issuerKeys), assumeArgs{arn: arnPrefix + "ramosstest", session: "tls"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSTSSDKErrors(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	issuer := newSTS(t, host, "http", issuerKeys)
	resp, err := assume(issuer, assumeArgs{arn: arnPrefix + "RamOssTest", session: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	tmp := keys{tea.StringValue(resp.Body.Credentials.AccessKeyId), tea.StringValue(resp.Body.Credentials.AccessKeySecret), tea.StringValue(resp.Body.Credentials.SecurityToken)}
	resp2, err := assume(issuer, assumeArgs{arn: arnPrefix + "RamOssTest", session: "s2"})
	if err != nil {
		t.Fatal(err)
	}
	otherToken := tea.StringValue(resp2.Body.Credentials.SecurityToken)
	ok := assumeArgs{arn: arnPrefix + "RamOssTest", session: "ok-session"}
	with := func(f func(*assumeArgs)) assumeArgs { a := ok; f(&a); return a }
	bigPolicy := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/` + strings.Repeat("a", 2048) + `"}]}`

	tests := []struct {
		name   string
		keys   keys
		args   assumeArgs
		before func()
		after  func()
		status int
		code   string
		msg    string
	}{
		{"unknown access key", keys{"LTAI5tNobody00001", "x", ""}, ok, nil, nil, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."},
		{"wrong secret", keys{captureAK, "wrong-secret", ""}, ok, nil, nil, 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId"},
		{"STS key without token", keys{tmp.ak, tmp.secret, ""}, ok, nil, nil, 400, "MissingSecurityToken", "SecurityToken is mandatory for this action."},
		{"forged token", keys{tmp.ak, tmp.secret, "CAIS" + strings.Repeat("A", 80)}, ok, nil, nil, 400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed."},
		{"token of another key", keys{tmp.ak, tmp.secret, otherToken}, ok, nil, nil, 400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey."},
		{"expired token", tmp, ok, func() { ts.AuthClock().Advance(61 * time.Minute) }, func() { ts.AuthClock().Advance(-61 * time.Minute) }, 400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."},
		{"clock skew", issuerKeys, ok, func() { ts.wall.Set(time.Now().Add(20 * time.Minute)) }, func() { ts.wall.Set(time.Time{}) }, 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."},
		{"malformed RoleArn", issuerKeys, with(func(a *assumeArgs) { a.arn = "roleArn" }), nil, nil, 400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed."},
		{"short session name", issuerKeys, with(func(a *assumeArgs) { a.session = "x" }), nil, nil, 400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed."},
		{"session name with *", issuerKeys, with(func(a *assumeArgs) { a.session = "abc*abc" }), nil, nil, 400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed."},
		{"bad external id", issuerKeys, with(func(a *assumeArgs) { a.ext = "a b" }), nil, nil, 400, "InvalidParameter.ExternalId", "The parameter ExternalId is wrongly formed."},
		{"policy too large", issuerKeys, with(func(a *assumeArgs) { a.policy = bigPolicy }), nil, nil, 400, "InvalidParameter.PolicySize", "The size of Policy must be smaller than 2048 bytes."},
		{"policy grammar", issuerKeys, with(func(a *assumeArgs) { a.policy = `{"Version":"1","Statement":[{"Effect":"allow"}]}` }), nil, nil, 400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check."},
		{"duration below 900", issuerKeys, with(func(a *assumeArgs) { a.dur = 899 }), nil, nil, 400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr."},
		{"root refused", rootKeys, ok, nil, nil, 403, "NoPermission", msgNoPermissionRoot},
		{"role does not exist", issuerKeys, with(func(a *assumeArgs) { a.arn = arnPrefix + "NoSuchRole" }), nil, nil, 404, "EntityNotExist.Role", "The specified Role not exists ."},
		{"other account's role", issuerKeys, with(func(a *assumeArgs) { a.arn = "acs:ram::999:role/RamOssTest" }), nil, nil, 404, "EntityNotExist.Role", "The specified Role not exists ."},
		{"user without AssumeRole", noSTS, ok, nil, nil, 403, "NoPermission", msgNoPermissionRAM},
		{"role does not trust users", issuerKeys, with(func(a *assumeArgs) { a.arn = arnPrefix + "EcsOnly" }), nil, nil, 403, "NoPermission", msgNoPermissionTrust},
		{"external id missing", issuerKeys, with(func(a *assumeArgs) { a.arn = arnPrefix + "PartnerWithExternalId" }), nil, nil, 403, "NoPermission", msgNoPermissionTrust},
		{"external id wrong", issuerKeys, with(func(a *assumeArgs) { a.arn = arnPrefix + "PartnerWithExternalId"; a.ext = "partner-b-0000" }), nil, nil, 403, "NoPermission", msgNoPermissionTrust},
		{"duration above role max", issuerKeys, with(func(a *assumeArgs) { a.dur = 3601 }), nil, nil, 400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr."},
		// Order: parameter format is checked before root refusal, root before the role lookup.
		{"root with bad session name", rootKeys, with(func(a *assumeArgs) { a.session = "x" }), nil, nil, 400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed."},
		{"root with missing role", rootKeys, with(func(a *assumeArgs) { a.arn = arnPrefix + "NoSuchRole" }), nil, nil, 403, "NoPermission", msgNoPermissionRoot},
		{"no permission before duration", noSTS, with(func(a *assumeArgs) { a.dur = 7200 }), nil, nil, 403, "NoPermission", msgNoPermissionRAM},
		{"unknown key before bad RoleArn", keys{"akid-unknown", "x", ""}, with(func(a *assumeArgs) { a.arn = "roleArn" }), nil, nil, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			if tt.after != nil {
				defer tt.after()
			}
			_, err := assume(newSTS(t, host, "http", tt.keys), tt.args)
			if err == nil {
				t.Fatal("AssumeRole succeeded")
			}
			st, code, msg := sdkErr(t, err)
			if st != tt.status || code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Fatalf("got %d %s %q, want %d %s %q", st, code, msg, tt.status, tt.code, tt.msg)
			}
			if tt.keys.secret != "" && strings.Contains(msg, tt.keys.secret) || tt.keys.token != "" && strings.Contains(msg, tt.keys.token) {
				t.Fatal("a secret leaked into the error")
			}
		})
	}
}

// TestTracesHoldNoSecrets: after successes and failures, no trace mentions a secret or a token.
func TestTracesHoldNoSecrets(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	resp, err := assume(newSTS(t, host, "http", issuerKeys), assumeArgs{arn: arnPrefix + "RamOssTest", session: "secret-check"})
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Body.Credentials
	tmp := keys{tea.StringValue(c.AccessKeyId), tea.StringValue(c.AccessKeySecret), tea.StringValue(c.SecurityToken)}
	newSTS(t, host, "http", tmp).GetCallerIdentity()
	newSTS(t, host, "http", keys{tmp.ak, "wrong-secret-value", tmp.token}).GetCallerIdentity()
	newSTS(t, host, "http", keys{tmp.ak, tmp.secret, tmp.token + "AAAA"}).GetCallerIdentity()
	assume(newSTS(t, host, "http", keys{captureAK, "wrong-secret-value", ""}), assumeArgs{arn: arnPrefix + "RamOssTest", session: "s3"})
	ts.traces.mu.Lock()
	defer ts.traces.mu.Unlock()
	n := 0
	for _, tr := range ts.traces.byID {
		n++
		b, _ := json.Marshal(tr)
		for _, secret := range []string{tmp.secret, tmp.token, captureSecret, "wrong-secret-value"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("trace %s contains a secret", tr.RequestID)
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d traces", n)
	}
}

func TestRAMSDK(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	ram := newRAM(t, host, issuerKeys)

	t.Run("ListRoles pages", func(t *testing.T) {
		var names []string
		marker := ""
		for pages := 0; ; pages++ {
			req := &ramclient.ListRolesRequest{MaxItems: tea.Int32(4)}
			if marker != "" {
				req.Marker = tea.String(marker)
			}
			resp, err := ram.ListRoles(req)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range resp.Body.Roles.Role {
				names = append(names, tea.StringValue(r.RoleName))
				if tea.Int64Value(r.MaxSessionDuration) == 0 || !strings.HasPrefix(tea.StringValue(r.Arn), arnPrefix) {
					t.Errorf("role %+v", r)
				}
			}
			if !tea.BoolValue(resp.Body.IsTruncated) {
				if pages != 1 {
					t.Errorf("pages %d", pages+1)
				}
				break
			}
			marker = tea.StringValue(resp.Body.Marker)
		}
		if got := strings.Join(names, ","); got != "RamOssTest,OssReadWrite,OssReadOnly,OssNoDelete,EcsOnly,PartnerWithExternalId,PartnerGateway,PartnerUpload" {
			t.Fatalf("roles %s", got)
		}
	})
	t.Run("GetRole is case-insensitive and returns the trust policy", func(t *testing.T) {
		resp, err := ram.GetRole(&ramclient.GetRoleRequest{RoleName: tea.String("partnerwithexternalid")})
		if err != nil {
			t.Fatal(err)
		}
		r := resp.Body.Role
		if tea.StringValue(r.RoleName) != "PartnerWithExternalId" || !strings.Contains(tea.StringValue(r.AssumeRolePolicyDocument), "partner-b-7f3c") || tea.Int64Value(r.MaxSessionDuration) != 7200 {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("ListPoliciesForRole, GetPolicy, GetPolicyVersion", func(t *testing.T) {
		lp, err := ram.ListPoliciesForRole(&ramclient.ListPoliciesForRoleRequest{RoleName: tea.String("OssNoDelete")})
		if err != nil {
			t.Fatal(err)
		}
		if len(lp.Body.Policies.Policy) != 2 || tea.StringValue(lp.Body.Policies.Policy[1].PolicyName) != "OssDenyDeletePolicy" {
			t.Fatalf("%+v", lp.Body)
		}
		gp, err := ram.GetPolicy(&ramclient.GetPolicyRequest{PolicyName: tea.String("RamTestPolicy"), PolicyType: tea.String("Custom")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(tea.StringValue(gp.Body.DefaultPolicyVersion.PolicyDocument), "examplebucket/*") {
			t.Fatalf("%+v", gp.Body)
		}
		gv, err := ram.GetPolicyVersion(&ramclient.GetPolicyVersionRequest{PolicyName: tea.String("AliyunSTSAssumeRoleAccess"), PolicyType: tea.String("System"), VersionId: tea.String("v1")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(tea.StringValue(gv.Body.PolicyVersion.PolicyDocument), "sts:AssumeRole") {
			t.Fatalf("%+v", gv.Body)
		}
		lu, err := ram.ListPoliciesForUser(&ramclient.ListPoliciesForUserRequest{UserName: tea.String("sts-issuer")})
		if err != nil {
			t.Fatal(err)
		}
		if len(lu.Body.Policies.Policy) != 4 || tea.StringValue(lu.Body.Policies.Policy[0].PolicyType) != "System" {
			t.Fatalf("%+v", lu.Body)
		}
	})

	tmpResp, err := assume(newSTS(t, host, "http", issuerKeys), assumeArgs{arn: arnPrefix + "OssReadWrite", session: "ram-reader"})
	if err != nil {
		t.Fatal(err)
	}
	roleSession := keys{tea.StringValue(tmpResp.Body.Credentials.AccessKeyId), tea.StringValue(tmpResp.Body.Credentials.AccessKeySecret), tea.StringValue(tmpResp.Body.Credentials.SecurityToken)}

	errTests := []struct {
		name   string
		keys   keys
		call   func(c *ramclient.Client) error
		status int
		code   string
		msg    string
	}{
		{"sts-only may not list roles", stsOnly, func(c *ramclient.Client) error { _, err := c.ListRoles(&ramclient.ListRolesRequest{}); return err }, 403, "NoPermission", msgNoPermissionRAM},
		{"role session may not list roles", roleSession, func(c *ramclient.Client) error { _, err := c.ListRoles(&ramclient.ListRolesRequest{}); return err }, 403, "NoPermission", msgNoPermissionRAM},
		{"missing role", issuerKeys, func(c *ramclient.Client) error {
			_, err := c.GetRole(&ramclient.GetRoleRequest{RoleName: tea.String("Nope")})
			return err
		}, 404, "EntityNotExist.Role", "The specified Role not exists ."},
		{"missing policy", issuerKeys, func(c *ramclient.Client) error {
			_, err := c.GetPolicy(&ramclient.GetPolicyRequest{PolicyName: tea.String("Nope"), PolicyType: tea.String("Custom")})
			return err
		}, 404, "EntityNotExist.Policy", "The policy not exists."},
		{"missing RoleName", issuerKeys, func(c *ramclient.Client) error { _, err := c.GetRole(&ramclient.GetRoleRequest{}); return err }, 400, "MissingParameter", `The input parameter "RoleName" that is mandatory for processing this request is not supplied.`},
		{"wrong secret (ACS3)", keys{captureAK, "nope-secret", ""}, func(c *ramclient.Client) error { _, err := c.ListRoles(&ramclient.ListRolesRequest{}); return err }, 400, "SignatureDoesNotMatch", "server string to sign is:ACS3-HMAC-SHA256\n"},
		{"unknown key (ACS3)", keys{"LTAI5tNobody00001", "x", ""}, func(c *ramclient.Client) error { _, err := c.ListRoles(&ramclient.ListRolesRequest{}); return err }, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newRAM(t, host, tt.keys))
			if err == nil {
				t.Fatal("call succeeded")
			}
			st, code, msg := sdkErr(t, err)
			if st != tt.status || code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Fatalf("got %d %s %q, want %d %s %q", st, code, msg, tt.status, tt.code, tt.msg)
			}
		})
	}
}

func TestCredentialsGoRAMRoleProviderOverTLS(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, true)
	static, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(captureAK).WithAccessKeySecret(captureSecret).Build()
	if err != nil {
		t.Fatal(err)
	}
	p, err := providers.NewRAMRoleARNCredentialsProviderBuilder().WithCredentialsProvider(static).
		WithRoleArn(arnPrefix + "ramosstest").WithRoleSessionName("credentials-go").WithStsEndpoint(host).
		WithPolicy(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`).
		WithDurationSeconds(900).Build()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := p.GetCredentials()
	if err != nil {
		t.Fatal(err)
	}
	cred, err := ts.Authority().Credential(context.Background(), cc.AccessKeyId, cc.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	if cred.Secret != cc.AccessKeySecret || cred.Principal.SessionName != "credentials-go" || cred.Session == nil {
		t.Fatalf("%+v", cred)
	}
	if d := time.Until(cred.Expiration); d > 15*time.Minute || d < 14*time.Minute {
		t.Fatalf("expires in %v", d)
	}

	t.Run("error body reaches the caller", func(t *testing.T) {
		p, _ := providers.NewRAMRoleARNCredentialsProviderBuilder().WithCredentialsProvider(static).
			WithRoleArn(arnPrefix + "EcsOnly").WithRoleSessionName("credentials-go").WithStsEndpoint(host).Build()
		_, err := p.GetCredentials()
		if err == nil || !strings.Contains(err.Error(), "NoPermission") {
			t.Fatalf("err %v", err)
		}
	})
}

// TestAssumeRoleConcurrent issues many AssumeRole calls at once through the SDK: all succeed,
// every token is distinct and opens.
func TestAssumeRoleConcurrent(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	type result struct {
		ak, secret, token string
		err               error
	}
	results := make(chan result, n)
	// One client per call, each with a distinct ReadTimeout: tea v1.5.3 pools one *http.Client
	// per (timeouts, proxy, domain) tag and writes its Timeout on every request, a data race
	// between concurrent calls of the same tag (an SDK bug the race detector reports).
	clients := make([]*stsclient.Client, n)
	for i := range clients {
		clients[i] = newSTSDistinct(t, host, issuerKeys, i)
	}
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		go func(i int) {
			<-start
			resp, err := assume(clients[i], assumeArgs{arn: arnPrefix + "RamOssTest", session: fmt.Sprintf("c-%d", i)})
			if err != nil {
				results <- result{err: err}
				return
			}
			c := resp.Body.Credentials
			results <- result{ak: tea.StringValue(c.AccessKeyId), secret: tea.StringValue(c.AccessKeySecret), token: tea.StringValue(c.SecurityToken)}
		}(i)
	}
	close(start)
	tokens, aks := map[string]bool{}, map[string]bool{}
	for i := 0; i < n; i++ {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if tokens[r.token] || aks[r.ak] {
			t.Fatal("duplicate token or access key id")
		}
		tokens[r.token], aks[r.ak] = true, true
		cred, err := ts.Authority().Credential(context.Background(), r.ak, r.token)
		if err != nil || cred.Secret != r.secret {
			t.Fatalf("token does not open: %v", err)
		}
	}
}

// TestRoleChaining: a role session whose role may call sts:AssumeRole assumes another role; its
// own session policy still bounds the call.
func TestRoleChaining(t *testing.T) {
	seed := testSeed(t)
	seed.Roles = append(seed.Roles, SeedRole{Name: "Chainer", MaxSessionDuration: 3600, Policies: []string{"AliyunSTSAssumeRoleAccess"}})
	wall := &settableClock{}
	s, err := New(Config{DataDir: t.TempDir(), Seed: seed, WallClock: wall})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	host := startHTTP(t, &testServer{Server: s, wall: wall}, false)
	first := func(policy string) keys {
		resp, err := assume(newSTS(t, host, "http", issuerKeys), assumeArgs{arn: arnPrefix + "Chainer", session: "hop-1", policy: policy})
		if err != nil {
			t.Fatal(err)
		}
		c := resp.Body.Credentials
		return keys{tea.StringValue(c.AccessKeyId), tea.StringValue(c.AccessKeySecret), tea.StringValue(c.SecurityToken)}
	}
	t.Run("chained", func(t *testing.T) {
		resp, err := assume(newSTS(t, host, "http", first("")), assumeArgs{arn: arnPrefix + "RamOssTest", session: "hop-2"})
		if err != nil {
			t.Fatal(err)
		}
		cred, err := s.Authority().Credential(context.Background(), tea.StringValue(resp.Body.Credentials.AccessKeyId), tea.StringValue(resp.Body.Credentials.SecurityToken))
		if err != nil || cred.ARN != arnPrefix+"ramosstest/hop-2" {
			t.Fatalf("%+v %v", cred, err)
		}
	})
	t.Run("session policy of the first hop denies", func(t *testing.T) {
		k := first(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]}`)
		_, err := assume(newSTS(t, host, "http", k), assumeArgs{arn: arnPrefix + "RamOssTest", session: "hop-2"})
		if st, code, msg := sdkErr(t, err); st != 403 || code != "NoPermission" || !strings.Contains(msg, msgNoPermissionRAM) {
			t.Fatalf("%d %s %s", st, code, msg)
		}
	})
}

func TestAccessDeniedDetail(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	tests := []struct {
		name                          string
		keys                          keys
		role                          string
		policyType, principalType, nt string
	}{
		{"identity", noSTS, "RamOssTest", "AccountLevelIdentityBasedPolicy", "SubUser", "ImplicitDeny"},
		{"trust", issuerKeys, "EcsOnly", "AssumeRolePolicy", "SubUser", "ImplicitDeny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assume(newSTS(t, host, "http", tt.keys), assumeArgs{arn: arnPrefix + tt.role, session: "detail"})
			var se *tea.SDKError
			if !errors.As(err, &se) {
				t.Fatalf("%v", err)
			}
			d := se.AccessDeniedDetail
			if d["PolicyType"] != tt.policyType || d["AuthPrincipalType"] != tt.principalType || d["NoPermissionType"] != tt.nt ||
				d["AuthAction"] != "sts:AssumeRole" || d["AuthPrincipalOwnerId"] != "1234567890123456" {
				t.Fatalf("AccessDeniedDetail %v", d)
			}
		})
	}
	t.Run("RAM listing denied", func(t *testing.T) {
		_, err := newRAM(t, host, stsOnly).ListRoles(&ramclient.ListRolesRequest{})
		var se *tea.SDKError
		if !errors.As(err, &se) || se.AccessDeniedDetail["AuthAction"] != "ram:ListRoles" || se.AccessDeniedDetail["PolicyType"] != "AccountLevelIdentityBasedPolicy" {
			t.Fatalf("%v", err)
		}
	})
}
