package stsemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// Diagnostic messages: the EncodedDiagnosticMessage of AccessDeniedDetail, sealed with the
// token key (AES-256-GCM, its own additional data so a token never opens as a message or the
// reverse) and bound to the account; RAM's DecodeDiagnosticMessage opens it for a caller of
// that account allowed ram:DecodeDiagnosticMessage. The OSS half gets them through
// Authority.SealDiagnostic (its DiagnosticSealer), so the halves share no mutable state.

const (
	diagnosticAAD = "stsdeck-sandbox-diagnostic-v1"
	// diagnosticHeader starts every message; base64 of it is "AQEA", as the cloud's messages
	// begin (the SDK's example: "AQEAAAAAZBgxr0U1…").
	diagnosticHeader = "\x01\x01\x00"
	// maxDiagnosticLen bounds the work opening does on untrusted input (a real message is a
	// few hundred characters; the sandbox's carry the request's condition keys).
	maxDiagnosticLen = 32 << 10
)

// ErrDiagnosticUnreadable: the message was not sealed by this sandbox or was altered.
var ErrDiagnosticUnreadable = errors.New("diagnostic message cannot be opened")

// SealDiagnostic seals a message bound to an account.
func (s *Sealer) SealDiagnostic(d *model.DiagnosticSeal) (string, error) {
	pt, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	ns := s.aead.NonceSize()
	buf := make([]byte, len(diagnosticHeader)+ns, len(diagnosticHeader)+ns+len(pt)+s.aead.Overhead())
	copy(buf, diagnosticHeader)
	nonce := buf[len(diagnosticHeader):]
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	buf = s.aead.Seal(buf, nonce, pt, []byte(diagnosticAAD))
	return base64.StdEncoding.EncodeToString(buf), nil
}

// OpenDiagnostic authenticates and decodes a message.
func (s *Sealer) OpenDiagnostic(enc string) (*model.DiagnosticSeal, error) {
	enc = strings.TrimSpace(enc)
	if enc == "" || len(enc) > maxDiagnosticLen {
		return nil, ErrDiagnosticUnreadable
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	h, ns := len(diagnosticHeader), s.aead.NonceSize()
	if err != nil || len(raw) < h+ns+s.aead.Overhead() || string(raw[:h]) != diagnosticHeader {
		return nil, ErrDiagnosticUnreadable
	}
	pt, err := s.aead.Open(nil, raw[h:h+ns], raw[h+ns:], []byte(diagnosticAAD))
	if err != nil {
		return nil, ErrDiagnosticUnreadable
	}
	var d model.DiagnosticSeal
	if err := json.Unmarshal(pt, &d); err != nil || d.AccountID == "" {
		return nil, ErrDiagnosticUnreadable
	}
	return &d, nil
}

// SealDiagnostic seals a denial's diagnostic message for this account (the OSS half's
// DiagnosticSealer). It completes what only the account knows — whether a matched identity
// policy is System or Custom, and its version — and returns "" if sealing fails.
func (a *Authority) SealDiagnostic(m model.DiagnosticMessage) string {
	m.MatchedPolicies = append([]model.DiagnosticPolicy(nil), m.MatchedPolicies...)
	for i := range m.MatchedPolicies {
		mp := &m.MatchedPolicies[i]
		if mp.PolicyType != "" {
			continue
		}
		if p, ok := a.polByLC[strings.ToLower(mp.PolicyIdentifier)]; ok {
			mp.PolicyType = p.Type
			if p.Type == "Custom" {
				mp.PolicyVersion = "v1"
			}
		}
	}
	enc, err := a.sealer.SealDiagnostic(&model.DiagnosticSeal{AccountID: a.accountID, Message: m})
	if err != nil {
		return ""
	}
	return enc
}

// diagnosticPrincipal is who the caller is, in the decoded message's terms.
func diagnosticPrincipal(c *caller) model.DiagnosticPrincipal {
	p := model.DiagnosticPrincipal{AuthPrincipalOwnerID: c.Principal.AccountID}
	switch {
	case c.Claims != nil:
		p.AuthPrincipalType = "AssumedRoleUser"
		p.AuthPrincipalDisplayName = c.Role.Name + ":" + c.Claims.SessionName
	case c.isRoot():
		p.AuthPrincipalType = "Account"
		p.AuthPrincipalDisplayName = c.Principal.AccountID
	case c.User != nil:
		p.AuthPrincipalType = "SubUser"
		p.AuthPrincipalDisplayName = c.User.ID
	}
	return p
}

// sealDenial adds the EncodedDiagnosticMessage to a policy-decided NoPermission, from the
// request's trace.
func (s *Server) sealDenial(q *rpcRequest, e *apiError) {
	if e.Denied == nil || e.Denied.EncodedDiagnosticMessage != "" || q.caller == nil {
		return
	}
	t := *q.trace
	if t.Action == "" {
		t.Action = e.Denied.AuthAction
	}
	if e.Denied.NoPermissionType == "ExplicitDeny" {
		t.Decision = string(policy.DecisionExplicitDeny)
	} else if t.Decision == "" || t.Decision == string(policy.DecisionAllow) {
		t.Decision = string(policy.DecisionImplicitDeny)
	}
	m := model.NewDiagnostic(&t, diagnosticPrincipal(q.caller), e.Denied.PolicyType, s.requestContext(q))
	e.Denied.EncodedDiagnosticMessage = s.auth.SealDiagnostic(m)
}

// DecodeDiagnosticMessage (RAM 2015-05-01): the response of ram-20150501/v2 v2.2.0's
// DecodeDiagnosticMessageResponseBody.
type decodeDiagnosticResponse struct {
	XMLName                  xml.Name          `json:"-" xml:"DecodeDiagnosticMessageResponse"`
	RequestID                string            `json:"RequestId" xml:"RequestId"`
	DecodedDiagnosticMessage decodedDiagnostic `json:"DecodedDiagnosticMessage" xml:"DecodedDiagnosticMessage"`
}

type decodedDiagnostic struct {
	AuthAction             string                      `json:"AuthAction" xml:"AuthAction"`
	AuthResource           string                      `json:"AuthResource" xml:"AuthResource"`
	AuthPrincipal          model.DiagnosticPrincipal   `json:"AuthPrincipal" xml:"AuthPrincipal"`
	AuthConditions         []model.DiagnosticCondition `json:"AuthConditions" xml:"AuthConditions"`
	ExplicitDeny           bool                        `json:"ExplicitDeny" xml:"ExplicitDeny"`
	MatchedPolicies        []model.DiagnosticPolicy    `json:"MatchedPolicies" xml:"MatchedPolicies"`
	NoPermissionPolicyType string                      `json:"NoPermissionPolicyType" xml:"NoPermissionPolicyType"`
}

// decodeDiagnosticMessage: MissingParameter, then the caller's permission
// (ram:DecodeDiagnosticMessage on *), then the message must open with this sandbox's key and
// be bound to the caller's account; a message that does not (forged, altered, truncated, from
// another sandbox or account) is InvalidParameter.EncodedDiagnosticMessage.
func (s *Server) decodeDiagnosticMessage(q *rpcRequest) (any, *apiError) {
	enc := q.get("EncodedDiagnosticMessage")
	if enc == "" {
		return nil, errorf("MissingParameter", "EncodedDiagnosticMessage")
	}
	if e := s.authorizeRAM(q, "ram:DecodeDiagnosticMessage", "*"); e != nil {
		return nil, e
	}
	d, err := s.auth.sealer.OpenDiagnostic(enc)
	if err != nil {
		return nil, errorf("InvalidParameter.EncodedDiagnosticMessage").withDetail("the message was not issued by this sandbox, or was altered or truncated")
	}
	if d.AccountID != q.caller.Principal.AccountID {
		return nil, errorf("InvalidParameter.EncodedDiagnosticMessage").withDetail("the message belongs to account " + d.AccountID + ", not the caller's")
	}
	m := d.Message
	out := decodedDiagnostic{AuthAction: m.AuthAction, AuthResource: m.AuthResource, AuthConditions: m.AuthConditions,
		ExplicitDeny: m.ExplicitDeny, MatchedPolicies: m.MatchedPolicies, NoPermissionPolicyType: m.NoPermissionPolicyType}
	if m.AuthPrincipal != nil {
		out.AuthPrincipal = *m.AuthPrincipal
	}
	if out.AuthConditions == nil {
		out.AuthConditions = []model.DiagnosticCondition{}
	}
	if out.MatchedPolicies == nil {
		out.MatchedPolicies = []model.DiagnosticPolicy{}
	}
	q.trace.Detail = "decoded the diagnostic message of a denial of " + m.AuthAction
	return &decodeDiagnosticResponse{RequestID: q.id, DecodedDiagnosticMessage: out}, nil
}
