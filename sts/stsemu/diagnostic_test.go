package stsemu

import (
	"errors"
	"strings"
	"testing"

	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/model"
)

// encodedOf returns the EncodedDiagnosticMessage of an SDK error's AccessDeniedDetail.
func encodedOf(t *testing.T, err error) string {
	t.Helper()
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("want *tea.SDKError, got %v", err)
	}
	enc, _ := se.AccessDeniedDetail["EncodedDiagnosticMessage"].(string)
	if !strings.HasPrefix(enc, "AQE") {
		t.Fatalf("EncodedDiagnosticMessage %q in %v", enc, se.AccessDeniedDetail)
	}
	return enc
}

func TestDecodeDiagnosticMessageSDK(t *testing.T) {
	ts := newTestServer(t)
	host := startHTTP(t, ts, false)
	ram := newRAM(t, host, issuerKeys)
	decode := func(c *ramclient.Client, enc string) (*ramclient.DecodeDiagnosticMessageResponseBodyDecodedDiagnosticMessage, error) {
		r, err := c.DecodeDiagnosticMessage(&ramclient.DecodeDiagnosticMessageRequest{EncodedDiagnosticMessage: tea.String(enc)})
		if err != nil {
			return nil, err
		}
		if tea.StringValue(r.Body.RequestId) == "" || r.Body.DecodedDiagnosticMessage == nil {
			t.Fatalf("body %+v", r.Body)
		}
		return r.Body.DecodedDiagnosticMessage, nil
	}

	t.Run("AssumeRole refused by the caller's identity policies", func(t *testing.T) {
		_, err := assume(newSTS(t, host, "http", noSTS), assumeArgs{arn: arnPrefix + "RamOssTest", session: "diag"})
		d, err := decode(ram, encodedOf(t, err))
		if err != nil {
			t.Fatal(err)
		}
		p := d.AuthPrincipal
		if tea.StringValue(d.AuthAction) != "sts:AssumeRole" || tea.StringValue(d.AuthResource) != "acs:ram::1234567890123456:role/ramosstest" ||
			tea.BoolValue(d.ExplicitDeny) || tea.StringValue(d.NoPermissionPolicyType) != "AccountLevelIdentityBasedPolicy" ||
			p == nil || tea.StringValue(p.AuthPrincipalType) != "SubUser" || tea.StringValue(p.AuthPrincipalOwnerId) != "1234567890123456" ||
			tea.StringValue(p.AuthPrincipalDisplayName) == "" {
			t.Fatalf("decoded %s", d)
		}
		found := false
		for _, c := range d.AuthConditions {
			if tea.StringValue(c.ConditionKey) == "acs:SourceIp" && len(c.ConditionValues) == 1 {
				found = true
			}
		}
		if !found {
			t.Fatalf("no acs:SourceIp condition in %s", d)
		}
	})
	t.Run("AssumeRole refused by the trust policy names it and its matched policies", func(t *testing.T) {
		_, err := assume(newSTS(t, host, "http", issuerKeys), assumeArgs{arn: arnPrefix + "EcsOnly", session: "diag"})
		d, err := decode(ram, encodedOf(t, err))
		if err != nil {
			t.Fatal(err)
		}
		if tea.StringValue(d.NoPermissionPolicyType) != "AssumeRolePolicy" {
			t.Fatalf("decoded %s", d)
		}
		var ids []string
		for _, m := range d.MatchedPolicies {
			ids = append(ids, tea.StringValue(m.PolicyIdentifier)+"/"+tea.StringValue(m.PolicyType)+"/"+tea.StringValue(m.Effect))
		}
		if got := strings.Join(ids, ","); got != "AliyunSTSAssumeRoleAccess/System/Allow" {
			t.Fatalf("matched policies %s", got)
		}
	})
	t.Run("a role session's denial names role:session", func(t *testing.T) {
		resp, err := assume(newSTS(t, host, "http", issuerKeys), assumeArgs{arn: arnPrefix + "OssReadOnly", session: "reader"})
		if err != nil {
			t.Fatal(err)
		}
		c := resp.Body.Credentials
		tmp := keys{tea.StringValue(c.AccessKeyId), tea.StringValue(c.AccessKeySecret), tea.StringValue(c.SecurityToken)}
		_, err = newRAM(t, host, tmp).ListRoles(&ramclient.ListRolesRequest{})
		d, err := decode(ram, encodedOf(t, err))
		if err != nil {
			t.Fatal(err)
		}
		if tea.StringValue(d.AuthPrincipal.AuthPrincipalDisplayName) != "OssReadOnly:reader" || tea.StringValue(d.AuthPrincipal.AuthPrincipalType) != "AssumedRoleUser" ||
			tea.StringValue(d.AuthAction) != "ram:ListRoles" {
			t.Fatalf("decoded %s", d)
		}
	})

	_, denied := assume(newSTS(t, host, "http", noSTS), assumeArgs{arn: arnPrefix + "RamOssTest", session: "diag"})
	enc := encodedOf(t, denied)
	refusals := []struct {
		name       string
		keys       keys
		enc        string
		status     int
		code, text string
	}{
		{"a user without ram:DecodeDiagnosticMessage", stsOnly, enc, 403, "NoPermission", msgNoPermissionRAM},
		{"a forged message", issuerKeys, "AQEAAAAAZBgxr0U1MjA1NTM1LUM4BBktMzE5RS1CODgxLUU1QTI0RDNFQTM1", 400, "InvalidParameter.EncodedDiagnosticMessage", "EncodedDiagnosticMessage"},
		{"a truncated message", issuerKeys, enc[:len(enc)-8], 400, "InvalidParameter.EncodedDiagnosticMessage", "EncodedDiagnosticMessage"},
		{"a token passed as a message", issuerKeys, "CAIS" + enc, 400, "InvalidParameter.EncodedDiagnosticMessage", "EncodedDiagnosticMessage"},
	}
	for _, tt := range refusals {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			_, err := decode(newRAM(t, host, tt.keys), tt.enc)
			status, code, msg := sdkErr(t, err)
			if status != tt.status || code != tt.code || !strings.Contains(msg, tt.text) {
				t.Fatalf("%d %s %s", status, code, msg)
			}
		})
	}
	t.Run("refuses a message of another account", func(t *testing.T) {
		other := ts.auth.sealer
		m, err := other.SealDiagnostic(&model.DiagnosticSeal{AccountID: "9999999999999999", Message: model.DiagnosticMessage{AuthAction: "oss:GetObject"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = decode(ram, m)
		if status, code, _ := sdkErr(t, err); status != 400 || code != "InvalidParameter.EncodedDiagnosticMessage" {
			t.Fatalf("%d %s", status, code)
		}
	})
	t.Run("missing parameter", func(t *testing.T) {
		_, err := ram.DecodeDiagnosticMessage(&ramclient.DecodeDiagnosticMessageRequest{})
		if status, code, _ := sdkErr(t, err); status != 400 || code != "MissingParameter" {
			t.Fatalf("%d %s", status, code)
		}
	})
}

func FuzzOpenDiagnostic(f *testing.F) {
	s, err := NewSealer(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.SealDiagnostic(&model.DiagnosticSeal{AccountID: "1", Message: model.DiagnosticMessage{AuthAction: "oss:GetObject"}})
	for _, seed := range []string{good, "", "AQE", "AQEAAAAA", good[:len(good)-1]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := s.OpenDiagnostic(in)
		if err == nil && (d == nil || d.AccountID == "") {
			t.Fatalf("opened %q to %+v", in, d)
		}
	})
}
