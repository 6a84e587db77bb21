package stsemu

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// DefaultSeed is the built-in account (YAML). Its names are part of stsdeck's contract.
//
//go:embed default_seed.yaml
var DefaultSeed []byte

// Seed is the account a sandbox serves, as read from a seed file.
type Seed struct {
	AccountID string       `yaml:"account_id"`
	Region    string       `yaml:"region"`
	Policies  []SeedPolicy `yaml:"policies"`
	Users     []SeedUser   `yaml:"users"`
	Roles     []SeedRole   `yaml:"roles"`
	Buckets   []SeedBucket `yaml:"buckets"`
}

// Pos is a 1-based position in the seed file.
type Pos struct{ Line, Col int }

// SeedPolicy is a custom or system policy.
type SeedPolicy struct {
	Name        string
	Type        string // "System" or "Custom"
	Description string
	Document    string // JSON
	Pos         Pos
	DocPos      Pos
}

// SeedUser is a RAM user or the account root.
type SeedUser struct {
	Name            string
	Kind            string // "root" or "user"
	Policies        []string
	AccessKeyID     string
	AccessKeySecret string
	Pos             Pos
	PolicyPos       []Pos
}

// SeedRole is a RAM role.
type SeedRole struct {
	Name               string
	Description        string
	MaxSessionDuration int // seconds
	TrustPolicy        string
	Policies           []string
	Pos                Pos
	TrustPos           Pos
	PolicyPos          []Pos
	MaxPos             Pos
}

// SeedBucket is an OSS bucket with its initial bucket policy.
type SeedBucket struct {
	Name   string
	Region string
	Policy string
	Pos    Pos
	PolPos Pos
}

// SeedError is a positioned error in a seed file.
type SeedError struct {
	File      string
	Line, Col int
	Path      string // e.g. roles[2].max_session_duration
	Message   string
}

func (e *SeedError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, col %d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// maxSeedBytes bounds a seed file.
const maxSeedBytes = 4 << 20

// ParseSeed reads a seed file (YAML or JSON) and checks it completely: structure, names,
// references, key formats and every policy document. file names the source in errors.
func ParseSeed(file string, src []byte) (*Seed, error) {
	if len(src) > maxSeedBytes {
		return nil, &SeedError{File: file, Message: fmt.Sprintf("seed file is %d bytes; the limit is %d", len(src), maxSeedBytes)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		return nil, yamlError(file, src, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &SeedError{File: file, Line: extra.Line, Col: extra.Column, Message: "more than one YAML document; a seed is one document"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &SeedError{File: file, Message: "empty seed file"}
	}
	p := &seedParser{file: file}
	s := p.seed(doc.Content[0])
	if p.err != nil {
		return nil, p.err
	}
	p.check(s)
	if p.err != nil {
		return nil, p.err
	}
	return s, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlError(file string, src []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimSpace(strings.TrimPrefix(strings.Replace(msg, m[0], "", 1), ":"))
	}
	// A JSON seed gets encoding/json's opinion when YAML's is vague.
	if t := bytes.TrimSpace(src); len(t) > 0 && t[0] == '{' {
		var v any
		if jerr := json.Unmarshal(src, &v); jerr != nil {
			var se *json.SyntaxError
			if errors.As(jerr, &se) {
				l, c := lineCol(src, int(se.Offset)-1) // Offset is just past the offending byte
				return &SeedError{File: file, Line: l, Col: c, Message: "invalid JSON: " + se.Error()}
			}
		}
	}
	return &SeedError{File: file, Line: line, Col: 1, Message: "invalid YAML: " + msg}
}

func lineCol(src []byte, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	line, col := 1, 1
	for _, c := range src[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

type seedParser struct {
	file string
	err  *SeedError
}

func (p *seedParser) fail(n *yaml.Node, path, format string, args ...any) {
	if p.err != nil {
		return
	}
	e := &SeedError{File: p.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	p.err = e
}

func (p *seedParser) failAt(pos Pos, path, format string, args ...any) {
	if p.err != nil {
		return
	}
	p.err = &SeedError{File: p.file, Line: pos.Line, Col: pos.Col, Path: path, Message: fmt.Sprintf(format, args...)}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// fields walks a mapping, checking keys against allowed and calling fn for each.
func (p *seedParser) fields(n *yaml.Node, path string, allowed []string, fn func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "want a mapping, got %s", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && p.err == nil; i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.fail(k, path, "keys must be strings")
			return
		}
		ok := false
		for _, a := range allowed {
			if a == k.Value {
				ok = true
			}
		}
		kp := joinPath(path, k.Value)
		if !ok {
			p.fail(k, kp, "unknown field (known: %s)", strings.Join(allowed, ", "))
			return
		}
		if seen[k.Value] {
			p.fail(k, kp, "duplicate field")
			return
		}
		seen[k.Value] = true
		fn(k.Value, v)
	}
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func (p *seedParser) str(n *yaml.Node, path string) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.fail(n, path, "want a string, got %s", kindName(n))
		return ""
	}
	return n.Value
}

func (p *seedParser) strList(n *yaml.Node, path string) ([]string, []Pos) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, path, "want a list of strings, got %s", kindName(n))
		return nil, nil
	}
	var out []string
	var pos []Pos
	for i, c := range n.Content {
		out = append(out, p.str(c, fmt.Sprintf("%s[%d]", path, i)))
		pos = append(pos, Pos{c.Line, c.Column})
	}
	return out, pos
}

func (p *seedParser) list(n *yaml.Node, path string, fn func(i int, c *yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, path, "want a list, got %s", kindName(n))
		return
	}
	for i, c := range n.Content {
		if p.err != nil {
			return
		}
		fn(i, c)
	}
}

// document reads a policy document given as a JSON string or as a mapping (converted to JSON,
// keeping key order).
func (p *seedParser) document(n *yaml.Node, path string) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return p.str(n, path)
	case yaml.MappingNode:
		var b bytes.Buffer
		p.toJSON(&b, n, path)
		return b.String()
	}
	p.fail(n, path, "want a JSON policy document (a string or a mapping), got %s", kindName(n))
	return ""
}

func (p *seedParser) toJSON(b *bytes.Buffer, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			p.toJSON(b, n.Content[i+1], path)
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			p.toJSON(b, c, path)
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			b.WriteString("null")
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				p.fail(n, path, "%v", err)
				return
			}
			j, _ := json.Marshal(v)
			b.Write(j)
		default:
			j, _ := json.Marshal(n.Value)
			b.Write(j)
		}
	default:
		p.fail(n, path, "aliases are not supported in policy documents")
	}
}

func (p *seedParser) seed(n *yaml.Node) *Seed {
	s := &Seed{}
	p.fields(n, "", []string{"account_id", "region", "policies", "users", "roles", "buckets"}, func(k string, v *yaml.Node) {
		switch k {
		case "account_id":
			s.AccountID = p.str(v, k)
			if !accountIDRE.MatchString(s.AccountID) {
				p.fail(v, k, "want the account uid, 1 to 32 digits, got %q", s.AccountID)
			}
		case "region":
			s.Region = p.str(v, k)
		case "policies":
			p.list(v, k, func(i int, c *yaml.Node) {
				s.Policies = append(s.Policies, p.seedPolicy(c, fmt.Sprintf("policies[%d]", i)))
			})
		case "users":
			p.list(v, k, func(i int, c *yaml.Node) { s.Users = append(s.Users, p.seedUser(c, fmt.Sprintf("users[%d]", i))) })
		case "roles":
			p.list(v, k, func(i int, c *yaml.Node) { s.Roles = append(s.Roles, p.seedRole(c, fmt.Sprintf("roles[%d]", i))) })
		case "buckets":
			p.list(v, k, func(i int, c *yaml.Node) {
				s.Buckets = append(s.Buckets, p.seedBucket(c, fmt.Sprintf("buckets[%d]", i)))
			})
		}
	})
	return s
}

func (p *seedParser) seedPolicy(c *yaml.Node, path string) SeedPolicy {
	sp := SeedPolicy{Pos: Pos{c.Line, c.Column}, Type: "Custom"}
	p.fields(c, path, []string{"name", "type", "description", "document"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			sp.Name = p.str(v, joinPath(path, k))
		case "type":
			sp.Type = p.str(v, joinPath(path, k))
			if sp.Type != "System" && sp.Type != "Custom" {
				p.fail(v, joinPath(path, k), `want "System" or "Custom", got %q`, sp.Type)
			}
		case "description":
			sp.Description = p.str(v, joinPath(path, k))
		case "document":
			sp.Document = p.document(v, joinPath(path, k))
			sp.DocPos = Pos{v.Line, v.Column}
		}
	})
	return sp
}

func (p *seedParser) seedUser(c *yaml.Node, path string) SeedUser {
	u := SeedUser{Pos: Pos{c.Line, c.Column}, Kind: "user"}
	p.fields(c, path, []string{"name", "kind", "policies", "access_key_id", "access_key_secret"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			u.Name = p.str(v, joinPath(path, k))
		case "kind":
			u.Kind = p.str(v, joinPath(path, k))
			if u.Kind != "root" && u.Kind != "user" {
				p.fail(v, joinPath(path, k), `want "root" or "user", got %q`, u.Kind)
			}
		case "policies":
			u.Policies, u.PolicyPos = p.strList(v, joinPath(path, k))
		case "access_key_id":
			u.AccessKeyID = p.str(v, joinPath(path, k))
			if !akRE.MatchString(u.AccessKeyID) || strings.HasPrefix(u.AccessKeyID, "STS.") {
				p.fail(v, joinPath(path, k), "want 8 to 64 letters, digits, '.', '_' or '-', not starting with \"STS.\"")
			}
		case "access_key_secret":
			u.AccessKeySecret = p.str(v, joinPath(path, k))
			if len(u.AccessKeySecret) < 8 || len(u.AccessKeySecret) > 128 {
				p.fail(v, joinPath(path, k), "want 8 to 128 characters")
			}
		}
	})
	if (u.AccessKeyID == "") != (u.AccessKeySecret == "") {
		p.fail(c, path, "give both access_key_id and access_key_secret, or neither (then they are generated)")
	}
	return u
}

func (p *seedParser) seedRole(c *yaml.Node, path string) SeedRole {
	r := SeedRole{Pos: Pos{c.Line, c.Column}, MaxSessionDuration: 3600}
	p.fields(c, path, []string{"name", "description", "max_session_duration", "trust_policy", "policies"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			r.Name = p.str(v, joinPath(path, k))
		case "description":
			r.Description = p.str(v, joinPath(path, k))
		case "max_session_duration":
			r.MaxPos = Pos{v.Line, v.Column}
			n, err := strconv.Atoi(p.str(v, joinPath(path, k)))
			if err != nil && p.err == nil {
				p.fail(v, joinPath(path, k), "want a whole number of seconds, got %q", v.Value)
			}
			r.MaxSessionDuration = n
		case "trust_policy":
			r.TrustPolicy = p.document(v, joinPath(path, k))
			r.TrustPos = Pos{v.Line, v.Column}
		case "policies":
			r.Policies, r.PolicyPos = p.strList(v, joinPath(path, k))
		}
	})
	return r
}

func (p *seedParser) seedBucket(c *yaml.Node, path string) SeedBucket {
	b := SeedBucket{Pos: Pos{c.Line, c.Column}}
	p.fields(c, path, []string{"name", "region", "policy"}, func(k string, v *yaml.Node) {
		switch k {
		case "name":
			b.Name = p.str(v, joinPath(path, k))
		case "region":
			b.Region = p.str(v, joinPath(path, k))
		case "policy":
			b.Policy = p.document(v, joinPath(path, k))
			b.PolPos = Pos{v.Line, v.Column}
		}
	})
	return b
}

var (
	accountIDRE  = regexp.MustCompile(`^[0-9]{1,32}$`)
	akRE         = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)
	regionRE     = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+$`)
	userNameRE   = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)
	roleNameRE   = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)
	policyNameRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,128}$`)
	bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
)

// check validates names, references and documents, section by section; it stops at the first
// failure (the parser keeps one error).
func (p *seedParser) check(s *Seed) {
	top := Pos{1, 1}
	if s.AccountID == "" {
		p.failAt(top, "account_id", "missing: the account uid is required")
	}
	if s.Region == "" {
		s.Region = "cn-hangzhou"
	} else if !regionRE.MatchString(s.Region) {
		p.failAt(top, "region", "want a region id such as cn-hangzhou, got %q", s.Region)
	}
	if pols, ok := p.checkPolicies(s); ok && p.checkUsers(s, pols) && p.checkRoles(s, pols) {
		p.checkBuckets(s)
	}
}

// checkPolicies checks the policy names and documents and returns the set of names (lower case).
func (p *seedParser) checkPolicies(s *Seed) (map[string]bool, bool) {
	pols := map[string]bool{}
	for i, sp := range s.Policies {
		path := fmt.Sprintf("policies[%d]", i)
		if !policyNameRE.MatchString(sp.Name) {
			p.failAt(sp.Pos, path+".name", "want 1 to 128 letters, digits or '-', got %q", sp.Name)
			return pols, false
		}
		if pols[strings.ToLower(sp.Name)] {
			p.failAt(sp.Pos, path+".name", "policy %q is defined twice", sp.Name)
			return pols, false
		}
		pols[strings.ToLower(sp.Name)] = true
		if sp.Document == "" {
			p.failAt(sp.Pos, path+".document", "missing: policy %q needs a document", sp.Name)
			return pols, false
		}
		p.policyDoc(sp.Name, sp.Document, policy.KindIdentity, sp.DocPos, path+".document")
	}
	return pols, true
}

// checkRefs checks that attached policies exist and are attached once.
func (p *seedParser) checkRefs(pols map[string]bool, names []string, pos []Pos, path string) {
	seen := map[string]bool{}
	for j, n := range names {
		if !pols[strings.ToLower(n)] {
			p.failAt(pos[j], fmt.Sprintf("%s[%d]", path, j), "no policy named %q in policies", n)
			return
		}
		if seen[strings.ToLower(n)] {
			p.failAt(pos[j], fmt.Sprintf("%s[%d]", path, j), "policy %q is attached twice", n)
			return
		}
		seen[strings.ToLower(n)] = true
	}
}

func (p *seedParser) checkUsers(s *Seed, pols map[string]bool) bool {
	users, aks, roots := map[string]bool{}, map[string]bool{}, 0
	for i, u := range s.Users {
		path := fmt.Sprintf("users[%d]", i)
		if !userNameRE.MatchString(u.Name) {
			p.failAt(u.Pos, path+".name", "want 1 to 64 letters, digits, '.', '_', '@' or '-', got %q", u.Name)
			return false
		}
		if users[strings.ToLower(u.Name)] {
			p.failAt(u.Pos, path+".name", "user %q is defined twice", u.Name)
			return false
		}
		users[strings.ToLower(u.Name)] = true
		if u.AccessKeyID != "" {
			if aks[u.AccessKeyID] {
				p.failAt(u.Pos, path+".access_key_id", "access key id %q is used twice", u.AccessKeyID)
				return false
			}
			aks[u.AccessKeyID] = true
		}
		if u.Kind == "root" {
			roots++
			if roots > 1 {
				p.failAt(u.Pos, path+".kind", "only one user may be the account root")
				return false
			}
			if len(u.Policies) > 0 {
				p.failAt(u.Pos, path+".policies", "the account root has every permission; it takes no policies")
				return false
			}
		}
		p.checkRefs(pols, u.Policies, u.PolicyPos, path+".policies")
	}
	return true
}

func (p *seedParser) checkRoles(s *Seed, pols map[string]bool) bool {
	roles := map[string]bool{}
	for i, r := range s.Roles {
		path := fmt.Sprintf("roles[%d]", i)
		if !roleNameRE.MatchString(r.Name) {
			p.failAt(r.Pos, path+".name", "want 1 to 64 letters, digits, '.' or '-', got %q", r.Name)
			return false
		}
		if roles[strings.ToLower(r.Name)] {
			p.failAt(r.Pos, path+".name", "role %q is defined twice (role names are case-insensitive)", r.Name)
			return false
		}
		roles[strings.ToLower(r.Name)] = true
		if r.MaxSessionDuration < 3600 || r.MaxSessionDuration > 43200 {
			pos := r.MaxPos
			if pos.Line == 0 {
				pos = r.Pos
			}
			p.failAt(pos, path+".max_session_duration", "want 3600 to 43200 seconds, got %d", r.MaxSessionDuration)
			return false
		}
		if r.TrustPolicy != "" {
			p.policyDoc(r.Name+" trust policy", r.TrustPolicy, policy.KindTrust, r.TrustPos, path+".trust_policy")
		}
		p.checkRefs(pols, r.Policies, r.PolicyPos, path+".policies")
	}
	return true
}

func (p *seedParser) checkBuckets(s *Seed) bool {
	buckets := map[string]bool{}
	for i, b := range s.Buckets {
		path := fmt.Sprintf("buckets[%d]", i)
		if !bucketNameRE.MatchString(b.Name) {
			p.failAt(b.Pos, path+".name", "want 3 to 63 lower-case letters, digits or '-', got %q", b.Name)
			return false
		}
		if buckets[b.Name] {
			p.failAt(b.Pos, path+".name", "bucket %q is defined twice", b.Name)
			return false
		}
		buckets[b.Name] = true
		if b.Region == "" {
			s.Buckets[i].Region = s.Region
		} else if !regionRE.MatchString(b.Region) {
			p.failAt(b.Pos, path+".region", "want a region id such as cn-beijing, got %q", b.Region)
			return false
		}
		if b.Policy != "" {
			p.policyDoc(b.Name+" bucket policy", b.Policy, policy.KindBucket, b.PolPos, path+".policy")
		}
	}
	return true
}

// policyDoc validates a document; errors point at the document in the seed and at the line and
// column inside the document.
func (p *seedParser) policyDoc(name, doc string, kind policy.Kind, pos Pos, path string) {
	if p.err != nil {
		return
	}
	_, fs := policy.Validate(name, []byte(doc), kind)
	for _, f := range fs {
		if f.Severity != policy.SeverityError {
			continue
		}
		where := ""
		if f.Line > 0 {
			where = fmt.Sprintf(" (document line %d, col %d)", f.Line, f.Col)
		}
		fp := path
		if f.Path != "" {
			fp += ": " + f.Path
		}
		p.failAt(pos, fp, "invalid %s policy%s: %s", kind, where, f.Message)
		return
	}
}

// Account is the part of the seed the OSS half serves too.
func (s *Seed) Account() model.SandboxAccount {
	a := model.SandboxAccount{ID: s.AccountID, Region: s.Region}
	for _, b := range s.Buckets {
		a.Buckets = append(a.Buckets, model.SandboxAccountBucket{Name: b.Name, Region: b.Region, Policy: b.Policy})
	}
	return a
}

// LoadSeed reads and parses a seed file; "" is the built-in account. A file that cannot be
// read or parsed gives an *InputError (the operator's input is at fault).
func LoadSeed(file string) (*Seed, error) {
	if file == "" {
		seed, err := ParseSeed("built-in seed", DefaultSeed)
		if err != nil {
			return nil, fmt.Errorf("sandbox: built-in seed: %w", err)
		}
		return seed, nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, &InputError{fmt.Errorf("sandbox: seed: %w", err)}
	}
	seed, err := ParseSeed(file, src)
	if err != nil {
		return nil, &InputError{fmt.Errorf("sandbox: bad seed: %w", err)}
	}
	return seed, nil
}

// InputError is a failure caused by what the operator gave (a seed file that cannot be read or
// parsed): commands exit 2 for it, as for any bad input. Its BadInput method says so without
// the caller importing this package.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// BadInput reports that the error is the input's fault.
func (e *InputError) BadInput() bool { return true }
