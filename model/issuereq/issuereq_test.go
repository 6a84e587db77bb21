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

func TestSessionNameProblem(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ok", "alice@example.com-1_2", ""},
		{"empty", "", "session name is required"},
		{"one char", "a", "1 character, need at least 2"},
		{"two chars", "ab", ""},
		{"64 chars", strings.Repeat("a", 64), ""},
		{"65 chars", strings.Repeat("a", 65), "65 characters, at most 64"},
		{"space", "a b", `' ' at position 2 is not allowed`},
		{"slash", "ab/c", `'/' at position 3`},
		{"unicode", "ab€", `'€' at position 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SessionNameProblem(tt.in)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("SessionNameProblem(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExternalIDProblem(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", "", ""},
		{"ok", "x=y,z@w:v/u-t_s", ""},
		// The STS SDK's regular expression [\w+=,.@:\/-]* allows "+" (its prose list omits it).
		{"plus", "a+b", ""},
		{"one char", "a", "1 characters, want 2–1224"},
		{"1224 chars", strings.Repeat("a", 1224), ""},
		{"1225 chars", strings.Repeat("a", 1225), "1225 characters, want 2–1224"},
		{"space", "ab cd", `' ' at position 3 is not allowed`},
		{"unicode", "ab€", `'€' at position 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExternalIDProblem(tt.in)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("ExternalIDProblem(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// CheckIssue applies the same rule.
			r := goodReq()
			r.ExternalID = tt.in
			blocked := len(Blocking(CheckIssue(r, 0))) > 0
			if blocked != (got != "") {
				t.Fatalf("CheckIssue blocked = %v, ExternalIDProblem = %q", blocked, got)
			}
		})
	}
}

// FuzzFieldRules: the session name and external id rules never panic, what they accept is
// what STS accepts, and CheckIssue agrees with them.
func FuzzFieldRules(f *testing.F) {
	for _, s := range []string{"", "a", "alice", "1h30m", "3600", "-1", "ab cd", "€€", "x=y,z@w:v/u-t_s", "a+b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if SessionNameProblem(s) == "" {
			n := len([]rune(s))
			if n < 2 || n > 64 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_") != "" {
				t.Fatalf("session name %q accepted", s)
			}
		}
		if ExternalIDProblem(s) == "" && s != "" {
			if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@:/-") != "" {
				t.Fatalf("external id %q accepted", s)
			}
		}
		r := goodReq()
		r.SessionName, r.ExternalID = s, s
		var fields []string
		for _, p := range Blocking(CheckIssue(r, 0)) {
			fields = append(fields, p.Field)
		}
		got := strings.Join(fields, ",")
		want := ""
		if SessionNameProblem(s) != "" {
			want = "RoleSessionName"
		}
		if ExternalIDProblem(s) != "" {
			want = strings.TrimPrefix(want+",ExternalId", ",")
		}
		if got != want {
			t.Fatalf("CheckIssue(%q) blocks %q, the field rules %q", s, got, want)
		}
	})
}
