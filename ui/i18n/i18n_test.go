package i18n

import (
	"errors"
	"strings"
	"testing"
)

func TestPluralAndFallback(t *testing.T) {
	en, zh := New(EN), New(ZH)
	if got := en.S("%d error(s)", 1); got != "1 error" {
		t.Errorf("en one: %q", got)
	}
	if got := en.S("%d error(s)", 3); got != "3 errors" {
		t.Errorf("en other: %q", got)
	}
	if got := zh.S("%d error(s)", 3); got != "3 个错误" {
		t.Errorf("zh: %q", got)
	}
	if got := en.S("%d error(s)", 1234); got != "1,234 errors" {
		t.Errorf("en number: %q", got)
	}
	// An ID no catalog has prints itself.
	if got := zh.S("no such id %s", "x"); got != "no such id x" {
		t.Errorf("fallback: %q", got)
	}
	var nilT *T
	if got := nilT.S("help"); got != "help" {
		t.Errorf("nil T: %q", got)
	}
	if got := zh.Key("help"); got != "帮助" {
		t.Errorf("key: %q", got)
	}
	zh.SetLang(EN)
	if zh.Lang() != EN || zh.Key("help") != "help" || zh.Next() != ZH {
		t.Errorf("SetLang")
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh": ZH, "zh_CN.UTF-8": ZH, "zh-Hans": ZH, "ZH": ZH, "cn": ZH, "en": EN, "en_US.UTF-8": EN, "EN": EN} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "fr", "C", "POSIX", "ja_JP.UTF-8"} {
		if _, ok := Parse(in); ok {
			t.Errorf("Parse(%q) ok", in)
		}
	}
}

func TestDetectOrder(t *testing.T) {
	cfg := `{"current":"work","profiles":[{"name":"default","language":"en"},{"name":"work","language":"zh"}]}`
	read := func(p string) ([]byte, error) {
		if p == "/home/u/.aliyun/config.json" {
			return []byte(cfg), nil
		}
		return nil, errors.New("no such file")
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name string
		in   DetectInput
		want Lang
		src  Source
	}{
		{"flag wins", DetectInput{Flag: "en", Getenv: env(map[string]string{"STSDECK_LANG": "zh", "LANG": "zh_CN.UTF-8"})}, EN, FromFlag},
		{"env over profile", DetectInput{Getenv: env(map[string]string{"STSDECK_LANG": "en", "HOME": "/home/u"}), ReadFile: read}, EN, FromEnv},
		{"current profile", DetectInput{Getenv: env(map[string]string{"HOME": "/home/u", "LANG": "en_US.UTF-8"}), ReadFile: read}, ZH, FromProfile},
		{"--profile", DetectInput{Profile: "default", Getenv: env(map[string]string{"HOME": "/home/u", "LANG": "zh_CN.UTF-8"}), ReadFile: read}, EN, FromProfile},
		{"ALIBABA_CLOUD_PROFILE", DetectInput{Getenv: env(map[string]string{"HOME": "/home/u", "ALIBABA_CLOUD_PROFILE": "default"}), ReadFile: read}, EN, FromProfile},
		{"unknown profile → locale", DetectInput{Profile: "nope", Getenv: env(map[string]string{"HOME": "/home/u", "LANG": "zh_CN.UTF-8"}), ReadFile: read}, ZH, FromLocale},
		{"LC_ALL over LANG", DetectInput{Getenv: env(map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"})}, EN, FromLocale},
		{"LC_MESSAGES", DetectInput{Getenv: env(map[string]string{"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "C"})}, ZH, FromLocale},
		{"C locale", DetectInput{Getenv: env(map[string]string{"LANG": "C.UTF-8"})}, EN, FromLocale},
		{"bad flag skipped", DetectInput{Flag: "fr", Getenv: env(map[string]string{"LANG": "zh_CN.UTF-8"})}, ZH, FromLocale},
		{"nothing", DetectInput{}, EN, FromDefault},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, src := Detect(c.in)
			if l != c.want || src != c.src {
				t.Errorf("got %s from %s, want %s from %s", l, src, c.want, c.src)
			}
		})
	}
}

func TestScanArgs(t *testing.T) {
	l, p := ScanArgs([]string{"lint", "--json", "--lang", "zh", "-profile=work", "--", "--lang", "en"})
	if l != "zh" || p != "work" {
		t.Errorf("got %q %q", l, p)
	}
	l, _ = ScanArgs([]string{"--lang=en"})
	if l != "en" {
		t.Errorf("got %q", l)
	}
}

func TestDomainPatterns(t *testing.T) {
	zh := New(ZH)
	for _, p := range mustDomain() {
		// Every value the English carries must reach the Chinese.
		for _, ph := range placeholder.FindAllString(p.EN, -1) {
			if !strings.Contains(p.ZH, ph) && !strings.Contains(p.ZH, "{~"+ph[1:]) {
				t.Errorf("%s: %s missing from the Chinese", p.ID, ph)
			}
		}
		if p.ZH == "" {
			t.Errorf("%s: no Chinese", p.ID)
		}
	}
	if got := zh.Domain("not a known sentence"); got != "not a known sentence" {
		t.Errorf("unknown text changed: %q", got)
	}
}
