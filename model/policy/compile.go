package policy

// compiled is a policy's evaluation form, built once by Parse and never mutated afterwards.
type compiled struct {
	stmts []cstmt
}

type cstmt struct {
	index, line int
	deny        bool
	notAction   bool
	actions     []pattern // lower-case
	anyResource bool
	resources   []pattern
	principal   *cprincipal // nil: no Principal element
	conds       []ccond
}

func compile(p *Policy) *compiled {
	c := &compiled{stmts: make([]cstmt, 0, len(p.Statement))}
	for i := range p.Statement {
		st := &p.Statement[i]
		cs := cstmt{index: st.Index, line: st.Line, deny: st.Effect == Deny}
		acts := st.Action
		if len(st.NotAction) > 0 && len(st.Action) == 0 {
			cs.notAction = true
			acts = st.NotAction
		}
		for _, a := range acts {
			cs.actions = append(cs.actions, compilePattern(a, true))
		}
		if len(st.Resource) == 0 && p.Kind == KindTrust {
			cs.anyResource = true // trust policies name no resource: the role itself
		}
		for _, r := range st.Resource {
			cs.resources = append(cs.resources, compilePattern(r, false))
		}
		cs.principal = compilePrincipal(st.Principal)
		if cs.principal == nil && (p.Kind == KindBucket || p.Kind == KindTrust) {
			cs.principal = &cprincipal{} // matches nobody
		}
		for _, cd := range st.Condition {
			cs.conds = append(cs.conds, compileCondition(cd))
		}
		if st.Effect != Allow && st.Effect != Deny {
			continue // hand-built statement without a valid effect never applies
		}
		c.stmts = append(c.stmts, cs)
	}
	return c
}
