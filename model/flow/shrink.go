package flow

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

// The size use case: how a session policy measures against STS's limit, in the unit STS counts
// (policy.SessionPolicyUnit), and — when it is too large — concrete ways to shrink it. The
// console's size meter and `stsdeck lint` present it.

// PolicySize is a session policy draft measured against the limit.
type PolicySize struct {
	N, Limit int
	Unit     string // "characters"
	Bytes    int    // UTF-8 bytes (differs from N only with non-ASCII text)
	// Minified is the size minified (-1 when the draft does not parse).
	Minified int
}

// MeasureSessionPolicy measures doc as sent.
func MeasureSessionPolicy(doc string) PolicySize {
	src := []byte(doc)
	s := PolicySize{N: policy.Size(policy.KindSession, src), Limit: policy.SizeLimit(policy.KindSession),
		Unit: policy.SessionPolicyUnit, Bytes: len(src), Minified: -1}
	if m, err := policy.Minify(src); err == nil {
		s.Minified = policy.Size(policy.KindSession, m)
	}
	return s
}

// TooLarge reports whether STS would refuse the draft for its size.
func (s PolicySize) TooLarge() bool { return s.N > s.Limit }

// ShrinkAdvice says how to make a session policy smaller, most effective first: minify (with
// the size it comes to), merge statements that differ only in their actions (or only in their
// resources), and a wildcard over resources that share a prefix. Each line is a sentence with
// numbers people use (statements from 1). An unparsable draft gets only what can be said.
func ShrinkAdvice(doc string) []string {
	sz := MeasureSessionPolicy(doc)
	var out []string
	switch {
	case sz.Minified < 0:
		out = append(out, "fix the JSON first: minifying needs a document that parses")
	case sz.Minified < sz.N:
		fit := "still too large"
		if sz.Minified <= sz.Limit {
			fit = "fits"
		}
		out = append(out, fmt.Sprintf("minify (m): %d → %d %s (%s)", sz.N, sz.Minified, sz.Unit, fit))
	}
	// Grammar checks aside (the size error stops Parse): read the statements from a copy that
	// the size check lets through.
	p, _ := policy.Validate("draft", []byte(doc), policy.KindIdentity)
	if p == nil {
		return out
	}
	out = append(out, mergeAdvice(p.Statement)...)
	out = append(out, wildcardAdvice(p.Statement)...)
	if len(out) == 0 {
		out = append(out, "drop statements the partner does not need: the role's own policies still bound the token")
	}
	return out
}

func stmtKey(parts ...[]string) string {
	var b strings.Builder
	for _, p := range parts {
		q := slices.Clone(p)
		sort.Strings(q)
		b.WriteString(strings.Join(q, ","))
		b.WriteByte('|')
	}
	return b.String()
}

func condKey(cs []policy.Condition) string {
	var parts []string
	for _, c := range cs {
		v := slices.Clone(c.Values)
		sort.Strings(v)
		parts = append(parts, c.Operator+":"+c.Key+"="+strings.Join(v, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func numbers(ix []int) string {
	var s []string
	for _, i := range ix {
		s = append(s, fmt.Sprint(StatementNumber(i)))
	}
	if len(s) <= 2 {
		return strings.Join(s, " and ")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// mergeAdvice finds statements with the same effect, condition and resources (their actions can
// go in one list), or the same effect, condition and actions (their resources can).
func mergeAdvice(ss []policy.Statement) []string {
	var out []string
	group := func(key func(policy.Statement) string, what string) {
		by := map[string][]int{}
		var order []string
		for _, s := range ss {
			if s.Principal != nil || len(s.NotAction) > 0 {
				continue
			}
			k := key(s)
			if _, ok := by[k]; !ok {
				order = append(order, k)
			}
			by[k] = append(by[k], s.Index)
		}
		for _, k := range order {
			if ix := by[k]; len(ix) > 1 {
				out = append(out, fmt.Sprintf("merge statements %s: same effect and %s, one statement can list them all", numbers(ix), what))
			}
		}
	}
	group(func(s policy.Statement) string {
		return string(s.Effect) + "|" + stmtKey(s.Resource) + condKey(s.Condition)
	}, "resources (put their actions in one Action list)")
	group(func(s policy.Statement) string {
		return string(s.Effect) + "|" + stmtKey(s.Action) + condKey(s.Condition)
	}, "actions (put their resources in one Resource list)")
	return out
}

// wildcardAdvice finds three or more resources of one statement under a common prefix that ends
// at a "/" and suggests one wildcard over it.
func wildcardAdvice(ss []policy.Statement) []string {
	var out []string
	for _, s := range ss {
		if len(s.Resource) < 3 {
			continue
		}
		pre := s.Resource[0]
		for _, r := range s.Resource[1:] {
			for !strings.HasPrefix(r, pre) {
				pre = pre[:len(pre)-1]
			}
		}
		i := strings.LastIndex(pre, "/")
		if i < 0 || !strings.Contains(pre, ":") {
			continue
		}
		pre = pre[:i+1]
		if strings.Count(pre, ":") < 4 {
			continue // the common part stops before the resource path
		}
		out = append(out, fmt.Sprintf("%s lists %d resources under %s: one wildcard %s* covers them (check it grants nothing more you mind)",
			strings.ToUpper(StatementLabel(s.Index)[:1])+StatementLabel(s.Index)[1:], len(s.Resource), pre, pre))
	}
	return out
}
