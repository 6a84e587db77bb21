package stsemu

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/stsdeck/stsdeck/model"
)

// Config configures a Server.
type Config struct {
	// DataDir holds the sandbox's keys (keys.json, token.key, both 0600) and the lock file.
	DataDir string
	// Seed is the account; nil means DefaultSeed.
	Seed *Seed
	// WallClock signs and checks signatures, timestamps, skew and Date; nil = the system clock.
	WallClock model.Clock
	// AuthClock governs token issue and expiry and acs:CurrentTime; nil = WallClock + 0.
	AuthClock *model.OffsetClock
	// TLS says the listener serves https (acs:SecureTransport).
	TLS bool
	// AssumeRoleRate limits how many tokens the account may obtain per second (the cloud allows
	// an account with its RAM users and roles 100 per second); over it, AssumeRole answers
	// Throttling.User. 0 = no limit (the package default: tests with a frozen wall clock would
	// never refill the bucket). `stsdeck sandbox` and the console's sandbox turn it on at
	// DefaultAssumeRoleRate.
	AssumeRoleRate float64

	// Journal receives every authorized request's decision and serves GET /-/journal; nil = none.
	Journal Journal
}

// DefaultAssumeRoleRate is the cloud's AssumeRole quota per account and second.
const DefaultAssumeRoleRate = 100

// Limits on what a request may carry (protocol.md §1.1: GET ≤ 4 KB, POST ≤ 10 MB).
const (
	MaxBodyBytes   = 10 << 20
	MaxURIBytes    = 64 << 10
	MaxHeaderBytes = 64 << 10 // the listener should set http.Server.MaxHeaderBytes to at least this
	timestampSkew  = 15 * time.Minute
)

// Server is the sandbox STS + RAM endpoint.
type Server struct {
	auth      *Authority
	wall      model.Clock
	authClock *model.OffsetClock
	tls       bool
	nonces    *nonceStore
	traces    *traceStore
	lock      *Lock
	limiter   *rate.Limiter // nil = no AssumeRole rate limit
	journal   Journal       // nil = none
}

// New opens the data dir (taking its lock), loads or creates the keys and builds the account.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("stsemu: DataDir is required")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("stsemu: data dir: %w", err)
	}
	lock, err := LockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	seed := cfg.Seed
	if seed == nil {
		seed, err = ParseSeed("default seed", DefaultSeed)
		if err != nil {
			lock.Release()
			return nil, fmt.Errorf("stsemu: built-in seed: %w", err)
		}
	}
	wall := cfg.WallClock
	if wall == nil {
		wall = model.WallClock
	}
	ac := cfg.AuthClock
	if ac == nil {
		ac = model.NewOffsetClock(wall, 0)
	}
	auth, err := NewAuthority(cfg.DataDir, seed, ac)
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("stsemu: %w", err)
	}
	srv := &Server{auth: auth, wall: wall, authClock: ac, tls: cfg.TLS, nonces: newNonceStore(), traces: newTraceStore(), lock: lock}
	srv.journal = cfg.Journal
	if cfg.AssumeRoleRate > 0 {
		srv.limiter = rate.NewLimiter(rate.Limit(cfg.AssumeRoleRate), max(1, int(cfg.AssumeRoleRate)))
	}
	return srv, nil
}

// Authority is the account; it satisfies the OSS half's Authenticator.
func (s *Server) Authority() *Authority { return s.auth }

// AuthClock is the authorization clock.
func (s *Server) AuthClock() *model.OffsetClock { return s.authClock }

// Trace returns the trace of a recent request.
func (s *Server) Trace(requestID string) (*model.Trace, bool) { return s.traces.get(requestID) }

// Close releases the data dir.
func (s *Server) Close() error { return s.lock.Release() }

// Handler serves the RPC API on / and the control API under /-/.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/-/journal" {
		s.serveJournal(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/-/") {
		ServeControl(w, r, s.wall, s.authClock, s.traces.get)
		return
	}
	req := &rpcRequest{id: newRequestID(), r: r, host: r.Host}
	req.trace = &model.Trace{RequestID: req.id, Time: s.wall.Now().UTC(), Service: "sts"}
	body, aerr := s.process(req)
	if aerr != nil {
		s.writeError(w, req, aerr)
	} else {
		s.writeOK(w, req, body)
	}
	s.traces.add(req.trace)
	s.journalRequest(req)
}

// rpcRequest is one RPC call being processed.
type rpcRequest struct {
	id     string
	r      *http.Request
	host   string
	params []Param
	first  map[string]string // first value of each parameter
	body   []byte
	v3     bool
	action string
	ver    string
	format string // "JSON" or "XML"
	caller *caller
	trace  *model.Trace
}

func (q *rpcRequest) get(k string) string { return q.first[k] }

var (
	stsActions = map[string]bool{"AssumeRole": true, "GetCallerIdentity": true}
	ramActions = map[string]bool{"ListRoles": true, "GetRole": true, "ListPoliciesForRole": true, "GetPolicy": true,
		"GetPolicyVersion": true, "ListPoliciesForUser": true, "DecodeDiagnosticMessage": true}
)

const (
	versionSTS = "2015-04-01"
	versionRAM = "2015-05-01"
)

// process runs every check in order and dispatches; it returns the response body value.
func (s *Server) process(q *rpcRequest) (any, *apiError) {
	r := q.r
	if len(r.RequestURI) > MaxURIBytes {
		return nil, errorf("URITooLong")
	}
	hdr := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			hdr += len(k) + len(v) + 4
		}
	}
	if hdr > MaxHeaderBytes {
		return nil, errorf("RequestHeaderFieldsTooLarge")
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, errorf("RequestTooLarge")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, errorf("InvalidParameter").withDetail("reading the body: " + err.Error())
	}
	if len(body) > MaxBodyBytes {
		return nil, errorf("RequestTooLarge")
	}
	q.body = body
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, errorf("InvalidAction.NotFound").withDetail("method " + r.Method + " is not served")
	}
	if r.URL.Path != "/" {
		return nil, errorf("InvalidAction.NotFound").withDetail("path " + r.URL.Path + " is not served; the RPC endpoint is /")
	}
	qp, err := ParseParams(r.URL.RawQuery)
	if err != nil {
		return nil, errorf("InvalidParameter").withDetail("query string is not valid URL encoding")
	}
	q.params = qp
	if len(body) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch ct {
		case "application/x-www-form-urlencoded":
			bp, err := ParseParams(string(body))
			if err != nil {
				return nil, errorf("InvalidParameter").withDetail("form body is not valid URL encoding")
			}
			q.params = append(q.params, bp...)
		case "application/json", "application/octet-stream":
			// V3 requests may carry a body; its parameters are not used by these APIs.
		default:
			return nil, errorf("InvalidParameter.ContentType")
		}
	}
	q.first = make(map[string]string, len(q.params))
	for _, p := range q.params {
		if _, ok := q.first[p.Key]; !ok {
			q.first[p.Key] = p.Value
		}
	}
	q.format = "JSON"
	if strings.EqualFold(q.get("Format"), "XML") {
		q.format = "XML"
	}
	auth := r.Header.Get("Authorization")
	q.v3 = strings.HasPrefix(auth, "ACS3-")
	if q.v3 {
		return s.processV3(q, auth)
	}
	return s.processV1(q)
}

var v1Required = []string{"Action", "Version", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"}

func (s *Server) processV1(q *rpcRequest) (any, *apiError) {
	for _, k := range v1Required {
		if q.get(k) == "" {
			return nil, errorf("MissingParameter", k)
		}
	}
	q.action, q.ver = q.get("Action"), q.get("Version")
	if e := s.route(q); e != nil {
		return nil, e
	}
	if q.get("SignatureMethod") != "HMAC-SHA1" || q.get("SignatureVersion") != "1.0" {
		return nil, errorf("IncompleteSignature").withDetail("SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0")
	}
	ak := q.get("AccessKeyId")
	c, e := s.authenticate(q, ak, q.get("SecurityToken"))
	if e != nil {
		return nil, e
	}
	sts, ok := VerifyRPC(q.r.Method, q.params, q.get("Signature"), c.Secret)
	if !ok {
		return nil, errorf("SignatureDoesNotMatch", sts).withDetail("the HMAC-SHA1 signature does not match the secret of " + ak)
	}
	if e := s.checkTime(q, ak, q.get("Timestamp"), q.get("SignatureNonce")); e != nil {
		return nil, e
	}
	q.caller = c
	return s.dispatch(q)
}

var v3Required = []string{"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}

func (s *Server) processV3(q *rpcRequest, authz string) (any, *apiError) {
	for _, h := range v3Required {
		if q.r.Header.Get(h) == "" {
			return nil, errorf("MissingParameter", h)
		}
	}
	q.action, q.ver = q.r.Header.Get("x-acs-action"), q.r.Header.Get("x-acs-version")
	if e := s.route(q); e != nil {
		return nil, e
	}
	a, err := ParseACS3Authorization(authz)
	if err != nil || a.Algorithm != ACS3Algorithm {
		return nil, errorf("IncompleteSignature").withDetail("the Authorization header is not a well-formed ACS3-HMAC-SHA256 header")
	}
	c, e := s.authenticate(q, a.AccessKeyID, q.r.Header.Get("x-acs-security-token"))
	if e != nil {
		return nil, e
	}
	in := ACS3Input{Method: q.r.Method, Path: q.r.URL.Path, Host: q.host, Header: q.r.Header, Body: q.body}
	in.Query, _ = ParseParams(q.r.URL.RawQuery)
	sts, failed := VerifyACS3(in, a, c.Secret)
	switch failed {
	case "incomplete":
		return nil, errorf("IncompleteSignature").withDetail("SignedHeaders must list host and every x-acs-* header sent, in order, and only headers sent")
	case "signature":
		return nil, errorf("SignatureDoesNotMatch", sts).withDetail("the ACS3-HMAC-SHA256 signature (or x-acs-content-sha256) does not match for " + a.AccessKeyID)
	}
	if e := s.checkTime(q, a.AccessKeyID, q.r.Header.Get("x-acs-date"), q.r.Header.Get("x-acs-signature-nonce")); e != nil {
		return nil, e
	}
	q.caller = c
	return s.dispatch(q)
}

// route checks Version and Action.
func (s *Server) route(q *rpcRequest) *apiError {
	q.trace.Operation = q.action
	switch q.ver {
	case versionSTS:
		if !stsActions[q.action] {
			return errorf("InvalidAction.NotFound").withDetail("STS " + versionSTS + " has no action " + quote(q.action) + " in this sandbox")
		}
	case versionRAM:
		q.trace.Service = "ram"
		if !ramActions[q.action] {
			return errorf("InvalidAction.NotFound").withDetail("RAM " + versionRAM + " has no action " + quote(q.action) + " in this sandbox")
		}
	default:
		return errorf("InvalidVersion").withDetail("known versions: " + versionSTS + " (STS), " + versionRAM + " (RAM)")
	}
	return nil
}

// authenticate resolves the access key and, for STS keys, the security token.
func (s *Server) authenticate(q *rpcRequest, ak, token string) (*caller, *apiError) {
	c, err := s.auth.resolve(ak, token)
	switch {
	case err == nil:
		q.trace.Caller = c.ARN
		return c, nil
	case errors.Is(err, model.ErrUnknownAccessKey):
		return nil, errorf("InvalidAccessKeyId.NotFound").withDetail("no user has access key id " + quote(ak))
	case errors.Is(err, model.ErrTokenMissing):
		return nil, errorf("MissingSecurityToken").withDetail("access key " + quote(ak) + " is temporary (STS.) and needs its SecurityToken")
	case errors.Is(err, model.ErrTokenMismatch):
		return nil, errorf("InvalidSecurityToken.MismatchWithAccessKey").withDetail("the security token was issued with another AccessKeyId")
	case errors.Is(err, model.ErrTokenExpired):
		return nil, errorf("InvalidSecurityToken.Expired").withDetail("the security token expired (authorization clock " + s.authClock.Now().UTC().Format(time.RFC3339) + ")")
	default:
		return nil, errorf("InvalidSecurityToken.Malformed").withDetail("the security token was not issued by this sandbox or was altered")
	}
}

// checkTime checks the request time against the wall clock (±15 min), then the nonce.
func (s *Server) checkTime(q *rpcRequest, ak, ts, nonce string) *apiError {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return errorf("InvalidTimeStamp.Format").withDetail("Timestamp " + quote(ts) + " is not yyyy-MM-ddTHH:mm:ssZ")
	}
	now := s.wall.Now()
	if d := now.Sub(t); d > timestampSkew || d < -timestampSkew {
		return errorf("InvalidTimeStamp.Expired").withDetail(fmt.Sprintf("request time %s is %s away from server time %s (limit 15m)",
			t.UTC().Format(time.RFC3339), d.Round(time.Second).Abs(), now.UTC().Format(time.RFC3339)))
	}
	if s.nonces.use(ak+"\x00"+nonce, t.Add(timestampSkew), now) {
		return errorf("SignatureNonceUsed").withDetail("nonce " + quote(nonce) + " was already used by " + ak)
	}
	return nil
}

func (s *Server) dispatch(q *rpcRequest) (any, *apiError) {
	switch q.action {
	case "AssumeRole":
		// The account's token quota is counted on the wall clock, before the request's own checks.
		if s.limiter != nil && !s.limiter.AllowN(s.wall.Now(), 1) {
			return nil, errorf("Throttling.User").withDetail("over the account's AssumeRole rate of " + strconv.FormatFloat(float64(s.limiter.Limit()), 'g', -1, 64) + " per second; reuse tokens until they near expiry")
		}
		return s.assumeRole(q)
	case "GetCallerIdentity":
		return s.getCallerIdentity(q)
	case "ListRoles":
		return s.listRoles(q)
	case "GetRole":
		return s.getRole(q)
	case "ListPoliciesForRole":
		return s.listPoliciesForRole(q)
	case "ListPoliciesForUser":
		return s.listPoliciesForUser(q)
	case "GetPolicy":
		return s.getPolicy(q)
	case "GetPolicyVersion":
		return s.getPolicyVersion(q)
	case "DecodeDiagnosticMessage":
		return s.decodeDiagnosticMessage(q)
	}
	return nil, errorf("InvalidAction.NotFound")
}

// errorBody is the POP gateway error shape.
type errorBody struct {
	XMLName   xml.Name `json:"-" xml:"Error"`
	RequestID string   `json:"RequestId" xml:"RequestId"`
	HostID    string   `json:"HostId" xml:"HostId"`
	Code      string   `json:"Code" xml:"Code"`
	Message   string   `json:"Message" xml:"Message"`
	Recommend string   `json:"Recommend" xml:"Recommend"`
	// AccessDeniedDetail accompanies policy-decided NoPermission answers.
	AccessDeniedDetail *model.AccessDeniedDetail `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, q *rpcRequest, e *apiError) {
	product := "Sts"
	if q.trace.Service == "ram" {
		product = "Ram"
	}
	tr := q.trace
	tr.Status, tr.Code, tr.Check = e.Status, e.Code, e.Check
	if e.Detail != "" {
		tr.Detail = e.Detail
	} else if tr.Detail == "" {
		tr.Detail = e.Message
	}
	s.sealDenial(q, e)
	b := errorBody{RequestID: q.id, HostID: hostID(q), Code: e.Code, Message: e.Message,
		Recommend:          "https://api.aliyun.com/troubleshoot?q=" + e.Code + "&product=" + product + "&requestId=" + q.id,
		AccessDeniedDetail: e.Denied}
	s.write(w, q, e.Status, b)
}

// hostID is the HostId the cloud's gateway answers with: the product's endpoint host
// (sts.aliyuncs.com, ram.aliyuncs.com; protocol.md §1.4), or the host the client addressed
// when it used an aliyuncs.com name (a hosts-file redirect to the sandbox).
func hostID(q *rpcRequest) string {
	h := q.host
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	if strings.HasSuffix(strings.ToLower(h), ".aliyuncs.com") {
		return strings.ToLower(h)
	}
	if q.trace.Service == "ram" {
		return "ram.aliyuncs.com"
	}
	return "sts.aliyuncs.com"
}

func (s *Server) writeOK(w http.ResponseWriter, q *rpcRequest, body any) {
	q.trace.Status = http.StatusOK
	s.write(w, q, http.StatusOK, body)
}

func (s *Server) write(w http.ResponseWriter, q *rpcRequest, status int, body any) {
	h := w.Header()
	h.Set("x-acs-request-id", q.id)
	h.Set("Date", s.wall.Now().UTC().Format(http.TimeFormat))
	var buf bytes.Buffer
	if q.format == "XML" {
		h.Set("Content-Type", "text/xml;charset=utf-8")
		buf.WriteString(xml.Header)
		if err := xml.NewEncoder(&buf).Encode(body); err != nil {
			status = http.StatusInternalServerError
			buf.Reset()
		}
	} else {
		h.Set("Content-Type", "application/json;charset=utf-8")
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // the gateway sends '&' in Recommend as is
		if err := enc.Encode(body); err != nil {
			status = http.StatusInternalServerError
			buf.Reset()
		}
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
