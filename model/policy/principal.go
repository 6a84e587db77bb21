package policy

import "strings"

type pkind uint8

const (
	pNever   pkind = iota // a form stsdeck does not understand (or Federated): never matches
	pAny                  // "*"
	pUID                  // bucket policy: account uid (any identity of it) or a RAM user's uid
	pRoot                 // acs:ram::<uid>:root — any RAM user or role session of the account
	pUser                 // acs:ram::<uid>:user/<name>
	pRole                 // acs:ram::<uid>:role/<name>
	pSession              // arn:sts::<uid>:assumed-role/<role>/<session>
	pService              // a cloud service, e.g. ecs.aliyuncs.com
)

type pentry struct {
	kind                pkind
	account, name, sess string // patterns; name folded for RAM users/roles
}

type cprincipal struct {
	any     bool
	entries []pentry
}

func compilePrincipal(pb *PrincipalBlock) *cprincipal {
	if pb == nil {
		return nil
	}
	cp := &cprincipal{any: pb.Any}
	for _, v := range pb.Values {
		cp.entries = append(cp.entries, parsePrincipalValue(v, true))
	}
	for _, v := range pb.RAM {
		cp.entries = append(cp.entries, parsePrincipalValue(v, false))
	}
	for _, v := range pb.Service {
		cp.entries = append(cp.entries, pentry{kind: pService, name: toLowerASCII(v)})
	}
	for range pb.Federated {
		cp.entries = append(cp.entries, pentry{kind: pNever})
	}
	return cp
}

// parsePrincipalValue understands "*", account/user uids (bucket policies), RAM ARNs and STS
// assumed-role ARNs.
func parsePrincipalValue(v string, bucketForm bool) pentry {
	switch {
	case v == "*":
		return pentry{kind: pAny}
	case isDigits(v) && bucketForm:
		return pentry{kind: pUID, account: v}
	case strings.HasPrefix(v, "acs:ram::"):
		rest := v[len("acs:ram::"):]
		i := strings.IndexByte(rest, ':')
		if i <= 0 {
			return pentry{kind: pNever}
		}
		acct, rel := rest[:i], rest[i+1:]
		switch {
		case rel == "root":
			return pentry{kind: pRoot, account: acct}
		case strings.HasPrefix(rel, "user/") && len(rel) > 5:
			return pentry{kind: pUser, account: acct, name: toLowerASCII(rel[5:])}
		case strings.HasPrefix(rel, "role/") && len(rel) > 5:
			return pentry{kind: pRole, account: acct, name: toLowerASCII(rel[5:])}
		}
	case strings.HasPrefix(v, "arn:sts::"):
		rest := v[len("arn:sts::"):]
		i := strings.IndexByte(rest, ':')
		if i <= 0 {
			return pentry{kind: pNever}
		}
		acct, rel := rest[:i], rest[i+1:]
		if !strings.HasPrefix(rel, "assumed-role/") {
			return pentry{kind: pNever}
		}
		rel = rel[len("assumed-role/"):]
		j := strings.IndexByte(rel, '/')
		if j <= 0 || j == len(rel)-1 {
			return pentry{kind: pNever}
		}
		return pentry{kind: pSession, account: acct, name: rel[:j], sess: rel[j+1:]}
	}
	return pentry{kind: pNever}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (cp *cprincipal) matches(p *Principal) bool {
	if cp == nil {
		return false
	}
	if cp.any {
		return true
	}
	for i := range cp.entries {
		if cp.entries[i].matches(p) {
			return true
		}
	}
	return false
}

func (e *pentry) matches(p *Principal) bool {
	switch e.kind {
	case pAny:
		return true
	case pUID:
		if p.Type == "anonymous" || p.Type == "service" || p.AccountID == "" {
			return false
		}
		return e.account == p.AccountID || (p.Type == "user" && p.ID != "" && e.account == p.ID)
	case pRoot:
		return (p.Type == "user" || p.Type == "role") && globMatch(e.account, p.AccountID, false)
	case pUser:
		return p.Type == "user" && globMatch(e.account, p.AccountID, false) && globMatch(e.name, p.Name, true)
	case pRole:
		return p.Type == "role" && globMatch(e.account, p.AccountID, false) && globMatch(e.name, p.Name, true)
	case pSession:
		return p.Type == "role" && globMatch(e.account, p.AccountID, false) &&
			globMatch(e.name, p.Name, false) && globMatch(e.sess, p.SessionName, false)
	case pService:
		return p.Type == "service" && globMatch(e.name, p.Service, true)
	}
	return false
}
