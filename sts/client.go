// Package sts is stsdeck's adapter over the official STS SDK (github.com/alibabacloud-go/
// sts-20150401/v2, imported as stsclient) and the RAM SDK (ram-20150501/v2) for role listing.
// It turns answers into model values and errors into *model.APIError with a hint. The same code
// talks to the cloud and to the embedded sandbox over loopback.
package sts

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"
	stsclient "github.com/alibabacloud-go/sts-20150401/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

// Config configures a Client.
type Config struct {
	// Credentials are the caller's own (long-lived or STS) credentials.
	Credentials providers.CredentialsProvider
	Region      string // default cn-hangzhou
	// STSEndpoint and RAMEndpoint override the SDKs' endpoint resolution; zero = the cloud's
	// (sts.<region>.aliyuncs.com, ram.aliyuncs.com) over https.
	STSEndpoint model.Endpoint
	RAMEndpoint model.Endpoint
	// CAPEM adds trusted root certificates (PEM) for https endpoints, e.g. a sandbox run with
	// --tls; nil = the system roots.
	CAPEM []byte
	// Timeout bounds each call (connect + read); 0 = 15 s.
	Timeout time.Duration
	// Now is the local clock (tests); nil = time.Now.
	Now func() time.Time
}

// Client is the STS + RAM adapter. Safe for concurrent use.
type Client struct {
	cfg              Config
	sts              *stsclient.Client
	ram              *ramclient.Client
	cred             credentials.Credential
	stsLock, ramLock *sync.Mutex

	mu      sync.Mutex
	maxSess map[string]time.Duration // lower-case role ARN -> max session, learned from RAM
	caller  *model.Caller
}

// New builds a Client. It does not contact any service.
func New(cfg Config) (*Client, error) {
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("sts: no credentials")
	}
	if cfg.Region == "" {
		cfg.Region = "cn-hangzhou"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, cred: credentials.FromCredentialsProvider("stsdeck", cfg.Credentials), maxSess: map[string]time.Duration{}}
	sc, err := stsclient.NewClient(c.openapiConfig(cfg.STSEndpoint))
	if err != nil {
		return nil, fmt.Errorf("sts: configuring the STS client: %w", err)
	}
	rc, err := ramclient.NewClient(c.openapiConfig(cfg.RAMEndpoint))
	if err != nil {
		return nil, fmt.Errorf("sts: configuring the RAM client: %w", err)
	}
	c.sts, c.ram = sc, rc
	c.stsLock, c.ramLock = domainLock(tea.StringValue(sc.Endpoint)), domainLock(tea.StringValue(rc.Endpoint))
	return c, nil
}

func (c *Client) openapiConfig(ep model.Endpoint) *openapi.Config {
	ms := int(c.cfg.Timeout / time.Millisecond)
	conf := &openapi.Config{
		Credential:     c.cred,
		RegionId:       tea.String(c.cfg.Region),
		ReadTimeout:    tea.Int(ms),
		ConnectTimeout: tea.Int(ms),
		UserAgent:      tea.String("stsdeck"),
	}
	if !ep.IsZero() {
		conf.Endpoint = tea.String(ep.HostPort())
		conf.Protocol = tea.String(ep.Protocol())
	}
	return conf
}

func (c *Client) runtime() *util.RuntimeOptions {
	ms := int(c.cfg.Timeout / time.Millisecond)
	rt := &util.RuntimeOptions{ReadTimeout: tea.Int(ms), ConnectTimeout: tea.Int(ms)}
	if len(c.cfg.CAPEM) > 0 {
		rt.Ca = tea.String(string(c.cfg.CAPEM))
	}
	return rt
}

// callerToken returns the caller's own security token (for redaction), "" if none.
func (c *Client) callerToken() string {
	cc, err := c.cfg.Credentials.GetCredentials()
	if err != nil || cc == nil {
		return ""
	}
	return cc.SecurityToken
}

// domainLocks serialises SDK calls per endpoint host. The darabonba/tea SDK keeps one shared
// http.Client per host and rewrites its Timeout on every request without synchronisation
// (tea.DoRequest), so concurrent calls to one host race (go test -race sees it when the console
// asks STS and RAM at once: the sandbox serves both on one listener).
var domainLocks sync.Map // host -> *sync.Mutex

func domainLock(host string) *sync.Mutex {
	m, _ := domainLocks.LoadOrStore(host, &sync.Mutex{})
	return m.(*sync.Mutex)
}

// do runs an SDK call (which takes no context) under its host's lock and gives up waiting when
// ctx ends. The abandoned call finishes on its own within the configured timeout.
func do[T any](ctx context.Context, lock *sync.Mutex, call func() (T, error)) (T, error) {
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, 1)
	go func() {
		lock.Lock()
		defer lock.Unlock()
		if ctx.Err() != nil { // gave up while waiting for the lock
			var zero T
			ch <- res{zero, ctx.Err()}
			return
		}
		v, err := call()
		ch <- res{v, err}
	}()
	select {
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	case r := <-ch:
		return r.v, r.err
	}
}

// Whoami calls GetCallerIdentity.
func (c *Client) Whoami(ctx context.Context) (model.Caller, error) {
	resp, err := do(ctx, c.stsLock, func() (*stsclient.GetCallerIdentityResponse, error) {
		return c.sts.GetCallerIdentityWithOptions(c.runtime())
	})
	if err != nil {
		return model.Caller{}, decodeError("sts", "GetCallerIdentity", err, c.callerToken())
	}
	if resp == nil || resp.Body == nil {
		return model.Caller{}, fmt.Errorf("sts GetCallerIdentity: empty response")
	}
	b := resp.Body
	caller := model.Caller{
		AccountID:    tea.StringValue(b.AccountId),
		UserID:       tea.StringValue(b.UserId),
		ARN:          tea.StringValue(b.Arn),
		IdentityType: tea.StringValue(b.IdentityType),
		PrincipalID:  tea.StringValue(b.PrincipalId),
		RoleID:       tea.StringValue(b.RoleId),
	}
	c.mu.Lock()
	c.caller = &caller
	c.mu.Unlock()
	return caller, nil
}

// Caller returns the identity learned by the last Whoami, calling it if there was none.
func (c *Client) Caller(ctx context.Context) (model.Caller, error) {
	c.mu.Lock()
	cl := c.caller
	c.mu.Unlock()
	if cl != nil {
		return *cl, nil
	}
	return c.Whoami(ctx)
}

// ResolveRole turns a role name into an ARN in the caller's account (GetCallerIdentity, no RAM);
// an ARN is checked and returned as is.
func (c *Client) ResolveRole(ctx context.Context, nameOrARN string) (string, error) {
	s := strings.TrimSpace(nameOrARN)
	if strings.HasPrefix(s, "acs:") {
		if _, _, ok := issuereq.ParseRoleARN(s); !ok {
			return "", fmt.Errorf("role %q: not a role ARN (want acs:ram::<account-id>:role/<role-name>)", s)
		}
		return s, nil
	}
	if s == "" || strings.ContainsAny(s, ":/ ") {
		return "", fmt.Errorf("role %q: want a role name or acs:ram::<account-id>:role/<role-name>", s)
	}
	caller, err := c.Caller(ctx)
	if err != nil {
		return "", err
	}
	if caller.AccountID == "" {
		return "", fmt.Errorf("role %q: GetCallerIdentity gave no account id; pass the full ARN", s)
	}
	return issuereq.RoleARN(caller.AccountID, s), nil
}

// AssumeRole validates the request (session name, external id, duration against the role's
// maximum when RAM told it, policy errors from the engine; warnings do not block) and calls STS.
// Validation failures return *issuereq.InvalidRequestError without sending anything.
func (c *Client) AssumeRole(ctx context.Context, req model.IssueRequest) (model.Credentials, error) {
	if bad := issuereq.Blocking(issuereq.CheckIssue(req, c.RoleMax(req.RoleARN))); len(bad) > 0 {
		return model.Credentials{}, &issuereq.InvalidRequestError{Problems: bad}
	}
	r := &stsclient.AssumeRoleRequest{
		RoleArn:         tea.String(req.RoleARN),
		RoleSessionName: tea.String(req.SessionName),
	}
	if req.Duration > 0 {
		r.DurationSeconds = tea.Int64(int64(req.Duration / time.Second))
	}
	if req.ExternalID != "" {
		r.ExternalId = tea.String(req.ExternalID)
	}
	if req.Policy != "" {
		r.Policy = tea.String(req.Policy)
	}
	resp, err := do(ctx, c.stsLock, func() (*stsclient.AssumeRoleResponse, error) {
		return c.sts.AssumeRoleWithOptions(r, c.runtime())
	})
	received := c.cfg.Now()
	if err != nil {
		err = decodeError("sts", "AssumeRole", err, c.callerToken())
		c.diagnoseTrust(ctx, req, err)
		return model.Credentials{}, err
	}
	if resp == nil || resp.Body == nil || resp.Body.Credentials == nil {
		return model.Credentials{}, fmt.Errorf("sts AssumeRole: the response has no Credentials")
	}
	b := resp.Body
	cr := model.Credentials{
		AccessKeyID:     tea.StringValue(b.Credentials.AccessKeyId),
		AccessKeySecret: tea.StringValue(b.Credentials.AccessKeySecret),
		SecurityToken:   tea.StringValue(b.Credentials.SecurityToken),
		IssuedAt:        received,
		RoleARN:         req.RoleARN,
		Region:          c.cfg.Region,
		RequestID:       tea.StringValue(b.RequestId),
	}
	if b.AssumedRoleUser != nil {
		cr.AssumedRoleARN = tea.StringValue(b.AssumedRoleUser.Arn)
		cr.AssumedRoleID = tea.StringValue(b.AssumedRoleUser.AssumedRoleId)
	}
	if cr.AccessKeyID == "" || cr.AccessKeySecret == "" || cr.SecurityToken == "" {
		return model.Credentials{}, fmt.Errorf("sts AssumeRole: the response lacks AccessKeyId, AccessKeySecret or SecurityToken [RequestId %s]", cr.RequestID)
	}
	exp, err := parseExpiration(tea.StringValue(b.Credentials.Expiration))
	if err != nil {
		return model.Credentials{}, fmt.Errorf("sts AssumeRole: %w [RequestId %s]", err, cr.RequestID)
	}
	cr.Expiration = exp
	cr.ServerClockOffset = ClockOffset(header(resp.Headers, "date"), received)
	return cr, nil
}

func header(h map[string]*string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return tea.StringValue(v)
		}
	}
	return ""
}

func parseExpiration(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05Z", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("the Expiration %q is not an ISO 8601 UTC time", s)
}

// ClockOffset estimates server time minus local time from a response's Date header (RFC 1123,
// whole seconds) and the local time the response arrived. Date truncates to the second and the
// response took time to arrive, so differences under two seconds are noise and give 0; beyond
// that the offset is rounded to the second. A missing or unparsable Date gives 0.
func ClockOffset(date string, received time.Time) time.Duration {
	if date == "" {
		return 0
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return 0
	}
	// The server's clock read somewhere in [t, t+1s) when it wrote Date; use the middle.
	d := t.Add(500 * time.Millisecond).Sub(received)
	if d > -2*time.Second && d < 2*time.Second {
		return 0
	}
	return d.Round(time.Second)
}

// RoleMax returns the maximum session duration RAM reported for a role ARN, 0 if unknown.
func (c *Client) RoleMax(arn string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxSess[strings.ToLower(arn)]
}

func (c *Client) learn(r model.Role) {
	if r.ARN == "" || r.MaxSessionDuration <= 0 {
		return
	}
	c.mu.Lock()
	c.maxSess[strings.ToLower(r.ARN)] = r.MaxSessionDuration
	c.mu.Unlock()
}

func parseRAMTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	return time.Time{}
}
