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
}

// AuthKind says how a request authenticates.
type AuthKind int

const (
	AuthAnonymous AuthKind = iota
	AuthV1Header
	AuthV1Query
	AuthV4Header
	AuthV4Query
)

func (k AuthKind) version() int {
	switch k {
	case AuthV1Header, AuthV1Query:
		return 1
	case AuthV4Header, AuthV4Query:
		return 4
	}
	return 0
}

// Auth is the parsed authentication of a request.
type Auth struct {
	Kind          AuthKind
	AccessKeyID   string
	SecurityToken string
	Signature     string    // as provided
	Time          time.Time // signing time (header modes; V4 presigned)
	Expires       time.Time // presigned modes
	DateLine      string    // V1 header: the Date line of the string to sign; V1 query: Expires
	V4Date        string    // V4: x-oss-date value (yyyymmddTHHMMSSZ)
	Additional    []string  // V4: additional signed header names, lower-case
	Credential    string    // V4: the Credential as provided (AK/scope)
}

const maxSkew = 15 * time.Minute

const v4Algorithm = "OSS4-HMAC-SHA256"

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
	case strings.HasPrefix(authz, "OSS "):
		ak, sig, ok := strings.Cut(strings.TrimPrefix(authz, "OSS "), ":")
		if !ok || ak == "" || sig == "" {
			return nil, apiErr("InvalidArgument", "Authorization header is invalid.", field{"ArgumentName", "Authorization"}, field{"ArgumentValue", "OSS " + ak + ":***"}).
				check("signature", "malformed V1 Authorization header")
		}
		a := &Auth{Kind: AuthV1Header, AccessKeyID: ak, Signature: sig, SecurityToken: r.Header.Get("x-oss-security-token")}
		// ali-oss sends no Date header and signs the x-oss-date value instead (testdata/wire).
		a.DateLine = r.Header.Get("Date")
		if a.DateLine == "" {
			a.DateLine = r.Header.Get("x-oss-date")
		}
		t, err := http.ParseTime(a.DateLine)
		if err != nil {
			return nil, apiErr("AccessDenied", "OSS authentication requires a valid Date.").withEC("0002-00000012"). // EC picked
																	check("timestamp", "missing or unparsable Date header")
		}
		a.Time = t
		return a, nil
	case authz != "":
		return nil, apiErr("InvalidArgument", "Authorization header is invalid.", field{"ArgumentName", "Authorization"}).
			check("signature", "unknown Authorization scheme")
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

func parseV4Header(r *SigRequest, authz string) (*Auth, *ossError) {
	bad := func(why string) (*Auth, *ossError) {
		return nil, apiErr("InvalidArgument", "Authorization header is invalid.", field{"ArgumentName", "Authorization"}).
			check("signature", why)
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
			for _, h := range strings.Split(v, ";") {
				if h != "" {
					a.Additional = append(a.Additional, strings.ToLower(h))
				}
			}
		case "Signature":
			a.Signature = v
		default:
			return bad("unknown V4 Authorization element " + strconv.Quote(k))
		}
	}
	if a.Credential == "" || a.Signature == "" {
		return bad("V4 Authorization without Credential or Signature")
	}
	ak, _, ok := strings.Cut(a.Credential, "/")
	if !ok || ak == "" {
		return bad("malformed V4 Credential")
	}
	a.AccessKeyID = ak
	a.V4Date = r.Header.Get("x-oss-date")
	t, err := time.Parse("20060102T150405Z", a.V4Date)
	if err != nil {
		return nil, apiErr("AccessDenied", "Invalid x-oss-date: the value must be in ISO 8601 format, such as 20221220T084818Z.").
			withEC("0002-00000505").check("timestamp", "missing or unparsable x-oss-date header")
	}
	a.Time = t
	return a, nil
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
	t, err := time.Parse("20060102T150405Z", a.V4Date)
	if err != nil {
		return nil, apiErr("AccessDenied", "Invalid x-oss-date: the value must be in ISO 8601 format, such as 20221220T084818Z.").
			withEC("0002-00000505").check("timestamp", "unparsable x-oss-date parameter")
	}
	a.Time = t
	a.Expires = t.Add(time.Duration(n) * time.Second)
	ak, _, ok := strings.Cut(a.Credential, "/")
	if !ok || ak == "" {
		return nil, apiErr("AccessDenied", "Invalid credential in x-oss-credential.").withEC("0002-00000222").
			check("signature", "malformed x-oss-credential")
	}
	a.AccessKeyID = ak
	if h := q.Get("x-oss-additional-headers"); h != "" {
		for _, s := range strings.Split(h, ";") {
			if s != "" {
				a.Additional = append(a.Additional, strings.ToLower(s))
			}
		}
	}
	return a, nil
}

// CheckTime applies the wall clock: ±15 min skew for header signatures, expiry for presigned URLs.
func CheckTime(a *Auth, now time.Time) *ossError {
	switch a.Kind {
	case AuthV1Header, AuthV4Header:
		d := now.Sub(a.Time)
		if d > maxSkew || d < -maxSkew {
			return apiErr("RequestTimeTooSkewed", "",
				field{"RequestTime", a.Time.UTC().Format(time.RFC3339)},
				field{"ServerTime", now.UTC().Format(time.RFC3339)},
				field{"MaxAllowedSkewMilliseconds", "900000"}).
				check("timestamp", fmt.Sprintf("request signed at %s, server time %s: more than 15 minutes apart", a.Time.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	case AuthV1Query, AuthV4Query:
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
// listener (V4 scope). On mismatch it returns SignatureDoesNotMatch carrying the server's
// string to sign (and canonical request for V4). The final comparison is constant-time.
func VerifySignature(r *SigRequest, a *Auth, secret, region string) *ossError {
	switch a.Kind {
	case AuthV1Header, AuthV1Query:
		sts := V1StringToSign(r, a.DateLine)
		want := v1Sign(secret, sts)
		if hmac.Equal([]byte(want), []byte(a.Signature)) {
			return nil
		}
		return sigMismatch(a, sts, "", "0002-00000040")
	case AuthV4Header, AuthV4Query:
		var first, firstCR string
		for _, variant := range []bool{false, true} {
			cr, hasEmpty := V4CanonicalRequest(r, a, variant)
			sts := V4StringToSign(a.V4Date, region, cr)
			want := v4Sign(secret, a.V4Date[:8], region, sts)
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
		return sigMismatch(a, first, firstCR, "0002-00000201")
	}
	return nil
}

// redactedToken replaces the security token inside strings echoed in an error body: the
// sandbox never writes a token anywhere (project rule), even back to its sender.
const redactedToken = "<security token redacted>"

func sigMismatch(a *Auth, sts, cr, ec string) *ossError {
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
	return apiErr("SignatureDoesNotMatch", "", extra...).withEC(ec).check("signature", "signature does not match the server's string to sign")
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
	add := map[string]bool{}
	for _, h := range a.Additional {
		add[h] = true
	}
	var names []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") || lk == "content-type" || lk == "content-md5" || add[lk] {
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

// V4StringToSign builds the V4 string to sign for a canonical request.
func V4StringToSign(datetime, region, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	date := datetime
	if len(date) >= 8 {
		date = date[:8]
	}
	return v4Algorithm + "\n" + datetime + "\n" + date + "/" + region + "/oss/aliyun_v4_request\n" + hex.EncodeToString(sum[:])
}

func hmac256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

func v4Sign(secret, date, region, sts string) string {
	k := hmac256([]byte("aliyun_v4"+secret), date)
	k = hmac256(k, region)
	k = hmac256(k, "oss")
	k = hmac256(k, "aliyun_v4_request")
	return hex.EncodeToString(hmac256(k, sts))
}
