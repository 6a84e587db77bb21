package flow

// Record: a least-privilege session policy from the sandbox's decision journal (stsdeck policy
// from-journal, the console's Record flow), and its replay proof (record_replay.go).

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// RecordFilter picks the journaled requests a policy is made from.
type RecordFilter struct {
	// Session is a role session name, an assumed-role ARN or an AccessKeyId; "" = the one role
	// session in the journal (an error names them when there are several).
	Session string
	// Bucket keeps only OSS requests on this bucket (and drops the others); "" = all.
	Bucket string
}

// NeededBy is a journaled request a statement is there for.
type NeededBy struct {
	Seq       uint64 `json:"seq"`
	RequestID string `json:"request_id"`
	Operation string `json:"operation,omitempty"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	Decision  string `json:"decision"` // as journaled
	DecidedBy string `json:"decided_by,omitempty"`
}

// GeneratedStatement is one statement of a generated policy with the requests that needed it.
type GeneratedStatement struct {
	Action    []string                       `json:"action"`
	Resource  []string                       `json:"resource"`
	Condition map[string]map[string][]string `json:"condition,omitempty"`
	Requests  []NeededBy                     `json:"requests"`
}

// Generalization says which keys led to which wildcard.
type Generalization struct {
	Actions  []string `json:"actions"`
	Resource string   `json:"resource"` // the pattern written
	Keys     []string `json:"keys"`     // the keys seen
}

// GeneratedPolicy is the answer of FromJournal.
type GeneratedPolicy struct {
	Document    string               `json:"-"` // compact JSON, ready for issue --policy
	Policy      json.RawMessage      `json:"policy"`
	Size        int                  `json:"size"` // as lint and issue count it (policy.Size)
	Limit       int                  `json:"limit"`
	Unit        string               `json:"unit"`
	Session     string               `json:"session"`
	Principal   string               `json:"principal"`
	Requests    int                  `json:"requests"` // journaled requests used
	Statements  []GeneratedStatement `json:"statements"`
	Generalized []Generalization     `json:"generalized,omitempty"`
	// Merged says what minification merged or widened to fit the limit ("" steps = none).
	Merged []string `json:"merged,omitempty"`
	// Notes are requests a session policy cannot grant (denied by another layer).
	Notes    []string         `json:"notes,omitempty"`
	Findings []policy.Finding `json:"findings"`
}

// ErrNoRecords is returned when no journaled request matches the filter.
var ErrNoRecords = errors.New("no journaled request matches")

// SelectRecords applies f: the records of one role session (on one bucket). It returns the
// session's name and the principal's ARN.
func SelectRecords(recs []model.DecisionRecord, f RecordFilter) (sel []model.DecisionRecord, session, arn string, err error) {
	session = f.Session
	if session == "" {
		seen := map[string]bool{}
		var names []string
		for _, r := range recs {
			if r.Principal.Type == "role" && r.Principal.Session != "" && !seen[r.Principal.ARN] {
				seen[r.Principal.ARN] = true
				names = append(names, r.Principal.ARN)
			}
		}
		switch len(names) {
		case 0:
			return nil, "", "", fmt.Errorf("%w: the journal holds no role session's requests (%d records)", ErrNoRecords, len(recs))
		case 1:
			session = names[0]
		default:
			sort.Strings(names)
			return nil, "", "", fmt.Errorf("the journal holds %d role sessions; pick one with --session: %s", len(names), strings.Join(names, ", "))
		}
	}
	sel = make([]model.DecisionRecord, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		p := &r.Principal
		if p.Session != session && p.ARN != session && (p.AccessKeyID == "" || p.AccessKeyID != session) {
			continue
		}
		if f.Bucket != "" {
			if b, _, _, ok := splitOSS(r.Resource); !ok || b != f.Bucket {
				continue
			}
		}
		sel = append(sel, *r)
		if arn == "" {
			arn = p.ARN
		}
	}
	if len(sel) == 0 {
		where := ""
		if f.Bucket != "" {
			where = " on bucket " + f.Bucket
		}
		return nil, "", "", fmt.Errorf("%w: no request of session %q%s among %d records", ErrNoRecords, session, where, len(recs))
	}
	if i := strings.LastIndexByte(arn, '/'); i >= 0 && strings.Contains(arn, ":assumed-role/") {
		session = arn[i+1:]
	}
	return sel, session, arn, nil
}

// splitOSS splits acs:oss:<region>:<account>:<bucket>[/<key>] into its base ARN (without the
// key), bucket and key; ok is false for other ARNs and the service-level acs:oss:*:<account>:*.
func splitOSS(arn string) (bucket, base, key string, ok bool) {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) != 5 || parts[0] != "acs" || parts[1] != "oss" || parts[4] == "*" || parts[4] == "" {
		return "", "", "", false
	}
	b, k, hasKey := strings.Cut(parts[4], "/")
	base = strings.Join(parts[:4], ":") + ":" + b
	if !hasKey {
		return b, base, "", true
	}
	return b, base, "\x00" + k, true // a leading NUL marks "object" (a key may be empty)
}

// grant is one (action, resource, condition) the session needs, with its requests.
type grant struct {
	action   string
	bucket   string // OSS bucket, "" otherwise
	base     string // OSS base ARN (no key)
	object   bool
	keys     []string // object keys (object grants)
	resource string   // the exact resource (non-object grants)
	prefixes []string // oss:Prefix values of listings
	listing  bool
	reqs     []NeededBy
}

// FromJournal makes the least-privilege session policy of one session's journaled requests:
// allowed ones and ones the session layer denied (the recording policy was too narrow), grouped
// by action and resource, object keys generalized to the smallest prefix wildcard (never wider
// than the bucket), listings kept to the oss:Prefix values seen. It minifies to fit the
// session-policy limit (2,048 bytes) and says what it merged; the result is linted.
func FromJournal(recs []model.DecisionRecord, f RecordFilter) (*GeneratedPolicy, error) {
	sel, session, arn, err := SelectRecords(recs, f)
	if err != nil {
		return nil, err
	}
	out := &GeneratedPolicy{Session: session, Principal: arn, Limit: policy.SizeLimit(policy.KindSession), Unit: policy.SizeUnit(policy.KindSession)}
	grants := map[string]*grant{}
	var order []string
	for _, r := range sel {
		if r.Action == "" || r.Resource == "" {
			continue
		}
		if r.Decision == string(policy.DecisionExplicitDeny) && r.DecidedBy != string(policy.LayerSession) {
			out.Notes = append(out.Notes, fmt.Sprintf("#%d %s on %s: explicitly denied by the %s layer; a session policy cannot grant it", r.Seq, r.Action, r.Resource, r.DecidedBy))
			continue
		}
		if r.Decision == string(policy.DecisionImplicitDeny) && r.DecidedBy != string(policy.LayerSession) {
			out.Notes = append(out.Notes, fmt.Sprintf("#%d %s on %s: denied by the %s layer (the role does not grant it); kept in the policy, but the role's policies must allow it too", r.Seq, r.Action, r.Resource, r.DecidedBy))
		}
		nb := NeededBy{Seq: r.Seq, RequestID: r.RequestID, Operation: r.Operation, Action: r.Action, Resource: r.Resource, Decision: r.Decision, DecidedBy: r.DecidedBy}
		bucket, base, key, isOSS := splitOSS(r.Resource)
		var id string
		g := &grant{action: r.Action, bucket: bucket, base: base}
		switch {
		case isOSS && key != "":
			g.object = true
			id = "o\x00" + r.Action + "\x00" + base
		case isOSS && r.Action == "oss:ListObjects":
			g.listing, g.resource = true, r.Resource
			id = "l\x00" + r.Action + "\x00" + r.Resource
		default:
			g.resource = r.Resource
			id = "r\x00" + r.Action + "\x00" + r.Resource
		}
		if old, ok := grants[id]; ok {
			g = old
		} else {
			grants[id] = g
			order = append(order, id)
		}
		g.reqs = append(g.reqs, nb)
		if g.object {
			g.keys = append(g.keys, key[1:])
		}
		if g.listing {
			g.prefixes = append(g.prefixes, firstOr(r.Context[policy.KeyPrefix], ""))
		}
		out.Requests++
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: session %s made no request a session policy can grant", ErrNoRecords, session)
	}
	sort.Strings(order)
	list := make([]*grant, len(order))
	for i, id := range order {
		list[i] = grants[id]
	}
	var last *built
	for level := 0; level <= maxLevel; level++ {
		b := build(list, level)
		last = b
		if b.size <= out.Limit {
			break
		}
	}
	out.Document, out.Size, out.Statements, out.Generalized = last.doc, last.size, last.stmts, last.gen
	out.Policy = json.RawMessage(last.doc)
	out.Merged = last.merged
	_, out.Findings = policy.Validate("generated session policy", []byte(last.doc), policy.KindSession)
	if out.Findings == nil {
		out.Findings = []policy.Finding{}
	}
	if last.size > out.Limit {
		return out, fmt.Errorf("the generated policy is %d %s even with every object action widened to its bucket; over the session-policy limit of %d", last.size, out.Unit, out.Limit)
	}
	return out, nil
}

func firstOr(vs []string, def string) string {
	if len(vs) == 0 {
		return def
	}
	return vs[0]
}

// Minification levels, tried in order until the document fits.
const (
	levelExact       = iota // each action's keys generalized on their own; exact region and account
	levelAnyRegion          // OSS ARNs with region and account "*" (bucket names are global: the same resources)
	levelBucketShare        // per bucket, every object action shares one pattern (the common prefix of all its keys)
	levelBucketWide         // per bucket, object actions on bucket/*
	maxLevel         = levelBucketWide
)

type built struct {
	doc    string
	size   int
	stmts  []GeneratedStatement
	gen    []Generalization
	merged []string
}

// build renders the grants at a minification level: grants with the same resources and
// condition share a statement (their actions merged), then statements with the same actions
// and no condition share one (their resources merged): both lossless.
func build(list []*grant, level int) *built {
	b := &built{}
	anyRegion := func(base string) string {
		if level < levelAnyRegion {
			return base
		}
		parts := strings.SplitN(base, ":", 5)
		return "acs:oss:*:*:" + parts[4]
	}
	// Per bucket patterns for the sharing levels.
	shared := map[string]KeyPattern{}
	if level >= levelBucketShare {
		keys := map[string][]string{}
		for _, g := range list {
			if g.object {
				keys[g.base] = append(keys[g.base], g.keys...)
			}
		}
		for base, ks := range keys {
			kp := GeneralizeKeys(ks)
			if level >= levelBucketWide {
				kp.Pattern, kp.Wildcard = "*", true
			}
			shared[base] = kp
		}
	}
	type stmt struct {
		actions  []string
		res      []string
		cond     map[string]map[string][]string
		reqs     []NeededBy
		condJSON string
	}
	var stmts []*stmt
	byRes := map[string]*stmt{}
	genByRes := map[string]*Generalization{}
	for _, g := range list {
		var res string
		var cond map[string]map[string][]string
		switch {
		case g.object:
			kp := GeneralizeKeys(g.keys)
			if s, ok := shared[g.base]; ok {
				kp.Pattern, kp.Wildcard = s.Pattern, s.Wildcard
			}
			res = anyRegion(g.base) + "/" + kp.Pattern
			if kp.Wildcard {
				gz := genByRes[res]
				if gz == nil {
					gz = &Generalization{Resource: res}
					genByRes[res] = gz
				}
				gz.Actions = appendUniq(gz.Actions, g.action)
				gz.Keys = append(gz.Keys, kp.Keys...)
			}
		case g.listing:
			res = anyRegion(g.resource)
			cond = prefixCondition(g.prefixes)
		case g.base != "":
			res = anyRegion(g.resource)
		default:
			res = g.resource
		}
		cj, _ := json.Marshal(cond)
		id := res + "\x00" + string(cj)
		s := byRes[id]
		if s == nil {
			s = &stmt{res: []string{res}, cond: cond, condJSON: string(cj)}
			byRes[id] = s
			stmts = append(stmts, s)
		}
		s.actions = appendUniq(s.actions, g.action)
		s.reqs = append(s.reqs, g.reqs...)
	}
	// Merge statements with the same actions and condition: their resources join.
	var merged []*stmt
	byActs := map[string]*stmt{}
	for _, s := range stmts {
		sort.Strings(s.actions)
		id := strings.Join(s.actions, ",") + "\x00" + s.condJSON
		if m := byActs[id]; m != nil {
			m.res = appendUniq(m.res, s.res...)
			m.reqs = append(m.reqs, s.reqs...)
			continue
		}
		byActs[id] = s
		merged = append(merged, s)
	}
	type docStmt struct {
		Effect    string                         `json:"Effect"`
		Action    []string                       `json:"Action"`
		Resource  []string                       `json:"Resource"`
		Condition map[string]map[string][]string `json:"Condition,omitempty"`
	}
	doc := struct {
		Version   string    `json:"Version"`
		Statement []docStmt `json:"Statement"`
	}{Version: "1"}
	for _, s := range merged {
		sort.Strings(s.res)
		sort.Slice(s.reqs, func(i, j int) bool { return s.reqs[i].Seq < s.reqs[j].Seq })
		doc.Statement = append(doc.Statement, docStmt{Effect: "Allow", Action: s.actions, Resource: s.res, Condition: s.cond})
		b.stmts = append(b.stmts, GeneratedStatement{Action: s.actions, Resource: s.res, Condition: s.cond, Requests: s.reqs})
	}
	var raw strings.Builder
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	enc.Encode(doc)
	b.doc = strings.TrimSuffix(raw.String(), "\n")
	b.size = policy.Size(policy.KindSession, []byte(b.doc)) // as lint and issue count it
	for _, gz := range genByRes {
		sort.Strings(gz.Actions)
		sort.Strings(gz.Keys)
		gz.Keys = slices.Compact(gz.Keys)
		b.gen = append(b.gen, *gz)
	}
	sort.Slice(b.gen, func(i, j int) bool { return b.gen[i].Resource < b.gen[j].Resource })
	if level >= levelAnyRegion {
		b.merged = append(b.merged, "OSS resources written as acs:oss:*:*:<bucket>… (bucket names are global: the same resources, fewer bytes)")
	}
	if level >= levelBucketShare {
		for _, base := range sortedKeys(shared) {
			b.merged = append(b.merged, fmt.Sprintf("every object action on bucket %s shares the pattern %s (the common prefix of all %d keys; each action may now reach the others' keys)",
				base[strings.LastIndexByte(base, ':')+1:], shared[base].Pattern, len(shared[base].Keys)))
		}
	}
	if level >= levelBucketWide {
		b.merged = append(b.merged, "object actions widened to their whole bucket (<bucket>/*): the shared prefixes did not fit")
	}
	return b
}

// prefixCondition keeps a listing to the oss:Prefix values seen: StringEquals on up to 8
// distinct values, else StringLike on their common prefix.
func prefixCondition(prefixes []string) map[string]map[string][]string {
	uniq := slices.Clone(prefixes)
	sort.Strings(uniq)
	uniq = slices.Compact(uniq)
	if len(uniq) <= 8 {
		return map[string]map[string][]string{"StringEquals": {policy.KeyPrefix: uniq}}
	}
	return map[string]map[string][]string{"StringLike": {policy.KeyPrefix: {GeneralizeKeys(uniq).Pattern}}}
}

func appendUniq(s []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, x := range s {
			if x == v {
				found = true
				break
			}
		}
		if !found {
			s = append(s, v)
		}
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Describe lists, for people, which keys led to which wildcard and what was merged.
func (g *GeneratedPolicy) Describe() []string {
	var lines []string
	lines = append(lines, fmt.Sprintf("session %s: %d requests → %d statements, %d / %d %s", g.Session, g.Requests, len(g.Statements), g.Size, g.Limit, g.Unit))
	for _, gz := range g.Generalized {
		keys := gz.Keys
		more := ""
		if len(keys) > 5 {
			more = " … and " + strconv.Itoa(len(keys)-5) + " more"
			keys = keys[:5]
		}
		lines = append(lines, fmt.Sprintf("wildcard %s (%s) covers %d keys: %s%s", gz.Resource, strings.Join(gz.Actions, ", "), len(gz.Keys), strings.Join(quoteAll(keys), ", "), more))
	}
	for _, m := range g.Merged {
		lines = append(lines, "minified: "+m)
	}
	for _, n := range g.Notes {
		lines = append(lines, "note: "+n)
	}
	return lines
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
