// Package credfmt renders temporary credentials in the formats other tools read. It is the ONE
// implementation of `stsdeck issue --format` and of the console's export menu: the CLI
// (ui/cli/issue.go) must call Format rather than format credentials itself, so the console and
// the command can never disagree. Standard library, model and ui/i18n only: the comments in
// an export are in the operator's language (Options.Lang), the lines a tool reads never change
// with it — except the tools' own language settings (ossutil language=CH|EN, the aliyun CLI
// profile's "language": "zh"|"en"), which follow the operator's.
//
// Every output holds the AccessKeySecret and the SecurityToken: callers write it only where the
// operator asked (stdout of `issue --format`, the clipboard, or a 0600 file).
package credfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Kinds lists the formats in menu order.
var Kinds = []string{"env", "fish", "powershell", "json", "ossutil", "aliyun-cli", "config-json", "external", "external-profile"}

// DefaultProfileName is the aliyun CLI profile name used when Options.ProfileName is empty.
const DefaultProfileName = "stsdeck"

// DefaultRegion is used when neither Options.Region nor Credentials.Region says one.
const DefaultRegion = "cn-hangzhou"

// Options tune a format. The zero value is usable.
type Options struct {
	// Region overrides Credentials.Region (then DefaultRegion).
	Region string
	// Endpoint is the OSS endpoint for the ossutil format; "" = oss-<region>.aliyuncs.com.
	Endpoint string
	// ProfileName is the aliyun CLI profile for aliyun-cli and config-json; "" = DefaultProfileName.
	ProfileName string
	// ProcessCommand is the command an aliyun CLI External profile runs (external-profile);
	// "" = `stsdeck issue --role <the credentials' role> --format external`.
	ProcessCommand string
	// Existing is the current content of ~/.aliyun/config.json for config-json; the result keeps
	// every other profile and every other field. nil or empty = a new file.
	Existing []byte
	// Lang is the operator's language: export comments, ossutil's language= and a new aliyun
	// CLI profile's language ("" = English).
	Lang i18n.Lang
}

// Describe returns a one-line description of a kind, for menus and help ("" for unknown kinds).
func Describe(kind string) string {
	switch kind {
	case "env":
		return "POSIX sh export lines (eval \"$(…)\" in sh, dash, bash, zsh)"
	case "fish":
		return "fish set -gx lines"
	case "powershell":
		return "PowerShell $Env: assignments"
	case "json":
		return "JSON object (AccessKeyId, AccessKeySecret, SecurityToken, Expiration, …)"
	case "ossutil":
		return "ossutil 1.x config [Credentials] section"
	case "aliyun-cli":
		return "aliyun configure set --mode StsToken command"
	case "config-json":
		return "~/.aliyun/config.json with a StsToken profile merged in"
	case "external":
		return "aliyun CLI External-mode JSON (what a process_command prints: mode, access_key_id, …)"
	case "external-profile":
		return "aliyun configure command for an External profile that runs stsdeck issue --format external"
	}
	return ""
}

// SuggestedFile returns a sensible file name for exporting a kind.
func SuggestedFile(kind string) string {
	switch kind {
	case "env":
		return "stsdeck-credentials.sh"
	case "fish":
		return "stsdeck-credentials.fish"
	case "powershell":
		return "stsdeck-credentials.ps1"
	case "json":
		return "stsdeck-credentials.json"
	case "ossutil":
		return "stsdeck.ossutilconfig"
	case "aliyun-cli":
		return "stsdeck-aliyun-configure.sh"
	case "config-json":
		return "~/.aliyun/config.json"
	case "external":
		return "stsdeck-external.json"
	case "external-profile":
		return "stsdeck-aliyun-external.sh"
	}
	return "stsdeck-credentials.txt"
}

// Valid reports whether kind is one of Kinds.
func Valid(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// envNames returns the variable names and values exported by env, fish and powershell.
func envPairs(c model.Credentials) [][2]string {
	return [][2]string{
		{"ALIBABA_CLOUD_ACCESS_KEY_ID", c.AccessKeyID},
		{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", c.AccessKeySecret},
		{"ALIBABA_CLOUD_SECURITY_TOKEN", c.SecurityToken},
		{"OSS_ACCESS_KEY_ID", c.AccessKeyID},
		{"OSS_ACCESS_KEY_SECRET", c.AccessKeySecret},
		{"OSS_SESSION_TOKEN", c.SecurityToken},
	}
}

// Format renders credentials c as kind. It fails on an unknown kind, on credentials missing a
// field every format needs, and (config-json) on an existing file that is not a JSON object.
func Format(kind string, c model.Credentials, o Options) (string, error) {
	if !Valid(kind) {
		return "", fmt.Errorf("unknown credential format %q: want one of %s", kind, strings.Join(Kinds, ", "))
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" || c.SecurityToken == "" {
		return "", fmt.Errorf("credentials incomplete: AccessKeyId, AccessKeySecret and SecurityToken are all required for %s", kind)
	}
	region := o.Region
	if region == "" {
		region = c.Region
	}
	if region == "" {
		region = DefaultRegion
	}
	profile := o.ProfileName
	if profile == "" {
		profile = DefaultProfileName
	}
	tr := i18n.New(o.Lang)
	expires, expJSON := tr.S("unknown"), "unknown" // the comment's and the JSON's (a script reads that)
	if !c.Expiration.IsZero() {
		expires = c.Expiration.UTC().Format(time.RFC3339)
		expJSON = expires
	}
	var b strings.Builder
	switch kind {
	case "env":
		for _, p := range envPairs(c) {
			fmt.Fprintf(&b, "export %s=%s\n", p[0], shQuote(p[1]))
		}
		tr.F(&b, "# expires %s\n", expires)
	case "fish":
		for _, p := range envPairs(c) {
			fmt.Fprintf(&b, "set -gx %s %s\n", p[0], fishQuote(p[1]))
		}
		tr.F(&b, "# expires %s\n", expires)
	case "powershell":
		for _, p := range envPairs(c) {
			fmt.Fprintf(&b, "$Env:%s = %s\n", p[0], psQuote(p[1]))
		}
		tr.F(&b, "# expires %s\n", expires)
	case "json":
		type user struct {
			Arn           string `json:"Arn,omitempty"`
			AssumedRoleID string `json:"AssumedRoleId,omitempty"`
		}
		v := struct {
			AccessKeyID     string `json:"AccessKeyId"`
			AccessKeySecret string `json:"AccessKeySecret"`
			SecurityToken   string `json:"SecurityToken"`
			Expiration      string `json:"Expiration"`
			RoleArn         string `json:"RoleArn"`
			AssumedRoleUser user   `json:"AssumedRoleUser"`
			Region          string `json:"Region"`
		}{c.AccessKeyID, c.AccessKeySecret, c.SecurityToken, expJSON, c.RoleARN,
			user{c.AssumedRoleARN, c.AssumedRoleID}, region}
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return "", fmt.Errorf("json format: %w", err)
		}
		b.Write(out)
		b.WriteByte('\n')
	case "ossutil":
		ep := o.Endpoint
		if ep == "" {
			ep = "oss-" + region + ".aliyuncs.com"
		}
		for _, v := range []string{ep, region, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken} {
			if strings.ContainsAny(v, "\r\n") {
				return "", fmt.Errorf("ossutil format: a value contains a line break")
			}
		}
		tr.F(&b, "# ossutil 1.x config; temporary credentials, expire %s\n", expires)
		b.WriteString("[Credentials]\n")
		if o.Lang == i18n.ZH {
			b.WriteString("language=CH\n") // ossutil 1.x: CH or EN
		} else {
			b.WriteString("language=EN\n")
		}
		fmt.Fprintf(&b, "endpoint=%s\n", ep)
		fmt.Fprintf(&b, "accessKeyID=%s\n", c.AccessKeyID)
		fmt.Fprintf(&b, "accessKeySecret=%s\n", c.AccessKeySecret)
		fmt.Fprintf(&b, "stsToken=%s\n", c.SecurityToken)
		fmt.Fprintf(&b, "region=%s\n", region)
		b.WriteString("signVersion=v4\n")
	case "aliyun-cli":
		fmt.Fprintf(&b, "aliyun configure set --profile %s --mode StsToken --region %s --access-key-id %s --access-key-secret %s --sts-token %s\n",
			shQuote(profile), shQuote(region), shQuote(c.AccessKeyID), shQuote(c.AccessKeySecret), shQuote(c.SecurityToken))
		tr.F(&b, "# expires %s\n", expires)
	case "config-json":
		out, err := mergeConfigJSON(o.Existing, profile, region, o.Lang.ProfileLanguage(), c)
		if err != nil {
			return "", err
		}
		b.Write(out)
	case "external":
		out, err := External(c)
		if err != nil {
			return "", err
		}
		b.Write(out)
	case "external-profile":
		cmd := o.ProcessCommand
		if cmd == "" {
			cmd = "stsdeck issue --role " + shQuote(c.RoleARN) + " --format external"
		}
		tr.F(&b, "# an aliyun CLI profile that runs stsdeck for a fresh token every time it needs one\n")
		fmt.Fprintf(&b, "aliyun configure set --profile %s --mode External --region %s --process-command %s\n",
			shQuote(profile), shQuote(region), shQuote(cmd))
	}
	return b.String(), nil
}

// External is the JSON the aliyun CLI's External mode (and credentials-go's External provider,
// providers/external.go) reads from a process_command's stdout: mode StsToken, access_key_id,
// access_key_secret, sts_token and expiration in 2006-01-02T15:04:05Z (the provider caches the
// token until 180 s before it). Nothing else may be on stdout.
func External(c model.Credentials) ([]byte, error) {
	v := struct {
		Mode            string `json:"mode"`
		AccessKeyID     string `json:"access_key_id"`
		AccessKeySecret string `json:"access_key_secret"`
		SecurityToken   string `json:"sts_token"`
		Expiration      string `json:"expiration,omitempty"`
	}{"StsToken", c.AccessKeyID, c.AccessKeySecret, c.SecurityToken, ""}
	if !c.Expiration.IsZero() {
		v.Expiration = c.Expiration.UTC().Format("2006-01-02T15:04:05Z")
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("external format: %w", err)
	}
	return append(out, '\n'), nil
}

// mergeConfigJSON puts a StsToken profile named profile into an aliyun CLI config.json,
// keeping every other profile and top-level field as they were.
func mergeConfigJSON(existing []byte, profile, region, language string, c model.Credentials) ([]byte, error) {
	top := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := json.Unmarshal(existing, &top); err != nil {
			return nil, fmt.Errorf("config-json: the existing aliyun config is not a JSON object: %w", err)
		}
		if top == nil { // the file says null
			top = map[string]json.RawMessage{}
		}
	}
	// aliyun CLI reads the file with encoding/json into a struct, which matches keys without
	// regard to case: a "Profiles" beside our "profiles" would make the merge ambiguous.
	for k := range top {
		for _, want := range []string{"profiles", "current", "meta_path"} {
			if k != want && strings.EqualFold(k, want) {
				return nil, fmt.Errorf("config-json: the existing aliyun config has a key %q that the aliyun CLI reads as %q; fix the file by hand first", k, want)
			}
		}
	}
	var profiles []json.RawMessage
	if raw, ok := top["profiles"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &profiles); err != nil {
			return nil, fmt.Errorf("config-json: the existing aliyun config's \"profiles\" is not a list: %w", err)
		}
	}
	// Keep the fields the existing profile of that name had (e.g. output_format), override the rest.
	mine := map[string]any{}
	idx := -1
	for i, p := range profiles {
		var head struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(p, &head) == nil && head.Name == profile {
			idx = i
			if json.Unmarshal(p, &mine) != nil || mine == nil {
				mine = map[string]any{}
			}
			break
		}
	}
	mine["name"] = profile
	mine["mode"] = "StsToken"
	mine["access_key_id"] = c.AccessKeyID
	mine["access_key_secret"] = c.AccessKeySecret
	mine["sts_token"] = c.SecurityToken
	mine["region_id"] = region
	if _, ok := mine["output_format"]; !ok {
		mine["output_format"] = "json"
	}
	if _, ok := mine["language"]; !ok {
		mine["language"] = language
	}
	raw, err := json.Marshal(mine)
	if err != nil {
		return nil, fmt.Errorf("config-json: %w", err)
	}
	if idx >= 0 {
		profiles[idx] = raw
	} else {
		profiles = append(profiles, raw)
	}
	if top["profiles"], err = json.Marshal(profiles); err != nil {
		return nil, fmt.Errorf("config-json: %w", err)
	}
	if cur, ok := top["current"]; !ok || string(cur) == `""` || string(cur) == "null" {
		top["current"], _ = json.Marshal(profile)
	}
	if _, ok := top["meta_path"]; !ok {
		top["meta_path"] = json.RawMessage(`""`)
	}
	flat, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("config-json: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, flat, "", "\t"); err != nil {
		return nil, fmt.Errorf("config-json: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// shQuote quotes s for POSIX sh: single quotes; an embedded quote closes, escapes and reopens.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote quotes s for fish: inside single quotes only \ and ' are special.
func fishQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// psQuote quotes s for PowerShell: a single-quoted string doubles its single quotes.
// PowerShell also treats the typographic single quotes as quote characters.
func psQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}
