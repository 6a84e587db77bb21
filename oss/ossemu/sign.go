package ossemu

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The signature verifiers are pure functions of a request view, the secret and the time
// (protocol.md §5). They never see the network, the store or a clock.

// SigRequest is what signature verification looks at.
type SigRequest struct {
	Method   string
	Bucket   string // "" for service-level requests
	Key      string // decoded object key; "" for bucket-level requests
	RawQuery string // as on the wire
	Header   http.Header
	Host     string // the request's Host (net/http keeps it out of Header); signed when a client lists "host"
}

// AuthKind says how a request authenticates.
type AuthKind int

const (
	AuthAnonymous AuthKind = iota
	AuthV1Header
	AuthV1Query
	AuthV4Header
	AuthV4Query
	AuthV2Header
	AuthV2Query
)

func (k AuthKind) version() int {
	switch k {
	case AuthV1Header, AuthV1Query:
		return 1
	case AuthV2Header, AuthV2Query:
		return 2
	case AuthV4Header, AuthV4Query:
		return 4
	}
	return 0
}

func (k AuthKind) query() bool { return k == AuthV1Query || k == AuthV2Query || k == AuthV4Query }

// Auth is the parsed authentication of a request.
type Auth struct {
	Kind          AuthKind
	AccessKeyID   string
	SecurityToken string
	Signature     string    // as provided
	Time          time.Time // signing time (header modes; V4 presigned)
	Expires       time.Time // presigned modes
	DateLine      string    // V1/V2 header: the Date line of the string to sign; V1/V2 query: the expiry seconds
	V4Date        string    // V4: the timestamp line of the string to sign, as sent: x-oss-date (yyyymmddTHHMMSSZ), else Date (RFC 1123)
	Additional    []string  // V2/V4: additional signed header names, lower-case, as listed
	Credential    string    // V4: the Credential as provided (AK/scope)
	Scope         V4Scope   // V4: the scope parts of Credential, as provided
}

const maxSkew = 15 * time.Minute

const (
	v4Algorithm  = "OSS4-HMAC-SHA256"
	v4TimeFormat = "20060102T150405Z"
)

// ParseAuth reads the authentication of r: header or query, V1 or V4, or anonymous.
func ParseAuth(r *SigRequest) (*Auth, *ossError) {
	q, _ := url.ParseQuery(r.RawQuery)
	authz := r.Header.Get("Authorization")
	qV1 := q.Has("OSSAccessKeyId") || q.Has("Signature") || q.Has("Expires")
	qV4 := q.Has("x-oss-signature") || q.Has("x-oss-credential") || q.Has("x-oss-signature-version")
	if authz != "" && (qV1 || qV4) {
		return nil, apiErr("InvalidArgument", "Authorization header and query string authentication cannot both be used.",
			field{"ArgumentName", "Authorization"}).check("signature", "signature in both the header and the URL")
	}
	switch {
	case strings.HasPrefix(authz, v4Algorithm+" "):
		return parseV4Header(r, authz)
	case strings.HasPrefix(authz, v2Scheme+" "):
		return parseV2Header(r, authz)
	case strings.HasPrefix(authz, "OSS "):
		ak, sig, ok := strings.Cut(strings.TrimPrefix(authz, "OSS "), ":")
		if !ok || ak == "" || sig == "" {
			return nil, sigErr("authz-malformed", field{"ArgumentName", "Authorization"}, field{"ArgumentValue", "OSS " + ak + ":***"}).
				check("signature", "malformed V1 Authorization header")
		}
		a := &Auth{Kind: AuthV1Header, AccessKeyID: ak, Signature: sig, SecurityToken: r.Header.Get("x-oss-security-token")}
		if e := a.headerDateLine(r); e != nil {
			return nil, e
		}
		return a, nil
	case authz != "":
		return nil, sigErr("authz-malformed", field{"ArgumentName", "Authorization"}).
			check("signature", "unknown Authorization scheme")
	case q.Get("x-oss-signature-version") == v2Scheme:
		return parseV2Query(q)
	case qV4:
		return parseV4Query(r, q)
	case qV1:
		ak, sig, exp := q.Get("OSSAccessKeyId"), q.Get("Signature"), q.Get("Expires")
		if ak == "" || sig == "" || exp == "" {
			return nil, apiErr("AccessDenied", "Query string authentication requires the Signature, Expires and OSSAccessKeyId parameters.").
				withEC("0002-00000020"). // EC picked
				check("signature", "incomplete presigned URL")
		}
		n, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || n < 0 {
			return nil, apiErr("AccessDenied", "Invalid date (should be seconds since epoch).", field{"Expires", exp}).
				withEC("0002-00000021"). // EC picked
				check("timestamp", "Expires is not a number of seconds")
		}
		return &Auth{Kind: AuthV1Query, AccessKeyID: ak, Signature: sig, SecurityToken: q.Get("security-token"),
			DateLine: exp, Expires: time.Unix(n, 0)}, nil
	}
	return &Auth{Kind: AuthAnonymous}, nil
}

// headerDateLine sets the Date line and signing time of a V1/V2 header signature: the Date
// header, else x-oss-date (ali-oss sends no Date and signs the x-oss-date value, testdata/wire).
func (a *Auth) headerDateLine(r *SigRequest) *ossError {
	a.DateLine = r.Header.Get("Date")
	if a.DateLine == "" {
		a.DateLine = r.Header.Get("x-oss-date")
	}
	t, err := http.ParseTime(a.DateLine)
	if err != nil {
		return sigErr("date-missing").check("timestamp", "missing or unparsable Date header")
	}
	a.Time = t
	return nil
}

func parseV4Header(r *SigRequest, authz string) (*Auth, *ossError) {
	bad := func(why string) (*Auth, *ossError) {
		return nil, sigErr("authz-malformed", field{"ArgumentName", "Authorization"}).check("signature", why)
	}
	a := &Auth{Kind: AuthV4Header, SecurityToken: r.Header.Get("x-oss-security-token")}
	rest := strings.TrimPrefix(authz, v4Algorithm+" ")
	for _, item := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return bad("malformed V4 Authorization element")
		}
		switch k {
		case "Credential":
			a.Credential = v
		case "AdditionalHeaders":
			a.Additional = splitAdditional(v)
		case "Signature":
			a.Signature = v
		default:
			return bad("unknown V4 Authorization element " + strconv.Quote(k))
		}
	}
	if a.Credential == "" || a.Signature == "" {
		return bad("V4 Authorization without Credential or Signature")
	}
	ak, scope, ok := parseCredential(a.Credential)
	if !ok {
		return nil, sigErr("v4-credential", field{"ArgumentName", "Authorization"}).check("signature", "malformed V4 Credential (want AK/yyyymmdd/region/oss/aliyun_v4_request)")
	}
	a.AccessKeyID, a.Scope = ak, scope
	// The timestamp of the string to sign: x-oss-date, else Date (RFC 1123), as the OSS Go SDK v1
	// (aliyun-oss-go-sdk v3.0.2 oss/auth.go getSignedStrV4) and ossutil 1.7.19 sign it.
	if xd := r.Header.Get("x-oss-date"); xd != "" {
		t, err := time.Parse(v4TimeFormat, xd)
		if err != nil {
			return nil, sigErr("v4-bad-x-oss-date").check("timestamp", "unparsable x-oss-date header")
		}
		a.V4Date, a.Time = xd, t
		return a, nil
	}
	d := r.Header.Get("Date")
	if d == "" {
		return nil, sigErr("date-missing").check("timestamp", "V4 header signature with neither x-oss-date nor Date")
	}
	t, err := time.Parse(http.TimeFormat, d)
	if err != nil {
		return nil, sigErr("v4-bad-date").check("timestamp", "Date header is not RFC 1123 GMT (and no x-oss-date)")
	}
	a.V4Date, a.Time = d, t
	return a, nil
}

func splitAdditional(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ";") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, strings.ToLower(h))
		}
	}
	return out
}

func parseV4Query(r *SigRequest, q url.Values) (*Auth, *ossError) {
	a := &Auth{Kind: AuthV4Query, SecurityToken: q.Get("x-oss-security-token"), Signature: q.Get("x-oss-signature"),
		Credential: q.Get("x-oss-credential"), V4Date: q.Get("x-oss-date")}
	if q.Get("x-oss-signature-version") != v4Algorithm || a.Signature == "" || a.Credential == "" || a.V4Date == "" {
		return nil, apiErr("AccessDenied", "Query string authentication requires the x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-expires and x-oss-signature parameters.").
			withEC("0002-00000220"). // EC picked
			check("signature", "incomplete V4 presigned URL")
	}
	exp := q.Get("x-oss-expires")
	if exp == "" {
		return nil, apiErr("AccessDenied", "The x-oss-expires parameter is missing.").withEC("0002-00000215").
			check("timestamp", "V4 presigned URL without x-oss-expires")
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || n <= 0 || n > 604800 {
		return nil, apiErr("AccessDenied", "Invalid x-oss-expires: want 1 to 604800 seconds.", field{"Expires", exp}).withEC("0002-00000216"). // EC picked
																			check("timestamp", "x-oss-expires out of range")
	}
	t, err := time.Parse(v4TimeFormat, a.V4Date)
	if err != nil {
		return nil, sigErr("v4-bad-x-oss-date").check("timestamp", "unparsable x-oss-date parameter")
	}
	a.Time = t
	a.Expires = t.Add(time.Duration(n) * time.Second)
	ak, scope, ok := parseCredential(a.Credential)
	if !ok {
		return nil, sigErr("v4q-credential").check("signature", "malformed x-oss-credential (want AK/yyyymmdd/region/oss/aliyun_v4_request)")
	}
	a.AccessKeyID, a.Scope = ak, scope
	a.Additional = splitAdditional(q.Get("x-oss-additional-headers"))
	return a, nil
}

// CheckTime applies the wall clock: ±15 min skew for header signatures, expiry for presigned URLs.
func CheckTime(a *Auth, now time.Time) *ossError {
	switch a.Kind {
	case AuthV1Header, AuthV2Header, AuthV4Header:
		d := now.Sub(a.Time)
		if d > maxSkew || d < -maxSkew {
			return apiErr("RequestTimeTooSkewed", "",
				field{"RequestTime", a.Time.UTC().Format(time.RFC3339)},
				field{"ServerTime", now.UTC().Format(time.RFC3339)},
				field{"MaxAllowedSkewMilliseconds", "900000"}).
				check("timestamp", fmt.Sprintf("request signed at %s, server time %s: more than 15 minutes apart", a.Time.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	case AuthV1Query, AuthV2Query, AuthV4Query:
		if now.After(a.Expires) {
			return apiErr("AccessDenied", "Request has expired.",
				field{"Expires", a.Expires.UTC().Format(time.RFC3339)},
				field{"ServerTime", now.UTC().Format(time.RFC3339)}).withEC("0002-00000069"). // EC picked
				check("timestamp", "presigned URL expired at "+a.Expires.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// VerifySignature checks a's signature over r with secret. region is the region of the
// listener: a V4 scope must name it (CheckScope runs first). On mismatch it returns
// SignatureDoesNotMatch carrying the server's string to sign (and canonical request for V4).
// The final comparison is constant-time.
func VerifySignature(r *SigRequest, a *Auth, secret, region string) *ossError {
	switch a.Kind {
	case AuthV1Header, AuthV1Query:
		sts := V1StringToSign(r, a.DateLine)
		want := v1Sign(secret, sts)
		if hmac.Equal([]byte(want), []byte(a.Signature)) {
			return nil
		}
		return sigMismatch(a, sts, "", "v1-mismatch")
	case AuthV2Header, AuthV2Query:
		return verifyV2(r, a, secret)
	case AuthV4Header, AuthV4Query:
		if e := CheckScope(a, region); e != nil {
			return e
		}
		scope := a.Scope.String()
		var first, firstCR string
		for _, variant := range []bool{false, true} {
			cr, hasEmpty := V4CanonicalRequest(r, a, variant)
			sts := V4StringToSign(a.V4Date, scope, cr)
			want := v4Sign(secret, a.Scope, sts)
			if hmac.Equal([]byte(want), []byte(a.Signature)) {
				return nil
			}
			if first == "" {
				first, firstCR = sts, cr
			}
			if !hasEmpty {
				break
			}
		}
		return sigMismatch(a, first, firstCR, "v4-mismatch") // both modes (protocol.md §5.4)
	}
	return nil
}

// redactedToken replaces the security token inside strings echoed in an error body: the
// sandbox never writes a token anywhere (project rule), even back to its sender.
const redactedToken = "<security token redacted>"

func sigMismatch(a *Auth, sts, cr, row string) *ossError {
	if a.SecurityToken != "" {
		sts = strings.ReplaceAll(sts, a.SecurityToken, redactedToken)
		cr = strings.ReplaceAll(cr, a.SecurityToken, redactedToken)
		if esc := uriEscape(a.SecurityToken, false); esc != a.SecurityToken {
			cr = strings.ReplaceAll(cr, esc, redactedToken)
		}
	}
	var hexb strings.Builder
	for i := 0; i < len(sts); i++ {
		if i > 0 {
			hexb.WriteByte(' ')
		}
		fmt.Fprintf(&hexb, "%02x", sts[i])
	}
	extra := []field{{"OSSAccessKeyId", a.AccessKeyID}, {"SignatureProvided", a.Signature}, {"StringToSign", sts}, {"StringToSignBytes", hexb.String()}}
	if cr != "" {
		extra = append(extra, field{"CanonicalRequest", cr})
	}
	return sigErr(row, extra...).check("signature", "signature does not match the server's string to sign")
}

// v1SubResources are the query parameters V1 signs (besides every x-oss-* parameter):
// the Go SDK's requiredSignedParametersMap plus the sub-resources operations declare.
var v1SubResources = map[string]bool{
	"acl": true, "bucketInfo": true, "location": true, "stat": true, "delete": true, "append": true,
	"tagging": true, "objectMeta": true, "uploads": true, "uploadId": true, "partNumber": true,
	"security-token": true, "position": true, "response-content-type": true, "response-content-language": true,
	"response-expires": true, "response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "restore": true, "callback": true, "callback-var": true,
	"versions": true, "versioning": true, "versionId": true, "sequential": true, "continuation-token": true,
	"regionList": true, "cloudboxes": true, "symlink": true,
	"policy": true, "requestPayment": true, "seal": true, "cleanRestoredObject": true, "policyStatus": true,
	"cors": true, "lifecycle": true, "logging": true, "website": true, "referer": true, "qos": true,
	"encryption": true, "worm": true, "wormId": true, "inventory": true, "replication": true, "x-oss-process": true,
}

// V1StringToSign builds the V1 string to sign (protocol.md §5.1–5.2).
func V1StringToSign(r *SigRequest, dateLine string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(dateLine)
	b.WriteByte('\n')
	var names []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(joinTrimmed(r.Header.Values(k)))
		b.WriteByte('\n')
	}
	b.WriteByte('/')
	if r.Bucket != "" {
		b.WriteString(r.Bucket)
		b.WriteByte('/')
		b.WriteString(r.Key)
	}
	q, _ := url.ParseQuery(r.RawQuery)
	var params []string
	for k := range q {
		if v1SubResources[k] || strings.HasPrefix(k, "x-oss-") {
			params = append(params, k)
		}
	}
	sort.Strings(params)
	for i, k := range params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := q.Get(k); v != "" {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

func joinTrimmed(vs []string) string {
	if len(vs) == 1 {
		return strings.TrimSpace(vs[0])
	}
	t := make([]string, len(vs))
	for i, v := range vs {
		t[i] = strings.TrimSpace(v)
	}
	return strings.Join(t, ",")
}

func v1Sign(secret, sts string) string {
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// uriEscape percent-encodes everything but A-Z a-z 0-9 - . _ ~ (and '/' when keepSlash), upper-case hex.
func uriEscape(s string, keepSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && keepSlash) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

// canonicalComponent decodes a query component as sent and re-encodes it canonically, so that
// re-encoding on the wire (%2a vs %2A, '+' vs %20) changes nothing.
func canonicalComponent(s string) string {
	d, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return uriEscape(d, false)
}

// V4CanonicalRequest builds the V4 canonical request (protocol.md §5.3–5.4). With
// emptyEquals, empty query values are rendered "k=" (ali-oss) instead of "k" (Go SDK); the
// second result says whether any query value was empty (so the variant matters).
func V4CanonicalRequest(r *SigRequest, a *Auth, emptyEquals bool) (string, bool) {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	uri := "/"
	if r.Bucket != "" {
		uri += r.Bucket + "/" + r.Key
	}
	b.WriteString(uriEscape(uri, true))
	b.WriteByte('\n')
	// Query: the Go SDK keeps one value per key (the last) but lists repeated keys again.
	values := map[string]string{}
	var keys []string
	for _, item := range strings.Split(r.RawQuery, "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		k = canonicalComponent(k)
		if a.Kind == AuthV4Query && k == "x-oss-signature" {
			continue
		}
		values[k] = canonicalComponent(v)
		keys = append(keys, k)
	}
	sort.Strings(keys)
	hasEmpty := false
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := values[k]; v != "" {
			b.WriteByte('=')
			b.WriteString(v)
		} else {
			hasEmpty = true
			if emptyEquals {
				b.WriteByte('=')
			}
		}
	}
	b.WriteByte('\n')
	writeCanonicalHeaders(&b, r, a.Additional, true)
	b.WriteByte('\n')
	// The additional headers the client listed, as it listed them (those are what it signed).
	b.WriteString(strings.Join(a.Additional, ";"))
	b.WriteByte('\n')
	if p := r.Header.Get("x-oss-content-sha256"); p != "" {
		b.WriteString(p)
	} else {
		b.WriteString("UNSIGNED-PAYLOAD")
	}
	return b.String(), hasEmpty
}

// writeCanonicalHeaders writes "name:value\n" for every signed header, sorted by lower-case name:
// every x-oss-* header, Content-Type and Content-MD5 when withContent (V4), and each listed
// additional header that is present. "host" is the request's Host, never a Header entry
// (net/http moves Host out of Header; a client that lists host signed the Host it sent).
func writeCanonicalHeaders(b *strings.Builder, r *SigRequest, additional []string, withContent bool) {
	var names []string
	seen := map[string]bool{}
	for k := range r.Header {
		lk := strings.ToLower(k)
		if lk == "host" {
			continue
		}
		if strings.HasPrefix(lk, "x-oss-") || (withContent && (lk == "content-type" || lk == "content-md5")) {
			names = append(names, lk)
			seen[lk] = true
		}
	}
	for _, h := range additional {
		if seen[h] {
			continue
		}
		if h == "host" {
			if r.Host != "" {
				names = append(names, h)
				seen[h] = true
			}
			continue
		}
		if len(r.Header.Values(h)) > 0 {
			names = append(names, h)
			seen[h] = true
		}
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		if k == "host" {
			b.WriteString(strings.TrimSpace(r.Host))
		} else {
			b.WriteString(joinTrimmed(r.Header.Values(k)))
		}
		b.WriteByte('\n')
	}
}

// V4StringToSign builds the V4 string to sign: the timestamp line as the client sent it
// (x-oss-date, or the Date header when there is no x-oss-date), the scope as given, and the
// hash of the canonical request.
func V4StringToSign(datetime, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return v4Algorithm + "\n" + datetime + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

func hmac256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// v4Sign signs sts with the key derived from the scope as given.
func v4Sign(secret string, scope V4Scope, sts string) string {
	k := hmac256([]byte("aliyun_v4"+secret), scope.Day)
	k = hmac256(k, scope.Region)
	k = hmac256(k, scope.Service)
	k = hmac256(k, scope.Terminator)
	return hex.EncodeToString(hmac256(k, sts))
}
