package ossemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Signature V2 ("OSS2"), as the OSS Go SDK v1 (aliyun-oss-go-sdk v3.0.2, oss.AuthV2) builds it
// (oss/auth.go signHeader/getSignedStr, oss/conn.go getResource/getSubResource/signURL):
//
//	StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n
//	               CanonicalizedOSSHeaders  (x-oss-* and the additional headers, "name:value\n", sorted)
//	               join(AdditionalHeaders, ";") \n
//	               CanonicalizedResource    (escape("/bucket/key") + "?" + every query parameter, escaped, sorted)
//	Signature    = base64(HMAC-SHA256(secret, StringToSign))
//	Authorization: OSS2 AccessKeyId:<ak>[,AdditionalHeaders:<h1;h2>],Signature:<sig>
//
// Signed URLs carry x-oss-signature-version=OSS2, x-oss-access-key-id, x-oss-expires (unix
// seconds, also the Date line), [x-oss-additional-headers], [security-token] and x-oss-signature;
// every parameter but x-oss-signature is in the canonical resource.

const v2Scheme = "OSS2"

func parseV2Header(r *SigRequest, authz string) (*Auth, *ossError) {
	bad := func(why string) (*Auth, *ossError) {
		return nil, sigErr("authz-malformed", field{"ArgumentName", "Authorization"}).check("signature", why)
	}
	a := &Auth{Kind: AuthV2Header, SecurityToken: r.Header.Get("x-oss-security-token")}
	seen := map[string]bool{}
	for _, item := range strings.Split(strings.TrimPrefix(authz, v2Scheme+" "), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			return bad("malformed V2 Authorization element (want Name:value)")
		}
		if seen[k] {
			return bad("V2 Authorization element " + strconv.Quote(k) + " given twice")
		}
		seen[k] = true
		switch k {
		case "AccessKeyId":
			a.AccessKeyID = v
		case "AdditionalHeaders":
			a.Additional = splitAdditional(v)
		case "Signature":
			a.Signature = v
		default:
			return bad("unknown V2 Authorization element " + strconv.Quote(k))
		}
	}
	if a.AccessKeyID == "" || a.Signature == "" {
		return bad("V2 Authorization without AccessKeyId or Signature")
	}
	if e := a.headerDateLine(r); e != nil {
		return nil, e
	}
	return a, nil
}

func parseV2Query(q url.Values) (*Auth, *ossError) {
	ak, sig, exp := q.Get("x-oss-access-key-id"), q.Get("x-oss-signature"), q.Get("x-oss-expires")
	if ak == "" || sig == "" || exp == "" {
		return nil, sigErr("v2q-incomplete").check("signature", "incomplete V2 signed URL")
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || n < 0 {
		return nil, sigErr("v2q-bad-expires", field{"Expires", exp}).check("timestamp", "x-oss-expires is not a number of seconds since the epoch")
	}
	return &Auth{Kind: AuthV2Query, AccessKeyID: ak, Signature: sig, SecurityToken: q.Get("security-token"),
		DateLine: exp, Expires: time.Unix(n, 0), Additional: splitAdditional(q.Get("x-oss-additional-headers"))}, nil
}

// V2StringToSign builds the V2 string to sign of r for a (header or signed URL).
func V2StringToSign(r *SigRequest, a *Auth) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(a.DateLine)
	b.WriteByte('\n')
	writeCanonicalHeaders(&b, r, a.Additional, false)
	b.WriteString(strings.Join(a.Additional, ";"))
	b.WriteByte('\n')
	uri := "/"
	if r.Bucket != "" {
		uri += r.Bucket + "/" + r.Key
	}
	b.WriteString(uriEscape(uri, false))
	type param struct{ k, v string }
	var ps []param
	for _, item := range strings.Split(r.RawQuery, "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		k = canonicalComponent(k)
		if a.Kind == AuthV2Query && k == "x-oss-signature" {
			continue
		}
		ps = append(ps, param{k, canonicalComponent(v)})
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].k != ps[j].k {
			return ps[i].k < ps[j].k
		}
		return ps[i].v < ps[j].v
	})
	for i, p := range ps {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		if p.v != "" {
			b.WriteByte('=')
			b.WriteString(p.v)
		}
	}
	return b.String()
}

func v2Sign(secret, sts string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// verifyV2 ends in a constant-time compare of the recomputed signature with the given one.
func verifyV2(r *SigRequest, a *Auth, secret string) *ossError {
	sts := V2StringToSign(r, a)
	if hmac.Equal([]byte(v2Sign(secret, sts)), []byte(a.Signature)) {
		return nil
	}
	row := "v2-mismatch"
	if a.Kind == AuthV2Query {
		row = "v2q-mismatch"
	}
	return sigMismatch(a, sts, "", row)
}
