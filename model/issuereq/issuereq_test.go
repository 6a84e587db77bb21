package issuereq

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func goodReq() model.IssueRequest {
	return model.IssueRequest{RoleARN: "acs:ram::1234567890123456:role/RamOssTest", SessionName: "partner-b", Duration: time.Hour}
}

func TestCheckIssue(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*model.IssueRequest)
		roleMax time.Duration
		field   string // blocking problem expected on this field; "" = none
	}{
		{"good", func(*model.IssueRequest) {}, 0, ""},
		{"bad arn", func(r *model.IssueRequest) { r.RoleARN = "arn:aws:iam::1:role/x" }, 0, "RoleArn"},
		{"short session name", func(r *model.IssueRequest) { r.SessionName = "a" }, 0, "RoleSessionName"},
		{"session name with star", func(r *model.IssueRequest) { r.SessionName = "abc*abc" }, 0, "RoleSessionName"},
		{"session name 64 ok", func(r *model.IssueRequest) { r.SessionName = strings.Repeat("a", 64) }, 0, ""},
		{"session name 65", func(r *model.IssueRequest) { r.SessionName = strings.Repeat("a", 65) }, 0, "RoleSessionName"},
		{"external id bad char", func(r *model.IssueRequest) { r.ExternalID = "a b" }, 0, "ExternalId"},
		{"duration under 15m", func(r *model.IssueRequest) { r.Duration = 10 * time.Minute }, 0, "DurationSeconds"},
		{"duration over role max", func(r *model.IssueRequest) { r.Duration = 2 * time.Hour }, time.Hour, "DurationSeconds"},
		{"duration 12h with 12h role", func(r *model.IssueRequest) { r.Duration = 12 * time.Hour }, 12 * time.Hour, ""},
		{"duration over 12h", func(r *model.IssueRequest) { r.Duration = 13 * time.Hour }, 0, "DurationSeconds"},
		{"policy error", func(r *model.IssueRequest) {
			r.Policy = `{"Version":"1","Statement":[{"Effect":"allow","Action":"oss:GetObject","Resource":"*"}]}`
		}, 0, "Policy"},
		{"policy fine", func(r *model.IssueRequest) {
			r.Policy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
		}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := goodReq()
			tc.mutate(&r)
			bad := Blocking(CheckIssue(r, tc.roleMax))
			if tc.field == "" {
				if len(bad) > 0 {
					t.Fatalf("unexpected problems %v", bad)
				}
				return
			}
			if len(bad) == 0 || bad[0].Field != tc.field {
				t.Fatalf("problems %v, want one on %s", bad, tc.field)
			}
		})
	}
}

func TestParseRoleARN(t *testing.T) {
	tests := []struct {
		in, acct, name string
		ok             bool
	}{
		{"acs:ram::1234567890123456:role/RamOssTest", "1234567890123456", "RamOssTest", true},
		{"acs:ram::1234567890123456:role/ramosstest", "1234567890123456", "ramosstest", true},
		{"acs:ram::12:user/x", "", "", false},
		{"acs:ram::abc:role/x", "", "", false},
		{"RamOssTest", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a, n, ok := ParseRoleARN(tc.in)
			if a != tc.acct || n != tc.name || ok != tc.ok {
				t.Errorf("ParseRoleARN(%q) = %q %q %v", tc.in, a, n, ok)
			}
		})
	}
}

func TestTrustRequiresExternalID(t *testing.T) {
	tests := []struct {
		name, doc string
		want      bool
	}{
		{"every allow needs it", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`, true},
		{"key case-insensitive, single statement object", `{"Version":"1","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Condition":{"StringEquals":{"STS:EXTERNALID":["a","b"]}}}}`, true},
		{"plain trust", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1:root"]}}]}`, false},
		{"one allow without it", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}},{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}`, false},
		{"Null operator trusts callers without one", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Condition":{"Null":{"sts:ExternalId":"true"}}}]}`, false},
		{"deny only", `{"Version":"1","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`, false},
		{"empty", ``, false},
		{"not JSON", `{`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TrustRequiresExternalID(tc.doc); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
