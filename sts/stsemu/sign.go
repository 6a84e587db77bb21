package stsemu

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// This file holds the signature verifiers: pure functions of the request's decoded values and a
// secret, each ending in a constant-time compare. Sources: protocol.md §2.2 (RPC V1) and §2.3
// (ACS3-HMAC-SHA256); both are cross-checked against testdata/wire/captured.jsonl.

// Param is one decoded request parameter, in the order it was received.
type Param struct {
	Key, Value string
}

// PercentEncode is the POP encoding: RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// everything else becomes %XX with upper-case hex, so a space is %20 and '*' is %2A.
func PercentEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexU = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexU[c>>4], hexU[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// RPCStringToSign builds the V1 string to sign: method&%2F&enc(canonicalized query string) over
// every parameter except Signature, sorted by key (byte order; equal keys keep their order).
func RPCStringToSign(method string, params []Param) string {
	ps := make([]Param, 0, len(params))
	for _, p := range params {
		if p.Key != "Signature" {
			ps = append(ps, p)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
	var cqs strings.Builder
	for i, p := range ps {
		if i > 0 {
			cqs.WriteByte('&')
		}
		cqs.WriteString(PercentEncode(p.Key))
		cqs.WriteByte('=')
		cqs.WriteString(PercentEncode(p.Value))
	}
	return method + "&" + PercentEncode("/") + "&" + PercentEncode(cqs.String())
}

// RPCSignature is base64(HMAC-SHA1(secret+"&", stringToSign)).
func RPCSignature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyRPC checks a V1 (HMAC-SHA1) signature. params are every decoded parameter from the query
// and the form body; signature is the decoded Signature value. It returns the server's string to
// sign (for the SignatureDoesNotMatch message) and whether the signature matches.
func VerifyRPC(method string, params []Param, signature, secret string) (stringToSign string, ok bool) {
	sts := RPCStringToSign(method, params)
	want := RPCSignature(secret, sts)
	return sts, subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}

// ACS3Algorithm is the only V3 algorithm the sandbox accepts.
const ACS3Algorithm = "ACS3-HMAC-SHA256"

// ACS3Auth is a parsed V3 Authorization header.
type ACS3Auth struct {
	Algorithm     string
	AccessKeyID   string
	SignedHeaders []string // lower case, as listed
	Signature     string   // hex
}

// ErrMalformedAuthorization is returned by ParseACS3Authorization for a header it cannot read.
var ErrMalformedAuthorization = errors.New("malformed ACS3 Authorization header")

// ParseACS3Authorization reads "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex".
func ParseACS3Authorization(h string) (ACS3Auth, error) {
	var a ACS3Auth
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		return a, ErrMalformedAuthorization
	}
	a.Algorithm = alg
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return a, ErrMalformedAuthorization
		}
		seen[k] = true
		switch k {
		case "Credential":
			a.AccessKeyID = v
		case "SignedHeaders":
			if v == "" {
				return a, ErrMalformedAuthorization
			}
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		default:
			return a, ErrMalformedAuthorization
		}
	}
	if a.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
		return a, ErrMalformedAuthorization
	}
	return a, nil
}

// acs3Encode is url.QueryEscape with the POP fix-ups (+→%20, *→%2A, %7E→~).
func acs3Encode(s string) string {
	e := url.QueryEscape(s)
	if strings.ContainsAny(e, "+*%") {
		e = strings.ReplaceAll(e, "+", "%20")
		e = strings.ReplaceAll(e, "*", "%2A")
		e = strings.ReplaceAll(e, "%7E", "~")
	}
	return e
}

// ACS3CanonicalRequest builds the V3 canonical request. query holds the decoded query parameters;
// host is the Host the client sent (Go keeps it out of header). Header names in signed must be
// lower case. contentSHA256 is the x-acs-content-sha256 value as sent.
func ACS3CanonicalRequest(method, path string, query []Param, host string, header http.Header, signed []string, contentSHA256 string) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	if path == "" {
		path = "/"
	}
	uri := acs3Encode(path)
	uri = strings.ReplaceAll(uri, "%2F", "/")
	b.WriteString(uri)
	b.WriteByte('\n')
	qs := append([]Param(nil), query...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].Key < qs[j].Key })
	for i, p := range qs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(acs3Encode(p.Value))
	}
	b.WriteByte('\n')
	for _, h := range signed {
		var vals []string
		if h == "host" {
			vals = []string{host}
		} else {
			vals = header.Values(h)
		}
		vs := make([]string, len(vals))
		for i, v := range vals {
			vs[i] = strings.TrimSpace(v)
		}
		sort.Strings(vs)
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(strings.Join(vs, ","))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(contentSHA256)
	return b.String()
}

// ACS3StringToSign is "ACS3-HMAC-SHA256\n" + hex(SHA256(canonicalRequest)).
func ACS3StringToSign(canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return ACS3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

// ACS3Signature is hex(HMAC-SHA256(secret, stringToSign)).
func ACS3Signature(secret, stringToSign string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return hex.EncodeToString(m.Sum(nil))
}

// ACS3Input is everything a V3 signature covers.
type ACS3Input struct {
	Method string
	Path   string // decoded URL path
	Query  []Param
	Host   string
	Header http.Header
	Body   []byte
}

// VerifyACS3 checks a V3 signature: the signed-header list must include host and every x-acs-*
// header present, x-acs-content-sha256 must be the hash of the body, and the signature must match.
// It returns the server's string to sign and the name of the failed check ("" when ok):
// "incomplete" (the signed-header list leaves out a header that must be signed, or names one that
// is absent) or "signature" (hash or signature mismatch).
func VerifyACS3(in ACS3Input, auth ACS3Auth, secret string) (stringToSign, failed string) {
	signed := make(map[string]bool, len(auth.SignedHeaders))
	for i, h := range auth.SignedHeaders {
		if h != strings.ToLower(h) || h == "" || signed[h] || i > 0 && auth.SignedHeaders[i-1] > h {
			return "", "incomplete"
		}
		signed[h] = true
		if h != "host" && len(in.Header.Values(h)) == 0 {
			return "", "incomplete"
		}
	}
	if !signed["host"] {
		return "", "incomplete"
	}
	for k := range in.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-acs-") && !signed[lk] {
			return "", "incomplete"
		}
	}
	contentSHA := in.Header.Get("x-acs-content-sha256")
	sum := sha256.Sum256(in.Body)
	bodyOK := subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(contentSHA))) == 1
	sts := ACS3StringToSign(ACS3CanonicalRequest(in.Method, in.Path, in.Query, in.Host, in.Header, auth.SignedHeaders, contentSHA))
	want := ACS3Signature(secret, sts)
	sigOK := subtle.ConstantTimeCompare([]byte(want), []byte(auth.Signature)) == 1
	if !bodyOK || !sigOK {
		return sts, "signature"
	}
	return sts, ""
}

// ParseParams decodes an application/x-www-form-urlencoded string into parameters in order,
// reporting malformed escapes. '+' decodes to a space, as in url.ParseQuery.
func ParseParams(s string) ([]Param, error) {
	var ps []Param
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		ps = append(ps, Param{dk, dv})
	}
	return ps, nil
}
