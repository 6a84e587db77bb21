package flow

import (
	"sort"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// ReplayItem is one journaled request whose session-layer verdict changes under the candidate.
type ReplayItem struct {
	NeededBy
	Now           string   `json:"now"` // the candidate session policy's outcome: "Allow", "Deny", "NoMatch"
	Indeterminate []string `json:"indeterminate,omitempty"`
}

// Breadth is what a candidate statement allows that the journal never saw, by wildcard.
type Breadth struct {
	Statement int    `json:"statement"` // 0-based
	Resource  string `json:"resource"`  // the statement's resource pattern
	// Unseen is a resource the pattern allows that no journaled request touched (an example
	// for a wildcard pattern; "" when the resource is exact).
	Unseen string `json:"unseen,omitempty"`
	// SeenKeys are the journaled resources the pattern covers (at most 10; Seen counts all).
	SeenKeys []string `json:"seen_resources,omitempty"`
	Seen     int      `json:"seen"`
	// Actions are the catalog's actions the statement allows on the pattern that the journal
	// never saw on it.
	Actions []string `json:"unseen_actions,omitempty"`
}

// ReplayReport is the answer of Replay.
type ReplayReport struct {
	Session  string `json:"session"`
	Requests int    `json:"requests"`
	// Denied are requests the journal saw allowed that the candidate's session layer would
	// deny: the candidate is too narrow. Zero is the proof.
	Denied []ReplayItem `json:"denied"`
	// NowAllowed are requests the session layer denied when journaled that the candidate allows.
	NowAllowed []ReplayItem `json:"now_allowed,omitempty"`
	// OverBreadth is what the candidate allows beyond the journal.
	OverBreadth []Breadth `json:"over_breadth"`
}

// Replay re-evaluates each journaled request of the filtered session under the candidate
// session policy with the engine (the session layer: the other layers' outcomes stay as
// journaled) and reports the requests it would now deny and, per statement and resource, what
// it allows that the journal never saw.
func Replay(recs []model.DecisionRecord, f RecordFilter, candidate *policy.Policy) (*ReplayReport, error) {
	sel, session, _, err := SelectRecords(recs, f)
	if err != nil {
		return nil, err
	}
	rep := &ReplayReport{Session: session, Denied: []ReplayItem{}, OverBreadth: []Breadth{}}
	seen := map[string]bool{} // action \x00 resource
	var res policy.Result
	for _, r := range sel {
		if r.Action == "" || r.Resource == "" {
			continue
		}
		rep.Requests++
		seen[strings.ToLower(r.Action)+"\x00"+r.Resource] = true
		policy.EvaluateInto(&res, &policy.Request{Action: r.Action, Resource: r.Resource, Context: r.Context}, policy.Layers{Session: candidate})
		it := ReplayItem{NeededBy: NeededBy{Seq: r.Seq, RequestID: r.RequestID, Operation: r.Operation, Action: r.Action, Resource: r.Resource, Decision: r.Decision, DecidedBy: r.DecidedBy},
			Now: string(res.Session)}
		if len(res.Indeterminate) > 0 {
			it.Indeterminate = append([]string(nil), res.Indeterminate...)
		}
		switch {
		case r.Decision == string(policy.DecisionAllow) && res.Session != policy.OutcomeAllow:
			rep.Denied = append(rep.Denied, it)
		case r.Decision != string(policy.DecisionAllow) && r.DecidedBy == string(policy.LayerSession) && res.Session == policy.OutcomeAllow:
			rep.NowAllowed = append(rep.NowAllowed, it)
		}
	}
	rep.OverBreadth = overBreadth(sel, candidate, seen)
	return rep, nil
}

// overBreadth probes each Allow statement's resources with the engine: a concrete resource the
// pattern allows but the journal never saw, and the catalog's actions it allows there that the
// journal never saw on that pattern.
func overBreadth(sel []model.DecisionRecord, candidate *policy.Policy, seen map[string]bool) []Breadth {
	out := []Breadth{}
	actions := policy.KnownActions()
	var res policy.Result
	for si, st := range candidate.Statement {
		if st.Effect != policy.Allow {
			continue
		}
		for _, pat := range st.Resource {
			b := Breadth{Statement: si, Resource: pat}
			var ctx map[string][]string
			seenActs := map[string]bool{}
			for _, r := range sel {
				if resourceCovers(candidate, si, r.Resource) {
					b.Seen++
					if len(b.SeenKeys) < 10 && !contains(b.SeenKeys, r.Resource) {
						b.SeenKeys = append(b.SeenKeys, r.Resource)
					}
					seenActs[strings.ToLower(r.Action)] = true
					if ctx == nil {
						ctx = r.Context
					}
				}
			}
			probe := concretize(pat, sel)
			if strings.ContainsAny(pat, "*?") && !seenResource(seen, probe) {
				for _, a := range actions {
					policy.EvaluateInto(&res, &policy.Request{Action: a, Resource: probe, Context: ctx}, policy.Layers{Session: candidate})
					if res.Session == policy.OutcomeAllow {
						b.Unseen = probe
						break
					}
				}
			}
			for _, a := range actions {
				if seenActs[strings.ToLower(a)] {
					continue
				}
				policy.EvaluateInto(&res, &policy.Request{Action: a, Resource: probe, Context: ctx}, policy.Layers{Session: candidate})
				if res.Session == policy.OutcomeAllow && matchesStatement(res, si) {
					b.Actions = append(b.Actions, a)
				}
			}
			if b.Unseen != "" || len(b.Actions) > 0 {
				sort.Strings(b.Actions)
				out = append(out, b)
			}
		}
	}
	return out
}

// resourceCovers reports whether statement si's resources match resource (with any action).
func resourceCovers(p *policy.Policy, si int, resource string) bool {
	st := p.Statement[si]
	one := &policy.Policy{Name: "probe", Kind: policy.KindSession, Version: "1",
		Statement: []policy.Statement{{Effect: policy.Allow, Action: []string{"*"}, Resource: st.Resource}}}
	r := policy.Evaluate(&policy.Request{Action: "oss:GetObject", Resource: resource}, policy.Layers{Session: one})
	return r.Session == policy.OutcomeAllow
}

func matchesStatement(res policy.Result, si int) bool {
	for _, m := range res.Statements {
		if m.Layer == policy.LayerSession && m.Index == si {
			return true
		}
	}
	return false
}

func seenResource(seen map[string]bool, resource string) bool {
	for k := range seen {
		if strings.HasSuffix(k, "\x00"+resource) {
			return true
		}
	}
	return false
}

// concretize turns a resource pattern into a resource it matches: region and account taken
// from a journaled ARN of the same bucket (else "cn-hangzhou" and the pattern's), each other
// "*" as "stsdeck-unseen" and "?" as "x".
func concretize(pat string, sel []model.DecisionRecord) string {
	parts := strings.SplitN(pat, ":", 5)
	if len(parts) == 5 {
		bucket, _, _ := strings.Cut(parts[4], "/")
		for _, r := range sel {
			rp := strings.SplitN(r.Resource, ":", 5)
			if len(rp) == 5 && rp[1] == parts[1] {
				if b, _, _ := strings.Cut(rp[4], "/"); b == bucket || parts[1] != "oss" {
					if strings.ContainsAny(parts[2], "*?") {
						parts[2] = rp[2]
					}
					if strings.ContainsAny(parts[3], "*?") {
						parts[3] = rp[3]
					}
					break
				}
			}
		}
		pat = strings.Join(parts, ":")
	}
	return strings.NewReplacer("*", "stsdeck-unseen", "?", "x").Replace(pat)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
