package policy

import "strings"

type resourceLevel uint8

const (
	levelAny     resourceLevel = iota // not tied to an OSS resource level
	levelService                      // acs:oss:*:<uid>:*
	levelBucket                       // acs:oss:<region>:<uid>:<bucket>
	levelObject                       // acs:oss:<region>:<uid>:<bucket>/<key>
)

type catalogAction struct {
	name  string
	level resourceLevel
}

// otherActions are the non-OSS actions stsdeck knows (what the console and sandbox use).
var otherActions = []catalogAction{
	{"sts:AssumeRole", levelAny},
	{"ram:ListRoles", levelAny},
	{"ram:GetRole", levelAny},
	{"ram:ListPoliciesForRole", levelAny},
	{"ram:GetPolicy", levelAny},
	{"ram:GetPolicyVersion", levelAny},
	{"ram:ListPoliciesForUser", levelAny},
}

// catalog maps lower-cased action names to their entries; names holds the canonical spellings
// for "did you mean".
var (
	catalog      map[string]catalogAction
	catalogNames []string
)

func init() {
	catalog = make(map[string]catalogAction, len(ossActions)+len(otherActions))
	for _, lists := range [][]catalogAction{ossActions, otherActions} {
		for _, a := range lists {
			catalog[strings.ToLower(a.name)] = a
			catalogNames = append(catalogNames, a.name)
		}
	}
}

// KnownActions returns the catalogue of actions the engine knows, in a stable order.
func KnownActions() []string { return append([]string(nil), catalogNames...) }

// knownServices are the services whose action lists stsdeck carries in full.
var knownServices = map[string]bool{"oss": true, "sts": true}

// knownKeys are the condition keys the engine knows, canonical spelling.
var knownKeys = []string{
	KeySourceIP, KeyCurrentTime, KeySecureTransport, KeyUserAgent, KeyMFAPresent,
	"acs:AccessId", "acs:SourceVpc", "acs:SourceVpcIp",
	KeyPrefix, KeyDelimiter, "oss:MaxKeys",
	KeyExternalID, "saml:recipient",
}

// keyPrefixes are key families with a free suffix (tags).
var keyPrefixes = []string{"oss:BucketTag/", "oss:ExistingObjectTag/", "oss:RequestObjectTag/"}

// canonicalKey returns the canonical spelling of a known key (keys compare case-insensitively
// in RAM), else k unchanged.
func canonicalKey(k string) string {
	for _, c := range knownKeys {
		if strings.EqualFold(c, k) {
			return c
		}
	}
	for _, p := range keyPrefixes {
		if len(k) > len(p) && strings.EqualFold(k[:len(p)], p) {
			return p + k[len(p):]
		}
	}
	return k
}

func isKnownKey(k string) bool {
	c := canonicalKey(k)
	for _, x := range knownKeys {
		if x == c {
			return true
		}
	}
	for _, p := range keyPrefixes {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// keyCategory is the natural operator category of a known key.
func keyCategory(k string) (opCategory, bool) {
	switch canonicalKey(k) {
	case KeySourceIP, "acs:SourceVpcIp":
		return catIP, true
	case KeyCurrentTime:
		return catDate, true
	case KeySecureTransport, KeyMFAPresent:
		return catBool, true
	case "oss:MaxKeys":
		return catNumeric, true
	}
	if isKnownKey(k) {
		return catString, true
	}
	return 0, false
}

// closest returns the candidate nearest to s (case-insensitive edit distance), if within max
// edits, or a case-insensitive exact match.
func closest(s string, candidates []string, max int) string {
	ls := strings.ToLower(s)
	best, bestD := "", max+1
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c), bestD)
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, giving up (returning limit) once it exceeds limit.
func editDistance(a, b string, limit int) int {
	if len(a) > 200 || len(b) > 200 {
		return limit
	}
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
