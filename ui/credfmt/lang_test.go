package credfmt

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Exports keep the operator's language: the comments, ossutil's language= and a new aliyun CLI
// profile's language; every line a tool reads is otherwise the same.
func TestExportsInChinese(t *testing.T) {
	c := model.Credentials{AccessKeyID: "STS.id", AccessKeySecret: "sec", SecurityToken: "tok", Expiration: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Region: "cn-hangzhou"}
	for _, kind := range Kinds {
		en, err := Format(kind, c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		zh, err := Format(kind, c, Options{Lang: i18n.ZH})
		if err != nil {
			t.Fatal(err)
		}
		el, zl := strings.Split(en, "\n"), strings.Split(zh, "\n")
		if len(el) != len(zl) {
			t.Fatalf("%s: %d lines in English, %d in Chinese", kind, len(el), len(zl))
		}
		for i := range el {
			switch {
			case strings.HasPrefix(el[i], "#"):
				if el[i] == zl[i] {
					t.Errorf("%s: comment not translated: %q", kind, zl[i])
				}
			case el[i] == "language=EN":
				if zl[i] != "language=CH" {
					t.Errorf("%s: %q", kind, zl[i])
				}
			case strings.Contains(el[i], `"language": "en"`):
				if !strings.Contains(zl[i], `"language": "zh"`) {
					t.Errorf("%s: %q", kind, zl[i])
				}
			case el[i] != zl[i]:
				t.Errorf("%s line %d changed with the language: %q vs %q", kind, i+1, el[i], zl[i])
			}
		}
	}
	// A JSON field a script reads never changes language.
	c.Expiration = time.Time{}
	zh, _ := Format("json", c, Options{Lang: i18n.ZH})
	if !strings.Contains(zh, `"Expiration": "unknown"`) {
		t.Errorf("json: %s", zh)
	}
}
