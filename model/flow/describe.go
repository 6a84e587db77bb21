package flow

import (
	"fmt"
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

// DescribePolicy says in words what a session policy allows and denies, statement by statement
// ("allows PutObject on examplebucket/src/*; denies DeleteObject on anything"): what the draft
// itself says, not the template it may have started from. "" when the document does not parse.
func DescribePolicy(doc string) string {
	p, _ := policy.Validate("session policy", []byte(doc), policy.KindSession)
	if p == nil {
		return ""
	}
	var parts []string
	for _, s := range p.Statement {
		verb := "allows"
		if s.Effect == policy.Deny {
			verb = "denies"
		}
		acts := describeActions(s.Action)
		if len(s.NotAction) > 0 {
			acts = "all but " + describeActions(s.NotAction)
		}
		text := verb + " " + acts + " on " + describeResources(s.Resource)
		if len(s.Condition) > 0 {
			keys := make([]string, 0, len(s.Condition))
			for _, c := range s.Condition {
				keys = append(keys, c.Key)
			}
			text += " when " + strings.Join(keys, ", ") + " match"
		}
		parts = append(parts, text)
	}
	if len(parts) == 0 {
		return "allows nothing (no statement)"
	}
	return strings.Join(parts, "; ")
}

func describeActions(as []string) string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		switch {
		case a == "*":
			out = append(out, "every action")
		case strings.EqualFold(a, "oss:*"):
			out = append(out, "every OSS action")
		case strings.HasPrefix(strings.ToLower(a), "oss:"):
			out = append(out, a[len("oss:"):])
		default:
			out = append(out, a)
		}
	}
	return listWords(out)
}

func describeResources(rs []string) string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		switch {
		case r == "*":
			out = append(out, "anything")
		case strings.HasPrefix(r, "acs:oss:"):
			parts := strings.SplitN(r, ":", 5)
			if len(parts) < 5 {
				out = append(out, r)
				break
			}
			rel := parts[4]
			switch {
			case rel == "*":
				out = append(out, "every bucket")
			case !strings.Contains(rel, "/"):
				out = append(out, "bucket "+rel)
			case strings.HasSuffix(rel, "/*") && strings.Count(rel, "/") == 1:
				out = append(out, "every object in "+strings.TrimSuffix(rel, "/*"))
			default:
				out = append(out, rel)
			}
		default:
			out = append(out, r)
		}
	}
	return listWords(out)
}

func listWords(ws []string) string {
	switch len(ws) {
	case 0:
		return "nothing"
	case 1:
		return ws[0]
	case 2:
		return ws[0] + " and " + ws[1]
	}
	if len(ws) > 4 {
		return fmt.Sprintf("%s and %d more", strings.Join(ws[:3], ", "), len(ws)-3)
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}
