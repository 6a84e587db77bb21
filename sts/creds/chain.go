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
	// STSEndpoint is the configured STS endpoint (--sts-endpoint, $STSDECK_STS_ENDPOINT; the
	// sandbox's); zero = the cloud's. Role profiles (RamRoleArn, ChainableRamRoleArn,
	// RamRoleArnWithRoleName, ram_role_arn sections) assume their role there through
	// AssumeRole, and OIDC sends AssumeRoleWithOIDC there.
	STSEndpoint model.Endpoint
	// Region is --region ("" = none): the region of a VPC STS endpoint when no sts_region says.
	Region string
	// AssumeRole sends a role profile's AssumeRole (main wires the sts adapter; sts/creds does
	// not import it). nil = role profiles fail, saying so.
	AssumeRole AssumeRoleFunc
	// Now is the clock role profiles renew their tokens by; nil = time.Now.
	Now func() time.Time
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

// NotFoundError says that no source had usable credentials, and where the chain looked.
// Failed holds the sources that exist but failed (a profile whose AssumeRole was refused, a
// credentials URI that did not answer), each saying which mode failed and why; the message
// leads with them.
type NotFoundError struct {
	Looked []string
	Failed []error
}

func (e *NotFoundError) Error() string {
	looked := "looked in:\n  - " + strings.Join(e.Looked, "\n  - ")
	if len(e.Failed) == 0 {
		return "no Alibaba Cloud credentials found; " + looked
	}
	msgs := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		msgs[i] = singleLine(f.Error())
	}
	return "no usable Alibaba Cloud credentials: " + strings.Join(msgs, "; and ") + "\n" + looked
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
	// build returns a provider to try, or a note saying why this place had nothing (nil
	// provider), or an error when the place has a source that cannot work (a profile with a
	// bad mode, a role profile without its role ARN).
	build func() (p providers.CredentialsProvider, name, region, note string, err error)
	// explicit: a failure here ends the walk (--profile names this source).
	explicit bool
}

// noted adapts a build that only reports notes.
func noted(f func() (providers.CredentialsProvider, string, string, string)) func() (providers.CredentialsProvider, string, string, string, error) {
	return func() (providers.CredentialsProvider, string, string, string, error) {
		p, name, region, note := f()
		return p, name, region, note, nil
	}
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
			{"aliyun CLI config " + cliPath, func() (providers.CredentialsProvider, string, string, string, error) {
				return cliProfile(cliPath, o.Profile, o)
			}, true},
			{"credentials file " + iniPath, func() (providers.CredentialsProvider, string, string, string, error) {
				return iniProfile(iniPath, o.Profile, o)
			}, true},
		}
	} else {
		profile := o.Getenv("ALIBABA_CLOUD_PROFILE")
		iniSection := profile
		if iniSection == "" {
			iniSection = "default"
		}
		steps = []step{
			{"environment ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET", noted(func() (providers.CredentialsProvider, string, string, string) {
				return envProvider(o)
			}), false},
			{"environment ALIBABA_CLOUD_OIDC_PROVIDER_ARN/ALIBABA_CLOUD_OIDC_TOKEN_FILE/ALIBABA_CLOUD_ROLE_ARN", func() (providers.CredentialsProvider, string, string, string, error) {
				return oidcProvider(o)
			}, false},
			{"aliyun CLI config " + cliPath, func() (providers.CredentialsProvider, string, string, string, error) {
				if strings.EqualFold(o.Getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "true") {
					return nil, "", "", "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED", nil
				}
				return cliProfile(cliPath, profile, o)
			}, false},
			{"credentials file " + iniPath, func() (providers.CredentialsProvider, string, string, string, error) {
				return iniProfile(iniPath, iniSection, o)
			}, false},
			{"ECS instance metadata (100.100.100.200)", noted(func() (providers.CredentialsProvider, string, string, string) {
				return ecsProvider(o)
			}), false},
			{"environment ALIBABA_CLOUD_CREDENTIALS_URI", noted(func() (providers.CredentialsProvider, string, string, string) {
				u := o.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI")
				if u == "" {
					return nil, "", "", "not set"
				}
				p, err := uriProvider(u)
				if err != nil {
					return nil, "", "", err.Error()
				}
				return p, "credentials URI " + RedactURI(u), "", ""
			}), false},
		}
	}
	var failed []error
	for _, st := range steps {
		p, name, region, note, err := st.build()
		if err != nil {
			looked = append(looked, st.where+": "+singleLine(err.Error()))
			if st.explicit {
				return nil, err
			}
			failed = append(failed, err)
			continue
		}
		if p == nil {
			looked = append(looked, st.where+": "+note)
			continue
		}
		cc, err := p.GetCredentials()
		if err != nil || cc == nil || cc.AccessKeyId == "" {
			if err == nil {
				err = fmt.Errorf("%s gave no AccessKeyId", name)
			}
			looked = append(looked, st.where+": "+singleLine(err.Error()))
			var pe *ProfileError
			if st.explicit && errors.As(err, &pe) {
				return nil, err
			}
			if errors.As(err, &pe) || !strings.HasPrefix(st.where, "ECS") {
				failed = append(failed, err)
			}
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
	return nil, &NotFoundError{Looked: looked, Failed: failed}
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

func oidcProvider(o Options) (providers.CredentialsProvider, string, string, string, error) {
	arn, file, role := o.Getenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"), o.Getenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE"), o.Getenv("ALIBABA_CLOUD_ROLE_ARN")
	if arn == "" || file == "" || role == "" {
		return nil, "", "", "not set", nil
	}
	b := providers.NewOIDCCredentialsProviderBuilder().WithOIDCProviderARN(arn).WithOIDCTokenFilePath(file).WithRoleArn(role).
		WithRoleSessionName(sessionName(o, ""))
	p, err := buildOIDC(o, b)
	if err != nil {
		return nil, "", "", "", fmt.Errorf("OIDC (environment, role %s): %w", role, err)
	}
	name := "OIDC role " + role
	return &modeProvider{p: p, wrap: func(err error) error { return fmt.Errorf("OIDC (environment, role %s): %w", role, err) }}, name, "", "", nil
}

// cliProfile finds profile name ("" = the file's current) in the aliyun CLI config at path and
// builds its provider. A profile that is not there is a note; one that is there but cannot
// work is a *ProfileError.
func cliProfile(path, name string, o Options) (providers.CredentialsProvider, string, string, string, error) {
	if path == "" {
		return nil, "", "", "no home directory", nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", "", "not found", nil
	}
	if err != nil {
		return nil, "", "", "", fmt.Errorf("aliyun CLI config %s is unreadable: %w", path, err)
	}
	var c cliConfig
	if err := json.Unmarshal(data, &c); err != nil {
		// Never echo the file: it holds secrets.
		return nil, "", "", "", fmt.Errorf("aliyun CLI config %s is not valid JSON: %w", path, err)
	}
	if name == "" {
		name = c.Current
	}
	if name == "" {
		return nil, "", "", "no \"current\" profile set", nil
	}
	rec, ok := c.profile(name)
	if !ok {
		return nil, "", "", fmt.Sprintf("no profile %q (profiles: %s)", name, c.names()), nil
	}
	b := &profileBuilder{o: o, path: path, conf: &c}
	prov, desc, err := b.build(name, nil)
	if err != nil {
		return nil, "", "", "", err
	}
	return prov, fmt.Sprintf("aliyun CLI profile %q (%s, %s)", name, desc, path), rec.RegionID, "", nil
}

// iniProfile reads section of the credentials file (~/.alibabacloud/credentials): the types
// credentials-go's profile provider reads (access_key, ram_role_arn, ecs_ram_role).
func iniProfile(path, section string, o Options) (providers.CredentialsProvider, string, string, string, error) {
	if path == "" {
		return nil, "", "", "no home directory", nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, "", "", "not found", nil
	}
	f, err := ini.Load(path)
	if err != nil {
		return nil, "", "", "", fmt.Errorf("credentials file %s is unreadable: %w", path, err)
	}
	sec, err := f.GetSection(section)
	if err != nil {
		return nil, "", "", fmt.Sprintf("no section [%s]", section), nil
	}
	get := func(k string) string { return strings.TrimSpace(sec.Key(k).String()) }
	t := get("type")
	label := "[" + section + "]"
	fail := func(err error) (providers.CredentialsProvider, string, string, string, error) {
		mode := t
		if mode == "" {
			mode = "none"
		}
		return nil, "", "", "", &ProfileError{Profile: label, Mode: mode, Path: path, Err: err}
	}
	wrap := func(err error) error { return &ProfileError{Profile: label, Mode: t, Path: path, Err: err} }
	name := fmt.Sprintf("credentials file %s %s", path, label)
	var p providers.CredentialsProvider
	switch t {
	case "access_key":
		if get("access_key_id") == "" || get("access_key_secret") == "" {
			return fail(errors.New("access_key_id or access_key_secret is empty"))
		}
		p, err = StaticProvider(model.Credentials{AccessKeyID: get("access_key_id"), AccessKeySecret: get("access_key_secret")})
	case "ram_role_arn":
		if get("access_key_id") == "" || get("access_key_secret") == "" || get("role_arn") == "" {
			return fail(errors.New("access_key_id, access_key_secret or role_arn is empty"))
		}
		var src providers.CredentialsProvider
		if src, err = StaticProvider(model.Credentials{AccessKeyID: get("access_key_id"), AccessKeySecret: get("access_key_secret")}); err != nil {
			return fail(err)
		}
		var at string
		p, at, err = newRoleProvider(o, src, RoleRequest{
			Issue:   model.IssueRequest{RoleARN: get("role_arn"), SessionName: sessionName(o, get("role_session_name")), Policy: get("policy")},
			Region:  o.Getenv("ALIBABA_CLOUD_STS_REGION"),
			Profile: "credentials file section " + label,
		}, strings.EqualFold(o.Getenv("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"), "true"))
		name += fmt.Sprintf(" (ram_role_arn: assumes %s at %s)", get("role_arn"), at)
	case "ecs_ram_role":
		if strings.EqualFold(o.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true") {
			return fail(errors.New("the ECS instance metadata is disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"))
		}
		p, err = providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(get("role_name")).WithHttpOptions(metadataHTTP(o)).Build()
		if err == nil {
			p = &lockedProvider{p: p}
		}
	case "":
		return fail(errors.New("the section has no type"))
	default:
		return fail(fmt.Errorf("type %q is not one stsdeck reads (access_key, ram_role_arn, ecs_ram_role)", t))
	}
	if err != nil {
		return fail(err)
	}
	return &modeProvider{p: p, wrap: wrap}, name, "", "", nil
}

func ecsProvider(o Options) (providers.CredentialsProvider, string, string, string) {
	if strings.EqualFold(o.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true") {
		return nil, "", "", "disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED"
	}
	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(o.Getenv("ALIBABA_CLOUD_ECS_METADATA")).WithHttpOptions(metadataHTTP(o)).Build()
	if err != nil {
		return nil, "", "", singleLine(err.Error())
	}
	return &lockedProvider{p: p}, "ECS instance RAM role", "", ""
}

func metadataHTTP(o Options) *providers.HttpOptions {
	t := o.MetadataTimeout
	if t <= 0 {
		t = time.Second
	}
	return &providers.HttpOptions{ConnectTimeout: int(t / time.Millisecond), ReadTimeout: int(t / time.Millisecond)}
}

// singleLine puts a message on one line (a provider error can carry a server body or a
// command's stderr over several lines); nothing is cut. Provider errors never hold a secret.
func singleLine(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	parts := strings.Split(s, "\n")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " | ")
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
