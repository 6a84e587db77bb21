// Package creds finds the credentials an operator already has (the Alibaba Cloud ecosystem's
// chain, through github.com/aliyun/credentials-go) and says where it looked. Resolving can take
// seconds (the ECS metadata probe, a RamRoleArn profile calling STS): callers that draw a screen
// run Resolve inside a command or use ResolveAsync. Endpoint flags parse into model.Endpoint.
package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
	"gopkg.in/ini.v1"

	"github.com/stsdeck/stsdeck/model"
)

// Options say where to look.
type Options struct {
	// Profile is --profile: an aliyun CLI profile in ~/.aliyun/config.json (or, failing that, a
	// section of ~/.alibabacloud/credentials). "" = the ecosystem's default chain.
	Profile string
	// Getenv reads the environment; nil = os.Getenv. Paths and variables are read through it.
	// (credentials-go itself also reads a few variables of the process environment when it
	// refreshes credentials, e.g. ALIBABA_CLOUD_STS_REGION.)
	Getenv func(string) string
	// MetadataTimeout bounds the ECS metadata probe; 0 = 1 s.
	MetadataTimeout time.Duration
}

// Source is a credential provider that answered, with where it came from.
type Source struct {
	Provider providers.CredentialsProvider
	// Name says where the credentials came from, e.g. "aliyun CLI profile \"dev\" (~/.aliyun/config.json)".
	Name string
	// Region is the region the source names (a CLI profile's region_id); "" if none.
	Region string
	// Temporary is true when the credentials carry a security token.
	Temporary bool
	// AccessKeyID is the key id as first resolved (not secret; shown in the header).
	AccessKeyID string
	// Looked lists every place tried, in order, each with what was found.
	Looked []string
}

// NotFoundError says that no source had credentials, and where the chain looked.
type NotFoundError struct {
	Looked []string
}

func (e *NotFoundError) Error() string {
	return "no Alibaba Cloud credentials found; looked in:\n  - " + strings.Join(e.Looked, "\n  - ")
}

// Result is what ResolveAsync delivers.
type Result struct {
	Source *Source
	Err    error
}

// ResolveAsync runs Resolve in a goroutine and delivers its result on the returned channel
// (buffered: the caller may stop listening). Use it where a first frame must not wait.
func ResolveAsync(ctx context.Context, o Options) <-chan Result {
	ch := make(chan Result, 1)
	go func() {
		s, err := Resolve(ctx, o)
		ch <- Result{s, err}
	}()
	return ch
}

// Resolve walks the chain and returns the first source whose provider yields credentials.
// Without --profile the order is credentials-go's default chain: environment
// (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET[/_SECURITY_TOKEN]), OIDC (ALIBABA_CLOUD_OIDC_*), the aliyun
// CLI config (ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json; profile ALIBABA_CLOUD_PROFILE,
// else "current"), the ini file (ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials;
// section ALIBABA_CLOUD_PROFILE, else "default"), ECS instance metadata (unless
// ALIBABA_CLOUD_ECS_METADATA_DISABLED=true), ALIBABA_CLOUD_CREDENTIALS_URI. A source that exists
// but is broken (a profile with no key, an unreadable file) is reported, not skipped silently.
// On nothing found the error is a *NotFoundError. ctx bounds the whole walk.
func Resolve(ctx context.Context, o Options) (*Source, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	type outcome struct {
		s   *Source
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		s, err := resolve(o)
		ch <- outcome{s, err}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("resolving credentials: %w", ctx.Err())
	case r := <-ch:
		return r.s, r.err
	}
}

type step struct {
	where string
	// build returns a provider to try, or a note saying why this place had nothing (nil provider).
	build func() (p providers.CredentialsProvider, name, region, note string)
}

func resolve(o Options) (*Source, error) {
	home := o.Getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	cliPath := o.Getenv("ALIBABA_CLOUD_CONFIG_FILE")
	if cliPath == "" && home != "" {
		cliPath = filepath.Join(home, ".aliyun", "config.json")
	}
	iniPath := o.Getenv("ALIBABA_CLOUD_CREDENTIALS_FILE")
	if iniPath == "" && home != "" {
		iniPath = filepath.Join(home, ".alibabacloud", "credentials")
	}
	var looked []string
	var steps []step
	if o.Profile != "" {
		steps = []step{
			{"aliyun CLI config " + cliPath, func() (providers.CredentialsProvider, string, string, string) {
				return cliProfile(cliPath, o.Profile, true)
			}},
			{"credentials file " + iniPath, func() (providers.CredentialsProvider, string, string, string) {
				return iniProfile(iniPath, o.Profile, o)
			}},
		}
	} else {
		profile := o.Getenv("ALIBABA_CLOUD_PROFILE")
		iniSection := profile
		if iniSection == "" {
			iniSection = "default"
		}
		steps = []step{
			{"environment ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET", func() (providers.CredentialsProvider, string, string, string) {
				return envProvider(o)
			}},
			{"environment ALIBABA_CLOUD_OIDC_PROVIDER_ARN/ALIBABA_CLOUD_OIDC_TOKEN_FILE/ALIBABA_CLOUD_ROLE_ARN", func() (providers.CredentialsProvider, string, string, string) {
				return oidcProvider(o)
			}},
			{"aliyun CLI config " + cliPath, func() (providers.CredentialsProvider, string, string, string) {
				if strings.EqualFold(o.Getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "true") {
					return nil, "", "", "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
				}
				return cliProfile(cliPath, profile, false)
			}},
			{"credentials file " + iniPath, func() (providers.CredentialsProvider, string, string, string) {
				return iniProfile(iniPath, iniSection, o)
			}},
			{"ECS instance metadata (100.100.100.200)", func() (providers.CredentialsProvider, string, string, string) {
				return ecsProvider(o)
			}},
			{"environment ALIBABA_CLOUD_CREDENTIALS_URI", func() (providers.CredentialsProvider, string, string, string) {
				u := o.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI")
				if u == "" {
					return nil, "", "", "not set"
				}
				p, err := providers.NewURLCredentialsProviderBuilder().WithUrl(u).Build()
				if err != nil {
					return nil, "", "", err.Error()
				}
				return p, "credentials URI " + redactURL(u), "", ""
			}},
		}
	}
	for _, st := range steps {
		p, name, region, note := st.build()
		if p == nil {
			looked = append(looked, st.where+": "+note)
			continue
		}
		cc, err := p.GetCredentials()
		if err != nil || cc == nil || cc.AccessKeyId == "" {
			msg := "no credentials"
			if err != nil {
				msg = oneLine(err.Error())
			}
			looked = append(looked, st.where+": "+msg)
			continue
		}
		looked = append(looked, st.where+": found")
		return &Source{
			Provider:    p,
			Name:        name,
			Region:      region,
			Temporary:   cc.SecurityToken != "",
			AccessKeyID: cc.AccessKeyId,
			Looked:      looked,
		}, nil
	}
	return nil, &NotFoundError{Looked: looked}
}

func envProvider(o Options) (providers.CredentialsProvider, string, string, string) {
	id := o.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
	secret := o.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	token := o.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN")
	switch {
	case id == "" && secret == "":
		return nil, "", "", "not set"
	case id == "":
		return nil, "", "", "ALIBABA_CLOUD_ACCESS_KEY_ID is not set (the secret is)"
	case secret == "":
		return nil, "", "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set (the id is)"
	}
	region := o.Getenv("ALIBABA_CLOUD_REGION_ID")
	if token != "" {
		p, err := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(id).WithAccessKeySecret(secret).WithSecurityToken(token).Build()
		if err != nil {
			return nil, "", "", err.Error()
		}
		return p, "environment variables (STS token)", region, ""
	}
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(id).WithAccessKeySecret(secret).Build()
	if err != nil {
		return nil, "", "", err.Error()
	}
	return p, "environment variables", region, ""
}

func oidcProvider(o Options) (providers.CredentialsProvider, string, string, string) {
	arn, file, role := o.Getenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"), o.Getenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE"), o.Getenv("ALIBABA_CLOUD_ROLE_ARN")
	if arn == "" || file == "" || role == "" {
		return nil, "", "", "not set"
	}
	b := providers.NewOIDCCredentialsProviderBuilder().WithOIDCProviderARN(arn).WithOIDCTokenFilePath(file).WithRoleArn(role)
	if s := o.Getenv("ALIBABA_CLOUD_ROLE_SESSION_NAME"); s != "" {
		b = b.WithRoleSessionName(s)
	}
	p, err := b.Build()
	if err != nil {
		return nil, "", "", oneLine(err.Error())
	}
	return p, "OIDC role " + role, "", ""
}

// cliConfig is the part of ~/.aliyun/config.json stsdeck reads itself (credentials-go reads the rest).
type cliConfig struct {
	Current  string `json:"current"`
	Profiles []struct {
		Name     string `json:"name"`
		Mode     string `json:"mode"`
		RegionID string `json:"region_id"`
	} `json:"profiles"`
}

func cliProfile(path, name string, explicit bool) (providers.CredentialsProvider, string, string, string) {
	if path == "" {
		return nil, "", "", "no home directory"
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", "", "not found"
	}
	if err != nil {
		return nil, "", "", "unreadable: " + oneLine(err.Error())
	}
	var c cliConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, "", "", "not valid JSON: " + oneLine(err.Error())
	}
	if name == "" {
		name = c.Current
	}
	if name == "" {
		return nil, "", "", "no \"current\" profile set"
	}
	for _, p := range c.Profiles {
		if p.Name != name {
			continue
		}
		prov, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(path).WithProfileName(name).Build()
		if err != nil {
			return nil, "", "", oneLine(err.Error())
		}
		mode := p.Mode
		if mode == "" {
			mode = "AK"
		}
		return prov, fmt.Sprintf("aliyun CLI profile %q (%s, %s)", name, mode, path), p.RegionID, ""
	}
	names := make([]string, 0, len(c.Profiles))
	for _, p := range c.Profiles {
		names = append(names, p.Name)
	}
	return nil, "", "", fmt.Sprintf("no profile %q (profiles: %s)", name, strings.Join(names, ", "))
}

func iniProfile(path, section string, o Options) (providers.CredentialsProvider, string, string, string) {
	if path == "" {
		return nil, "", "", "no home directory"
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, "", "", "not found"
	}
	f, err := ini.Load(path)
	if err != nil {
		return nil, "", "", "unreadable: " + oneLine(err.Error())
	}
	sec, err := f.GetSection(section)
	if err != nil {
		return nil, "", "", fmt.Sprintf("no section [%s]", section)
	}
	get := func(k string) string { return strings.TrimSpace(sec.Key(k).String()) }
	name := fmt.Sprintf("credentials file %s [%s]", path, section)
	switch t := get("type"); t {
	case "access_key":
		p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(get("access_key_id")).WithAccessKeySecret(get("access_key_secret")).Build()
		if err != nil {
			return nil, "", "", "[" + section + "]: " + oneLine(err.Error())
		}
		return p, name, "", ""
	case "ram_role_arn":
		b := providers.NewRAMRoleARNCredentialsProviderBuilder().
			WithAccessKeyId(get("access_key_id")).WithAccessKeySecret(get("access_key_secret")).
			WithRoleArn(get("role_arn")).WithRoleSessionName(get("role_session_name"))
		if pol := get("policy"); pol != "" {
			b = b.WithPolicy(pol)
		}
		p, err := b.Build()
		if err != nil {
			return nil, "", "", "[" + section + "]: " + oneLine(err.Error())
		}
		return p, name, "", ""
	case "ecs_ram_role":
		if strings.EqualFold(o.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true") {
			return nil, "", "", "[" + section + "] is ecs_ram_role but ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"
		}
		p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(get("role_name")).WithHttpOptions(metadataHTTP(o)).Build()
		if err != nil {
			return nil, "", "", oneLine(err.Error())
		}
		return p, name, "", ""
	case "":
		return nil, "", "", "[" + section + "] has no type"
	default:
		return nil, "", "", fmt.Sprintf("[%s] has type %q, which stsdeck does not support (access_key, ram_role_arn, ecs_ram_role)", section, t)
	}
}

func ecsProvider(o Options) (providers.CredentialsProvider, string, string, string) {
	if strings.EqualFold(o.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true") {
		return nil, "", "", "disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED"
	}
	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(o.Getenv("ALIBABA_CLOUD_ECS_METADATA")).WithHttpOptions(metadataHTTP(o)).Build()
	if err != nil {
		return nil, "", "", oneLine(err.Error())
	}
	return p, "ECS instance RAM role", "", ""
}

func metadataHTTP(o Options) *providers.HttpOptions {
	t := o.MetadataTimeout
	if t <= 0 {
		t = time.Second
	}
	return &providers.HttpOptions{ConnectTimeout: int(t / time.Millisecond), ReadTimeout: int(t / time.Millisecond)}
}

// oneLine keeps the first line of a message and cuts it to a readable length. Provider errors
// can echo a server body; they never hold a secret, but they can be long.
func oneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// ExportedTemporary returns temporary credentials exported in the environment (as
// `eval "$(stsdeck issue … --format env)"` leaves them): ALIBABA_CLOUD_ACCESS_KEY_ID,
// _ACCESS_KEY_SECRET and _SECURITY_TOKEN, else OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and
// OSS_SESSION_TOKEN, all three set; nil when neither set is complete (a key without a token is
// not temporary). from names the variables used.
func ExportedTemporary(getenv func(string) string) (cr *model.Credentials, from string) {
	for _, names := range [][3]string{
		{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"},
		{"OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"},
	} {
		id, secret, token := strings.TrimSpace(getenv(names[0])), strings.TrimSpace(getenv(names[1])), strings.TrimSpace(getenv(names[2]))
		if id != "" && secret != "" && token != "" {
			return &model.Credentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}, "environment " + strings.TrimSuffix(names[0], "ACCESS_KEY_ID") + "*"
		}
	}
	return nil, ""
}
