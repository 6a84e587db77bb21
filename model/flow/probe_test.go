package flow

import (
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

const (
	probeTestRole   = "acs:ram::1234567890123456:role/ramosstest"
	probeTestPolicy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
)

var probeTestNow = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

// probeTestReport is what a fake OSS answers to a probe: get inside is allowed by the server
// although the session policy (PutObject on src/ only) makes the engine predict Deny.
func probeTestReport() model.ProbeReport {
	in, out := "src/.stsdeck-probe-0123456789abcdef", "dst/.stsdeck-probe-0123456789abcdef"
	ok := func(status int) model.ProbeActual {
		return model.ProbeActual{Allowed: true, Status: status, RequestID: "R-OK"}
	}
	deny := model.ProbeActual{Allowed: false, Status: 403, Code: "AccessDenied", EC: "0003-00000301", RequestID: "R-DENY",
		Message: "Access denied by authorizer's policy."}
	return model.ProbeReport{Results: []model.ProbeResult{
		{Op: "put", Scope: "inside", Key: in, Actual: ok(200)},
		{Op: "put", Scope: "outside", Key: out, Actual: deny},
		{Op: "get", Scope: "inside", Key: in, Actual: ok(200)},
		{Op: "get", Scope: "outside", Key: out, Actual: deny},
		{Op: "list", Scope: "inside", Key: "src/", Actual: deny},
	}}
}

func probeBoolStr(b *bool) string {
	switch {
	case b == nil:
		return "nil"
	case *b:
		return "true"
	}
	return "false"
}

func TestPredictProbeWithoutRolePolicies(t *testing.T) {
	rep := probeTestReport()
	rep.Bucket, rep.Prefix, rep.Outside = "examplebucket", "src/", "dst/"
	role := model.Role{Name: "r", ARN: probeTestRole} // Policies nil: not readable
	cells := PredictProbe(&rep, ProbeInputs{Role: &role, Session: probeTestPolicy, SessionName: "alice", Account: "1234567890123456", Region: "cn-hangzhou", Now: probeTestNow})
	// put inside: the session allows, the role is unknown → Unknown, no agreement claimed.
	if rep.Results[0].Predicted != VerdictUnknown || rep.Results[0].Agree != nil {
		t.Errorf("put inside = %s agree %v", rep.Results[0].Predicted, probeBoolStr(rep.Results[0].Agree))
	}
	// put outside: the session policy is a ceiling → Deny whatever the role says.
	if rep.Results[1].Predicted != VerdictDeny || rep.Results[1].PredictedLayer != "session" {
		t.Errorf("put outside = %s/%s", rep.Results[1].Predicted, rep.Results[1].PredictedLayer)
	}
	if len(cells) != len(rep.Results) || cells[0].Reason == "" {
		t.Errorf("cells = %+v", cells)
	}
}

// The command's predictor decides by the preview's rules (one rule for both faces).
func TestTokenKnowledgePredictUsesThePreviewRules(t *testing.T) {
	parse := func(kind policy.Kind, doc string) *policy.Policy {
		p, err := policy.Parse("p", []byte(doc), kind)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	roleAllows := parse(policy.KindIdentity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"oss:DeleteObject","Resource":"*"}]}`)
	sessionWithCondition := parse(policy.KindSession, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*",`+
		`"Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}`)
	base := TokenKnowledge{Principal: policy.Principal{AccountID: "1234567890123456", Type: "role", Name: "R", SessionName: "s"},
		Account: "1234567890123456", Region: "cn-hangzhou", Now: probeTestNow}
	tests := []struct {
		name      string
		k         TokenKnowledge
		op        string
		verdict   string
		wantLayer string
	}{
		{"a matched Deny is certain although a condition key is unknown",
			withK(base, func(k *TokenKnowledge) {
				k.Identity, k.IdentityKnown, k.Session, k.SessionKnown = []*policy.Policy{roleAllows}, true, sessionWithCondition, true
			}),
			"delete", VerdictDeny, "identity"},
		{"a condition key the request lacks makes an Allow unknown",
			withK(base, func(k *TokenKnowledge) {
				k.Identity, k.IdentityKnown, k.Session, k.SessionKnown = []*policy.Policy{roleAllows}, true, sessionWithCondition, true
			}),
			"get", VerdictUnknown, "session"},
		{"a partly readable role still proves its own Deny",
			withK(base, func(k *TokenKnowledge) {
				k.Identity, k.IdentityKnown, k.SessionKnown = []*policy.Policy{roleAllows}, false, true
			}),
			"delete", VerdictDeny, "identity"},
		{"a partly readable role leaves an Allow unknown",
			withK(base, func(k *TokenKnowledge) {
				k.Identity, k.IdentityKnown, k.SessionKnown = []*policy.Policy{roleAllows}, false, true
			}),
			"get", VerdictUnknown, ""},
		{"an unknown session policy leaves an Allow unknown",
			withK(base, func(k *TokenKnowledge) { k.Identity, k.IdentityKnown = []*policy.Policy{roleAllows}, true }),
			"get", VerdictUnknown, ""},
		{"everything known: Allow",
			withK(base, func(k *TokenKnowledge) {
				k.Identity, k.IdentityKnown, k.SessionKnown = []*policy.Policy{roleAllows}, true, true
			}),
			"get", VerdictAllow, "identity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, layer := tc.k.Predict(tc.op, "examplebucket", "src/a.txt")
			if v != tc.verdict || layer != tc.wantLayer {
				t.Errorf("Predict = %s %q, want %s %q", v, layer, tc.verdict, tc.wantLayer)
			}
		})
	}
}

func withK(k TokenKnowledge, f func(*TokenKnowledge)) TokenKnowledge { f(&k); return k }
