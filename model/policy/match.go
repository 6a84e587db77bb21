package policy

import (
	"strings"
	"unicode/utf8"
)

// globMatch reports whether s matches pattern pat, where "*" matches any run of characters
// (including none, ":" and "/"; any bytes) and "?" exactly one character; every other character of pat
// is literal. With fold, ASCII letters compare case-insensitively (pat must be lower-case).
// It never allocates; time is O(len(pat)·len(s)) in the worst case.
func globMatch(pat, s string, fold bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pat) {
			switch c := pat[p]; c {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[i:])
				i += n
				p++
				continue
			default:
				sc := s[i]
				if fold && sc >= 'A' && sc <= 'Z' {
					sc += 'a' - 'A'
				}
				if sc == c {
					p++
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last "*" swallow one more byte and retry ("*" matches any bytes, as the
		// segment matcher does; "?" is one UTF-8 character).
		starI++
		p, i = starP+1, starI
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// hasWildcard reports whether s contains "*" or "?".
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

// pattern is a compiled Action or Resource value.
type pattern struct {
	s    string
	kind uint8 // patAny, patExact, patStars, patGlob
	// For patStars (wildcards are "*" only): the literal segments between the stars.
	first, last string
	mid         []string
}

const (
	patAny   uint8 = iota // "*"
	patExact              // no wildcard
	patStars              // "*" wildcards only: matched segment by segment, greedily
	patGlob               // contains "?": general matcher
)

func compilePattern(s string, fold bool) pattern {
	if fold {
		s = toLowerASCII(s)
	}
	switch {
	case s == "*":
		return pattern{s: s, kind: patAny}
	case strings.IndexByte(s, '?') >= 0:
		return pattern{s: s, kind: patGlob}
	case strings.IndexByte(s, '*') >= 0:
		segs := strings.Split(s, "*")
		p := pattern{s: s, kind: patStars, first: segs[0], last: segs[len(segs)-1]}
		for _, m := range segs[1 : len(segs)-1] {
			if m != "" {
				p.mid = append(p.mid, m)
			}
		}
		return p
	}
	return pattern{s: s, kind: patExact}
}

func (p *pattern) match(s string, fold bool) bool {
	switch p.kind {
	case patAny:
		return true
	case patExact:
		if !fold {
			return p.s == s
		}
		return equalFoldASCII(p.s, s)
	case patStars:
		// Literal segments separated by "*": the first is a prefix, the last a suffix that
		// must not overlap it, the middle ones are found leftmost-first (which is exact for
		// "*"-only patterns).
		if len(s) < len(p.first)+len(p.last) {
			return false
		}
		if fold {
			if !equalFoldASCII(p.first, s[:len(p.first)]) || !equalFoldASCII(p.last, s[len(s)-len(p.last):]) {
				return false
			}
		} else if s[:len(p.first)] != p.first || s[len(s)-len(p.last):] != p.last {
			return false
		}
		rest := s[len(p.first) : len(s)-len(p.last)]
		for _, m := range p.mid {
			var i int
			if fold {
				i = indexFoldASCII(rest, m)
			} else {
				i = strings.Index(rest, m)
			}
			if i < 0 {
				return false
			}
			rest = rest[i+len(m):]
		}
		return true
	}
	return globMatch(p.s, s, fold)
}

// indexFoldASCII is strings.Index with ASCII case folding; sub is lower-case.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(sub, s[i:i+len(sub)]) {
			return i
		}
	}
	return -1
}

func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFoldASCII compares lower-case l with s, folding ASCII letters of s.
func equalFoldASCII(l, s string) bool {
	if len(l) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != l[i] {
			return false
		}
	}
	return true
}
