// Package i18n is the console's and the commands' message catalog: English and Simplified
// Chinese, embedded, formatted by golang.org/x/text/message (plural forms through
// x/text/feature/plural, numbers through the printer's locale).
//
// Message IDs are the English source strings, as x/text's catalogs (and gettext) key them: a
// call site reads T.S("%d roles", n) and the catalog maps that ID to each language's text
// (locales/zh.json, and locales/en.json where English needs plural forms). A missing ID prints
// the ID itself, so English never breaks; TestCatalogComplete checks that every ID a call site
// uses exists in both languages.
//
// Domain code (model/...) stays stdlib-only and returns English text; the faces translate it
// with T.Domain, which matches the text against the patterns in locales/domain.json (each an ID,
// the English pattern with {1}, {2}... for the values, and the Chinese). Values (names, ARNs,
// actions, numbers) are carried over verbatim; a text no pattern matches stays English.
//
// Machine output (--json, exit codes, the audit log, export formats) never goes through here.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a console language.
type Lang string

// The languages stsdeck speaks.
const (
	EN Lang = "en"
	ZH Lang = "zh"
)

// Langs lists the languages in the order the console cycles through them.
var Langs = []Lang{EN, ZH}

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == ZH {
		return language.SimplifiedChinese
	}
	return language.English
}

// Name is the language's own name, as the console's help shows it.
func (l Lang) Name() string {
	if l == ZH {
		return "中文"
	}
	return "English"
}

// Parse reads a --lang / STSDECK_LANG value: zh, zh-CN, zh_CN, cn, chinese → ZH; en, en-US... → EN.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	switch {
	case s == "zh" || s == "cn" || s == "chinese" || strings.HasPrefix(s, "zh-") || strings.HasPrefix(s, "zh_") || s == "中文":
		return ZH, true
	case s == "en" || s == "english" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_"):
		return EN, true
	}
	return "", false
}

//go:embed locales/*.json
var localeFS embed.FS

// entry is one catalog value: a string, or plural cases selected by argument Arg (1-based).
type entry struct {
	Text  string
	Arg   int
	Cases map[string]string // "one", "other", "=0" ...
}

func (e *entry) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &e.Text)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.Cases = map[string]string{}
	for k, v := range raw {
		if k == "arg" {
			if err := json.Unmarshal(v, &e.Arg); err != nil {
				return err
			}
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("case %q: %w", k, err)
		}
		e.Cases[k] = s
	}
	if e.Arg == 0 {
		e.Arg = 1
	}
	if _, ok := e.Cases["other"]; !ok {
		return fmt.Errorf("plural entry without \"other\"")
	}
	return nil
}

func (e entry) message() catalog.Message {
	if e.Cases == nil {
		return catalog.String(e.Text)
	}
	keys := make([]string, 0, len(e.Cases))
	for k := range e.Cases {
		keys = append(keys, k)
	}
	// Exact selectors (=0) first, "other" last, as plural.Selectf wants.
	sort.Slice(keys, func(i, j int) bool {
		return rank(keys[i]) < rank(keys[j]) || rank(keys[i]) == rank(keys[j]) && keys[i] < keys[j]
	})
	cases := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		cases = append(cases, k, e.Cases[k])
	}
	return plural.Selectf(e.Arg, "", cases...)
}

func rank(k string) int {
	switch {
	case strings.HasPrefix(k, "="):
		return 0
	case k == "other":
		return 2
	}
	return 1
}

// catalogs is the parsed, immutable catalog (built once).
type catalogs struct {
	cat catalog.Catalog
	ids map[Lang]map[string]entry
}

var loadOnce = sync.OnceValues(load)

func load() (*catalogs, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	c := &catalogs{ids: map[Lang]map[string]entry{}}
	for _, l := range Langs {
		m, err := loadLang(l)
		if err != nil {
			return nil, err
		}
		c.ids[l] = m
		for id, e := range m {
			if err := b.Set(l.Tag(), id, e.message()); err != nil {
				return nil, fmt.Errorf("locales %s %q: %w", l, id, err)
			}
		}
	}
	c.cat = b
	return c, nil
}

// loadLang merges a language's catalog files: locales/<lang>.json and any
// locales/<lang>_<area>.json (one file per screen or command family, so that they can be
// written apart); an ID defined in two files is an error.
func loadLang(l Lang) (map[string]entry, error) {
	files, err := fs.Glob(localeFS, "locales/"+string(l)+"_*.json")
	if err != nil {
		return nil, err
	}
	files = append([]string{"locales/" + string(l) + ".json"}, files...)
	m := map[string]entry{}
	from := map[string]string{}
	for _, f := range files {
		data, err := localeFS.ReadFile(f)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && f != files[0] {
				continue
			}
			return nil, err
		}
		part := map[string]entry{}
		if err := json.Unmarshal(data, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for id, e := range part {
			if prev, dup := from[id]; dup {
				return nil, fmt.Errorf("%s: %q is already defined in %s", f, id, prev)
			}
			m[id], from[id] = e, f
		}
	}
	return m, nil
}

func mustLoad() *catalogs {
	c, err := loadOnce()
	if err != nil {
		panic("i18n: embedded catalog: " + err.Error())
	}
	return c
}

// T translates into the current language. One T is shared by the console's screens (the app
// switches it live with SetLang) or made per command; it is safe for concurrent use.
type T struct {
	cur   atomic.Pointer[state]
	mu    sync.Mutex
	cache map[string]string // Domain results for the current language
}

type state struct {
	lang Lang
	p    *message.Printer
}

// New returns a translator for lang (anything but ZH is English).
func New(lang Lang) *T {
	t := &T{}
	t.SetLang(lang)
	return t
}

// SetLang switches the language.
func (t *T) SetLang(lang Lang) {
	if lang != ZH {
		lang = EN
	}
	c := mustLoad()
	t.cur.Store(&state{lang: lang, p: message.NewPrinter(lang.Tag(), message.Catalog(c.cat))})
	t.mu.Lock()
	t.cache = nil
	t.mu.Unlock()
}

func (t *T) state() *state {
	if t == nil {
		return defaultState()
	}
	s := t.cur.Load()
	if s == nil {
		return defaultState()
	}
	return s
}

var defaultOnce = sync.OnceValue(func() *state {
	return &state{lang: EN, p: message.NewPrinter(language.English, message.Catalog(mustLoad().cat))}
})

func defaultState() *state { return defaultOnce() }

// Lang is the current language (a nil T speaks English).
func (t *T) Lang() Lang { return t.state().lang }

// Next is the language after the current one (the console's L key).
func (t *T) Next() Lang {
	cur := t.Lang()
	for i, l := range Langs {
		if l == cur {
			return Langs[(i+1)%len(Langs)]
		}
	}
	return EN
}

// S formats message id with args in the current language. A nil T speaks English.
func (t *T) S(id string, args ...any) string {
	return t.state().p.Sprintf(id, args...)
}

// F writes message id, formatted with args, to w (fmt.Fprintf).
func (t *T) F(w io.Writer, id string, args ...any) {
	_, _ = t.state().p.Fprintf(w, id, args...)
}

// Ln writes message id, formatted with args, and a newline to w.
func (t *T) Ln(w io.Writer, id string, args ...any) {
	_, _ = t.state().p.Fprintf(w, id, args...)
	_, _ = w.Write([]byte{'\n'})
}

// Key translates a key binding's help text (the English text of key.WithHelp's description).
func (t *T) Key(desc string) string {
	if desc == "" || t.Lang() == EN {
		return desc
	}
	return t.state().p.Sprintf(desc)
}

// Has reports whether lang's catalog has id (tests).
func Has(lang Lang, id string) bool {
	_, ok := mustLoad().ids[lang][id]
	return ok
}

// IDs lists lang's catalog IDs (tests).
func IDs(lang Lang) []string {
	m := mustLoad().ids[lang]
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Raw is lang's catalog text for id ("" and false when missing; plural entries: "other").
func Raw(lang Lang, id string) (string, bool) {
	e, ok := mustLoad().ids[lang][id]
	if !ok {
		return "", false
	}
	if e.Cases != nil {
		return e.Cases["other"], true
	}
	return e.Text, true
}
