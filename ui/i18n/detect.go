package i18n

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// Source says where Detect found the language (the console's help shows it).
type Source string

// Where a language choice comes from, first match wins.
const (
	FromFlag    Source = "--lang"
	FromEnv     Source = "STSDECK_LANG"
	FromProfile Source = "aliyun CLI profile"
	FromLocale  Source = "locale"
	FromDefault Source = "default"
)

// DetectInput is what Detect reads; zero fields are not consulted (ReadFile nil = os.ReadFile).
type DetectInput struct {
	Flag     string              // --lang
	Profile  string              // --profile (the aliyun CLI profile the command uses)
	Getenv   func(string) string // the process environment
	ReadFile func(string) ([]byte, error)
}

// Detect picks the language, first match wins: --lang, $STSDECK_LANG, the language of the
// active aliyun CLI profile (--profile, else $ALIBABA_CLOUD_PROFILE, else the config's
// "current"; the file is $ALIBABA_CLOUD_CONFIG_FILE, else ~/.aliyun/config.json), then
// $LC_ALL, $LC_MESSAGES, $LANG (zh_* → Chinese; the first one set decides, as POSIX has it),
// else English. A value that names no language stsdeck speaks is skipped.
func Detect(in DetectInput) (Lang, Source) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if l, ok := Parse(in.Flag); ok {
		return l, FromFlag
	}
	if l, ok := Parse(getenv("STSDECK_LANG")); ok {
		return l, FromEnv
	}
	if l, ok := profileLanguage(in, getenv); ok {
		return l, FromProfile
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		s := getenv(v)
		if s == "" {
			continue
		}
		// POSIX: the first variable set wins, whatever it names.
		if l, ok := Parse(s); ok {
			return l, FromLocale
		}
		return EN, FromLocale
	}
	return EN, FromDefault
}

// ValidFlag checks a --lang value ("" = not given).
func ValidFlag(s string) bool {
	if s == "" {
		return true
	}
	_, ok := Parse(s)
	return ok
}

func profileLanguage(in DetectInput, getenv func(string) string) (Lang, bool) {
	path := getenv("ALIBABA_CLOUD_CONFIG_FILE")
	if path == "" {
		home := getenv("HOME")
		if home == "" {
			return "", false
		}
		path = filepath.Join(home, ".aliyun", "config.json")
	}
	read := in.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		return "", false
	}
	var cfg struct {
		Current  string `json:"current"`
		Profiles []struct {
			Name     string `json:"name"`
			Language string `json:"language"`
		} `json:"profiles"`
	}
	if json.Unmarshal(data, &cfg) != nil {
		return "", false
	}
	name := in.Profile
	if name == "" {
		name = getenv("ALIBABA_CLOUD_PROFILE")
	}
	if name == "" {
		name = cfg.Current
	}
	if name == "" {
		name = "default"
	}
	for _, p := range cfg.Profiles {
		if p.Name == name {
			return Parse(p.Language)
		}
	}
	return "", false
}

// ProfileLanguage is the aliyun CLI's spelling of the language for a profile it writes
// (`aliyun configure set --language zh|en`, "language": "zh" in config.json).
func (l Lang) ProfileLanguage() string {
	if l == ZH {
		return "zh"
	}
	return "en"
}

// ScanArgs finds --lang and --profile in a command line before any flag set parses it (the
// top-level usage and every command's own messages need the language first). "--" ends it.
func ScanArgs(args []string) (lang, profile string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"lang", "profile"} {
			for _, dash := range []string{"-", "--"} {
				p := dash + name
				v := ""
				switch {
				case a == p && i+1 < len(args):
					v = args[i+1]
				case strings.HasPrefix(a, p+"="):
					v = a[len(p)+1:]
				default:
					continue
				}
				if name == "lang" {
					lang = v
				} else {
					profile = v
				}
			}
		}
	}
	return lang, profile
}
