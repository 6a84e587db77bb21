// Package connect composes what a command or the console needs from the global flags: it
// resolves credentials (or starts the embedded sandbox and acts as its RAM user sts-issuer),
// splits the endpoint flags, and builds the STS/RAM and OSS adapters and the audit log. main.go
// maps the result onto ui.Services. It may take seconds (the ECS metadata probe, starting the
// sandbox): the console calls it inside a command, never before its first frame.
package connect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/oss"
	"github.com/stsdeck/stsdeck/sts"
	"github.com/stsdeck/stsdeck/sts/creds"
	"github.com/stsdeck/stsdeck/sts/sandbox"
)

// SandboxUser is the identity the embedded sandbox mode acts as.
const SandboxUser = "sts-issuer"

// Options are the global flags plus where state lives.
type Options struct {
	Sandbox  bool // --sandbox: use the embedded sandbox even if credentials exist
	Fallback bool // the bare console: fall back to the sandbox when no credentials are found
	Profile  string
	Region   string
	// Endpoint flags as given (absolute URLs; a bare host means https). An empty one defaults to
	// $STSDECK_STS_ENDPOINT / $STSDECK_RAM_ENDPOINT / $STSDECK_OSS_ENDPOINT, except with Sandbox.
	STSEndpoint, RAMEndpoint, OSSEndpoint string
	StateDir                              string // the audit log and <StateDir>/sandbox live here
	Getenv                                func(string) string
}

// Conn is a resolved connection.
type Conn struct {
	Mode        string // "sandbox" or "live"
	Region      string
	AccountID   string // known up front in sandbox mode only
	Where       string // where the credentials came from
	Looked      []string
	Temporary   bool
	OSSEndpoint string // "" = the region's default
	STS         *sts.Client
	OSS         *oss.Service
	Audit       *auditlog.Log
	Sandbox     *sandbox.Running // nil when live
	Control     *sandbox.Control // nil when live
	// Ephemeral is true when Connect started the sandbox itself: it stops with Close, and so
	// does everything that points at its listeners (presigned URLs).
	Ephemeral bool
	creds     providers.CredentialsProvider
	// exported are temporary credentials from the environment that sandbox mode hands to the
	// OSS commands (Current) while it acts as sts-issuer for STS and RAM; nil = none.
	exported *model.Credentials
}

// Close stops what Connect started (the embedded sandbox).
func (c *Conn) Close() {
	if c.Sandbox != nil {
		c.Sandbox.Close()
	}
}

// Current returns the credentials the connection acts with (they hold secrets).
func (c *Conn) Current(ctx context.Context) (model.Credentials, error) {
	if c.exported != nil {
		return *c.exported, nil
	}
	cc, err := c.creds.GetCredentials()
	if err != nil {
		return model.Credentials{}, fmt.Errorf("credentials: %w", err)
	}
	return model.Credentials{AccessKeyID: cc.AccessKeyId, AccessKeySecret: cc.AccessKeySecret, SecurityToken: cc.SecurityToken, Region: c.Region}, nil
}

// Connect resolves and builds. Without credentials it returns the chain's *creds.NotFoundError
// (listing where it looked) unless Sandbox or Fallback is set.
func Connect(ctx context.Context, o Options) (*Conn, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	stsEP, err := endpoint(o, "--sts-endpoint", o.STSEndpoint, EnvSTSEndpoint)
	if err != nil {
		return nil, err
	}
	ramEP, err := endpoint(o, "--ram-endpoint", o.RAMEndpoint, EnvRAMEndpoint)
	if err != nil {
		return nil, err
	}
	ossEP, err := endpoint(o, "--oss-endpoint", o.OSSEndpoint, EnvOSSEndpoint)
	if err != nil {
		return nil, err
	}
	if ramEP.IsZero() && !stsEP.IsZero() && stsEP.Loopback() {
		ramEP = stsEP // the sandbox serves RAM on the STS listener
	}
	audit := auditlog.Open(o.StateDir)
	if o.Sandbox {
		return startSandbox(ctx, o, stsEP, ramEP, ossEP, audit, "--sandbox", nil)
	}
	src, err := creds.Resolve(ctx, creds.Options{Profile: o.Profile, Getenv: o.Getenv})
	var nf *creds.NotFoundError
	if errors.As(err, &nf) && o.Fallback && o.Profile == "" {
		return startSandbox(ctx, o, stsEP, ramEP, ossEP, audit, "no credentials found", nf.Looked)
	}
	if err != nil {
		return nil, err
	}
	region := o.Region
	if region == "" {
		region = src.Region
	}
	if region == "" {
		region = o.Getenv("ALIBABA_CLOUD_REGION_ID")
	}
	if region == "" {
		region = "cn-hangzhou"
	}
	client, err := sts.New(sts.Config{Credentials: src.Provider, Region: region, STSEndpoint: stsEP, RAMEndpoint: ramEP})
	if err != nil {
		return nil, err
	}
	return &Conn{
		Mode: "live", Region: region, Where: src.Name, Looked: src.Looked, Temporary: src.Temporary,
		OSSEndpoint: ossEP.URL(), STS: client, OSS: oss.NewService(oss.Config{Region: region, Endpoint: ossEP}),
		Audit: audit, creds: src.Provider,
	}, nil
}

// The environment variables that default the endpoint flags (`stsdeck sandbox --print env`
// exports them). A flag wins over its variable; with --sandbox the variables are not read (the
// embedded sandbox's own endpoints are used).
const (
	EnvSTSEndpoint = "STSDECK_STS_ENDPOINT"
	EnvRAMEndpoint = "STSDECK_RAM_ENDPOINT"
	EnvOSSEndpoint = "STSDECK_OSS_ENDPOINT"
)

// endpoint parses an endpoint flag's value, else (outside --sandbox) its environment variable;
// an error names whichever was used.
func endpoint(o Options, flagName, flagValue, envName string) (model.Endpoint, error) {
	if strings.TrimSpace(flagValue) == "" && !o.Sandbox {
		if v := o.Getenv(envName); strings.TrimSpace(v) != "" {
			return model.ParseEndpoint(envName, v)
		}
	}
	return model.ParseEndpoint(flagName, flagValue)
}

// startSandbox starts the embedded sandbox in <StateDir>/sandbox and acts as sts-issuer.
func startSandbox(ctx context.Context, o Options, stsEP, ramEP, ossEP model.Endpoint, audit *auditlog.Log, why string, looked []string) (*Conn, error) {
	if o.StateDir == "" {
		return nil, fmt.Errorf("sandbox: no state directory")
	}
	dir := filepath.Join(o.StateDir, "sandbox")
	var info sandbox.Info
	run, err := sandbox.Start(ctx, sandbox.Options{DataDir: dir})
	if err != nil {
		// A sandbox already serving this data dir (`stsdeck sandbox --ready-file <data>/ready.json`)
		// is used as it is.
		ri, rerr := runningSandbox(ctx, dir)
		if rerr != nil {
			return nil, fmt.Errorf("starting the embedded sandbox in %s: %w", dir, err)
		}
		info = ri
		why += ", already running"
	} else {
		info = run.Info
	}
	ok := false
	defer func() {
		if !ok && run != nil {
			run.Close()
		}
	}()
	user, found := info.User(SandboxUser)
	if !found {
		return nil, fmt.Errorf("the sandbox seed has no user %q", SandboxUser)
	}
	region := o.Region
	if region == "" {
		region = info.Region
	}
	if stsEP.IsZero() {
		if stsEP, err = model.ParseEndpoint("sandbox sts_endpoint", info.STSEndpoint); err != nil {
			return nil, err
		}
	}
	if ramEP.IsZero() {
		if ramEP, err = model.ParseEndpoint("sandbox ram_endpoint", info.RAMEndpoint); err != nil {
			return nil, err
		}
	}
	if ossEP.IsZero() {
		u := info.OSSEndpoint
		for _, b := range info.Buckets {
			if b.Region == region && b.Endpoint != "" {
				u = b.Endpoint
				break
			}
		}
		if ossEP, err = model.ParseEndpoint("sandbox oss_endpoint", u); err != nil {
			return nil, err
		}
	}
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(user.AccessKeyID).WithAccessKeySecret(user.AccessKeySecret).Build()
	if err != nil {
		return nil, err
	}
	// A sandbox serving https (--tls) names its self-signed CA.
	var caPEM []byte
	var httpClient *http.Client
	if info.CAFile != "" {
		if caPEM, err = os.ReadFile(info.CAFile); err != nil {
			return nil, fmt.Errorf("sandbox CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("sandbox CA: no certificate in %s", info.CAFile)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		httpClient = &http.Client{Transport: tr}
	}
	client, err := sts.New(sts.Config{Credentials: p, Region: region, STSEndpoint: stsEP, RAMEndpoint: ramEP, CAPEM: caPEM})
	if err != nil {
		return nil, err
	}
	ctl, err := sandbox.NewControl(info)
	if err != nil {
		return nil, err
	}
	ctl.StopsWithProcess = run != nil
	where := fmt.Sprintf("embedded sandbox (%s) as RAM user %s, data %s", why, SandboxUser, dir)
	exported, from := ExportedTemporary(o.Getenv)
	if exported != nil {
		exported.Region = region
		where += fmt.Sprintf("; OSS commands use the exported temporary credentials %s (%s)", exported.AccessKeyID, from)
	}
	if len(looked) > 0 {
		where += "; looked in: " + strings.Join(looked, "; ")
	}
	ok = true
	return &Conn{
		Mode: "sandbox", Region: region, AccountID: info.AccountID, Where: where, Looked: looked,
		OSSEndpoint: ossEP.URL(), STS: client, OSS: oss.NewService(oss.Config{Region: region, Endpoint: ossEP, HTTPClient: httpClient}),
		Audit: audit, Sandbox: run, Control: ctl, creds: p, Ephemeral: run != nil,
		Temporary: exported != nil, exported: exported,
	}, nil
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

// ReadyFileName is where a foreground sandbox (`stsdeck sandbox`, sandbox.Run) publishes itself
// inside its data dir, so that commands run with --sandbox meanwhile use it instead of failing
// on the data dir's lock.
const ReadyFileName = sandbox.ReadyFileName

// runningSandbox reads <dir>/ready.json and checks that the sandbox it describes answers.
func runningSandbox(ctx context.Context, dir string) (sandbox.Info, error) {
	data, err := os.ReadFile(filepath.Join(dir, ReadyFileName))
	if err != nil {
		return sandbox.Info{}, err
	}
	var info sandbox.Info
	if err := json.Unmarshal(data, &info); err != nil {
		return sandbox.Info{}, fmt.Errorf("%s: %w", ReadyFileName, err)
	}
	ctl, err := sandbox.NewControl(info)
	if err != nil {
		return sandbox.Info{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := ctl.Clock(cctx); err != nil {
		return sandbox.Info{}, fmt.Errorf("the sandbox in %s does not answer: %w", ReadyFileName, err)
	}
	return info, nil
}

// Result is what ConnectAsync delivers.
type Result struct {
	Conn *Conn
	Err  error
}

// ConnectAsync runs Connect in a goroutine and delivers the result on a buffered channel, for a
// console that must draw its first frame before credentials are resolved (the ECS metadata probe
// and a sandbox start take time). If nobody receives, the connection is leaked until exit; the
// caller closes what it receives.
func ConnectAsync(ctx context.Context, o Options) <-chan Result {
	ch := make(chan Result, 1)
	go func() {
		c, err := Connect(ctx, o)
		ch <- Result{c, err}
	}()
	return ch
}
