package creds

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
)

// RoleRequest is an AssumeRole that a RamRoleArn, ChainableRamRoleArn or RamRoleArnWithRoleName
// profile (or a ram_role_arn section of the credentials file) needs. stsdeck sends it through
// its own STS adapter rather than credentials-go's, which never takes an STS endpoint from a
// profile and always speaks https: so the configured endpoint (--sts-endpoint,
// $STSDECK_STS_ENDPOINT; the sandbox) is honoured.
type RoleRequest struct {
	// Source are the credentials that sign the call (they hold secrets): the profile's own key,
	// or its source profile's (temporary) credentials.
	Source model.Credentials
	Issue  model.IssueRequest
	// Endpoint is where to send it: the configured STS endpoint, else the region's VPC endpoint
	// when the profile sets enable_vpc, else zero (the region's public endpoint, as the adapter
	// resolves it).
	Endpoint model.Endpoint
	// Region is the profile's sts_region (else $ALIBABA_CLOUD_STS_REGION); "" = the connection's.
	Region string
	// Profile names the profile asking, for messages ("aliyun CLI profile \"dev\"").
	Profile string
}

// AssumeRoleFunc sends a RoleRequest (main wires it to the sts adapter). Its error is shown as
// it is, after the profile and mode.
type AssumeRoleFunc func(ctx context.Context, r RoleRequest) (model.Credentials, error)

// refreshBefore is how long before a role profile's token expires it is renewed: 180 s, as
// credentials-go's own RAM role provider does (needUpdateCredential).
const refreshBefore = 180 * time.Second

// assumeTimeout bounds one AssumeRole of a profile (the adapter also bounds each attempt).
const assumeTimeout = 30 * time.Second

// roleProvider is a credential provider that assumes a role with the credentials of a source
// provider, and assumes it again when the token is within refreshBefore of its expiry. Safe
// for concurrent use; one renewal at a time.
type roleProvider struct {
	source providers.CredentialsProvider
	req    RoleRequest // Source is filled per call
	assume AssumeRoleFunc
	now    func() time.Time

	mu  sync.Mutex
	cur *model.Credentials
}

func (p *roleProvider) GetCredentials() (*providers.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.cur != nil && p.cur.Remaining(now) > refreshBefore {
		return toProviderCreds(*p.cur, p.GetProviderName()), nil
	}
	if p.assume == nil {
		return nil, errors.New("this build of stsdeck has no STS adapter to assume the role with")
	}
	sc, err := p.source.GetCredentials()
	if err != nil {
		return nil, fmt.Errorf("its source credentials: %w", err)
	}
	if sc == nil || sc.AccessKeyId == "" || sc.AccessKeySecret == "" {
		return nil, errors.New("the source credentials have no AccessKeyId or AccessKeySecret")
	}
	r := p.req
	r.Source = model.Credentials{AccessKeyID: sc.AccessKeyId, AccessKeySecret: sc.AccessKeySecret, SecurityToken: sc.SecurityToken}
	ctx, cancel := context.WithTimeout(context.Background(), assumeTimeout)
	defer cancel()
	cr, err := p.assume(ctx, r)
	if err != nil {
		at := "the region's STS endpoint"
		if !r.Endpoint.IsZero() {
			at = r.Endpoint.URL()
		}
		return nil, fmt.Errorf("AssumeRole %s at %s: %w", r.Issue.RoleARN, at, err)
	}
	if cr.AccessKeyID == "" || cr.AccessKeySecret == "" || cr.SecurityToken == "" {
		return nil, fmt.Errorf("AssumeRole %s: the answer lacks AccessKeyId, AccessKeySecret or SecurityToken", r.Issue.RoleARN)
	}
	if !cr.Expiration.IsZero() {
		p.cur = &cr
	}
	return toProviderCreds(cr, p.GetProviderName()), nil
}

func (p *roleProvider) GetProviderName() string { return "stsdeck/ram_role_arn" }

func toProviderCreds(cr model.Credentials, name string) *providers.Credentials {
	return &providers.Credentials{AccessKeyId: cr.AccessKeyID, AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken, ProviderName: name}
}

// StaticProvider is a provider that always answers cr: an AccessKey, or an STS token when cr
// has a security token.
func StaticProvider(cr model.Credentials) (providers.CredentialsProvider, error) {
	if cr.SecurityToken != "" {
		return providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(cr.AccessKeyID).
			WithAccessKeySecret(cr.AccessKeySecret).WithSecurityToken(cr.SecurityToken).Build()
	}
	return providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(cr.AccessKeyID).
		WithAccessKeySecret(cr.AccessKeySecret).Build()
}

// lockedProvider serialises calls to a provider: credentials-go's URI, OIDC and CLI-profile
// providers keep their cache without a lock.
type lockedProvider struct {
	mu sync.Mutex
	p  providers.CredentialsProvider
}

func (l *lockedProvider) GetCredentials() (*providers.Credentials, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.GetCredentials()
}

func (l *lockedProvider) GetProviderName() string { return l.p.GetProviderName() }

// modeProvider names the profile and mode in every error its provider returns, also on a
// later refresh (a RamRoleArn token renewed an hour after Resolve).
type modeProvider struct {
	p    providers.CredentialsProvider
	wrap func(error) error
}

func (m *modeProvider) GetCredentials() (*providers.Credentials, error) {
	cc, err := m.p.GetCredentials()
	if err != nil {
		return nil, m.wrap(err)
	}
	return cc, nil
}

func (m *modeProvider) GetProviderName() string { return m.p.GetProviderName() }
