// Package issuereq validates an AssumeRole request before it is sent, as STS would (role ARN,
// session name, external id, duration against the role's maximum) plus the policy engine's
// findings for the session policy. The only copy of these rules: the sts adapter, the
// console's Issue form and the commands (through model/flow) all use it.
package issuereq

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// Duration bounds of AssumeRole.
const (
	MinDuration     = 15 * time.Minute
	MaxDuration     = 12 * time.Hour
	DefaultDuration = time.Hour
)

// Problem is one thing wrong with an issue request, found before calling STS.
type Problem struct {
	Field    string // "RoleArn", "RoleSessionName", "DurationSeconds", "ExternalId", "Policy"
	Message  string
	Warning  bool // warnings do not block the call
	Line     int  // policy findings: 1-based position
	Col      int
	Path     string
	Severity string // policy findings: error, warning, suggestion
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Field)
	if p.Line > 0 {
		fmt.Fprintf(&b, " line %d, col %d", p.Line, p.Col)
	}
	if p.Path != "" {
		fmt.Fprintf(&b, " %s", p.Path)
	}
	sev := "error"
	if p.Warning {
		sev = "warning"
		if p.Severity != "" {
			sev = p.Severity
		}
	}
	fmt.Fprintf(&b, ": %s: %s", sev, p.Message)
	return b.String()
}

// InvalidRequestError is returned by AssumeRole when client-side validation fails; nothing was sent.
type InvalidRequestError struct {
	Problems []Problem // errors only
}

func (e *InvalidRequestError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid AssumeRole request (not sent): " + strings.Join(parts, "; ")
}

var reRoleARN = regexp.MustCompile(`^acs:ram::([0-9]+):role/([A-Za-z0-9.\-]{1,64})$`)

// RoleSessionName: 2–64 characters of letters, digits and . @ - _ (the STS SDK's
// AssumeRoleRequest documentation; the sandbox checks the same).
const (
	minSessionName = 2
	maxSessionName = 64
)

func sessionNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '@' || r == '-' || r == '_'
}

// ExternalId: 2–1224 characters matching the STS SDK's regular expression `[\w+=,.@:\/-]*`,
// i.e. letters, digits and _ + = , . @ : / -. (The SDK's prose lists "= , . @ : / - _" and
// leaves out the "+" its own regular expression allows; the regular expression is the rule,
// and the sandbox accepts "+" too.)
const (
	minExternalID = 2
	maxExternalID = 1224
)

func externalIDRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@:/-", r)
}

// SessionNameProblem says what is wrong with a RoleSessionName, "" when STS accepts it.
func SessionNameProblem(v string) string {
	rs := []rune(v)
	n := len(rs)
	switch {
	case n == 0:
		return "session name is required (2–64 characters: letters, digits, . @ - _)"
	case n < minSessionName:
		return "session name: 1 character, need at least 2"
	case n > maxSessionName:
		return fmt.Sprintf("session name: %d characters, at most 64", n)
	}
	for i, r := range rs {
		if !sessionNameRune(r) {
			return fmt.Sprintf("session name: %q at position %d is not allowed (letters, digits, . @ - _)", r, i+1)
		}
	}
	return ""
}

// ExternalIDProblem says what is wrong with an ExternalId, "" when STS accepts it (it is
// optional: "" is fine).
func ExternalIDProblem(v string) string {
	if v == "" {
		return ""
	}
	rs := []rune(v)
	n := len(rs)
	if n < minExternalID || n > maxExternalID {
		return fmt.Sprintf("external id: %d characters, want 2–1224", n)
	}
	for i, r := range rs {
		if !externalIDRune(r) {
			// The wording is the console's as it was (tests hold it); "+" is allowed all the same.
			return fmt.Sprintf("external id: %q at position %d is not allowed (letters, digits, = , . @ : / - _)", r, i+1)
		}
	}
	return ""
}

// MaxFor is the longest duration a role allows: its MaxSessionDuration when known (roleMax >
// 0), else STS's ceiling.
func MaxFor(roleMax time.Duration) time.Duration {
	if roleMax > 0 {
		return roleMax
	}
	return MaxDuration
}

// ParseRoleARN splits acs:ram::<account>:role/<name>; ok is false for anything else.
func ParseRoleARN(arn string) (account, name string, ok bool) {
	m := reRoleARN.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// RoleARN builds the ARN of a role in an account.
func RoleARN(account, name string) string { return "acs:ram::" + account + ":role/" + name }

// CheckIssue validates an issue request as STS would, plus the policy engine's findings for the
// session policy. roleMax is the role's maximum session duration when known (0 = unknown: only
// the absolute 12 h bound applies). Problems with Warning set do not block.
func CheckIssue(req model.IssueRequest, roleMax time.Duration) []Problem {
	var ps []Problem
	add := func(field, format string, a ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if _, _, ok := ParseRoleARN(req.RoleARN); !ok {
		add("RoleArn", "%q is not a role ARN: want acs:ram::<account-id>:role/<role-name>", req.RoleARN)
	}
	if SessionNameProblem(req.SessionName) != "" {
		add("RoleSessionName", "%q: want 2-64 characters of letters, digits and . @ - _", req.SessionName)
	}
	if ExternalIDProblem(req.ExternalID) != "" {
		add("ExternalId", "want 2-1224 characters of letters, digits and _ + = , . @ : / -")
	}
	if d := req.Duration; d != 0 {
		switch {
		case d%time.Second != 0:
			add("DurationSeconds", "%s is not a whole number of seconds", d)
		case d < MinDuration:
			add("DurationSeconds", "%s is below the minimum of 15m", d)
		case roleMax > 0 && d > roleMax:
			add("DurationSeconds", "%s exceeds the role's maximum session duration of %s", d, roleMax)
		case d > MaxDuration:
			add("DurationSeconds", "%s exceeds the maximum of 12h", d)
		}
	} else if roleMax > 0 && roleMax < DefaultDuration {
		add("DurationSeconds", "the default of 1h exceeds the role's maximum session duration of %s", roleMax)
	}
	if req.Policy != "" {
		_, findings := policy.Validate("session policy", []byte(req.Policy), policy.KindSession)
		for _, f := range findings {
			ps = append(ps, Problem{
				Field: "Policy", Message: f.Message, Line: f.Line, Col: f.Col, Path: f.Path,
				Severity: string(f.Severity), Warning: f.Severity != policy.SeverityError,
			})
		}
	}
	return ps
}

// Blocking returns the problems that are errors.
func Blocking(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// TrustRequiresExternalID reports whether a trust policy (JSON) has at least one Allow statement
// and every Allow statement carries an sts:ExternalId condition (other than Null), i.e. no
// caller is trusted without an external id. An unparsable document gives false.
func TrustRequiresExternalID(doc string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil || len(p.Statement) == 0 {
		return false
	}
	type statement struct {
		Effect    string
		Condition map[string]map[string]json.RawMessage
	}
	var sts []statement
	if json.Unmarshal(p.Statement, &sts) != nil {
		var one statement
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		sts = []statement{one}
	}
	allows := 0
	for _, st := range sts {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		allows++
		has := false
		for op, keys := range st.Condition {
			if strings.EqualFold(op, "Null") {
				continue // Null: {"sts:ExternalId": "true"} trusts callers *without* one
			}
			for k := range keys {
				if strings.EqualFold(k, "sts:ExternalId") {
					has = true
				}
			}
		}
		if !has {
			return false
		}
	}
	return allows > 0
}

// PolicyAsSent is a policy file's content as stsdeck sends it and counts it against the size
// limit (lint and issue alike): the file's bytes with one trailing newline ("\n" or "\r\n")
// removed, the one editors add; everything else is sent as it is.
func PolicyAsSent(data []byte) []byte {
	if n := len(data); n > 0 && data[n-1] == '\n' {
		data = data[:n-1]
		if n := len(data); n > 0 && data[n-1] == '\r' {
			data = data[:n-1]
		}
	}
	return data
}
