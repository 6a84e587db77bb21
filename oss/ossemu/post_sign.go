package ossemu

// Signatures of PostObject forms (pure functions). The string to sign is the policy field as
// sent (its base64 text):
//
//	V1: Signature       = base64(HMAC-SHA1(AccessKeySecret, policy))
//	V4: x-oss-signature = hex(HMAC-SHA256(SigningKey, policy)), SigningKey derived as for V4
//	    headers: HMAC chain "aliyun_v4"+secret → yyyymmdd → region → "oss" → "aliyun_v4_request"
//
// (OSS docs "PostObject" / "POST V4 signature".) Written here rather than shared with sign.go so
// that the form verifier stands on its own.

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// PostSignatureV1 is the V1 Signature field for policy.
func PostSignatureV1(secret, policy string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(policy))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// PostSignatureV4 is the V4 x-oss-signature field for policy, signed for day (yyyymmdd) and
// region.
func PostSignatureV4(secret, day, region, policy string) string {
	k := postHMAC([]byte("aliyun_v4"+secret), day)
	k = postHMAC(k, region)
	k = postHMAC(k, v4Service)
	k = postHMAC(k, v4Terminator)
	return hex.EncodeToString(postHMAC(k, policy))
}

func postHMAC(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// PostCredential is a parsed x-oss-credential field: AK/yyyymmdd/region/oss/aliyun_v4_request.
type PostCredential struct {
	AccessKeyID, Day, Region, Service, Terminator string
}

// ParsePostCredential splits the field; ok is false unless it has five parts and an AK.
func ParsePostCredential(s string) (PostCredential, bool) {
	p := strings.Split(s, "/")
	if len(p) != 5 || p[0] == "" {
		return PostCredential{}, false
	}
	return PostCredential{AccessKeyID: p[0], Day: p[1], Region: p[2], Service: p[3], Terminator: p[4]}, true
}

// postCredErr is the answer to an x-oss-credential that does not fit the request (codes and ECs
// as the V4 header checks answer them: 0002-00000224 invalid credential, 0002-00000226 wrong
// region; messages name the form field).
func postCredErr(ec, msg, why string) *ossError {
	return apiErr("InvalidArgument", msg, field{"ArgumentName", "x-oss-credential"}).withEC(ec).check("signature", why)
}

// CheckPostCredential refuses a scope that does not fit: terminator, service, the listener's
// region, and the day of x-oss-date.
func CheckPostCredential(c PostCredential, region string, date time.Time) *ossError {
	switch {
	case c.Terminator != v4Terminator:
		return postCredErr("0002-00000224", "Invalid credential in x-oss-credential.", "credential scope ends in "+quoteShort(c.Terminator)+", want "+v4Terminator)
	case !validDay(c.Day):
		return postCredErr("0002-00000224", "Invalid signing date in x-oss-credential.", "credential scope date "+quoteShort(c.Day)+" is not yyyymmdd")
	case c.Service != v4Service:
		return postCredErr("0002-00000224", "Invalid signing product in x-oss-credential.", "credential scope names the service "+quoteShort(c.Service)+", want oss")
	case c.Region == "" || c.Region != region:
		return postCredErr("0002-00000226", "Invalid signing region in x-oss-credential.", "credential scope names the region "+quoteShort(c.Region)+"; this endpoint is "+region)
	case c.Day != date.UTC().Format("20060102"):
		return postCredErr("0002-00000224", "Invalid signing date in x-oss-credential.", "credential scope date "+c.Day+" is not the day of x-oss-date")
	}
	return nil
}

// equalSig compares signatures in constant time.
func equalSig(got, want string) bool { return hmac.Equal([]byte(got), []byte(want)) }
