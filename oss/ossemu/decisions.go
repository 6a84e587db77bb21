package ossemu

import (
	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// DecisionJournal receives one record per authorization decision (every engine evaluation:
// a CopyObject's source and each key of a DeleteMultipleObjects count separately); main.go
// wires the sandbox's decision journal (model/journal) into Config.Journal. Record must be
// safe for concurrent use and must not keep the Context map for writing.
type DecisionJournal interface {
	Record(r model.DecisionRecord)
}

// journalDecision reports the decision just taken for c (res nil = the bucket owner's root
// key). It copies nothing when no journal is wired.
func (s *Server) journalDecision(c *call, req *policy.Request, res *policy.Result) {
	j := s.cfg.Journal
	if j == nil {
		return
	}
	r := model.DecisionRecord{Time: c.trace.Time, Service: "oss", RequestID: c.id, Operation: c.trace.Operation,
		Action: req.Action, Resource: req.Resource, Context: req.Context, Principal: decisionPrincipal(c.cred)}
	if c.cred != nil {
		r.HadSessionPolicy = c.cred.Session != nil
	}
	if res == nil {
		r.Decision, r.DecidedBy = string(policy.DecisionAllow), "owner"
		j.Record(r)
		return
	}
	r.Decision, r.DecidedBy = string(res.Decision), string(res.DecidedBy)
	r.Layers = make(map[string]string, 3)
	if res.Session != policy.OutcomeNone {
		r.Layers["session"] = string(res.Session)
	}
	if res.Identity != policy.OutcomeNone {
		r.Layers["identity"] = string(res.Identity)
	}
	if res.Bucket != policy.OutcomeNone {
		r.Layers["bucket"] = string(res.Bucket)
	}
	r.Statement = decidingStatement(res)
	j.Record(r)
}

// decidingStatement is the first matching statement of the deciding layer whose effect is the
// decision's (nil for an implicit deny).
func decidingStatement(res *policy.Result) *model.TraceStatement {
	want := policy.Allow
	switch res.Decision {
	case policy.DecisionImplicitDeny:
		return nil
	case policy.DecisionExplicitDeny:
		want = policy.Deny
	}
	for _, m := range res.Statements {
		if m.Layer == res.DecidedBy && m.Effect == want {
			return &model.TraceStatement{Layer: string(m.Layer), Policy: m.Policy, Index: m.Index, Line: m.Line, Effect: string(m.Effect)}
		}
	}
	return nil
}

func decisionPrincipal(cred *model.SandboxCredential) model.DecisionPrincipal {
	if cred == nil {
		return model.DecisionPrincipal{Type: "anonymous"}
	}
	p := cred.Principal
	return model.DecisionPrincipal{Type: p.Type, ARN: cred.ARN, AccountID: p.AccountID, Name: p.Name, Session: p.SessionName, AccessKeyID: cred.AccessKeyID}
}
