package policy

import (
	"slices"
	"strconv"
	"strings"
)

// decoder turns the positioned JSON tree into a Policy, collecting findings as it goes.
type decoder struct {
	kind         Kind
	findings     []Finding
	suggestCache map[string]string
	patternCache map[string]bool
}

func (d *decoder) add(sev Severity, line, col int, path, msg, fix string) {
	code := ""
	if sev == SeverityError {
		code = CodeGrammar
	}
	d.findings = append(d.findings, Finding{Severity: sev, Path: path, Line: line, Col: col, Message: msg, Fix: fix, Code: code})
}

func (d *decoder) errAt(n *node, path, msg string) {
	d.add(SeverityError, n.line, n.col, path, msg, "")
}

func (d *decoder) wrongType(n *node, path, want string) {
	d.errAt(n, path, "want "+want+", got "+n.kind.String())
}

var topElements = []string{"Version", "Statement"}
var stmtElements = []string{"Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition", "Sid"}
var principalElements = []string{"RAM", "Service", "Federated"}

// unknownElement reports a key that is not part of the grammar, with a suggestion.
func (d *decoder) unknownElement(m *member, path string, known []string) {
	msg := "unknown element " + strconv.Quote(m.key)
	fix := ""
	if s := d.suggest(m.key, known, 3); s != "" {
		msg += " (did you mean " + strconv.Quote(s) + "?)"
		fix = s
	} else {
		msg += "; want one of " + strings.Join(known, ", ")
	}
	d.add(SeverityError, m.line, m.col, path, msg, fix)
}

func (d *decoder) decode(root *node, p *Policy) {
	if root.kind != kObject {
		d.wrongType(root, "", "a JSON object {\"Version\": \"1\", \"Statement\": [...]}")
		return
	}
	var stmtNode *node
	for i := range root.members {
		m := &root.members[i]
		switch m.key {
		case "Version":
			if m.val.kind != kString {
				d.wrongType(m.val, "Version", "the string \"1\"")
			} else {
				p.Version = m.val.str
				if m.val.str != "1" {
					d.add(SeverityError, m.val.line, m.val.col, "Version", "want \"1\", got "+strconv.Quote(m.val.str), "1")
				}
			}
		case "Statement":
			stmtNode = m.val
		default:
			d.unknownElement(m, m.key, topElements)
		}
	}
	if root.get("Version") == nil {
		d.add(SeverityError, root.line, root.col, "Version", "missing; want \"Version\": \"1\"", "")
	}
	if stmtNode == nil {
		d.add(SeverityError, root.line, root.col, "Statement", "missing; want \"Statement\": [ {...} ]", "")
		return
	}
	var stmts []*node
	switch stmtNode.kind {
	case kArray:
		stmts = stmtNode.elems
	case kObject:
		stmts = []*node{stmtNode}
	default:
		d.wrongType(stmtNode, "Statement", "a list of statements")
		return
	}
	if len(stmts) > MaxStatements {
		d.errAt(stmtNode, "Statement", strconv.Itoa(len(stmts))+" statements; at most "+strconv.Itoa(MaxStatements)+" are accepted")
		return
	}
	if len(stmts) == 0 {
		d.add(SeverityWarning, stmtNode.line, stmtNode.col, "Statement", "empty statement list: this policy allows nothing", "")
	}
	p.Statement = make([]Statement, 0, len(stmts))
	for i, sn := range stmts {
		path := "Statement" + indexPart(i)
		if stmtNode.kind == kObject {
			path = "Statement"
		}
		if sn.kind != kObject {
			d.wrongType(sn, path, "a statement object {\"Effect\": ..., \"Action\": ..., \"Resource\": ...}")
			continue
		}
		p.Statement = append(p.Statement, d.statement(sn, path, i))
	}
}

func (d *decoder) statement(sn *node, path string, idx int) Statement {
	st := Statement{Index: idx, Line: sn.line, Col: sn.col}
	var actionM, notActionM *member
	for i := range sn.members {
		m := &sn.members[i]
		mp := path + "." + m.key
		switch m.key {
		case "Sid":
			if m.val.kind != kString {
				d.wrongType(m.val, mp, "a string")
			}
		case "Effect":
			if m.val.kind != kString {
				d.wrongType(m.val, mp, "\"Allow\" or \"Deny\"")
				break
			}
			switch m.val.str {
			case "Allow", "Deny":
				st.Effect = Effect(m.val.str)
			default:
				fix := ""
				if strings.EqualFold(m.val.str, "allow") {
					fix = "Allow"
				} else if strings.EqualFold(m.val.str, "deny") {
					fix = "Deny"
				}
				d.add(SeverityError, m.val.line, m.val.col, mp, "want \"Allow\" or \"Deny\", got "+strconv.Quote(m.val.str), fix)
			}
		case "Action":
			actionM = m
			st.Action = d.stringList(m.val, mp, "action")
		case "NotAction":
			notActionM = m
			st.NotAction = d.stringList(m.val, mp, "action")
		case "Resource":
			st.Resource = d.stringList(m.val, mp, "resource")
		case "NotResource":
			d.add(SeverityError, m.line, m.col, mp, "NotResource is not supported by RAM; list the resources under \"Resource\"", "")
		case "Principal":
			if d.kind == KindIdentity || d.kind == KindSession {
				d.add(SeverityError, m.line, m.col, mp, "Principal is not allowed in "+kindArticle(d.kind)+" policy (only in bucket and trust policies)", "")
				break
			}
			st.Principal = d.principal(m.val, mp)
		case "Condition":
			st.Condition = d.condition(m.val, mp)
		default:
			d.unknownElement(m, mp, stmtElements)
		}
	}
	if actionM != nil {
		d.checkActions(actionM, sn.member("Resource"), path, false)
	} else if notActionM != nil {
		d.checkActions(notActionM, sn.member("Resource"), path, true)
	}
	d.checkResources(sn.member("Resource"), path)
	if d.kind == KindTrust && actionM != nil && len(st.Action) > 0 {
		hit := false
		for _, a := range st.Action {
			p := compilePattern(a, true)
			hit = hit || p.match("sts:AssumeRole", true)
		}
		if !hit {
			d.add(SeverityWarning, actionM.val.line, actionM.val.col, path+".Action", "a trust policy only governs sts:AssumeRole; this statement never applies", "sts:AssumeRole")
		}
	}
	// A missing element is not reported when a misspelt one already was (the unknown-element
	// error names it), nor Resource when NotResource was (its error says to use Resource).
	misspelt := func(el string) bool {
		for i := range sn.members {
			k := sn.members[i].key
			if !slices.Contains(stmtElements, k) && d.suggest(k, stmtElements, 3) == el {
				return true
			}
		}
		return false
	}
	if sn.get("Effect") == nil && !misspelt("Effect") {
		d.add(SeverityError, sn.line, sn.col, path+".Effect", "missing; want \"Effect\": \"Allow\" or \"Deny\"", "")
	}
	switch {
	case actionM != nil && notActionM != nil:
		d.add(SeverityError, notActionM.line, notActionM.col, path+".NotAction", "a statement takes Action or NotAction, not both", "")
	case actionM == nil && notActionM == nil && !misspelt("Action") && !misspelt("NotAction"):
		d.add(SeverityError, sn.line, sn.col, path+".Action", "missing; a statement needs \"Action\" (or \"NotAction\")", "")
	}
	if sn.get("Resource") == nil && d.kind != KindTrust && sn.get("NotResource") == nil && !misspelt("Resource") {
		d.add(SeverityError, sn.line, sn.col, path+".Resource", "missing; "+kindArticle(d.kind)+" policy statement needs \"Resource\"", "")
	}
	if sn.get("Principal") == nil && !misspelt("Principal") && (d.kind == KindBucket || d.kind == KindTrust) {
		d.add(SeverityError, sn.line, sn.col, path+".Principal", "missing; "+kindArticle(d.kind)+" policy statement needs \"Principal\"", "")
	}
	return st
}

// stringList reads a string or a non-empty list of strings.
func (d *decoder) stringList(n *node, path, what string) []string {
	switch n.kind {
	case kString:
		if n.str == "" {
			d.errAt(n, path, "empty "+what)
		}
		return []string{n.str}
	case kArray:
		if len(n.elems) == 0 {
			d.errAt(n, path, "empty list: want at least one "+what)
			return nil
		}
		out := make([]string, 0, len(n.elems))
		for i, e := range n.elems {
			if e.kind != kString {
				d.wrongType(e, path+indexPart(i), "a string ("+what+")")
				continue
			}
			if e.str == "" {
				d.errAt(e, path+indexPart(i), "empty "+what)
			}
			out = append(out, e.str)
		}
		return out
	}
	d.wrongType(n, path, "a string or a list of strings")
	return nil
}

func (d *decoder) principal(n *node, path string) *PrincipalBlock {
	pb := &PrincipalBlock{}
	switch n.kind {
	case kString:
		switch n.str {
		case "*":
			pb.Any = true
		case "":
			d.errAt(n, path, "empty principal")
		default:
			pb.Values = []string{n.str}
		}
	case kArray:
		pb.Values = d.stringList(n, path, "principal")
		for _, v := range pb.Values {
			if v == "*" {
				pb.Any = true
			}
		}
	case kObject:
		if len(n.members) == 0 {
			d.errAt(n, path, "empty Principal: want \"RAM\", \"Service\" or \"Federated\"")
		}
		for i := range n.members {
			m := &n.members[i]
			mp := path + "." + m.key
			switch m.key {
			case "RAM":
				pb.RAM = d.stringList(m.val, mp, "principal")
			case "Service":
				pb.Service = d.stringList(m.val, mp, "service")
			case "Federated":
				pb.Federated = d.stringList(m.val, mp, "identity provider")
			default:
				d.unknownElement(m, mp, principalElements)
			}
		}
		for _, v := range pb.RAM {
			if v == "*" {
				pb.Any = true
			}
		}
	default:
		d.wrongType(n, path, "\"*\", a list of principals or an object {\"RAM\": [...]}")
	}
	d.checkPrincipal(n, path)
	return pb
}

func (d *decoder) condition(n *node, path string) []Condition {
	if n.kind != kObject {
		d.wrongType(n, path, "an object {\"<operator>\": {\"<key>\": [values]}}")
		return nil
	}
	var out []Condition
	for i := range n.members {
		om := &n.members[i]
		op, known := operators[om.key]
		opPath := path + "." + om.key
		if !known {
			msg := "unknown condition operator " + strconv.Quote(om.key)
			fix := d.suggest(om.key, operatorNames, 4)
			if fix != "" {
				msg += " (did you mean " + strconv.Quote(fix) + "?)"
			}
			d.add(SeverityError, om.line, om.col, opPath, msg, fix)
		}
		if om.val.kind != kObject {
			d.wrongType(om.val, opPath, "an object {\"<key>\": [values]}")
			continue
		}
		if len(om.val.members) == 0 {
			d.errAt(om.val, opPath, "empty condition: want at least one key")
		}
		for j := range om.val.members {
			km := &om.val.members[j]
			kp := opPath + "." + km.key
			c := Condition{Operator: om.key, Key: km.key}
			d.checkConditionKey(om.key, op, known, km, kp)
			var vals []*node
			switch km.val.kind {
			case kArray:
				vals = km.val.elems
				if len(vals) == 0 {
					d.errAt(km.val, kp, "empty list: want at least one value")
				}
			case kString, kNumber, kBool:
				vals = []*node{km.val}
			default:
				d.wrongType(km.val, kp, "a value or a list of values")
			}
			for vi, v := range vals {
				vp := kp
				if km.val.kind == kArray {
					vp = kp + indexPart(vi)
				}
				if v.kind != kString && v.kind != kNumber && v.kind != kBool {
					d.wrongType(v, vp, "a string, number or boolean")
					continue
				}
				if known {
					if msg := op.checkValue(v.str); msg != "" {
						d.errAt(v, vp, msg)
					}
				}
				c.Values = append(c.Values, v.str)
			}
			out = append(out, c)
		}
	}
	return out
}

// kindArticle is "an identity", "a session", ...
func kindArticle(k Kind) string {
	if k == KindIdentity {
		return "an identity"
	}
	return "a " + k.String()
}
