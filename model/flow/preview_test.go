package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

const previewAccount = "1234567890123456"

const (
	readWriteDoc  = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`
	denyDeleteDoc = `{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:DeleteObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	listPrefixDoc = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:examplebucket","Condition":{"StringLike":{"oss:Prefix":"src/*"}}}]}`
	httpsOnlyDoc  = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/*","Condition":{"Bool":{"acs:SecureTransport":"true"}}}]}`
)

func previewRole(docs ...string) *model.Role {
	r := &model.Role{Name: "R", ARN: "acs:ram::" + previewAccount + ":role/r", Policies: []model.AttachedPolicy{}}
	for i, d := range docs {
		r.Policies = append(r.Policies, model.AttachedPolicy{Name: "P" + string(rune('0'+i)), Type: "Custom", Document: d})
	}
	return r
}

func previewSession(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	p, fs := policy.Validate("session policy", []byte(doc), policy.KindSession)
	if policy.HasErrors(fs) {
		t.Fatalf("session policy: %+v", fs)
	}
	return p
}

// want is "op scope verdict layer", e.g. "put inside Allow role".
func TestComputePreview(t *testing.T) {
	uploadOnly, err := policy.Template("upload-only", "examplebucket", "src/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		role    *model.Role
		session string
		ctx     PreviewContext
		want    []string
		reason  map[string]string // "op scope" → substring of the reason
	}{
		{"read-write role, no session policy", previewRole(readWriteDoc), "", PreviewContext{},
			[]string{"put inside Allow role", "delete outside Allow role", "list inside Allow role"}, nil},
		{"upload-only session over read-write role", previewRole(readWriteDoc), uploadOnly, PreviewContext{},
			[]string{"put inside Allow role", "put outside Deny session", "get inside Deny session", "delete inside Deny session"},
			map[string]string{"get inside": "no session policy statement allows oss:GetObject"}},
		{"explicit deny in the role", previewRole(readWriteDoc, denyDeleteDoc), "", PreviewContext{},
			[]string{"delete inside Deny role", "delete outside Deny role", "put inside Allow role"},
			map[string]string{"delete inside": "denied by P1 statement 1"}},
		{"explicit deny beats a session allow", previewRole(readWriteDoc, denyDeleteDoc), readWriteDoc, PreviewContext{},
			[]string{"delete inside Deny role", "get inside Allow role"}, nil},
		{"role without policies", previewRole(), "", PreviewContext{},
			[]string{"put inside Deny role", "list outside Deny role"}, map[string]string{"put inside": "no role policy allows oss:PutObject"}},
		{"list limited by prefix condition", previewRole(listPrefixDoc), "", PreviewContext{},
			[]string{"list inside Allow role", "list outside Deny role"}, nil},
		{"https unknown", previewRole(httpsOnlyDoc), "", PreviewContext{},
			[]string{"get inside Unknown", "put inside Deny role"}, map[string]string{"get inside": "acs:SecureTransport"}},
		{"https yes", previewRole(httpsOnlyDoc), "", PreviewContext{HTTPS: "true"}, []string{"get inside Allow role"}, nil},
		{"https no", previewRole(httpsOnlyDoc), "", PreviewContext{HTTPS: "false"}, []string{"get inside Deny role"}, nil},
		{"policies not loaded", &model.Role{Name: "R", ARN: "acs:ram::" + previewAccount + ":role/r"}, "", PreviewContext{},
			[]string{"put inside Unknown role"}, map[string]string{"put inside": "could not be read"}},
		{"policies not loaded but the session denies", &model.Role{Name: "R", ARN: "acs:ram::" + previewAccount + ":role/r"}, uploadOnly, PreviewContext{},
			[]string{"get inside Deny session", "put inside Unknown role"}, nil},
		{"a policy that does not parse", previewRole(readWriteDoc, `{"Version":"1","Statement":[{"Effect":"allow"}]}`), "", PreviewContext{},
			[]string{"put inside Unknown role"}, map[string]string{"put inside": "unreadable: P1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := PreviewInput{RoleName: tt.role.Name, AccountID: previewAccount, Region: "cn-hangzhou", Identity: CompileIdentity(tt.role),
				Bucket: "examplebucket", Prefix: "src/", Context: tt.ctx}
			if tt.session != "" {
				in.Session = previewSession(t, tt.session)
			}
			pv := ComputePreview(in)
			if pv.Inside != "src/" || pv.Outside != "dst/" {
				t.Fatalf("scopes %q %q", pv.Inside, pv.Outside)
			}
			got := map[string]PreviewCell{}
			for _, row := range pv.Cells {
				for _, c := range row {
					got[c.Op+" "+c.Scope] = c
				}
			}
			if len(got) != 10 {
				t.Fatalf("%d cells", len(got))
			}
			for _, w := range tt.want {
				f := strings.Fields(w)
				c := got[f[0]+" "+f[1]]
				if c.Verdict != f[2] || (len(f) > 3 && c.Layer != f[3]) {
					t.Errorf("%s %s = %s by %s (%s), want %s", f[0], f[1], c.Verdict, c.Layer, c.Reason, strings.Join(f[2:], " by "))
				}
			}
			for k, sub := range tt.reason {
				if !strings.Contains(got[k].Reason, sub) {
					t.Errorf("%s reason %q lacks %q", k, got[k].Reason, sub)
				}
			}
		})
	}
}

func TestComputePreviewResources(t *testing.T) {
	pv := ComputePreview(PreviewInput{RoleName: "R", AccountID: previewAccount, Region: "cn-hangzhou", Identity: CompileIdentity(previewRole(readWriteDoc)),
		Bucket: "examplebucket", Prefix: "src/"})
	for _, row := range pv.Cells {
		for _, c := range row {
			prefix := map[string]string{"inside": "src/", "outside": "dst/"}[c.Scope]
			want := "acs:oss:cn-hangzhou:" + previewAccount + ":examplebucket/" + prefix + ProbeObjectName
			if c.Op == "list" {
				want = "acs:oss:cn-hangzhou:" + previewAccount + ":examplebucket"
			}
			if c.Resource != want {
				t.Errorf("%s %s resource %q, want %q", c.Op, c.Scope, c.Resource, want)
			}
		}
	}
	t.Run("no bucket", func(t *testing.T) {
		pv := ComputePreview(PreviewInput{Identity: CompileIdentity(previewRole(readWriteDoc))})
		if c := pv.Cells[0][0]; c.Verdict != VerdictUnknown || c.Reason != "no bucket chosen" {
			t.Errorf("%+v", c)
		}
	})
}

func TestParsePreviewContext(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name, ip, https, tm string
		want                PreviewContext
		err                 string
	}{
		{"all unknown", "", "", "", PreviewContext{}, ""},
		{"question marks are unknown", "?", "?", "?", PreviewContext{}, ""},
		{"values", " 192.0.2.10 ", "Yes", "2026-11-27T18:00:00+08:00", PreviewContext{SourceIP: "192.0.2.10", HTTPS: "true", Time: "2026-11-27T10:00:00Z"}, ""},
		{"now is UTC", "", "no", "now", PreviewContext{HTTPS: "false", Time: "2026-11-27T02:00:00Z"}, ""},
		{"IPv6", "2001:db8::1", "", "", PreviewContext{SourceIP: "2001:db8::1"}, ""},
		{"CIDR is not an address", "192.0.2.0/24", "", "", PreviewContext{}, `source IP "192.0.2.0/24"`},
		{"https word", "", "perhaps", "", PreviewContext{}, `https "perhaps"`},
		{"time format", "", "", "27/11/2026", PreviewContext{}, `time "27/11/2026"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePreviewContext(tt.ip, tt.https, tt.tm, now)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestStatementsNumberedForPeople(t *testing.T) {
	for path, want := range map[string]string{
		"":                       "",
		"Version":                "Version",
		"Statement[0].Effect":    "statement 1, Effect",
		"Statement[1].Action[0]": "statement 2, Action 1",
	} {
		if got := HumanPath(path); got != want {
			t.Errorf("HumanPath(%q) = %q, want %q", path, got, want)
		}
	}
	if got := StatementLabel(0); got != "statement 1" {
		t.Errorf("StatementLabel(0) = %q", got)
	}
}
