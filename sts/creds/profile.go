package creds

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
)

// cliProfileRecord is one profile of ~/.aliyun/config.json: the fields the aliyun CLI
// (config/profile.go) and credentials-go (providers/cli_profile.go) read for credentials.
type cliProfileRecord struct {
	Name              string `json:"name"`
	Mode              string `json:"mode"`
	AccessKeyID       string `json:"access_key_id"`
	AccessKeySecret   string `json:"access_key_secret"`
	StsToken          string `json:"sts_token"`
	StsRegion         string `json:"sts_region"`
	RegionID          string `json:"region_id"`
	RamRoleName       string `json:"ram_role_name"`
	RamRoleArn        string `json:"ram_role_arn"`
	RoleSessionName   string `json:"ram_session_name"`
	ExternalID        string `json:"external_id"`
	SourceProfile     string `json:"source_profile"`
	ExpiredSeconds    int    `json:"expired_seconds"`
	Policy            string `json:"policy"`
	EnableVpc         bool   `json:"enable_vpc"`
	ProcessCommand    string `json:"process_command"`
	CredentialsURI    string `json:"credentials_uri"`
	OIDCProviderARN   string `json:"oidc_provider_arn"`
	OIDCTokenFile     string `json:"oidc_token_file"`
	OIDCToken         string `json:"oidc_token"`
	CloudSSOSignInURL string `json:"cloud_sso_sign_in_url"`
	PrivateKey        string `json:"private_key"`
	KeyPairName       string `json:"key_pair_name"`
}

// cliConfig is ~/.aliyun/config.json as far as stsdeck reads it.
type cliConfig struct {
	Current  string             `json:"current"`
	Profiles []cliProfileRecord `json:"profiles"`
}

func (c *cliConfig) profile(name string) (cliProfileRecord, bool) {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return cliProfileRecord{}, false
}

func (c *cliConfig) names() string {
	names := make([]string, 0, len(c.Profiles))
	for _, p := range c.Profiles {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// The modes of an aliyun CLI profile stsdeck reads (the aliyun CLI's config/profile.go and
// credentials-go's providers/cli_profile.go; RamRoleArnWithRoleName is the CLI's deprecated
// ECS-role-then-AssumeRole mode, OAuth is credentials-go's).
var knownModes = "AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, RamRoleArnWithRoleName, External, CredentialsURI, OIDC, CloudSSO, OAuth"

// maxChain bounds a ChainableRamRoleArn profile's chain of source profiles.
const maxChain = 10

// ProfileError says that a profile exists but gave no credentials: which profile, in which
// mode, and why (the whole reason, on one line).
type ProfileError struct {
	Profile string // the profile's name, or "[section]" of the credentials file
	Mode    string // "RamRoleArn", "ram_role_arn", ...
	Path    string // the file it is in
	Err     error
}

func (e *ProfileError) Error() string { return e.render(true) }

// render names the profile and mode, the file only when showPath; a source profile's failure
// inside (same file) is rendered without the path again.
func (e *ProfileError) render(showPath bool) string {
	kind := "aliyun CLI profile"
	if strings.HasPrefix(e.Profile, "[") {
		kind = "credentials file section"
	}
	why := e.Err.Error()
	var inner *ProfileError
	if errors.As(e.Err, &inner) && inner != e && inner.Path == e.Path {
		why = strings.Replace(why, inner.Error(), inner.render(false), 1)
	}
	where := ""
	if showPath {
		where = ", " + e.Path
	}
	return fmt.Sprintf("%s %s (mode %s%s) failed: %s", kind, quoteProfile(e.Profile), e.Mode, where, singleLine(why))
}

func (e *ProfileError) Unwrap() error { return e.Err }

func quoteProfile(p string) string {
	if strings.HasPrefix(p, "[") {
		return p
	}
	return fmt.Sprintf("%q", p)
}

// profileMode is a profile's mode: as written, else what the aliyun CLI infers from the fields
// set (AutoModeRecognition), marked "(inferred)" in descriptions.
func profileMode(p cliProfileRecord) (mode string, inferred bool) {
	if p.Mode != "" {
		return p.Mode, false
	}
	switch {
	case p.AccessKeyID != "" && p.AccessKeySecret != "" && p.StsToken != "":
		return "StsToken", true
	case p.AccessKeyID != "" && p.AccessKeySecret != "" && p.RamRoleArn != "":
		return "RamRoleArn", true
	case p.AccessKeyID != "" && p.AccessKeySecret != "":
		return "AK", true
	case p.PrivateKey != "" && p.KeyPairName != "":
		return "RsaKeyPair", true
	case p.RamRoleName != "":
		return "EcsRamRole", true
	case p.ProcessCommand != "":
		return "External", true
	case p.OIDCProviderARN != "" && p.OIDCTokenFile != "" && p.RamRoleArn != "":
		return "OIDC", true
	case p.CloudSSOSignInURL != "":
		return "CloudSSO", true
	}
	return "", true
}

// profileBuilder turns the profiles of one config.json into providers.
type profileBuilder struct {
	o    Options
	path string
	conf *cliConfig
}

// build returns the provider for profile name, a description of how it gets credentials
// ("RamRoleArn: assumes … at …") and, when the profile cannot work, the reason as a
// *ProfileError. chain holds the profiles that led here through source_profile.
func (b *profileBuilder) build(name string, chain []string) (providers.CredentialsProvider, string, error) {
	p, ok := b.conf.profile(name)
	if !ok {
		return nil, "", fmt.Errorf("no profile %q (profiles: %s)", name, b.conf.names())
	}
	mode, inferred := profileMode(p)
	fail := func(format string, a ...any) (providers.CredentialsProvider, string, error) {
		return nil, "", &ProfileError{Profile: name, Mode: modeLabel(mode), Path: b.path, Err: fmt.Errorf(format, a...)}
	}
	wrap := func(err error) error {
		var pe *ProfileError
		if errors.As(err, &pe) && pe.Profile == name {
			return err
		}
		return &ProfileError{Profile: name, Mode: modeLabel(mode), Path: b.path, Err: err}
	}
	desc := mode
	if inferred {
		desc += " (inferred)"
	}
	var prov providers.CredentialsProvider
	var err error
	switch mode {
	case "AK":
		if p.AccessKeyID == "" || p.AccessKeySecret == "" {
			return fail("access_key_id or access_key_secret is empty (run `aliyun configure --profile %s --mode AK`)", name)
		}
		prov, err = StaticProvider(model.Credentials{AccessKeyID: p.AccessKeyID, AccessKeySecret: p.AccessKeySecret})
	case "StsToken":
		if p.AccessKeyID == "" || p.AccessKeySecret == "" || p.StsToken == "" {
			return fail("access_key_id, access_key_secret or sts_token is empty")
		}
		prov, err = StaticProvider(model.Credentials{AccessKeyID: p.AccessKeyID, AccessKeySecret: p.AccessKeySecret, SecurityToken: p.StsToken})
	case "RamRoleArn", "ChainableRamRoleArn", "RamRoleArnWithRoleName":
		if p.RamRoleArn == "" {
			return fail("ram_role_arn is empty")
		}
		var source providers.CredentialsProvider
		var from string
		switch mode {
		case "RamRoleArn":
			if p.AccessKeyID == "" || p.AccessKeySecret == "" {
				return fail("access_key_id or access_key_secret is empty (RamRoleArn signs AssumeRole with the profile's own key)")
			}
			// The aliyun CLI signs with sts_token too when the profile has one.
			source, err = StaticProvider(model.Credentials{AccessKeyID: p.AccessKeyID, AccessKeySecret: p.AccessKeySecret, SecurityToken: p.StsToken})
			from = "its own key " + p.AccessKeyID
		case "ChainableRamRoleArn":
			if p.SourceProfile == "" {
				return fail("source_profile is empty")
			}
			next := append(append([]string{}, chain...), name)
			for _, c := range next {
				if c == p.SourceProfile {
					return fail("source_profile %q makes a cycle (%s → %s)", p.SourceProfile, strings.Join(next, " → "), p.SourceProfile)
				}
			}
			if len(next) > maxChain {
				return fail("the chain of source profiles is longer than %d (%s)", maxChain, strings.Join(next, " → "))
			}
			var sdesc string
			source, sdesc, err = b.build(p.SourceProfile, next)
			if err != nil {
				return fail("source_profile: %w", err)
			}
			from = fmt.Sprintf("source_profile %q (%s)", p.SourceProfile, sdesc)
		case "RamRoleArnWithRoleName":
			source, err = b.ecs(p.RamRoleName)
			if err != nil {
				return fail("%w", err)
			}
			from = "the ECS instance RAM role"
		}
		if err != nil {
			return fail("%w", err)
		}
		rp, at, err := b.roleProvider(name, p, source)
		if err != nil {
			return fail("%w", err)
		}
		prov = rp
		desc += fmt.Sprintf(": assumes %s at %s with %s", p.RamRoleArn, at, from)
	case "EcsRamRole":
		prov, err = b.ecs(p.RamRoleName)
	case "CredentialsURI":
		u := p.CredentialsURI
		if u == "" {
			u = b.o.Getenv("ALIBABA_CLOUD_CREDENTIALS_URI") // as the aliyun CLI does
		}
		if u == "" {
			return fail("credentials_uri is empty and ALIBABA_CLOUD_CREDENTIALS_URI is not set")
		}
		prov, err = uriProvider(u)
		desc += " " + RedactURI(u)
	case "OIDC":
		prov, err = oidcFromProfile(b.o, p)
	case "External", "CloudSSO", "OAuth":
		// credentials-go reads these itself (its process command, sign-in URL and tokens) and
		// writes what it fetches back into the profile in config.json.
		prov, err = providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(b.path).WithProfileName(name).Build()
		if err == nil {
			prov = &lockedProvider{p: prov}
		}
	case "RsaKeyPair":
		return fail("RsaKeyPair is deprecated by the aliyun CLI and credentials-go no longer reads it; use RamRoleArn or AK")
	case "":
		return fail("the profile has no mode and its fields name none (modes: %s)", knownModes)
	default:
		return fail("unknown mode %q (modes stsdeck reads: %s)", mode, knownModes)
	}
	if err != nil {
		return fail("%w", err)
	}
	return &modeProvider{p: prov, wrap: wrap}, desc, nil
}

func modeLabel(mode string) string {
	if mode == "" {
		return "none"
	}
	return mode
}

// roleProvider builds the AssumeRole provider of a role profile and says where it sends.
func (b *profileBuilder) roleProvider(name string, p cliProfileRecord, source providers.CredentialsProvider) (providers.CredentialsProvider, string, error) {
	region := p.StsRegion
	if region == "" {
		region = b.o.Getenv("ALIBABA_CLOUD_STS_REGION")
	}
	vpc := p.EnableVpc || strings.EqualFold(b.o.Getenv("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"), "true")
	return newRoleProvider(b.o, source, RoleRequest{
		Issue: model.IssueRequest{RoleARN: p.RamRoleArn, SessionName: sessionName(b.o, p.RoleSessionName),
			Duration: time.Duration(p.ExpiredSeconds) * time.Second, ExternalID: p.ExternalID, Policy: p.Policy},
		Region:  region,
		Profile: "aliyun CLI profile " + quoteProfile(name),
	}, vpc)
}

// newRoleProvider fills the request's endpoint (the configured one, else the VPC endpoint when
// asked for) and returns the provider with a description of where it sends.
func newRoleProvider(o Options, source providers.CredentialsProvider, req RoleRequest, vpc bool) (providers.CredentialsProvider, string, error) {
	at := "the region's public STS endpoint"
	switch {
	case !o.STSEndpoint.IsZero():
		req.Endpoint = o.STSEndpoint
		at = o.STSEndpoint.URL()
	case vpc:
		region := req.Region
		if region == "" {
			region = o.Region
		}
		if region == "" {
			return nil, "", errors.New("enable_vpc needs a region for the VPC endpoint (sts_region or --region)")
		}
		req.Endpoint = model.Endpoint{Scheme: "https", Host: "sts-vpc." + region + ".aliyuncs.com"}
		at = req.Endpoint.URL()
	case req.Region != "":
		at = "https://sts." + req.Region + ".aliyuncs.com"
	}
	if o.AssumeRole == nil {
		return nil, "", errors.New("this build of stsdeck has no STS adapter to assume the role with")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &roleProvider{source: source, req: req, assume: o.AssumeRole, now: now}, at, nil
}

// sessionName is the profile's session name, else $ALIBABA_CLOUD_ROLE_SESSION_NAME, else
// stsdeck-<unix seconds> (credentials-go defaults to credentials-go-<microseconds>).
func sessionName(o Options, s string) string {
	if s != "" {
		return s
	}
	if s = o.Getenv("ALIBABA_CLOUD_ROLE_SESSION_NAME"); s != "" {
		return s
	}
	return fmt.Sprintf("stsdeck-%d", time.Now().Unix())
}

func (b *profileBuilder) ecs(roleName string) (providers.CredentialsProvider, error) {
	if strings.EqualFold(b.o.Getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "true") {
		return nil, errors.New("the ECS instance metadata is disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
	}
	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(roleName).WithHttpOptions(metadataHTTP(b.o)).Build()
	if err != nil {
		return nil, err
	}
	return &lockedProvider{p: p}, nil
}

// uriProvider is credentials-go's URI provider (the response shape `stsdeck serve` answers)
// whose errors never show the URI's path or query: `stsdeck serve`'s path is its secret.
func uriProvider(u string) (providers.CredentialsProvider, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("the credentials URI %s is not an absolute http(s) URL", RedactURI(u))
	}
	p, err := providers.NewURLCredentialsProviderBuilder().WithUrl(u).Build()
	if err != nil {
		return nil, err
	}
	return &modeProvider{p: &lockedProvider{p: p}, wrap: func(err error) error {
		return errors.New(strings.ReplaceAll(err.Error(), u, RedactURI(u)))
	}}, nil
}

// RedactURI shows a URL's scheme and host only: a credentials URI's path (stsdeck serve's
// 256-bit path) and query may be its secret.
func RedactURI(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(a credentials URI that is not a URL)"
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		out += "/…"
	}
	return out
}

// oidcFromProfile is credentials-go's OIDC provider for a profile. It sends AssumeRoleWithOIDC
// to the configured STS endpoint when there is one; credentials-go speaks https only.
func oidcFromProfile(o Options, p cliProfileRecord) (providers.CredentialsProvider, error) {
	if p.OIDCProviderARN == "" || (p.OIDCTokenFile == "" && p.OIDCToken == "") || p.RamRoleArn == "" {
		return nil, errors.New("oidc_provider_arn, oidc_token_file and ram_role_arn must all be set")
	}
	b := providers.NewOIDCCredentialsProviderBuilder().WithOIDCProviderARN(p.OIDCProviderARN).
		WithOIDCTokenFilePath(p.OIDCTokenFile).WithOIDCToken(p.OIDCToken).WithRoleArn(p.RamRoleArn).
		WithRoleSessionName(sessionName(o, p.RoleSessionName)).WithDurationSeconds(p.ExpiredSeconds).
		WithStsRegionId(p.StsRegion).WithEnableVpc(p.EnableVpc).WithPolicy(p.Policy)
	return buildOIDC(o, b)
}

func buildOIDC(o Options, b *providers.OIDCCredentialsProviderBuilder) (providers.CredentialsProvider, error) {
	if !o.STSEndpoint.IsZero() {
		if o.STSEndpoint.Scheme != "https" {
			return nil, fmt.Errorf("the configured STS endpoint %s is plain http, and credentials-go's OIDC provider sends AssumeRoleWithOIDC over https only (the stsdeck sandbox does not emulate AssumeRoleWithOIDC)", o.STSEndpoint.URL())
		}
		b = b.WithSTSEndpoint(o.STSEndpoint.HostPort())
	}
	p, err := b.Build()
	if err != nil {
		return nil, err
	}
	return &lockedProvider{p: p}, nil
}
