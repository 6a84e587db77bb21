package i18n

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// domainPattern is one entry of locales/domain.json: the English text the domain code
// (model/...) produces, with {1}, {2}... where values go, and its Chinese.
type domainPattern struct {
	ID string `json:"id"`
	EN string `json:"en"`
	ZH string `json:"zh"`
	re *regexp.Regexp
	// lead is the literal text before the first value: a cheap pre-filter.
	lead string
}

var placeholder = regexp.MustCompile(`\{(\d)\}`)

// zhPlaceholder is {n} (the value verbatim) or {~n} (the value is itself English from the
// domain code — "an identity", "a string", a nested domain text — and goes through the
// patterns, then the catalog).
var zhPlaceholder = regexp.MustCompile(`\{~?(\d)\}`)

func loadDomain() ([]domainPattern, error) {
	data, err := localeFS.ReadFile("locales/domain.json")
	if err != nil {
		return nil, err
	}
	var ps []domainPattern
	if err := json.Unmarshal(data, &ps); err != nil {
		return nil, fmt.Errorf("locales/domain.json: %w", err)
	}
	seen := map[string]bool{}
	for i := range ps {
		p := &ps[i]
		if p.ID == "" || seen[p.ID] {
			return nil, fmt.Errorf("locales/domain.json: entry %d: missing or duplicate id %q", i, p.ID)
		}
		seen[p.ID] = true
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, m := range placeholder.FindAllStringSubmatchIndex(p.EN, -1) {
			b.WriteString(regexp.QuoteMeta(p.EN[last:m[0]]))
			b.WriteString(`(.*?)`)
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(p.EN[last:]))
		b.WriteString("$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			return nil, fmt.Errorf("locales/domain.json %s: %w", p.ID, err)
		}
		p.re = re
		if m := placeholder.FindStringIndex(p.EN); m != nil {
			p.lead = p.EN[:m[0]]
		} else {
			p.lead = p.EN
		}
	}
	return ps, nil
}

// Domain translates an English text from the domain code (a lint finding, an explanation, a
// deciding layer, an STS/OSS error explanation) into the current language. Parts joined by
// "; " are translated one by one. The cloud's own Message strings are never passed here.
func (t *T) Domain(en string) string {
	if en == "" || t.Lang() == EN {
		return en
	}
	t.mu.Lock()
	if v, ok := t.cache[en]; ok {
		t.mu.Unlock()
		return v
	}
	t.mu.Unlock()
	out, ok := domainLookup(t, en)
	// A text of parts joined by "; " that a pattern without "; " matched whole (its last value
	// swallowed the other parts: "embedded sandbox … data {3}; looked in: …") is translated
	// part by part when every part is known.
	if strings.Contains(en, "; ") && (!ok || swallowsParts(en)) {
		parts := strings.Split(en, "; ")
		all := true
		for i, p := range parts {
			if v, ok := domainLookup(t, p); ok {
				parts[i] = v
			} else {
				all = false
			}
		}
		if !ok || all {
			out = strings.Join(parts, "；")
		}
	}
	t.mu.Lock()
	if t.cache == nil || len(t.cache) > 4096 {
		t.cache = map[string]string{}
	}
	t.cache[en] = out
	t.mu.Unlock()
	return out
}

// swallowsParts reports whether the first pattern matching en whole has no "; " of its own,
// so the "; " in en is inside its values.
func swallowsParts(en string) bool {
	for _, p := range mustDomain() {
		if strings.HasPrefix(en, p.lead) && p.re.MatchString(en) {
			return !strings.Contains(p.EN, "; ")
		}
	}
	return false
}

// domainLookup finds the first pattern that matches en whole and fills its Chinese.
func domainLookup(t *T, en string) (string, bool) {
	for _, p := range mustDomain() {
		if !strings.HasPrefix(en, p.lead) {
			continue
		}
		m := p.re.FindStringSubmatch(en)
		if m == nil {
			continue
		}
		return zhPlaceholder.ReplaceAllStringFunc(p.ZH, func(ph string) string {
			n, _ := strconv.Atoi(ph[len(ph)-2 : len(ph)-1])
			if n >= len(m) {
				return ph
			}
			if ph[1] == '~' {
				// A value that is itself domain text ("never: {~1}", "{~1} (when {~2})") is
				// translated by the patterns first, then by the catalog; it is always shorter
				// than en, so this ends.
				if len(m[n]) < len(en) {
					if v := t.Domain(m[n]); v != m[n] {
						return v
					}
				}
				return t.S(m[n])
			}
			return m[n]
		}), true
	}
	return en, false
}

// DomainKnown reports whether some pattern matches en whole (tests).
func DomainKnown(en string) (id string, ok bool) {
	for _, p := range mustDomain() {
		if strings.HasPrefix(en, p.lead) && p.re.MatchString(en) {
			return p.ID, true
		}
	}
	return "", false
}

// The domain patterns compile a few hundred expressions (≈10 ms): they are loaded on the first
// domain text, not with the catalogs, so the console's first frame does not wait for them.
var domainOnce = sync.OnceValues(loadDomain)

func mustDomain() []domainPattern {
	d, err := domainOnce()
	if err != nil {
		panic("i18n: embedded domain patterns: " + err.Error())
	}
	return d
}
