package ossemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// Authenticator resolves credentials; the STS sandbox's authority satisfies it.
type Authenticator interface {
	Credential(ctx context.Context, accessKeyID, securityToken string) (*model.SandboxCredential, error)
}

// DiagnosticSealer seals a denial's diagnostic message into the opaque
// EncodedDiagnosticMessage of AccessDeniedDetail, which RAM's DecodeDiagnosticMessage opens;
// the STS sandbox's authority satisfies it (main.go wires it). "" = none.
type DiagnosticSealer interface {
	SealDiagnostic(m model.DiagnosticMessage) string
}

// Bucket is a seeded bucket.
type Bucket struct{ Name, Region, Policy string } // Policy: initial bucket policy JSON, "" = none

// Config configures a Server.
type Config struct {
	DataDir   string // where objects, uploads and stored bucket policies live (when Store is nil)
	AccountID string // bucket owner uid
	Buckets   []Bucket
	Auth      Authenticator
	// Diagnostics seals the EncodedDiagnosticMessage of denials; nil = denials carry none.
	Diagnostics DiagnosticSealer
	WallClock   model.Clock // signatures, skew, presigned Expires, Date
	AuthClock   model.Clock // token expiry is the authority's business; acs:CurrentTime comes from this
	TLS         bool

	// Store, when set, holds the objects, uploads and stored bucket policies of the seeded
	// buckets instead of the disk store in DataDir; the Server closes it.
	Store Store
	// Disk configures the disk store New opens in DataDir when Store is nil (tests set its
	// fault hooks); its Clock defaults to WallClock.
	Disk DiskOptions

	// Journal receives every authorization decision (the sandbox's decision journal); nil = none.
	Journal DecisionJournal
}

// Server is the sandbox OSS service. One Server serves every seeded region; Handler gives the
// handler of one region's listener.
type Server struct {
	cfg     Config
	store   Store
	buckets map[string]*bucketState
	names   []string // sorted bucket names
	regions []string
	traces  *traceRing
	idPfx   string
	seq     atomic.Uint64
	created time.Time
}

type bucketState struct {
	name, region string
	mu           sync.RWMutex
	policySrc    string
	policy       *policy.Policy
}

func (b *bucketState) bucketPolicy() (*policy.Policy, string) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.policy, b.policySrc
}

var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
var regionRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)

// New opens the data dir (recovering from any crash), unless Config.Store is set, and returns
// the server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil && cfg.DataDir == "" {
		return nil, errors.New("ossemu: Config.DataDir is empty")
	}
	if cfg.AccountID == "" {
		return nil, errors.New("ossemu: Config.AccountID is empty")
	}
	if cfg.Auth == nil {
		return nil, errors.New("ossemu: Config.Auth is nil")
	}
	if cfg.WallClock == nil {
		cfg.WallClock = model.WallClock
	}
	if cfg.AuthClock == nil {
		cfg.AuthClock = cfg.WallClock
	}
	s := &Server{cfg: cfg, buckets: map[string]*bucketState{}, traces: newTraceRing(2048), created: cfg.WallClock.Now().UTC().Truncate(time.Second)}
	var pfx [4]byte
	rand.Read(pfx[:])
	s.idPfx = strings.ToUpper(hex.EncodeToString(pfx[:]))
	regions := map[string]bool{}
	for i, b := range cfg.Buckets {
		if !bucketNameRE.MatchString(b.Name) {
			return nil, fmt.Errorf("ossemu: Buckets[%d]: invalid bucket name %q (3-63 of a-z, 0-9, '-', not starting or ending with '-')", i, b.Name)
		}
		if !regionRE.MatchString(b.Region) {
			return nil, fmt.Errorf("ossemu: Buckets[%d] (%s): invalid region %q", i, b.Name, b.Region)
		}
		if _, dup := s.buckets[b.Name]; dup {
			return nil, fmt.Errorf("ossemu: Buckets[%d]: bucket %q is seeded twice", i, b.Name)
		}
		s.buckets[b.Name] = &bucketState{name: b.Name, region: b.Region}
		s.names = append(s.names, b.Name)
		regions[b.Region] = true
	}
	sort.Strings(s.names)
	for r := range regions {
		s.regions = append(s.regions, r)
	}
	sort.Strings(s.regions)
	st := cfg.Store
	if st == nil {
		opts := cfg.Disk
		if opts.Clock == nil {
			opts.Clock = func() time.Time { return cfg.WallClock.Now() }
		}
		ds, err := OpenDiskStore(cfg.DataDir, s.names, opts)
		if err != nil {
			return nil, err
		}
		st = ds
	}
	s.store = st
	ctx := context.Background()
	for i, b := range cfg.Buckets {
		src, stored, err := st.BucketPolicy(ctx, b.Name)
		if err != nil {
			return nil, err
		}
		where := fmt.Sprintf("Buckets[%d] (%s) policy", i, b.Name)
		if !stored {
			src = b.Policy
		} else {
			where = "stored policy of bucket " + b.Name
		}
		if strings.TrimSpace(src) == "" {
			continue
		}
		p, findings := policy.Validate(b.Name, []byte(src), policy.KindBucket)
		if p == nil {
			return nil, fmt.Errorf("ossemu: %s: %s", where, describeFindings(findings))
		}
		bs := s.buckets[b.Name]
		bs.policy, bs.policySrc = p, src
	}
	return s, nil
}

func describeFindings(fs []policy.Finding) string {
	var parts []string
	for _, f := range fs {
		if f.Severity != policy.SeverityError {
			continue
		}
		loc := ""
		if f.Line > 0 {
			loc = fmt.Sprintf("line %d, col %d: ", f.Line, f.Col)
		}
		if f.Path != "" {
			loc += f.Path + ": "
		}
		parts = append(parts, loc+f.Message)
	}
	if len(parts) == 0 {
		return "invalid policy"
	}
	return strings.Join(parts, "; ")
}

// Regions returns the seeded regions, sorted.
func (s *Server) Regions() []string { return append([]string(nil), s.regions...) }

// Close releases the store.
func (s *Server) Close() error { return s.store.Close() }

// Handler returns the handler of region's listener. It also serves GET /-/trace/<RequestId>.
func (s *Server) Handler(region string) http.Handler {
	return &regionHandler{s: s, region: region}
}

type regionHandler struct {
	s      *Server
	region string
}

func (s *Server) newRequestID() string {
	return fmt.Sprintf("%s%016X", s.idPfx, s.seq.Add(1))
}

// call is one request in flight.
type call struct {
	s      *Server
	w      *statusWriter
	r      *http.Request
	region string
	id     string
	bucket string
	key    string
	hasKey bool
	query  url.Values
	bs     *bucketState
	cred   *model.SandboxCredential // nil = anonymous
	auth   *Auth
	trace  model.Trace
	hostID string
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps sendfile/splice available for object bodies.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = 200
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
}

// pathStyleHost reports whether host (port stripped) means path-style addressing: an IP
// literal, localhost, or oss-<region>[-internal].aliyuncs.com.
var endpointHostRE = regexp.MustCompile(`^oss-[a-z0-9-]+\.aliyuncs\.com$`)

func pathStyleHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	h = strings.TrimPrefix(strings.TrimSuffix(h, "]"), "[")
	if h == "" || h == "localhost" || net.ParseIP(h) != nil {
		return true
	}
	return endpointHostRE.MatchString(h)
}

// ParseAddress returns the bucket and object key a request addresses. Virtual-hosted iff the
// host (port stripped) is not an IP literal, not localhost and not oss-<region>[-internal].aliyuncs.com:
// then the bucket is the label before the first dot and the key is the whole path. Otherwise
// path style: /<bucket>/<key>. escapedPath is the path as sent; the key is returned decoded.
func ParseAddress(host, escapedPath string) (bucket, key string, err error) {
	raw, err := url.PathUnescape(escapedPath)
	if err != nil {
		return "", "", err
	}
	if pathStyleHost(host) {
		b, k, _ := strings.Cut(strings.TrimPrefix(raw, "/"), "/")
		return b, k, nil
	}
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	b, _, _ := strings.Cut(host, ".")
	return strings.ToLower(b), strings.TrimPrefix(raw, "/"), nil
}

func (h *regionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.s
	c := &call{s: s, w: &statusWriter{ResponseWriter: w}, r: r, region: h.region, id: s.newRequestID()}
	now := s.cfg.WallClock.Now()
	hdr := w.Header()
	hdr.Set("x-oss-request-id", c.id)
	hdr.Set("Server", "AliyunOSS")
	hdr.Set("Date", now.UTC().Format(http.TimeFormat))
	c.trace = model.Trace{RequestID: c.id, Time: now.UTC(), Service: "oss"}

	path := r.URL.EscapedPath()
	pathStyle := pathStyleHost(r.Host)
	if pathStyle && strings.HasPrefix(path, "/-/trace/") && r.Method == http.MethodGet {
		s.serveTrace(w, strings.TrimPrefix(path, "/-/trace/"))
		return
	}
	c.hostID = "oss-" + h.region + ".aliyuncs.com"
	var err error
	c.bucket, c.key, err = ParseAddress(r.Host, path)
	if err != nil {
		s.finish(c, apiErr("InvalidURI", "Couldn't parse the specified URI.").check("route", "bad percent-encoding in the path"))
		return
	}
	c.hasKey = c.key != ""
	if c.bucket != "" {
		c.hostID = c.bucket + "." + c.hostID
	}
	c.query = r.URL.Query()
	op := route(c)
	c.trace.Operation = op.name
	if e := s.serve(c, op); e != nil {
		s.finish(c, e)
		return
	}
	s.finish(c, nil)
}

// finish writes e (if any) and records the trace.
func (s *Server) finish(c *call, e *ossError) {
	if e != nil {
		if c.w.status == 0 {
			writeError(c.w, c.r, e, c.id, c.hostID)
		}
		c.trace.Code, c.trace.EC = e.Code, e.EC
		if c.trace.Check == "" {
			c.trace.Check = e.Check
		}
		if c.trace.Detail == "" {
			c.trace.Detail = e.Why
		}
		if c.trace.Detail == "" {
			c.trace.Detail = e.Message
		}
	}
	c.trace.Status = c.w.status
	if c.trace.Status == 0 {
		c.trace.Status = http.StatusOK
	}
	s.traces.add(c.trace)
}

func (s *Server) serve(c *call, op opSpec) *ossError {
	if op.run == nil {
		return apiErr("OperationNotSupported", "").check("route", "operation not supported by the sandbox: "+c.r.Method+" "+c.r.URL.Path)
	}
	if c.bucket != "" {
		if !bucketNameRE.MatchString(c.bucket) {
			return apiErr("InvalidBucketName", "", field{"BucketName", c.bucket}).check("route", "invalid bucket name")
		}
		bs := s.buckets[c.bucket]
		if bs == nil {
			return apiErr("NoSuchBucket", "", field{"BucketName", c.bucket}).check("bucket", "no bucket "+c.bucket+" in the sandbox")
		}
		c.bs = bs
		if bs.region != c.region && op.name != "GetBucketLocation" {
			ep := "oss-" + bs.region + ".aliyuncs.com"
			return apiErr("AccessDenied", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
				field{"Bucket", c.bucket}, field{"Endpoint", ep}).withEC("0003-00001403"). // EC picked
				check("endpoint", "bucket "+c.bucket+" lives in "+bs.region+", request came to the "+c.region+" listener")
		}
	}
	if c.hasKey {
		if e := validKey(c.key); e != nil {
			return e
		}
	}
	if e := s.authenticate(c); e != nil {
		return e
	}
	if op.action != "" {
		var extra map[string][]string
		if op.list {
			extra = map[string][]string{policy.KeyPrefix: {c.query.Get("prefix")}}
			if c.query.Has("delimiter") {
				extra[policy.KeyDelimiter] = []string{c.query.Get("delimiter")}
			}
		}
		if e := s.authorize(c, op.action, c.key, op.level == levelObject, extra); e != nil {
			return e
		}
	}
	return op.run(s, c)
}

func validKey(k string) *ossError {
	switch {
	case len(k) > 1023:
		return apiErr("InvalidObjectName", "The length of the object name must be less than 1024 bytes.").check("route", "object key longer than 1023 bytes")
	case strings.HasPrefix(k, "/") || strings.HasPrefix(k, `\`):
		return apiErr("InvalidObjectName", "The object name must not start with '/' or '\\'.").check("route", "object key starts with a slash")
	case !utf8.ValidString(k):
		return apiErr("InvalidObjectName", "The object name must be valid UTF-8.").check("route", "object key is not UTF-8")
	}
	return nil
}

// sigRequest builds the verifier's view of c.
func (c *call) sigRequest() *SigRequest {
	return &SigRequest{Method: c.r.Method, Bucket: c.bucket, Key: c.key, RawQuery: c.r.URL.RawQuery, Header: c.r.Header, Host: c.r.Host}
}

func (s *Server) authenticate(c *call) *ossError {
	sr := c.sigRequest()
	a, e := ParseAuth(sr)
	if e != nil {
		return e
	}
	c.auth = a
	if a.Kind == AuthAnonymous {
		c.trace.Caller = "anonymous"
		return nil
	}
	if e := CheckTime(a, s.cfg.WallClock.Now()); e != nil {
		return e
	}
	cred, err := s.cfg.Auth.Credential(c.r.Context(), a.AccessKeyID, a.SecurityToken)
	if err != nil {
		return credError(err, a.AccessKeyID)
	}
	if e := VerifySignature(sr, a, cred.Secret, c.region); e != nil {
		return e
	}
	c.cred = cred
	c.trace.Caller = cred.ARN
	if c.trace.Caller == "" {
		c.trace.Caller = cred.AccessKeyID
	}
	return nil
}

func credError(err error, ak string) *ossError {
	switch {
	case errors.Is(err, model.ErrUnknownAccessKey):
		return apiErr("InvalidAccessKeyId", "", field{"OSSAccessKeyId", ak}).check("token", "access key id "+ak+" is not known to the sandbox")
	case errors.Is(err, model.ErrTokenExpired):
		return apiErr("SecurityTokenExpired", "").check("token", "the security token has expired (authorization clock)")
	case errors.Is(err, model.ErrTokenMismatch):
		return apiErr("AccessKeyIdAndSecurityTokenNotMatch", "").check("token", "the security token was issued for another access key id")
	case errors.Is(err, model.ErrTokenMissing):
		return apiErr("InvalidSecurityToken", "").check("token", "an STS access key id needs a security token")
	case errors.Is(err, model.ErrTokenInvalid):
		return apiErr("InvalidSecurityToken", "").check("token", "the security token is forged, truncated or unreadable")
	}
	return apiErr("InternalError", "").check("token", "authority failed: "+err.Error())
}

// resourceARN is acs:oss:<region>:<owner>:<bucket>[/<key>]; service level: acs:oss:*:<owner>:*.
func (s *Server) resourceARN(bs *bucketState, key string, object bool) string {
	if bs == nil {
		return "acs:oss:*:" + s.cfg.AccountID + ":*"
	}
	arn := "acs:oss:" + bs.region + ":" + s.cfg.AccountID + ":" + bs.name
	if object {
		arn += "/" + key
	}
	return arn
}

func (c *call) sourceIP() string {
	h, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		return c.r.RemoteAddr
	}
	return h
}

// authorize asks the engine whether the caller may do action on key (object) or the bucket,
// per protocol.md §3.3/§3.5, and answers OSS's denial when not.
func (s *Server) authorize(c *call, action, key string, object bool, extra map[string][]string) *ossError {
	return s.authorizeOn(c, c.bs, action, key, object, extra)
}

// authorizeOn is authorize on another bucket than the request's (CopyObject's source).
func (s *Server) authorizeOn(c *call, bs *bucketState, action, key string, object bool, extra map[string][]string) *ossError {
	resource := s.resourceARN(bs, key, object)
	c.trace.Action, c.trace.Resource = action, resource
	secure := "false"
	if s.cfg.TLS || c.r.TLS != nil {
		secure = "true"
	}
	ctx := map[string][]string{
		policy.KeySourceIP:        {c.sourceIP()},
		policy.KeyCurrentTime:     {s.cfg.AuthClock.Now().UTC().Format("2006-01-02T15:04:05Z")},
		policy.KeySecureTransport: {secure},
	}
	if ua := c.r.Header.Get("User-Agent"); ua != "" {
		ctx[policy.KeyUserAgent] = []string{ua}
	}
	for k, v := range extra {
		ctx[k] = v
	}
	var bp *policy.Policy
	if bs != nil {
		bp, _ = bs.bucketPolicy()
	}
	req := &policy.Request{Action: action, Resource: resource, Context: ctx}
	cred := c.cred
	if cred != nil && cred.Principal.Type == "root" && cred.Principal.AccountID == s.cfg.AccountID {
		// The bucket owner's root key: ownership grants everything (protocol.md §3.3 INFERENCE).
		c.trace.Decision, c.trace.DecidedBy = string(policy.DecisionAllow), "owner"
		s.journalDecision(c, req, nil)
		return nil
	}
	var layers policy.Layers
	layers.Bucket = bp
	if cred == nil {
		req.Principal = policy.Principal{Type: "anonymous"}
	} else {
		req.Principal = cred.Principal
		layers.Session = cred.Session
		layers.Identity = cred.Identity
		if layers.Identity == nil || cred.Principal.AccountID != s.cfg.AccountID {
			// Another account's RAM policies cannot grant access to this account's buckets.
			layers.Identity = []*policy.Policy{}
		}
	}
	res := policy.Evaluate(req, layers)
	recordDecision(&c.trace, res)
	s.journalDecision(c, req, &res)
	if res.Decision == policy.DecisionAllow {
		return nil
	}
	return s.denial(c, action, object, res, ctx)
}

func recordDecision(t *model.Trace, res policy.Result) {
	t.Decision, t.DecidedBy = string(res.Decision), string(res.DecidedBy)
	t.Layers = map[string]string{}
	if res.Session != policy.OutcomeNone {
		t.Layers["session"] = string(res.Session)
	}
	if res.Identity != policy.OutcomeNone {
		t.Layers["identity"] = string(res.Identity)
	}
	if res.Bucket != policy.OutcomeNone {
		t.Layers["bucket"] = string(res.Bucket)
	}
	t.Statements = t.Statements[:0]
	for _, m := range res.Statements {
		t.Statements = append(t.Statements, model.TraceStatement{Layer: string(m.Layer), Policy: m.Policy, Index: m.Index, Line: m.Line, Effect: string(m.Effect)})
	}
	t.Indeterminate = append([]string(nil), res.Indeterminate...)
}

func (s *Server) denial(c *call, action string, object bool, res policy.Result, ctx map[string][]string) *ossError {
	cred := c.cred
	detail := &model.AccessDeniedDetail{AuthAction: action, NoPermissionType: string(res.Decision)}
	if cred != nil {
		detail.AuthPrincipalOwnerID = cred.Principal.AccountID
		detail.AuthPrincipalDisplayName = cred.DisplayName
		if detail.AuthPrincipalDisplayName == "" {
			detail.AuthPrincipalDisplayName = cred.Principal.Name
		}
		switch cred.Principal.Type {
		case "role":
			detail.AuthPrincipalType = "AssumedRoleUser"
		case "user":
			detail.AuthPrincipalType = "SubUser"
		case "root":
			detail.AuthPrincipalType = "Account"
		default:
			detail.AuthPrincipalType = cred.Principal.Type
		}
	} else {
		detail.AuthPrincipalType = "Anonymous"
	}
	var e *ossError
	var check string
	switch {
	case res.Decision == policy.DecisionExplicitDeny && res.DecidedBy == policy.LayerSession,
		res.Decision == policy.DecisionImplicitDeny && res.DecidedBy == policy.LayerSession:
		e = apiErr("AccessDenied", "Access denied by authorizer's policy.").withEC("0003-00000301")
		detail.PolicyType = "SessionPolicy"
		check = "session-policy"
	case res.Decision == policy.DecisionExplicitDeny && res.DecidedBy == policy.LayerIdentity:
		// protocol.md §6.6: the EC page's sample body for a RAM explicit Deny carries this message.
		e = apiErr("AccessDenied", "Access denied by bucket policy.").withEC("0003-00000201")
		detail.PolicyType = "RamPolicy"
		check = "identity-policy"
	case res.Decision == policy.DecisionExplicitDeny:
		e = apiErr("AccessDenied", "Access denied by bucket policy.").withEC("0003-00000101")
		detail.PolicyType = "BucketPolicy"
		check = "bucket-policy"
	case cred == nil:
		e = apiErr("AccessDenied", "Anonymous access is forbidden for this operation.").withEC("0003-00001201")
		detail.PolicyType = "ACL"
		check = "acl"
	case object:
		// Implicitly denied by every policy: object requests fall through to the ACL (private).
		// EC unconfirmed (protocol.md §6.6); the generic AccessDenied EC is used.
		e = apiErr("AccessDenied", "You have no right to access this object because of bucket acl.").withEC("0003-00000001")
		detail.PolicyType = "ACL"
		check = "acl"
	case action == "oss:ListBuckets":
		e = apiErr("AccessDenied", "You are forbidden to list buckets.").withEC("0003-00000001")
		detail.PolicyType = "RamPolicy"
		check = "identity-policy"
	default:
		// Management and listing requests without a grant (EC unconfirmed; generic used).
		e = apiErr("AccessDenied", "You have no right to access this bucket because of bucket acl.").withEC("0003-00000001")
		detail.PolicyType = "ACL"
		check = "acl"
	}
	e.Detail = detail
	if s.cfg.Diagnostics != nil {
		detail.EncodedDiagnosticMessage = s.cfg.Diagnostics.SealDiagnostic(model.NewDiagnostic(&c.trace, diagnosticPrincipal(cred), detail.PolicyType, ctx))
	}
	why := fmt.Sprintf("%s on %s: %s", action, c.trace.Resource, res.Decision)
	if res.DecidedBy != "" {
		why += " by the " + string(res.DecidedBy) + " layer"
	}
	if len(res.Indeterminate) > 0 {
		why += "; request did not carry " + strings.Join(res.Indeterminate, ", ")
	}
	return e.check(check, why)
}
