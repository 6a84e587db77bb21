package stsemu

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestDefaultSeedContract(t *testing.T) {
	s, err := ParseSeed("default", DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	if s.AccountID != "1234567890123456" || s.Region != "cn-hangzhou" {
		t.Fatalf("account %s region %s", s.AccountID, s.Region)
	}
	names := func(n int, f func(int) string) string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, f(i))
		}
		return strings.Join(out, ",")
	}
	tests := []struct{ name, got, want string }{
		{"users", names(len(s.Users), func(i int) string { return s.Users[i].Name + ":" + s.Users[i].Kind }), "root:root,sts-issuer:user,sts-only:user,no-sts-user:user"},
		{"roles", names(len(s.Roles), func(i int) string { return s.Roles[i].Name }), "RamOssTest,OssReadWrite,OssReadOnly,OssNoDelete,EcsOnly,PartnerWithExternalId,PartnerGateway,PartnerUpload"},
		{"buckets", names(len(s.Buckets), func(i int) string { return s.Buckets[i].Name + "@" + s.Buckets[i].Region }), "examplebucket@cn-hangzhou,beijingbucket@cn-beijing"},
		{"max sessions", names(len(s.Roles), func(i int) string { return strconv.Itoa(s.Roles[i].MaxSessionDuration) }), "3600,43200,3600,3600,3600,7200,3600,43200"},
		{"sts-issuer policies", strings.Join(s.Users[1].Policies, ","), "AliyunSTSAssumeRoleAccess,AliyunRAMReadOnlyAccess,RamDecodeDiagnosticPolicy,StsdeckCleanupPolicy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
	for _, p := range []string{"AliyunSTSAssumeRoleAccess", "AliyunRAMReadOnlyAccess", "AliyunOSSFullAccess", "AliyunOSSReadOnlyAccess", "RamTestPolicy"} {
		found := false
		for _, sp := range s.Policies {
			found = found || sp.Name == p
		}
		if !found {
			t.Errorf("policy %s missing", p)
		}
	}
}

func TestSeedErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		path, msg string
	}{
		{"yaml syntax", "account_id: \"1\"\nusers: [\n", 2, 1, "", "invalid YAML"},
		{"json syntax", "{\"account_id\": \"1\",,}", 1, 20, "", "invalid JSON"},
		{"unknown field", "account_id: \"1\"\nregoin: cn-hangzhou\n", 2, 1, "regoin", "unknown field"},
		{"missing account", "region: cn-hangzhou\n", 1, 1, "account_id", "missing"},
		{"bad account", "account_id: abc\n", 1, 13, "account_id", "1 to 32 digits"},
		{"bad max session", "account_id: \"1\"\nroles:\n  - name: R\n    max_session_duration: 100\n", 4, 27, "roles[0].max_session_duration", "3600 to 43200"},
		{"max session not a number", "account_id: \"1\"\nroles:\n  - name: R\n    max_session_duration: 1h\n", 4, 27, "roles[0].max_session_duration", "whole number"},
		{"unknown policy reference", "account_id: \"1\"\nusers:\n  - name: u\n    policies: [Nope]\n", 4, 16, "users[0].policies[0]", `no policy named "Nope"`},
		{"duplicate role case-insensitive", "account_id: \"1\"\nroles:\n  - name: R\n  - name: r\n", 4, 5, "roles[1].name", "defined twice"},
		{"bad policy document", "account_id: \"1\"\npolicies:\n  - name: P\n    document: |\n      {\"Version\": \"1\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"oss:GetObject\", \"Resource\": \"*\"}]}\n", 4, 15, "policies[0].document: Statement[0].Effect", `invalid identity policy (document line 1, col 43): want "Allow" or "Deny", got "allow"`},
		{"two roots", "account_id: \"1\"\nusers:\n  - {name: a, kind: root}\n  - {name: b, kind: root}\n", 4, 5, "users[1].kind", "only one"},
		{"half a key", "account_id: \"1\"\nusers:\n  - {name: a, access_key_id: LTAI5tAAAAAAAA}\n", 3, 5, "users[0]", "both"},
		{"STS key id", "account_id: \"1\"\nusers:\n  - {name: a, access_key_id: STS.AAAAAAAAA, access_key_secret: 12345678}\n", 3, 30, "users[0].access_key_id", "STS."},
		{"bad bucket", "account_id: \"1\"\nbuckets:\n  - name: Bad_Bucket\n", 3, 5, "buckets[0].name", "lower-case"},
		{"list where mapping", "account_id: \"1\"\nroles: {name: R}\n", 2, 8, "roles", "want a list"},
		{"two documents", "account_id: \"1\"\n---\naccount_id: \"2\"\n", 2, 1, "", "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSeed("s.yaml", []byte(tt.src))
			var se *SeedError
			if !errors.As(err, &se) {
				t.Fatalf("err %v, want a *SeedError", err)
			}
			if se.Line != tt.line || se.Col != tt.col || se.Path != tt.path || !strings.Contains(se.Message, tt.msg) {
				t.Fatalf("got %d:%d %q %q, want %d:%d %q ~%q", se.Line, se.Col, se.Path, se.Message, tt.line, tt.col, tt.path, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "s.yaml: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
		})
	}
}

func TestSeedJSONAndMappingDocuments(t *testing.T) {
	src := `{
	"account_id": "42",
	"policies": [{"name": "P", "document": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}}],
	"users": [{"name": "u", "policies": ["P"], "access_key_id": "LTAI5tJSONUSER", "access_key_secret": "jsonsecret"}],
	"roles": [{"name": "R", "max_session_duration": 7200, "policies": ["p"]}],
	"buckets": [{"name": "b-1", "policy": {"Version": "1", "Statement": [{"Effect": "Allow", "Principal": ["*"], "Action": "oss:GetObject", "Resource": "acs:oss:*:42:b-1/*"}]}}]
}`
	s, err := ParseSeed("s.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.AccountID != "42" || s.Region != "cn-hangzhou" || s.Buckets[0].Region != "cn-hangzhou" || s.Roles[0].MaxSessionDuration != 7200 {
		t.Fatalf("%+v", s)
	}
	if !strings.HasPrefix(s.Policies[0].Document, `{"Version":"1","Statement":[{"Effect":"Allow"`) {
		t.Fatalf("document %s", s.Policies[0].Document)
	}
}
