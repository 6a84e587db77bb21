package policy

import (
	"errors"
	"strings"
	"testing"
)

const rolePolicy = `{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "oss:PutObject",
      "Resource": "acs:oss:*:*:examplebucket/*"
    }
  ]
}`

const sessionPolicy = `{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["oss:PutObject"],
      "Resource": ["acs:oss:*:*:examplebucket/src/*"]
    }
  ]
}`

func mustParse(t testing.TB, name, src string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(name, []byte(src), kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

func TestDocumentedExample(t *testing.T) {
	role := mustParse(t, "RamTestPolicy", rolePolicy, KindIdentity)
	sess := mustParse(t, "session", sessionPolicy, KindSession)
	cases := []struct {
		name      string
		resource  string
		decision  Decision
		decidedBy Layer
		session   Outcome
		nMatches  int
	}{
		{"src allowed", "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/a", DecisionAllow, LayerIdentity, OutcomeAllow, 2},
		{"dst implicit deny by session", "acs:oss:cn-hangzhou:1234567890123456:examplebucket/dst/a", DecisionImplicitDeny, LayerSession, OutcomeNoMatch, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Evaluate(&Request{Action: "oss:PutObject", Resource: c.resource}, Layers{Identity: []*Policy{role}, Session: sess})
			if r.Decision != c.decision || r.DecidedBy != c.decidedBy || r.Session != c.session || len(r.Statements) != c.nMatches {
				t.Fatalf("got %+v", r)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	src := `{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"},
    {
      "Action": "oss:PutObject",
      "Effect": "allow",
      "Resource": "*"
    }
  ]
}`
	_, err := Parse("p", []byte(src), KindIdentity)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want *ParseError, got %v", err)
	}
	want := `line 7, col 17: Statement[1].Effect: want "Allow" or "Deny", got "allow"`
	if err.Error() != want {
		t.Fatalf("got  %q\nwant %q", err.Error(), want)
	}
}

func TestAssumeRoleBasic(t *testing.T) {
	trust := mustParse(t, "trust", `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}],"Version":"1"}`, KindTrust)
	ident := mustParse(t, "AliyunSTSAssumeRoleAccess", `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}`, KindIdentity)
	role := "acs:ram::1234567890123456:role/RamOssTest"
	user := Principal{AccountID: "1234567890123456", Type: "user", Name: "alice", ID: "2000"}
	cases := []struct {
		name    string
		caller  Principal
		ident   []*Policy
		allowed bool
		reason  string
	}{
		{"user allowed", user, []*Policy{ident}, true, ""},
		{"user without permission", user, nil, false, "identity"},
		{"root refused", Principal{AccountID: "1234567890123456", Type: "root"}, []*Policy{ident}, false, "root-refused"},
		{"other account", Principal{AccountID: "999", Type: "user", Name: "bob"}, []*Policy{ident}, false, "trust"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := EvaluateAssumeRole(c.caller, role, c.ident, trust, nil)
			if r.Allowed != c.allowed || r.Reason != c.reason {
				t.Fatalf("got %+v", r)
			}
		})
	}
}

func TestTemplatesEvaluate(t *testing.T) {
	const obj = "acs:oss:cn-hangzhou:1234567890123456:examplebucket/"
	cases := []struct {
		tmpl    string
		action  string
		key     string
		allowed bool
	}{
		{"upload-only", "oss:PutObject", "src/a", true},
		{"upload-only", "oss:GetObject", "src/a", false},
		{"upload-only", "oss:PutObject", "dst/a", false},
		{"read-only", "oss:GetObject", "src/a", true},
		{"read-only", "oss:PutObject", "src/a", false},
		{"read-write", "oss:DeleteObject", "src/a", true},
		{"read-write,no-delete", "oss:DeleteObject", "src/a", false},
		{"read-write,no-delete", "oss:PutObject", "src/a", true},
	}
	for _, c := range cases {
		t.Run(c.tmpl+"/"+c.action+"/"+c.key, func(t *testing.T) {
			doc, err := Template(c.tmpl, "examplebucket", "src/")
			if err != nil {
				t.Fatal(err)
			}
			p := mustParse(t, c.tmpl, doc, KindSession)
			r := Evaluate(&Request{Action: c.action, Resource: obj + c.key}, Layers{Session: p, Identity: []*Policy{mustParse(t, "all", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]}`, KindIdentity)}})
			if (r.Decision == DecisionAllow) != c.allowed {
				t.Fatalf("got %+v\n%s", r, doc)
			}
		})
	}
	if _, err := Template("no-delete", "examplebucket", "src/"); err == nil || !strings.Contains(err.Error(), "overlay") {
		t.Fatalf("no-delete alone: %v", err)
	}
}

func TestMinify(t *testing.T) {
	m, err := Minify([]byte(rolePolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	if string(m) != want {
		t.Fatalf("got %s", m)
	}
}
