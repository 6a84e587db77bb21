package flow

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// The trust use case: what a role's trust policy says, in words, and whether it lets a given
// caller assume the role. The console's Roles screen presents both; neither reads the network.

// TrustsCaller says whether a role's trust policy lets the caller assume it, as a verdict kind
// ("ok", "deny", "warn" or "unknown": the console renders it with Styles.Mark) and a sentence.
// It judges the trust policy only: the caller's own policies must also allow sts:AssumeRole, and
// the console cannot always read them.
func TrustsCaller(trustDoc, roleARN string, c model.Caller) (kind, text string) {
	who := trustShortARN(c.ARN)
	p := trustCallerPrincipal(c)
	trust, err := policy.Parse("trust policy", []byte(trustDoc), policy.KindTrust)
	if err != nil {
		return "unknown", "cannot tell: the trust policy does not parse (" + err.Error() + ")"
	}
	r := policy.EvaluateAssumeRole(p, roleARN, nil, trust, nil)
	if r.Reason == "root-refused" {
		return "deny", "STS refuses the account's root key: act as a RAM user"
	}
	switch {
	case r.Trust.Decision == policy.DecisionAllow:
		return "ok", "trusts " + who + " (your own policies must allow sts:AssumeRole too)"
	case r.Trust.Decision == policy.DecisionExplicitDeny:
		return "deny", "the trust policy denies " + who
	case slices.Contains(r.Trust.Indeterminate, policy.KeyExternalID):
		return "warn", "trusts " + who + " only with the right external id"
	case len(r.Trust.Indeterminate) > 0:
		return "unknown", "trusts " + who + " only when " + strings.Join(r.Trust.Indeterminate, ", ") + " match"
	}
	return "deny", "does not trust " + who + ": AssumeRole would be refused"
}

// trustShortARN keeps the part after the account of an ARN ("user/sts-issuer").
func trustShortARN(arn string) string {
	if i := strings.LastIndex(arn, ":"); i >= 0 && i < len(arn)-1 {
		return arn[i+1:]
	}
	return arn
}

var trustAccountPattern = regexp.MustCompile(`^acs:ram::([0-9]+):`)

// trustCallerPrincipal reads a caller's ARN as the principal a trust policy is evaluated
// against: acs:ram::<acct>:root, :user/<name>, :assumed-role/<role>/<session>.
func trustCallerPrincipal(c model.Caller) policy.Principal {
	p := policy.Principal{AccountID: c.AccountID, ID: c.UserID}
	rest := c.ARN
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		rest = rest[i+1:]
	}
	switch {
	case rest == "root":
		p.Type = "root"
	case strings.HasPrefix(rest, "user/"):
		p.Type, p.Name = "user", strings.TrimPrefix(rest, "user/")
	case strings.HasPrefix(rest, "assumed-role/"):
		parts := strings.SplitN(strings.TrimPrefix(rest, "assumed-role/"), "/", 2)
		p.Type, p.Name = "role", parts[0]
		if len(parts) == 2 {
			p.SessionName = parts[1]
		}
		p.ID = c.RoleID
	default:
		p.Type = "user"
		p.Name = rest
	}
	if p.AccountID == "" {
		if m := trustAccountPattern.FindStringSubmatch(c.ARN); m != nil {
			p.AccountID = m[1]
		}
	}
	return p
}

// TrustPrincipals says in words who a trust policy lets assume the role, one line per principal.
func TrustPrincipals(doc string) ([]string, error) {
	var p struct {
		Statement []struct {
			Effect    string
			Action    json.RawMessage
			Principal json.RawMessage
			Condition map[string]map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("trust policy is not valid JSON: %w", err)
	}
	var out []string
	for _, s := range p.Statement {
		var who []string
		var any string
		if json.Unmarshal(s.Principal, &any) == nil && any == "*" {
			who = append(who, "anyone, in any account")
		} else {
			var blk map[string]json.RawMessage
			_ = json.Unmarshal(s.Principal, &blk)
			kinds := make([]string, 0, len(blk))
			for k := range blk {
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			for _, kind := range kinds {
				for _, v := range trustStringOrList(blk[kind]) {
					who = append(who, trustPrincipalWords(kind, v))
				}
			}
		}
		var cond []string
		for op, kv := range s.Condition {
			for k, v := range kv {
				vals := strings.Join(trustStringOrList(v), ", ")
				if strings.EqualFold(k, "sts:ExternalId") {
					cond = append(cond, "external id "+vals)
				} else {
					cond = append(cond, fmt.Sprintf("%s %s %s", k, op, vals))
				}
			}
		}
		sort.Strings(cond)
		for _, w := range who {
			if strings.EqualFold(s.Effect, "Deny") {
				w = "never: " + w
			}
			if len(cond) > 0 {
				w += " (when " + strings.Join(cond, "; ") + ")"
			}
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = append(out, "nobody (no principal in the trust policy)")
	}
	return out, nil
}

func trustStringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

var trustRAMARNPattern = regexp.MustCompile(`^acs:ram::([0-9*]+):(root|user/.+|role/.+|saml-provider/.+|oidc-provider/.+)$`)

func trustPrincipalWords(kind, v string) string {
	if strings.TrimSpace(v) == "" {
		return "an empty " + kind + " principal (matches nobody)"
	}
	switch strings.ToUpper(kind) {
	case "SERVICE":
		name := strings.TrimSuffix(v, ".aliyuncs.com")
		if name == v {
			return "the service " + v
		}
		return "the " + strings.ToUpper(name) + " service"
	case "RAM", "FEDERATED":
		if v == "*" {
			return "any RAM identity of any account"
		}
		if trustIsDigits(v) {
			return "any RAM identity of account " + v
		}
		m := trustRAMARNPattern.FindStringSubmatch(v)
		if m == nil {
			return v
		}
		acct, what := m[1], m[2]
		switch {
		case what == "root":
			return "any RAM identity of account " + acct
		case strings.HasPrefix(what, "user/"):
			return "RAM user " + strings.TrimPrefix(what, "user/") + " of account " + acct
		case strings.HasPrefix(what, "role/"):
			return "role " + strings.TrimPrefix(what, "role/") + " of account " + acct
		case strings.HasPrefix(what, "saml-provider/"):
			return "users of SAML provider " + strings.TrimPrefix(what, "saml-provider/") + " (account " + acct + ")"
		default:
			return "users of OIDC provider " + strings.TrimPrefix(what, "oidc-provider/") + " (account " + acct + ")"
		}
	}
	return kind + " " + v
}

func trustIsDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// AssumeRank orders roles for a caller: 0 the trust policy lets the caller assume it, 1 only
// with an external id, 2 cannot tell (no trust policy known yet, conditions), 3 refused. The
// Roles screen lists roles by rank, then by name, and never preselects a refused one.
func AssumeRank(r model.Role, c *model.Caller) int {
	if c == nil || r.TrustPolicy == "" {
		return 2
	}
	switch kind, _ := TrustsCaller(r.TrustPolicy, r.ARN, *c); kind {
	case "ok":
		return 0
	case "warn":
		return 1
	case "deny":
		return 3
	}
	return 2
}
