package flow

import (
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

const (
	trustTestAccount = "1234567890123456"
	trustTestByAcct  = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}]}`
	trustTestECS     = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}`
)

func TestTrustPrincipals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []string
		err  bool
	}{
		{"account root", trustTestByAcct, []string{"any RAM identity of account 1234567890123456"}, false},
		{"service", trustTestECS, []string{"the ECS service"}, false},
		{"bare account id and a user", `{"Statement":[{"Effect":"Allow","Principal":{"RAM":["1234567890123456","acs:ram::999:user/alice"]}}]}`,
			[]string{"any RAM identity of account 1234567890123456", "RAM user alice of account 999"}, false},
		{"role and string principal", `{"Statement":[{"Effect":"Allow","Principal":{"RAM":"acs:ram::999:role/ci"}}]}`,
			[]string{"role ci of account 999"}, false},
		{"external id condition", `{"Statement":[{"Effect":"Allow","Principal":{"RAM":"acs:ram::999:root"},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`,
			[]string{"any RAM identity of account 999 (when external id abc)"}, false},
		{"saml", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"acs:ram::999:saml-provider/idp"}}]}`,
			[]string{"users of SAML provider idp (account 999)"}, false},
		{"anyone", `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`, []string{"anyone, in any account"}, false},
		{"deny", `{"Statement":[{"Effect":"Deny","Principal":{"Service":"fc.aliyuncs.com"}}]}`, []string{"never: the FC service"}, false},
		{"none", `{"Statement":[]}`, []string{"nobody (no principal in the trust policy)"}, false},
		{"broken", `{"Statement":[`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := TrustPrincipals(tt.doc)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrustsCaller(t *testing.T) {
	cAccount := trustTestAccount
	user := model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":user/sts-issuer", UserID: "2001"}
	other := model.Caller{AccountID: "999", ARN: "acs:ram::999:user/bob"}
	rootC := model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":root"}
	session := model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":assumed-role/ci/run-7", RoleID: "3001"}
	extID := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::` + cAccount + `:root"},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`
	onlyBob := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::999:user/bob"}}]}`
	tests := []struct {
		name   string
		trust  string
		caller model.Caller
		kind   string
		text   string
	}{
		{"account root trusted, RAM user", trustTestByAcct, user, "ok", "trusts user/sts-issuer"},
		{"role session of the account", trustTestByAcct, session, "ok", "trusts assumed-role/ci/run-7"},
		{"another account", trustTestByAcct, other, "deny", "does not trust user/bob"},
		{"service only", trustTestECS, user, "deny", "does not trust"},
		{"named user", onlyBob, other, "ok", "trusts user/bob"},
		{"external id required", extID, user, "warn", "only with the right external id"},
		{"root key", trustTestByAcct, rootC, "deny", "refuses the account's root key"},
		{"broken trust policy", `{"Statement":`, user, "unknown", "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, text := TrustsCaller(tt.trust, "acs:ram::"+cAccount+":role/x", tt.caller)
			if kind != tt.kind || !strings.Contains(text, tt.text) {
				t.Errorf("got %s %q, want %s %q", kind, text, tt.kind, tt.text)
			}
		})
	}
}

// TrustPrincipals reads trust policies returned by RAM (untrusted input): it must never panic,
// and it either fails or says something for every statement it understood.
func FuzzTrustPrincipals(f *testing.F) {
	for _, s := range []string{trustTestByAcct, trustTestECS, `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`,
		`{"Statement":[{"Principal":{"RAM":["1","acs:ram::1:user/a"],"Federated":"acs:ram::1:saml-provider/x"},"Condition":{"StringEquals":{"sts:ExternalId":["a","b"]}}}]}`,
		`{"Statement":[{"Principal":{"RAM":{"x":1}}}]}`, `{"Statement":null}`, `[]`, `{`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		words, err := TrustPrincipals(doc)
		if err != nil {
			if words != nil {
				t.Fatalf("error %v with words %q", err, words)
			}
			return
		}
		if len(words) == 0 {
			t.Fatal("no words and no error")
		}
		for _, w := range words {
			if w == "" {
				t.Fatalf("empty line in %q", words)
			}
		}
	})
}
