package flow

import (
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

func TestExplainEC(t *testing.T) {
	tests := []struct {
		ec, code, want, layer string
	}{
		{"0003-00000301", "AccessDenied", "session policy", "session"},
		{"0003-00000201", "AccessDenied", "explicit Deny in a RAM policy", "role"},
		{"0003-00000101", "AccessDenied", "bucket policy", "bucket"},
		{"0002-00000007", "SecurityTokenExpired", "expired", ""},
		{"0002-00000004", "AccessKeyIdAndSecurityTokenNotMatch", "do not belong together", ""},
		{"0003-99999999", "AccessDenied", "authorization failure (EC group 0003)", ""},
		{"", "SecurityTokenExpired", "has expired", ""},
		{"", "InvalidAccessKeyId", "does not exist", ""},
		{"", "Whatever", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ec+"/"+tt.code, func(t *testing.T) {
			got := ExplainEC(tt.ec, tt.code)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Fatalf("ExplainEC = %q, want %q", got, tt.want)
			}
			if l := ECLayer(tt.ec); l != tt.layer {
				t.Fatalf("ECLayer = %q, want %q", l, tt.layer)
			}
		})
	}
}

func TestMeaningLayer(t *testing.T) {
	tests := []struct {
		name  string
		err   model.APIError
		layer string
	}{
		{"from the EC", model.APIError{Code: "AccessDenied", EC: "0003-00000301"}, "session"},
		{"from the detail", model.APIError{Code: "NoPermission", AccessDeniedDetail: &model.AccessDeniedDetail{PolicyType: "AssumeRolePolicy"}}, "trust"},
		{"nothing on file", model.APIError{Code: "Whatever"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, l := Meaning(&tt.err)
			if l != tt.layer || (tt.layer != "" && m == "") {
				t.Fatalf("Meaning = %q, %q; want layer %q", m, l, tt.layer)
			}
		})
	}
}

func TestExplainLayers(t *testing.T) {
	role, err := policy.Parse("role", []byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`), policy.KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := policy.Parse("session", []byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`), policy.KindSession)
	if err != nil {
		t.Fatal(err)
	}
	out := Explain(ExplainInput{Action: "oss:PutObject", Resource: "acs:oss:cn-hangzhou:1:examplebucket/dst/a.txt",
		Identity: []*policy.Policy{role}, Session: sess})
	if out.Decision != policy.DecisionImplicitDeny || out.DecidedBy != policy.LayerSession || len(out.Layers) != 2 {
		t.Fatalf("%+v", out)
	}
	if _, ok := out.Layers["bucket"]; ok {
		t.Fatalf("bucket layer reported though not given: %+v", out.Layers)
	}
}
