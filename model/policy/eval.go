package policy

// Evaluation. Nothing here allocates once dst's slices have grown, so the sandbox can decide
// every request cheaply: policies are compiled by Parse, context lookups are map reads, and
// matched statements and indeterminate keys go into dst's reused slices.

// EvaluateInto is Evaluate writing into dst, reusing dst's slices: zero allocations per
// decision once dst has grown.
func EvaluateInto(dst *Result, req *Request, layers Layers) {
	evaluateInto(dst, req, layers, LayerBucket)
}

func evaluateInto(dst *Result, req *Request, layers Layers, resourceLayer Layer) {
	*dst = Result{Statements: dst.Statements[:0], Indeterminate: dst.Indeterminate[:0]}
	if req == nil {
		req = &Request{}
	}
	if layers.Session != nil {
		dst.Session = evalPolicy(dst, req, layers.Session, LayerSession, OutcomeNoMatch)
	}
	if layers.Identity != nil {
		out := OutcomeNoMatch
		for _, p := range layers.Identity {
			if p != nil {
				out = evalPolicy(dst, req, p, LayerIdentity, out)
			}
		}
		dst.Identity = out
	}
	if layers.Bucket != nil {
		out := evalPolicy(dst, req, layers.Bucket, resourceLayer, OutcomeNoMatch)
		if resourceLayer == LayerTrust {
			dst.Trust = out
		} else {
			dst.Bucket = out
		}
	}
	res := dst.Bucket
	if resourceLayer == LayerTrust {
		res = dst.Trust
	}
	switch {
	case dst.Session == OutcomeDeny:
		dst.Decision, dst.DecidedBy = DecisionExplicitDeny, LayerSession
	case dst.Identity == OutcomeDeny:
		dst.Decision, dst.DecidedBy = DecisionExplicitDeny, LayerIdentity
	case res == OutcomeDeny:
		dst.Decision, dst.DecidedBy = DecisionExplicitDeny, resourceLayer
	case (layers.Session == nil || dst.Session == OutcomeAllow) && (dst.Identity == OutcomeAllow || res == OutcomeAllow):
		dst.Decision = DecisionAllow
		if dst.Identity == OutcomeAllow {
			dst.DecidedBy = LayerIdentity
		} else {
			dst.DecidedBy = resourceLayer
		}
	default:
		dst.Decision = DecisionImplicitDeny
		if layers.Session != nil && dst.Session != OutcomeAllow {
			dst.DecidedBy = LayerSession
		} else {
			dst.DecidedBy = LayerIdentity
		}
	}
}

// evalPolicy evaluates every statement of p, appends the matches, and folds the policy's
// outcome into out (Deny beats Allow beats NoMatch).
func evalPolicy(dst *Result, req *Request, p *Policy, layer Layer, out Outcome) Outcome {
	c := p.c
	if c == nil {
		c = compile(p) // hand-built policy: correct, but allocates
	}
	for i := range c.stmts {
		st := &c.stmts[i]
		if !st.matches(dst, req) {
			continue
		}
		dst.Statements = append(dst.Statements, Match{Layer: layer, Policy: p.Name, Index: st.index, Line: st.line, Effect: effectOf(st.deny)})
		if st.deny {
			out = OutcomeDeny
		} else if out != OutcomeDeny {
			out = OutcomeAllow
		}
	}
	return out
}

func effectOf(deny bool) Effect {
	if deny {
		return Deny
	}
	return Allow
}

func (st *cstmt) matches(dst *Result, req *Request) bool {
	// Action.
	hit := false
	for i := range st.actions {
		if st.actions[i].match(req.Action, true) {
			hit = true
			break
		}
	}
	if hit == st.notAction {
		return false
	}
	// Resource.
	if !st.anyResource {
		hit = false
		for i := range st.resources {
			if st.resources[i].match(req.Resource, false) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	// Principal (bucket and trust policies).
	if st.principal != nil && !st.principal.matches(&req.Principal) {
		return false
	}
	// Conditions: all must hold. Evaluate every one so that absent keys are reported only
	// when they alone decided the outcome.
	failedPresent, absent := false, false
	for i := range st.conds {
		cd := &st.conds[i]
		vals, ok := req.Context[cd.key]
		if !ok {
			absent = true
			continue
		}
		if !cd.holds(vals) {
			failedPresent = true
		}
	}
	if failedPresent {
		return false
	}
	if absent {
		for i := range st.conds {
			if _, ok := req.Context[st.conds[i].key]; !ok {
				addIndeterminate(dst, st.conds[i].key)
			}
		}
		return false
	}
	return true
}

func addIndeterminate(dst *Result, key string) {
	for _, k := range dst.Indeterminate {
		if k == key {
			return
		}
	}
	dst.Indeterminate = append(dst.Indeterminate, key)
}

// EvaluateAssumeRole decides whether caller may assume the role roleARN
// ("acs:ram::<account>:role/<name>"): the caller's identity policies must allow sts:AssumeRole on
// the role ARN and the trust policy must allow the caller; a Deny in either denies; an account
// root caller is refused before any policy is read. ctx carries sts:ExternalId when given.
// A cloud service caller (Type "service") has no identity policies: only the trust policy decides.
func EvaluateAssumeRole(caller Principal, roleARN string, identity []*Policy, trust *Policy, ctx map[string][]string) AssumeRoleResult {
	var r AssumeRoleResult
	if caller.Type == "root" {
		r.Reason = "root-refused"
		r.Identity = Result{Decision: DecisionImplicitDeny, DecidedBy: LayerIdentity, Statements: []Match{}, Indeterminate: []string{}}
		r.Trust = Result{Decision: DecisionImplicitDeny, DecidedBy: LayerTrust, Statements: []Match{}, Indeterminate: []string{}}
		return r
	}
	req := &Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: caller, Context: ctx}
	if caller.Type == "service" {
		r.Identity = Result{Decision: DecisionAllow, DecidedBy: LayerIdentity, Statements: []Match{}, Indeterminate: []string{}}
	} else {
		if identity == nil {
			identity = []*Policy{}
		}
		evaluateInto(&r.Identity, req, Layers{Identity: identity}, LayerBucket)
	}
	if trust != nil {
		evaluateInto(&r.Trust, req, Layers{Bucket: trust}, LayerTrust)
	} else {
		r.Trust = Result{Decision: DecisionImplicitDeny, DecidedBy: LayerTrust, Statements: []Match{}, Indeterminate: []string{}}
	}
	// The trust layer alone decides its result: Allow only if the trust policy allows.
	switch r.Trust.Trust {
	case OutcomeDeny:
		r.Trust.Decision, r.Trust.DecidedBy = DecisionExplicitDeny, LayerTrust
	case OutcomeAllow:
		r.Trust.Decision, r.Trust.DecidedBy = DecisionAllow, LayerTrust
	default:
		r.Trust.Decision, r.Trust.DecidedBy = DecisionImplicitDeny, LayerTrust
	}
	if r.Trust.Statements == nil {
		r.Trust.Statements = []Match{}
	}
	if r.Trust.Indeterminate == nil {
		r.Trust.Indeterminate = []string{}
	}
	if r.Identity.Statements == nil {
		r.Identity.Statements = []Match{}
	}
	if r.Identity.Indeterminate == nil {
		r.Identity.Indeterminate = []string{}
	}
	switch {
	case r.Identity.Decision != DecisionAllow:
		r.Reason = "identity"
	case r.Trust.Decision != DecisionAllow:
		r.Reason = "trust"
	default:
		r.Allowed = true
	}
	return r
}
