package flow

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// KeyPattern is the resource pattern that covers a set of object keys.
type KeyPattern struct {
	// Pattern is the key part of the resource: the key itself for one key without wildcard
	// characters, else the keys' longest common prefix (cut on a character boundary) followed
	// by "*". A "*" or "?" inside a key is a wildcard in a resource; each one is written as "?"
	// (exactly one character, which matches it), never as "*".
	Pattern  string   `json:"pattern"`
	Keys     []string `json:"keys"`     // the distinct keys that led to it, sorted
	Wildcard bool     `json:"wildcard"` // Pattern matches keys that were not seen
}

// GeneralizeKeys returns the smallest prefix pattern that covers keys: one key stays exact, two
// or more become <longest common prefix>*; no common prefix gives "*" (every object of the
// bucket, never wider).
func GeneralizeKeys(keys []string) KeyPattern {
	set := map[string]bool{}
	for _, k := range keys {
		set[k] = true
	}
	uniq := make([]string, 0, len(set))
	for k := range set {
		uniq = append(uniq, k)
	}
	sort.Strings(uniq)
	kp := KeyPattern{Keys: uniq}
	switch len(uniq) {
	case 0:
		kp.Pattern, kp.Wildcard = "*", true
		return kp
	case 1:
		kp.Pattern = escapeWildcards(uniq[0])
		kp.Wildcard = strings.ContainsAny(uniq[0], "*?")
		return kp
	}
	// Sorted: the common prefix of all is that of the first and the last.
	p := commonPrefix(uniq[0], uniq[len(uniq)-1])
	kp.Pattern, kp.Wildcard = escapeWildcards(p)+"*", true
	return kp
}

// commonPrefix is the longest common prefix of a and b, cut back to a UTF-8 boundary.
func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	for i > 0 && i < len(a) && !utf8.RuneStart(a[i]) {
		i--
	}
	return a[:i]
}

// escapeWildcards writes each "*" or "?" of a literal key as "?".
func escapeWildcards(s string) string {
	if !strings.ContainsAny(s, "*?") {
		return s
	}
	return strings.NewReplacer("*", "?", "?", "?").Replace(s)
}
