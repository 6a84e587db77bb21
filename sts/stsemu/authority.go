package stsemu

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/atomicfile"
	"github.com/stsdeck/stsdeck/model/policy"
)

// Authority is the sandbox account: users and their keys, roles, policies, and the token sealer.
// It answers the OSS half's Credential questions and decides AssumeRole and the RAM reads.
// Everything but the session-policy cache is immutable after construction.
type Authority struct {
	accountID string
	region    string
	created   time.Time

	users    []*User
	byName   map[string]*User // lower-case name
	byAK     map[string]*User
	roles    []*Role
	roleByLC map[string]*Role
	policies []*Policy
	polByKey map[string]*Policy // type + "/" + lower-case name
	polByLC  map[string]*Policy // lower-case name
	buckets  []SeedBucket

	sealer    *Sealer
	authClock model.Clock
	rootAll   *policy.Policy // the account root's implicit full access

	sessMu    sync.Mutex
	sessCache map[string]*policy.Policy // session policy source → compiled
}

// User is a RAM user or the account root.
type User struct {
	Name            string
	Kind            string // "root" or "user"
	ID              string // user uid (the account uid for root)
	AccessKeyID     string
	AccessKeySecret string
	Policies        []*Policy
	CreateDate      time.Time
}

// ARN is acs:ram::<uid>:root or acs:ram::<uid>:user/<name>.
func (a *Authority) userARN(u *User) string {
	if u.Kind == "root" {
		return "acs:ram::" + a.accountID + ":root"
	}
	return "acs:ram::" + a.accountID + ":user/" + u.Name
}

// Role is a RAM role.
type Role struct {
	Name               string
	ID                 string
	Description        string
	MaxSessionDuration int // seconds
	TrustDocument      string
	Trust              *policy.Policy
	Policies           []*Policy
	CreateDate         time.Time
}

// Policy is a seeded system or custom policy.
type Policy struct {
	Name        string
	Type        string // "System" or "Custom"
	Description string
	Document    string
	Compiled    *policy.Policy
	CreateDate  time.Time
}

// UserInfo, RoleInfo and BucketInfo describe the account for the ready file.
type UserInfo struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
}

// RoleInfo describes a role for the ready file.
type RoleInfo struct {
	Name               string `json:"name"`
	ARN                string `json:"arn"`
	MaxSessionDuration int    `json:"max_session_duration"`
}

const keysFile = "keys.json"

type keyFile struct {
	Created time.Time               `json:"created"`
	Users   map[string]keyFileEntry `json:"users"`
}

type keyFileEntry struct {
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
}

// NewAuthority builds the account from a checked seed. Keys the seed leaves out are read from
// dir/keys.json or generated there (0600); the sealer key is dir/token.key.
func NewAuthority(dir string, seed *Seed, authClock model.Clock) (*Authority, error) {
	if authClock == nil {
		authClock = model.WallClock
	}
	sealer, err := LoadOrCreateSealer(dir)
	if err != nil {
		return nil, err
	}
	kf, err := loadKeys(dir, seed)
	if err != nil {
		return nil, err
	}
	a := &Authority{
		accountID: seed.AccountID,
		region:    seed.Region,
		created:   kf.Created.UTC().Truncate(time.Second),
		byName:    map[string]*User{},
		byAK:      map[string]*User{},
		roleByLC:  map[string]*Role{},
		polByKey:  map[string]*Policy{},
		polByLC:   map[string]*Policy{},
		buckets:   append([]SeedBucket(nil), seed.Buckets...),
		sealer:    sealer,
		authClock: authClock,
		sessCache: map[string]*policy.Policy{},
	}
	for _, sp := range seed.Policies {
		c, err := policy.Parse(sp.Name, []byte(sp.Document), policy.KindIdentity)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", sp.Name, err)
		}
		p := &Policy{Name: sp.Name, Type: sp.Type, Description: sp.Description, Document: sp.Document, Compiled: c, CreateDate: a.created}
		a.policies = append(a.policies, p)
		a.polByKey[sp.Type+"/"+strings.ToLower(sp.Name)] = p
		a.polByLC[strings.ToLower(sp.Name)] = p
	}
	attach := func(names []string) []*Policy {
		var out []*Policy
		for _, n := range names {
			out = append(out, a.polByLC[strings.ToLower(n)])
		}
		return out
	}
	for _, su := range seed.Users {
		k := kf.Users[su.Name]
		u := &User{Name: su.Name, Kind: su.Kind, AccessKeyID: k.AccessKeyID, AccessKeySecret: k.AccessKeySecret,
			Policies: attach(su.Policies), CreateDate: a.created}
		if su.AccessKeyID != "" {
			u.AccessKeyID, u.AccessKeySecret = su.AccessKeyID, su.AccessKeySecret
		}
		if u.Kind == "root" {
			u.ID = a.accountID
		} else {
			u.ID = numericID(a.accountID+"/user/"+strings.ToLower(u.Name), 16)
		}
		if _, dup := a.byAK[u.AccessKeyID]; dup {
			return nil, fmt.Errorf("user %s: access key id %s is used twice", u.Name, u.AccessKeyID)
		}
		a.users = append(a.users, u)
		a.byName[strings.ToLower(u.Name)] = u
		a.byAK[u.AccessKeyID] = u
	}
	for _, sr := range seed.Roles {
		doc := sr.TrustPolicy
		if doc == "" {
			doc = `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::` + a.accountID + `:root"]}}],"Version":"1"}`
		}
		tp, err := policy.Parse(sr.Name+" trust policy", []byte(doc), policy.KindTrust)
		if err != nil {
			return nil, fmt.Errorf("role %s trust policy: %w", sr.Name, err)
		}
		r := &Role{Name: sr.Name, ID: numericID(a.accountID+"/role/"+strings.ToLower(sr.Name), 18), Description: sr.Description,
			MaxSessionDuration: sr.MaxSessionDuration, TrustDocument: doc, Trust: tp, Policies: attach(sr.Policies), CreateDate: a.created}
		a.roles = append(a.roles, r)
		a.roleByLC[strings.ToLower(r.Name)] = r
	}
	root, err := policy.Parse("(account root)", []byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.KindIdentity)
	if err != nil {
		return nil, err
	}
	a.rootAll = root
	return a, nil
}

// numericID derives a stable decimal id of n digits (first digit non-zero) from s.
func numericID(s string, n int) string {
	h := sha256.Sum256([]byte(s))
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		v := binary.BigEndian.Uint64(h[(i*8)%32:]) >> (i / 4)
		ds := strconv.FormatUint(v, 10)
		b.WriteString(ds)
	}
	out := []byte(b.String()[:n])
	if out[0] == '0' {
		out[0] = '1'
	}
	return string(out)
}

func loadKeys(dir string, seed *Seed) (*keyFile, error) {
	p := filepath.Join(dir, keysFile)
	kf := &keyFile{}
	raw, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kf.Created = time.Now().UTC()
	case err != nil:
		return nil, fmt.Errorf("sandbox keys: %w", err)
	default:
		if err := json.Unmarshal(raw, kf); err != nil {
			return nil, fmt.Errorf("sandbox keys %s: %w (delete the file to generate new keys)", p, err)
		}
	}
	if kf.Users == nil {
		kf.Users = map[string]keyFileEntry{}
	}
	changed := err != nil
	for _, u := range seed.Users {
		if u.AccessKeyID != "" {
			continue
		}
		if e, ok := kf.Users[u.Name]; ok && e.AccessKeyID != "" && e.AccessKeySecret != "" {
			continue
		}
		kf.Users[u.Name] = keyFileEntry{AccessKeyID: "LTAI5t" + randomID(18), AccessKeySecret: randomID(30)}
		changed = true
	}
	if changed {
		out, _ := json.MarshalIndent(kf, "", "  ")
		if err := atomicfile.Write(p, append(out, '\n'), 0o600); err != nil {
			return nil, fmt.Errorf("sandbox keys: %w", err)
		}
	}
	return kf, nil
}

// AccountID is the account uid.
func (a *Authority) AccountID() string { return a.accountID }

// Region is the home region.
func (a *Authority) Region() string { return a.region }

// Users lists every user with its keys (sandbox keys are fake).
func (a *Authority) Users() []UserInfo {
	out := make([]UserInfo, 0, len(a.users))
	for _, u := range a.users {
		out = append(out, UserInfo{Name: u.Name, Kind: u.Kind, AccessKeyID: u.AccessKeyID, AccessKeySecret: u.AccessKeySecret})
	}
	return out
}

// Roles lists every role.
func (a *Authority) Roles() []RoleInfo {
	out := make([]RoleInfo, 0, len(a.roles))
	for _, r := range a.roles {
		out = append(out, RoleInfo{Name: r.Name, ARN: a.roleARN(r), MaxSessionDuration: r.MaxSessionDuration})
	}
	return out
}

// Buckets lists the seeded buckets.
func (a *Authority) Buckets() []SeedBucket { return append([]SeedBucket(nil), a.buckets...) }

// User returns a user by name (case-insensitive).
func (a *Authority) User(name string) (*User, bool) {
	u, ok := a.byName[strings.ToLower(name)]
	return u, ok
}

// Role returns a role by name (case-insensitive).
func (a *Authority) Role(name string) (*Role, bool) {
	r, ok := a.roleByLC[strings.ToLower(name)]
	return r, ok
}

// roleARN is the role's ARN with the name lowercased, as the cloud emits it.
func (a *Authority) roleARN(r *Role) string {
	return "acs:ram::" + a.accountID + ":role/" + strings.ToLower(r.Name)
}

// Sealer returns the token sealer.
func (a *Authority) Sealer() *Sealer { return a.sealer }

// caller is a resolved, authenticated identity.
type caller struct {
	AccessKeyID string
	Secret      string
	User        *User        // nil for role sessions
	Claims      *TokenClaims // nil for long-lived keys
	Role        *Role        // for role sessions
	Principal   policy.Principal
	ARN         string
	Identity    []*policy.Policy
	Session     *policy.Policy
}

func (c *caller) isRoot() bool { return c.User != nil && c.User.Kind == "root" }

// resolve maps an access key id and security token to a caller; errors are the model sentinels.
func (a *Authority) resolve(accessKeyID, securityToken string) (*caller, error) {
	if strings.HasPrefix(accessKeyID, "STS.") {
		if securityToken == "" {
			return nil, model.ErrTokenMissing
		}
		cl, err := a.sealer.Open(securityToken)
		if err != nil {
			return nil, model.ErrTokenInvalid
		}
		if cl.AccessKeyID != accessKeyID {
			return nil, model.ErrTokenMismatch
		}
		r, ok := a.Role(cl.RoleName)
		if !ok || cl.AccountID != a.accountID {
			return nil, model.ErrTokenInvalid // the role is gone from the seed
		}
		if !a.authClock.Now().Before(cl.Expires()) {
			return nil, model.ErrTokenExpired
		}
		var sess *policy.Policy
		if cl.Policy != "" {
			sess, err = a.sessionPolicy(cl.Policy)
			if err != nil {
				return nil, model.ErrTokenInvalid
			}
		}
		c := &caller{AccessKeyID: accessKeyID, Secret: cl.AccessKeySecret, Claims: cl, Role: r,
			Principal: policy.Principal{AccountID: a.accountID, Type: "role", Name: r.Name, ID: r.ID, SessionName: cl.SessionName},
			ARN:       a.roleARN(r) + "/" + cl.SessionName,
			Session:   sess,
		}
		c.Identity = compiled(r.Policies)
		return c, nil
	}
	u, ok := a.byAK[accessKeyID]
	if !ok || accessKeyID == "" {
		return nil, model.ErrUnknownAccessKey
	}
	c := &caller{AccessKeyID: accessKeyID, Secret: u.AccessKeySecret, User: u, ARN: a.userARN(u)}
	if u.Kind == "root" {
		c.Principal = policy.Principal{AccountID: a.accountID, Type: "root", ID: a.accountID}
		c.Identity = []*policy.Policy{a.rootAll}
	} else {
		c.Principal = policy.Principal{AccountID: a.accountID, Type: "user", Name: u.Name, ID: u.ID}
		c.Identity = compiled(u.Policies)
	}
	return c, nil
}

func compiled(ps []*Policy) []*policy.Policy {
	out := make([]*policy.Policy, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Compiled)
	}
	return out
}

const sessCacheMax = 1024

// sessionPolicy compiles a session policy once (bounded cache).
func (a *Authority) sessionPolicy(src string) (*policy.Policy, error) {
	a.sessMu.Lock()
	p, ok := a.sessCache[src]
	a.sessMu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse("session policy", []byte(src), policy.KindSession)
	if err != nil {
		return nil, err
	}
	a.sessMu.Lock()
	if len(a.sessCache) >= sessCacheMax {
		clear(a.sessCache)
	}
	a.sessCache[src] = p
	a.sessMu.Unlock()
	return p, nil
}

// Credential implements the OSS half's Authenticator: who an access key is, the secret to check
// its signature with, and the policies that apply. Errors are model.ErrUnknownAccessKey,
// ErrTokenMissing, ErrTokenInvalid, ErrTokenMismatch or ErrTokenExpired (checked in that order
// of precedence: a token that does not open is invalid before it can mismatch or expire).
func (a *Authority) Credential(ctx context.Context, accessKeyID, securityToken string) (*model.SandboxCredential, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := a.resolve(accessKeyID, securityToken)
	if err != nil {
		return nil, err
	}
	sc := &model.SandboxCredential{
		AccessKeyID: c.AccessKeyID,
		Secret:      c.Secret,
		Principal:   c.Principal,
		ARN:         c.ARN,
		Identity:    c.Identity,
		Session:     c.Session,
	}
	switch {
	case c.Claims != nil:
		sc.DisplayName = c.Claims.RoleName + "/" + c.Claims.SessionName
		sc.Expiration = c.Claims.Expires()
	case c.isRoot():
		sc.DisplayName = a.accountID
	default:
		sc.DisplayName = c.User.Name
	}
	return sc, nil
}

// sortedRoles returns roles in listing order (seed order).
func (a *Authority) sortedRoles() []*Role { return a.roles }

// policyFor finds a policy by type and name.
func (a *Authority) policyFor(typ, name string) (*Policy, bool) {
	p, ok := a.polByKey[typ+"/"+strings.ToLower(name)]
	return p, ok
}
