package policy

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

const testObj = "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/a.txt"

// outcomePolicy returns a policy of kind whose outcome for oss:GetObject on testObj is o.
func outcomePolicy(t *testing.T, kind Kind, o Outcome) *Policy {
	t.Helper()
	principal := ""
	if kind == KindBucket {
		principal = `,"Principal":["*"]`
	}
	var st string
	switch o {
	case OutcomeAllow:
		st = `{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"` + principal + `}`
	case OutcomeDeny:
		st = `{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"` + principal + `},{"Effect":"Deny","Action":"oss:Get*","Resource":"*"` + principal + `}`
	case OutcomeNoMatch:
		st = `{"Effect":"Allow","Action":"oss:PutObject","Resource":"*"` + principal + `}`
	}
	return mustParse(t, kind.String()+"-"+string(o), doc(st), kind)
}

func TestDecisionTable(t *testing.T) {
	outs := []Outcome{OutcomeNone, OutcomeAllow, OutcomeDeny, OutcomeNoMatch}
	for _, s := range outs {
		for _, i := range outs {
			for _, b := range outs {
				name := fmt.Sprintf("session=%s/identity=%s/bucket=%s", orNone(s), orNone(i), orNone(b))
				t.Run(name, func(t *testing.T) {
					var l Layers
					if s != OutcomeNone {
						l.Session = outcomePolicy(t, KindSession, s)
					}
					if i != OutcomeNone {
						l.Identity = []*Policy{outcomePolicy(t, KindIdentity, i)}
					}
					if b != OutcomeNone {
						l.Bucket = outcomePolicy(t, KindBucket, b)
					}
					r := Evaluate(&Request{Action: "oss:GetObject", Resource: testObj, Principal: Principal{Type: "anonymous"}}, l)
					// The rules of the issue, spelt out independently of the engine.
					var wantD Decision
					var wantBy Layer
					switch {
					case s == OutcomeDeny:
						wantD, wantBy = DecisionExplicitDeny, LayerSession
					case i == OutcomeDeny:
						wantD, wantBy = DecisionExplicitDeny, LayerIdentity
					case b == OutcomeDeny:
						wantD, wantBy = DecisionExplicitDeny, LayerBucket
					case (s == OutcomeNone || s == OutcomeAllow) && (i == OutcomeAllow || b == OutcomeAllow):
						wantD = DecisionAllow
						wantBy = LayerBucket
						if i == OutcomeAllow {
							wantBy = LayerIdentity
						}
					default:
						wantD, wantBy = DecisionImplicitDeny, LayerIdentity
						if s != OutcomeNone && s != OutcomeAllow {
							wantBy = LayerSession
						}
					}
					if r.Decision != wantD || r.DecidedBy != wantBy || r.Session != s || r.Identity != i || r.Bucket != b {
						t.Fatalf("got %s by %s (session %q identity %q bucket %q), want %s by %s", r.Decision, r.DecidedBy, r.Session, r.Identity, r.Bucket, wantD, wantBy)
					}
					// Never short-circuited: every matching statement is listed, session first.
					want := 0
					for _, o := range []Outcome{s, i, b} {
						switch o {
						case OutcomeAllow:
							want++
						case OutcomeDeny:
							want += 2
						}
					}
					if len(r.Statements) != want {
						t.Fatalf("%d matches, want %d: %+v", len(r.Statements), want, r.Statements)
					}
					order := map[Layer]int{LayerSession: 0, LayerIdentity: 1, LayerBucket: 2}
					for k := 1; k < len(r.Statements); k++ {
						if order[r.Statements[k-1].Layer] > order[r.Statements[k].Layer] {
							t.Fatalf("matches out of layer order: %+v", r.Statements)
						}
					}
				})
			}
		}
	}
}

func orNone(o Outcome) string {
	if o == OutcomeNone {
		return "absent"
	}
	return string(o)
}

func TestIdentityEmptyVersusAbsent(t *testing.T) {
	r := Evaluate(&Request{Action: "oss:GetObject", Resource: testObj}, Layers{Identity: []*Policy{}})
	if r.Identity != OutcomeNoMatch || r.Decision != DecisionImplicitDeny || r.DecidedBy != LayerIdentity {
		t.Fatalf("empty identity: %+v", r)
	}
	r = Evaluate(&Request{Action: "oss:GetObject", Resource: testObj}, Layers{})
	if r.Identity != OutcomeNone || r.Decision != DecisionImplicitDeny {
		t.Fatalf("absent identity: %+v", r)
	}
	// Several identity policies fold into one layer; a Deny in any wins.
	a, d := outcomePolicy(t, KindIdentity, OutcomeAllow), outcomePolicy(t, KindIdentity, OutcomeDeny)
	r = Evaluate(&Request{Action: "oss:GetObject", Resource: testObj}, Layers{Identity: []*Policy{d, a}})
	if r.Identity != OutcomeDeny || len(r.Statements) != 3 || r.Statements[0].Policy != d.Name || r.Statements[2].Policy != a.Name {
		t.Fatalf("two identity policies: %+v", r)
	}
}

func TestMatching(t *testing.T) {
	cases := []struct {
		name     string
		action   string // policy Action (or "!x" for NotAction x)
		resource string // policy Resource
		reqAct   string
		reqRes   string
		match    bool
	}{
		{"exact", "oss:GetObject", "acs:oss:*:*:b/k", "oss:GetObject", "acs:oss:*:*:b/k", true},
		{"action case-insensitive", "OSS:getobject", "*", "oss:GetObject", "x", true},
		{"action case-insensitive request", "oss:GetObject", "*", "OSS:GETOBJECT", "x", true},
		{"action star", "oss:Get*", "*", "oss:GetObjectAcl", "x", true},
		{"action star no match", "oss:Get*", "*", "oss:PutObject", "x", false},
		{"action question", "oss:?etObject", "*", "oss:GetObject", "x", true},
		{"action question needs one", "oss:?GetObject", "*", "oss:GetObject", "x", false},
		{"action all", "*", "*", "sts:AssumeRole", "x", true},
		{"service star", "oss:*", "*", "sts:AssumeRole", "x", false},
		{"notaction excludes", "!oss:DeleteObject", "*", "oss:DeleteObject", "x", false},
		{"notaction includes others", "!oss:DeleteObject", "*", "oss:GetObject", "x", true},
		{"notaction pattern", "!oss:Delete*", "*", "oss:DeleteObjectVersion", "x", false},
		{"resource case-sensitive", "*", "acs:oss:*:*:b/K", "oss:GetObject", "acs:oss:*:*:b/k", false},
		{"resource whole string", "*", "acs:oss:*:*:b", "oss:GetObject", "acs:oss:*:*:b/k", false},
		{"resource star crosses slash", "*", "acs:oss:*:*:b/*", "oss:GetObject", "acs:oss:cn-hangzhou:123:b/a/b/c", true},
		{"resource star crosses colon", "*", "acs:oss:*", "oss:GetObject", "acs:oss:cn-hangzhou:123:b/k", true},
		{"resource star empty", "*", "acs:oss:*:*:b/*", "oss:GetObject", "acs:oss:*:*:b/", true},
		{"resource star region only", "*", "acs:oss:*:123:b/*", "oss:GetObject", "acs:oss:cn-hangzhou:999:b/k", false},
		{"resource question one char", "*", "acs:oss:*:*:b/?.txt", "oss:GetObject", "acs:oss:x:1:b/a.txt", true},
		{"resource question multibyte", "*", "acs:oss:*:*:b/?.txt", "oss:GetObject", "acs:oss:x:1:b/é.txt", true},
		{"resource question not two", "*", "acs:oss:*:*:b/?.txt", "oss:GetObject", "acs:oss:x:1:b/ab.txt", false},
		{"request star is literal", "*", "acs:oss:*:*:b/a", "oss:GetObject", "acs:oss:*:*:b/*", false},
		{"request star literal matched by star", "*", "acs:oss:*:*:b/*", "oss:GetObject", "acs:oss:*:*:b/*", true},
		{"prefix boundary", "*", "acs:oss:*:*:b/src/*", "oss:GetObject", "acs:oss:*:*:b/src-old/a", false},
		{"multiple stars", "*", "acs:oss:*:*:b/*/2024/*.log", "oss:GetObject", "acs:oss:r:1:b/app/x/2024/01/a.log", true},
		{"multiple stars no", "*", "acs:oss:*:*:b/*/2024/*.log", "oss:GetObject", "acs:oss:r:1:b/app/2023/a.log", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			act := `"Action":` + quote(c.action)
			if strings.HasPrefix(c.action, "!") {
				act = `"NotAction":` + quote(c.action[1:])
			}
			p := mustParse(t, "p", doc(`{"Effect":"Allow",`+act+`,"Resource":`+quote(c.resource)+`}`), KindIdentity)
			r := Evaluate(&Request{Action: c.reqAct, Resource: c.reqRes}, Layers{Identity: []*Policy{p}})
			if (r.Decision == DecisionAllow) != c.match {
				t.Fatalf("match=%v, want %v", r.Decision == DecisionAllow, c.match)
			}
		})
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func TestConditions(t *testing.T) {
	cases := []struct {
		name  string
		cond  string
		ctx   map[string][]string
		match bool
		indet []string
	}{
		{"StringEquals", `{"StringEquals":{"acs:UserAgent":"a"}}`, map[string][]string{"acs:UserAgent": {"a"}}, true, nil},
		{"StringEquals case", `{"StringEquals":{"acs:UserAgent":"a"}}`, map[string][]string{"acs:UserAgent": {"A"}}, false, nil},
		{"StringEquals values OR", `{"StringEquals":{"acs:UserAgent":["x","a"]}}`, map[string][]string{"acs:UserAgent": {"a"}}, true, nil},
		{"StringNotEquals", `{"StringNotEquals":{"acs:UserAgent":["x","y"]}}`, map[string][]string{"acs:UserAgent": {"a"}}, true, nil},
		{"StringNotEquals hit", `{"StringNotEquals":{"acs:UserAgent":["x","a"]}}`, map[string][]string{"acs:UserAgent": {"a"}}, false, nil},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"acs:UserAgent":"AbC"}}`, map[string][]string{"acs:UserAgent": {"aBc"}}, true, nil},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"acs:UserAgent":"AbC"}}`, map[string][]string{"acs:UserAgent": {"aBc"}}, false, nil},
		{"StringLike", `{"StringLike":{"oss:Prefix":"src/*"}}`, map[string][]string{"oss:Prefix": {"src/2024/"}}, true, nil},
		{"StringLike empty prefix", `{"StringLike":{"oss:Prefix":["","src/*"]}}`, map[string][]string{"oss:Prefix": {""}}, true, nil},
		{"StringLike no", `{"StringLike":{"oss:Prefix":"src/*"}}`, map[string][]string{"oss:Prefix": {"dst/"}}, false, nil},
		{"StringNotLike", `{"StringNotLike":{"oss:Prefix":"private/*"}}`, map[string][]string{"oss:Prefix": {"src/"}}, true, nil},
		{"keys AND", `{"StringEquals":{"oss:Delimiter":"/","oss:Prefix":"a/"}}`, map[string][]string{"oss:Delimiter": {"/"}, "oss:Prefix": {"b/"}}, false, nil},
		{"operators AND", `{"StringEquals":{"oss:Delimiter":"/"},"StringLike":{"oss:Prefix":"a/*"}}`, map[string][]string{"oss:Delimiter": {"/"}, "oss:Prefix": {"a/x"}}, true, nil},
		{"NumericLessThan", `{"NumericLessThan":{"oss:MaxKeys":100}}`, map[string][]string{"oss:MaxKeys": {"99"}}, true, nil},
		{"NumericLessThan equal", `{"NumericLessThan":{"oss:MaxKeys":100}}`, map[string][]string{"oss:MaxKeys": {"100"}}, false, nil},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"oss:MaxKeys":"100"}}`, map[string][]string{"oss:MaxKeys": {"100"}}, true, nil},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"oss:MaxKeys":1.5}}`, map[string][]string{"oss:MaxKeys": {"2"}}, true, nil},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"oss:MaxKeys":2}}`, map[string][]string{"oss:MaxKeys": {"1"}}, false, nil},
		{"NumericEquals", `{"NumericEquals":{"oss:MaxKeys":10}}`, map[string][]string{"oss:MaxKeys": {"10.0"}}, true, nil},
		{"NumericNotEquals", `{"NumericNotEquals":{"oss:MaxKeys":10}}`, map[string][]string{"oss:MaxKeys": {"11"}}, true, nil},
		{"Numeric request not a number", `{"NumericNotEquals":{"oss:MaxKeys":10}}`, map[string][]string{"oss:MaxKeys": {"abc"}}, false, nil},
		{"DateLessThan", `{"DateLessThan":{"acs:CurrentTime":"2026-12-31T00:00:00Z"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, true, nil},
		{"DateLessThan offset", `{"DateLessThan":{"acs:CurrentTime":"2026-11-27T10:00:00+08:00"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, false, nil},
		{"DateGreaterThan", `{"DateGreaterThan":{"acs:CurrentTime":"2026-01-01T00:00:00Z"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, true, nil},
		{"DateEquals", `{"DateEquals":{"acs:CurrentTime":"2026-11-27T11:00:00+08:00"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, true, nil},
		{"DateNotEquals", `{"DateNotEquals":{"acs:CurrentTime":"2026-11-27T03:00:00Z"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, false, nil},
		{"DateLessThanEquals", `{"DateLessThanEquals":{"acs:CurrentTime":"2026-11-27T03:00:00Z"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, true, nil},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"acs:CurrentTime":"2026-11-27"}}`, map[string][]string{"acs:CurrentTime": {"2026-11-27T03:00:00Z"}}, true, nil},
		{"Bool true", `{"Bool":{"acs:SecureTransport":"true"}}`, map[string][]string{"acs:SecureTransport": {"true"}}, true, nil},
		{"Bool json bool", `{"Bool":{"acs:SecureTransport":true}}`, map[string][]string{"acs:SecureTransport": {"false"}}, false, nil},
		{"Bool case", `{"Bool":{"acs:SecureTransport":"TRUE"}}`, map[string][]string{"acs:SecureTransport": {"True"}}, true, nil},
		{"IpAddress single", `{"IpAddress":{"acs:SourceIp":"10.0.0.1"}}`, map[string][]string{"acs:SourceIp": {"10.0.0.1"}}, true, nil},
		{"IpAddress cidr", `{"IpAddress":{"acs:SourceIp":["192.168.0.0/16","10.0.0.0/8"]}}`, map[string][]string{"acs:SourceIp": {"10.200.1.1"}}, true, nil},
		{"IpAddress outside", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"acs:SourceIp": {"11.0.0.1"}}, false, nil},
		{"IpAddress wildcard", `{"IpAddress":{"acs:SourceIp":"10.1.*"}}`, map[string][]string{"acs:SourceIp": {"10.1.9.9"}}, true, nil},
		{"IpAddress v6", `{"IpAddress":{"acs:SourceIp":"2001:db8::/32"}}`, map[string][]string{"acs:SourceIp": {"2001:db8::1"}}, true, nil},
		{"IpAddress mapped v4", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"acs:SourceIp": {"::ffff:10.0.0.1"}}, true, nil},
		{"NotIpAddress", `{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"acs:SourceIp": {"11.0.0.1"}}, true, nil},
		{"NotIpAddress inside", `{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"acs:SourceIp": {"10.0.0.1"}}, false, nil},
		{"IpAddress request garbage", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"acs:SourceIp": {"nope"}}, false, nil},
		{"key case-insensitive", `{"IpAddress":{"acs:sourceip":"10.0.0.0/8"}}`, map[string][]string{"acs:SourceIp": {"10.0.0.1"}}, true, nil},
		{"absent key", `{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, nil, false, []string{"acs:SourceIp"}},
		{"absent key negated is false too", `{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, nil, false, []string{"acs:SourceIp"}},
		{"absent key StringNotEquals", `{"StringNotEquals":{"sts:ExternalId":"x"}}`, map[string][]string{}, false, []string{"sts:ExternalId"}},
		{"absent key not decisive", `{"StringEquals":{"acs:UserAgent":"a"},"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"acs:UserAgent": {"b"}}, false, nil},
		{"two absent keys", `{"StringEquals":{"acs:UserAgent":"a"},"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}`, map[string][]string{}, false, []string{"acs:UserAgent", "acs:SourceIp"}},
		{"multi-valued request", `{"StringEquals":{"acs:UserAgent":"a"}}`, map[string][]string{"acs:UserAgent": {"b", "a"}}, true, nil},
		{"empty request value list", `{"StringEquals":{"acs:UserAgent":"a"}}`, map[string][]string{"acs:UserAgent": {}}, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, "p", doc(`{"Effect":"Allow","Action":"oss:*","Resource":"*","Condition":`+c.cond+`}`), KindIdentity)
			r := Evaluate(&Request{Action: "oss:ListObjects", Resource: "acs:oss:*:*:b", Context: c.ctx}, Layers{Identity: []*Policy{p}})
			if (r.Decision == DecisionAllow) != c.match {
				t.Fatalf("match=%v, want %v", r.Decision == DecisionAllow, c.match)
			}
			if strings.Join(r.Indeterminate, ",") != strings.Join(c.indet, ",") {
				t.Fatalf("indeterminate %q, want %q", r.Indeterminate, c.indet)
			}
		})
	}
}

// A Deny with a condition on an absent key does not match, and says so.
func TestIndeterminateDeny(t *testing.T) {
	id := mustParse(t, "id", doc(`{"Effect":"Allow","Action":"oss:*","Resource":"*"},{"Effect":"Deny","Action":"oss:*","Resource":"*","Condition":{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}`), KindIdentity)
	r := Evaluate(&Request{Action: "oss:GetObject", Resource: testObj}, Layers{Identity: []*Policy{id}})
	if r.Decision != DecisionAllow || len(r.Indeterminate) != 1 || r.Indeterminate[0] != KeySourceIP {
		t.Fatalf("%+v", r)
	}
	// A statement that fails on its action does not make its condition keys indeterminate.
	r = Evaluate(&Request{Action: "sts:AssumeRole", Resource: testObj}, Layers{Identity: []*Policy{id}})
	if len(r.Indeterminate) != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestPrincipalMatching(t *testing.T) {
	const acct = "1234567890123456"
	user := Principal{AccountID: acct, Type: "user", Name: "Alice", ID: "200000000000001"}
	session := Principal{AccountID: acct, Type: "role", Name: "RamOssTest", ID: "300000000000001", SessionName: "s1"}
	root := Principal{AccountID: acct, Type: "root", ID: acct}
	anon := Principal{Type: "anonymous"}
	other := Principal{AccountID: "9999999999999999", Type: "user", Name: "bob", ID: "1"}
	svc := Principal{Type: "service", Service: "ecs.aliyuncs.com"}
	bucket := []struct {
		name  string
		value string
		who   Principal
		match bool
	}{
		{"star anonymous", `"*"`, anon, true},
		{"star list", `["*"]`, user, true},
		{"account uid user", `["` + acct + `"]`, user, true},
		{"account uid session", `["` + acct + `"]`, session, true},
		{"account uid root", `["` + acct + `"]`, root, true},
		{"account uid anonymous", `["` + acct + `"]`, anon, false},
		{"account uid other", `["` + acct + `"]`, other, false},
		{"user uid", `["200000000000001"]`, user, true},
		{"user uid other user", `["200000000000001"]`, Principal{AccountID: acct, Type: "user", Name: "x", ID: "2"}, false},
		{"session arn", `["arn:sts::` + acct + `:assumed-role/RamOssTest/s1"]`, session, true},
		{"session arn star", `["arn:sts::` + acct + `:assumed-role/RamOssTest/*"]`, session, true},
		{"session arn other session", `["arn:sts::` + acct + `:assumed-role/RamOssTest/s2"]`, session, false},
		{"session arn role case-sensitive", `["arn:sts::` + acct + `:assumed-role/ramosstest/*"]`, session, false},
		{"session arn not a user", `["arn:sts::` + acct + `:assumed-role/RamOssTest/*"]`, user, false},
		{"ram user arn", `{"RAM":["acs:ram::` + acct + `:user/alice"]}`, user, true},
		{"unknown form", `["somebody"]`, user, false},
	}
	for _, c := range bucket {
		t.Run("bucket/"+c.name, func(t *testing.T) {
			p := mustParse(t, "b", doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Principal":`+c.value+`}`), KindBucket)
			r := Evaluate(&Request{Action: "oss:GetObject", Resource: testObj, Principal: c.who}, Layers{Bucket: p})
			if (r.Bucket == OutcomeAllow) != c.match {
				t.Fatalf("match=%v want %v", r.Bucket == OutcomeAllow, c.match)
			}
		})
	}
	trust := []struct {
		name  string
		value string
		who   Principal
		match bool
	}{
		{"root any user", `{"RAM":"acs:ram::` + acct + `:root"}`, user, true},
		{"root any role session", `{"RAM":"acs:ram::` + acct + `:root"}`, session, true},
		{"root not the root caller", `{"RAM":"acs:ram::` + acct + `:root"}`, root, false},
		{"root other account", `{"RAM":"acs:ram::` + acct + `:root"}`, other, false},
		{"root not a service", `{"RAM":"acs:ram::` + acct + `:root"}`, svc, false},
		{"user by name", `{"RAM":["acs:ram::` + acct + `:user/alice"]}`, user, true},
		{"user other name", `{"RAM":["acs:ram::` + acct + `:user/bob"]}`, user, false},
		{"user wrong account", `{"RAM":["acs:ram::1111111111111111:user/alice"]}`, user, false},
		{"role", `{"RAM":["acs:ram::` + acct + `:role/ramosstest"]}`, session, true},
		{"role not a user", `{"RAM":["acs:ram::` + acct + `:role/alice"]}`, user, false},
		{"service", `{"Service":["ecs.aliyuncs.com"]}`, svc, true},
		{"service other", `{"Service":["fc.aliyuncs.com"]}`, svc, false},
		{"service not a user", `{"Service":["ecs.aliyuncs.com"]}`, user, false},
		{"federated never", `{"Federated":["acs:ram::` + acct + `:saml-provider/idp"]}`, user, false},
		{"star", `"*"`, anon, true},
	}
	for _, c := range trust {
		t.Run("trust/"+c.name, func(t *testing.T) {
			p := mustParse(t, "t", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Principal":`+c.value+`}`), KindTrust)
			r := EvaluateAssumeRole(c.who, "acs:ram::"+acct+":role/RamOssTest", nil, p, nil)
			if (r.Trust.Trust == OutcomeAllow) != c.match {
				t.Fatalf("match=%v want %v: %+v", r.Trust.Trust == OutcomeAllow, c.match, r.Trust)
			}
		})
	}
}

func TestAssumeRoleRules(t *testing.T) {
	const acct = "1234567890123456"
	role := "acs:ram::" + acct + ":role/RamOssTest"
	user := Principal{AccountID: acct, Type: "user", Name: "alice"}
	allowAll := mustParse(t, "AliyunSTSAssumeRoleAccess", doc(`{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}`), KindIdentity)
	onlyOther := mustParse(t, "other", doc(`{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"acs:ram:*:*:role/Other"}`), KindIdentity)
	denyIt := mustParse(t, "deny", doc(`{"Action":"sts:*","Effect":"Deny","Resource":"acs:ram:*:`+acct+`:role/RamOssTest"}`), KindIdentity)
	trust := mustParse(t, "trust", doc(`{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":"acs:ram::`+acct+`:root"}}`), KindTrust)
	trustExt := mustParse(t, "trust-ext", doc(`{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":"acs:ram::`+acct+`:root"},"Condition":{"StringEquals":{"sts:ExternalId":"e-1"}}}`), KindTrust)
	trustDeny := mustParse(t, "trust-deny", doc(`{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":"acs:ram::`+acct+`:root"}},{"Action":"sts:AssumeRole","Effect":"Deny","Principal":{"RAM":"acs:ram::`+acct+`:user/alice"}}`), KindTrust)
	trustSvc := mustParse(t, "trust-svc", doc(`{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs.aliyuncs.com"}}`), KindTrust)
	cases := []struct {
		name    string
		caller  Principal
		ident   []*Policy
		trust   *Policy
		ctx     map[string][]string
		allowed bool
		reason  string
		indet   []string
	}{
		{"allowed", user, []*Policy{allowAll}, trust, nil, true, "", nil},
		{"identity on another role", user, []*Policy{onlyOther}, trust, nil, false, "identity", nil},
		{"identity deny wins", user, []*Policy{allowAll, denyIt}, trust, nil, false, "identity", nil},
		{"trust deny wins", user, []*Policy{allowAll}, trustDeny, nil, false, "trust", nil},
		{"external id matches", user, []*Policy{allowAll}, trustExt, map[string][]string{KeyExternalID: {"e-1"}}, true, "", nil},
		{"external id wrong", user, []*Policy{allowAll}, trustExt, map[string][]string{KeyExternalID: {"e-2"}}, false, "trust", nil},
		{"external id missing", user, []*Policy{allowAll}, trustExt, nil, false, "trust", []string{KeyExternalID}},
		{"no trust policy", user, []*Policy{allowAll}, nil, nil, false, "trust", nil},
		{"root refused before policies", Principal{AccountID: acct, Type: "root"}, []*Policy{allowAll}, trust, nil, false, "root-refused", nil},
		{"service by trust alone", Principal{Type: "service", Service: "ecs.aliyuncs.com"}, nil, trustSvc, nil, true, "", nil},
		{"user cannot use service trust", user, []*Policy{allowAll}, trustSvc, nil, false, "trust", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := EvaluateAssumeRole(c.caller, role, c.ident, c.trust, c.ctx)
			if r.Allowed != c.allowed || r.Reason != c.reason {
				t.Fatalf("got allowed=%v reason=%q: %+v", r.Allowed, r.Reason, r)
			}
			if strings.Join(r.Trust.Indeterminate, ",") != strings.Join(c.indet, ",") {
				t.Fatalf("trust indeterminate %q, want %q", r.Trust.Indeterminate, c.indet)
			}
			for _, m := range r.Trust.Statements {
				if m.Layer != LayerTrust {
					t.Fatalf("trust match in layer %q", m.Layer)
				}
			}
			if r.Trust.DecidedBy != LayerTrust {
				t.Fatalf("trust decided_by %q", r.Trust.DecidedBy)
			}
		})
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	role := mustParse(t, "role", rolePolicy, KindIdentity)
	sess := mustParse(t, "sess", sessionPolicy, KindSession)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Result
			for i := 0; i < 200; i++ {
				EvaluateInto(&r, &Request{Action: "oss:PutObject", Resource: "acs:oss:*:*:examplebucket/src/a"}, Layers{Identity: []*Policy{role}, Session: sess})
				if r.Decision != DecisionAllow {
					t.Errorf("got %s", r.Decision)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Hand-built policies (no Parse) evaluate the same, compiled per call.
func TestHandBuiltPolicy(t *testing.T) {
	p := &Policy{Name: "hand", Kind: KindIdentity, Version: "1", Statement: []Statement{{Effect: Allow, Action: []string{"oss:GetObject"}, Resource: []string{"*"}}}}
	r := Evaluate(&Request{Action: "oss:GetObject", Resource: testObj}, Layers{Identity: []*Policy{p}})
	if r.Decision != DecisionAllow {
		t.Fatalf("%+v", r)
	}
	b := &Policy{Name: "hand-bucket", Kind: KindBucket, Statement: []Statement{{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}}}
	r = Evaluate(&Request{Action: "oss:GetObject", Resource: testObj}, Layers{Bucket: b})
	if r.Decision == DecisionAllow {
		t.Fatal("a bucket statement without Principal matched")
	}
}
