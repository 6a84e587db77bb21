package ossemu

import (
	"strings"
	"time"
)

// V4Scope is the credential scope of a V4 signature: Credential=AK/Day/Region/Service/Terminator.
// The string to sign and the signing key use it as the client gave it; CheckScope refuses one
// that does not fit the request.
type V4Scope struct {
	Day, Region, Service, Terminator string
}

func (s V4Scope) String() string {
	return s.Day + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

const (
	v4Service    = "oss"
	v4Terminator = "aliyun_v4_request"
)

// parseCredential splits AK/yyyymmdd/region/service/terminator. Only the shape is checked here:
// five parts and an access key id; the parts themselves are CheckScope's business.
func parseCredential(c string) (string, V4Scope, bool) {
	p := strings.Split(c, "/")
	if len(p) != 5 || p[0] == "" {
		return "", V4Scope{}, false
	}
	return p[0], V4Scope{Day: p[1], Region: p[2], Service: p[3], Terminator: p[4]}, true
}

// CheckScope refuses a V4 scope that does not fit the request: the terminator must be
// aliyun_v4_request, the service oss, the region the listener's region (not empty) and the day
// the day (UTC) of the request's signing time. Order: the terminator first (a Credential with
// a wrong terminator and a foreign region gets 0002-00000213, per that EC's doc page), then the
// date format, product, region and day.
func CheckScope(a *Auth, region string) *ossError {
	if a.Kind != AuthV4Header && a.Kind != AuthV4Query {
		return nil
	}
	q := a.Kind == AuthV4Query
	pick := func(header, query string) string {
		if q {
			return query
		}
		return header
	}
	s := a.Scope
	switch {
	case s.Terminator != v4Terminator:
		return sigErr(pick("v4-credential", "v4q-credential")).
			check("scope", "credential scope ends in "+quoteShort(s.Terminator)+", want "+v4Terminator)
	case !validDay(s.Day):
		return sigErr(pick("v4-scope-date", "v4q-scope-date")).
			check("scope", "credential scope date "+quoteShort(s.Day)+" is not yyyymmdd")
	case s.Service != v4Service:
		return sigErr(pick("v4-scope-product", "v4q-scope-product")).
			check("scope", "credential scope names the service "+quoteShort(s.Service)+", want oss")
	case s.Region == "" || s.Region != region:
		return sigErr(pick("v4-scope-region", "v4q-scope-region")).
			check("scope", "credential scope names the region "+quoteShort(s.Region)+"; this endpoint is "+region)
	case s.Day != a.Time.UTC().Format("20060102"):
		return sigErr(pick("v4-scope-date", "v4q-scope-date")).
			check("scope", "credential scope date "+s.Day+" is not the day of the request time "+a.Time.UTC().Format(time.RFC3339))
	}
	return nil
}

func validDay(d string) bool {
	if len(d) != 8 {
		return false
	}
	_, err := time.Parse("20060102", d)
	return err == nil
}

// quoteShort quotes a client-sent value for a trace line, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
