// Command stsdeck is a terminal console for Alibaba Cloud temporary credentials.
//
// main.go is the one composition root, read top to bottom:
//  1. run: the process, signals and the subcommand (ui/cli.Main);
//  2. deps: what the commands and the console receive (cli.Deps, service.Services);
//  3. connect: live or sandbox — resolve the credential chain (sts/creds) or start the embedded
//     sandbox and act as its RAM user sts-issuer; build the STS/RAM and OSS adapters and the
//     audit log;
//  4. the embedded sandbox: the STS + RAM emulator (sts/stsemu) and the OSS emulator
//     (oss/ossemu), each on its own listeners, sharing one account and one authorization clock
//     (model values); the OSS half authenticates through the STS half's authority.
//
// Nothing else decides live or sandbox, and no adapter knows about another.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/atomicfile"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/journal"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/oss"
	"github.com/stsdeck/stsdeck/oss/ossemu"
	"github.com/stsdeck/stsdeck/sts"
	"github.com/stsdeck/stsdeck/sts/creds"
	"github.com/stsdeck/stsdeck/sts/stsemu"
	"github.com/stsdeck/stsdeck/ui"
	"github.com/stsdeck/stsdeck/ui/cli"
)

// ─── 1. the process ──────────────────────────────────────────────────────────────────────────

func main() {
	if code := run(); code != 0 {
		os.Exit(code)
	}
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Deps:   deps(),
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "stsdeck: internal error: %v\n", r)
			os.Exit(3)
		}
	}()
	return cli.Main(ctx, os.Args[1:], env)
}

// ─── 2. what the commands and the console receive ────────────────────────────────────────────

// deps wires the outside world into the commands.
func deps() cli.Deps {
	return cli.Deps{
		Connect: connectServices,
		Console: runConsoleUI,
		RunSandbox: func(ctx context.Context, o cli.SandboxOptions, ready func(model.SandboxInfo)) error {
			so := sandboxOptions{DataDir: o.DataDir, SeedFile: o.SeedFile, STSAddr: o.STSAddr, OSSAddr: o.OSSAddr, TLS: o.TLS, AssumeRoleRate: o.STSRate}
			so.Journal = o.Journal
			return runSandbox(ctx, so, o.ReadyFile, ready)
		},
	}
}

// runConsoleUI runs the console until the operator quits; the terminal is restored either way.
// The console draws its first frame at once and connects inside a command (a bare console
// falls back to the embedded sandbox), so the ECS metadata probe or a sandbox start never
// delays it.
func runConsoleUI(ctx context.Context, g cli.Global, env *cli.Env) error {
	connect := func(ctx context.Context) (*service.Services, func(), error) { return connectServices(ctx, g, env) }
	opts := ui.Options{Mouse: g.Mouse, NoColor: env.Getenv("NO_COLOR") != "", Connect: connect, Lang: env.T.Lang()}
	if dir, err := cli.StateDir(env.Getenv); err == nil {
		opts.ServeDir = filepath.Join(dir, "serve") // the token card's S writes its URL file here (0600)
	}
	return ui.Run(ctx, nil, opts)
}

// connectServices resolves credentials (or starts the embedded sandbox) and maps the adapters
// onto the ports both faces use.
func connectServices(ctx context.Context, g cli.Global, env *cli.Env) (*service.Services, func(), error) {
	dir, err := cli.StateDir(env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	c, err := connect(ctx, connectOptions{Sandbox: g.Sandbox, Fallback: g.Console, Profile: g.Profile, Region: g.Region,
		STSEndpoint: g.STSEndpoint, RAMEndpoint: g.RAMEndpoint, OSSEndpoint: g.OSSEndpoint, StateDir: dir, Getenv: env.Getenv})
	if err != nil {
		return nil, nil, err
	}
	s := &service.Services{Mode: c.Mode, Region: c.Region, AccountID: c.AccountID, Where: c.Where, Identity: c.STS, Roles: c.STS,
		Issuer: c.STS, Objects: objectService{c.OSS}, Audit: c.Audit, OSSEndpoint: c.OSSEndpoint, Looked: c.Looked,
		Temporary: c.Temporary, Current: c.Current, Operator: c.Operator, Diagnostics: c.STS, UserPolicies: c.STS}
	if c.Control != nil {
		s.Sandbox = c.Control
	}
	s.IssuerWith = func(cr model.Credentials) service.TokenIssuer { return chainIssuer{c.STS, cr} }
	return s, c.Close, nil
}

// chainIssuer signs AssumeRole with a role chain hop's token against the connection's STS
// endpoint (sts.Client.As).
type chainIssuer struct {
	base *sts.Client
	cr   model.Credentials
}

func (h chainIssuer) AssumeRole(ctx context.Context, req model.IssueRequest) (model.Credentials, error) {
	cl, err := h.base.As(h.cr)
	if err != nil {
		return model.Credentials{}, err
	}
	return cl.AssumeRole(ctx, req)
}

// objectService adapts oss.Service (which returns *oss.Client) to service.ObjectService.
type objectService struct{ s *oss.Service }

func (o objectService) With(c model.Credentials) service.ObjectClient { return o.s.With(c) }

// ─── 3. live or sandbox ──────────────────────────────────────────────────────────────────────

// sandboxUser is the identity the embedded sandbox mode acts as.
const sandboxUser = "sts-issuer"

// The environment variables that default the endpoint flags (`stsdeck sandbox --print env`
// exports them). A flag wins over its variable; with --sandbox the variables are not read (the
// embedded sandbox's own endpoints are used).
const (
	envSTSEndpoint = "STSDECK_STS_ENDPOINT"
	envRAMEndpoint = "STSDECK_RAM_ENDPOINT"
	envOSSEndpoint = "STSDECK_OSS_ENDPOINT"
)

// connectOptions are the global flags plus where state lives.
type connectOptions struct {
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

// conn is a resolved connection.
type conn struct {
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
	Sandbox     *sandbox     // the sandbox this connection started; nil when live or when one already ran
	Control     *sts.Control // nil when live
	// Ephemeral is true when connect started the sandbox itself: it stops with Close, and so
	// does everything that points at its listeners (presigned URLs).
	Ephemeral bool
	creds     providers.CredentialsProvider
	// exported are temporary credentials from the environment that sandbox mode hands to the
	// OSS commands (Current) while it acts as sts-issuer for STS and RAM; nil = none.
	exported *model.Credentials
}

// Close stops what connect started (the embedded sandbox).
func (c *conn) Close() {
	if c.Sandbox != nil {
		c.Sandbox.Close()
	}
}

// Current returns the credentials the connection acts with (they hold secrets).
func (c *conn) Current(ctx context.Context) (model.Credentials, error) {
	if c.exported != nil {
		return *c.exported, nil
	}
	return c.Operator(ctx)
}

// Operator returns the operator's own credentials, those STS and RAM are called with (secrets).
func (c *conn) Operator(ctx context.Context) (model.Credentials, error) {
	cc, err := c.creds.GetCredentials()
	if err != nil {
		return model.Credentials{}, fmt.Errorf("credentials: %w", err)
	}
	return model.Credentials{AccessKeyID: cc.AccessKeyId, AccessKeySecret: cc.AccessKeySecret, SecurityToken: cc.SecurityToken, Region: c.Region}, nil
}

// connect resolves and builds. Without credentials it returns the chain's *creds.NotFoundError
// (listing where it looked) unless Sandbox or Fallback is set. It may take seconds (the ECS
// metadata probe, starting the sandbox): the console calls it inside a command.
func connect(ctx context.Context, o connectOptions) (*conn, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	stsEP, err := endpointFlag(o, "--sts-endpoint", o.STSEndpoint, envSTSEndpoint)
	if err != nil {
		return nil, err
	}
	ramEP, err := endpointFlag(o, "--ram-endpoint", o.RAMEndpoint, envRAMEndpoint)
	if err != nil {
		return nil, err
	}
	ossEP, err := endpointFlag(o, "--oss-endpoint", o.OSSEndpoint, envOSSEndpoint)
	if err != nil {
		return nil, err
	}
	if ramEP.IsZero() && !stsEP.IsZero() && stsEP.Loopback() {
		ramEP = stsEP // the sandbox serves RAM on the STS listener
	}
	audit := auditlog.Open(o.StateDir)
	if o.Sandbox {
		return connectSandbox(ctx, o, stsEP, ramEP, ossEP, audit, "--sandbox", nil)
	}
	// Role profiles (RamRoleArn, ChainableRamRoleArn, …) assume their role through the sts
	// adapter at the configured STS endpoint; credentials-go would send them to the public one.
	src, err := creds.Resolve(ctx, creds.Options{Profile: o.Profile, Getenv: o.Getenv, STSEndpoint: stsEP, Region: o.Region,
		AssumeRole: profileAssumer(o, ramEP)})
	var nf *creds.NotFoundError
	if errors.As(err, &nf) && o.Fallback && o.Profile == "" {
		why := "no credentials found"
		if len(nf.Failed) > 0 {
			why = "no usable credentials: " + nf.Failed[0].Error()
		}
		return connectSandbox(ctx, o, stsEP, ramEP, ossEP, audit, why, nf.Looked)
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
	c := &conn{
		Mode: "live", Region: region, Where: src.Name, Looked: src.Looked, Temporary: src.Temporary,
		OSSEndpoint: ossEP.URL(), STS: client, OSS: oss.NewService(oss.Config{Region: region, Endpoint: ossEP}),
		Audit: audit, creds: src.Provider,
	}
	// Endpoints from flags or the environment (`stsdeck sandbox --print env`) may lead to a
	// sandbox: it says so at /-/sandbox, and the connection is then labelled SANDBOX (card,
	// audit record, no LIVE confirmation) and gets the sandbox's control API (traces, clock).
	if ctl := detectSandbox(ctx, stsEP, ossEP); ctl != nil {
		c.Mode, c.Control = "sandbox", ctl
		c.Where += "; the STS endpoint " + stsEP.URL() + " is a stsdeck sandbox (it answers " + stsemu.DiscoveryPath + ")"
	}
	return c, nil
}

// profileAssumer sends a role profile's AssumeRole through the sts adapter, signed with the
// profile's source credentials, to the request's endpoint (the configured STS endpoint, else
// the profile's VPC endpoint, else the region's); RAM (the trust diagnosis of a refusal) goes
// to the configured RAM endpoint. sts/creds does not import sts: this is the seam.
func profileAssumer(o connectOptions, ramEP model.Endpoint) creds.AssumeRoleFunc {
	return func(ctx context.Context, r creds.RoleRequest) (model.Credentials, error) {
		region := r.Region
		if region == "" {
			region = o.Region
		}
		if region == "" {
			region = o.Getenv("ALIBABA_CLOUD_REGION_ID")
		}
		if region == "" {
			region = "cn-hangzhou"
		}
		p, err := creds.StaticProvider(r.Source)
		if err != nil {
			return model.Credentials{}, err
		}
		cl, err := sts.New(sts.Config{Credentials: p, Region: region, STSEndpoint: r.Endpoint, RAMEndpoint: ramEP})
		if err != nil {
			return model.Credentials{}, err
		}
		return cl.AssumeRole(ctx, r.Issue)
	}
}

// detectSandbox returns a control client when the STS endpoint is a stsdeck sandbox, nil
// otherwise. Only an explicit loopback or IP-literal endpoint is asked (a sandbox's control
// API answers loopback clients only), so a live connection to the cloud's own endpoints sends
// nothing extra.
func detectSandbox(ctx context.Context, stsEP, ossEP model.Endpoint) *sts.Control {
	if stsEP.IsZero() || !stsEP.Loopback() {
		return nil
	}
	ctl, err := sts.NewControl(model.SandboxInfo{STSEndpoint: stsEP.URL(), OSSEndpoint: ossEP.URL()})
	if err != nil {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if !ctl.IsSandbox(cctx) {
		return nil
	}
	return ctl
}

// endpointFlag parses an endpoint flag's value, else (outside --sandbox) its environment
// variable; an error names whichever was used.
func endpointFlag(o connectOptions, flagName, flagValue, envName string) (model.Endpoint, error) {
	if strings.TrimSpace(flagValue) == "" && !o.Sandbox {
		if v := o.Getenv(envName); strings.TrimSpace(v) != "" {
			return model.ParseEndpoint(envName, v)
		}
	}
	return model.ParseEndpoint(flagName, flagValue)
}

// connectSandbox starts the embedded sandbox in <StateDir>/sandbox (or uses the one already
// serving that data dir) and acts as sts-issuer.
func connectSandbox(ctx context.Context, o connectOptions, stsEP, ramEP, ossEP model.Endpoint, audit *auditlog.Log, why string, looked []string) (*conn, error) {
	if o.StateDir == "" {
		return nil, fmt.Errorf("sandbox: no state directory")
	}
	dir := filepath.Join(o.StateDir, "sandbox")
	var info model.SandboxInfo
	// The console's sandbox keeps its decision journal in its data dir (the Record flow reads it).
	run, err := startSandbox(ctx, sandboxOptions{DataDir: dir, AssumeRoleRate: cli.DefaultSTSRate, Journal: filepath.Join(dir, journalFileName)})
	if err != nil {
		// A sandbox already serving this data dir (`stsdeck sandbox --ready-file <data>/ready.json`)
		// is used as it is.
		ri, rerr := publishedSandbox(ctx, dir)
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
	user, found := info.User(sandboxUser)
	if !found {
		return nil, fmt.Errorf("the sandbox seed has no user %q", sandboxUser)
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
	ctl, err := sts.NewControl(info)
	if err != nil {
		return nil, err
	}
	ctl.StopsWithProcess = run != nil
	where := fmt.Sprintf("embedded sandbox (%s) as RAM user %s, data %s", why, sandboxUser, dir)
	exported, from := creds.ExportedTemporary(o.Getenv)
	if exported != nil {
		exported.Region = region
		where += fmt.Sprintf("; OSS commands use the exported temporary credentials %s (%s)", exported.AccessKeyID, from)
	}
	if len(looked) > 0 {
		where += "; looked in: " + strings.Join(looked, "; ")
	}
	ok = true
	return &conn{
		Mode: "sandbox", Region: region, AccountID: info.AccountID, Where: where, Looked: looked,
		OSSEndpoint: ossEP.URL(), STS: client, OSS: oss.NewService(oss.Config{Region: region, Endpoint: ossEP, HTTPClient: httpClient}),
		Audit: audit, Sandbox: run, Control: ctl, creds: p, Ephemeral: run != nil,
		Temporary: exported != nil, exported: exported,
	}, nil
}

// publishedSandbox reads <dir>/ready.json and checks that the sandbox it describes answers.
func publishedSandbox(ctx context.Context, dir string) (model.SandboxInfo, error) {
	data, err := os.ReadFile(filepath.Join(dir, readyFileName))
	if err != nil {
		return model.SandboxInfo{}, err
	}
	var info model.SandboxInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return model.SandboxInfo{}, fmt.Errorf("%s: %w", readyFileName, err)
	}
	ctl, err := sts.NewControl(info)
	if err != nil {
		return model.SandboxInfo{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := ctl.Clock(cctx); err != nil {
		return model.SandboxInfo{}, fmt.Errorf("the sandbox in %s does not answer: %w", readyFileName, err)
	}
	return info, nil
}

// ─── 4. the embedded sandbox ─────────────────────────────────────────────────────────────────
//
// Data dir layout: <data>/sts (keys.json, token.key, lock), <data>/oss (objects, bucket
// policies), <data>/tls (cert.pem, key.pem with --tls), <data>/ready.json while `stsdeck
// sandbox` runs.

// sandboxOptions configure the embedded sandbox.
type sandboxOptions struct {
	DataDir  string // required
	SeedFile string // "" = the built-in account
	STSAddr  string // STS + RAM listener; "" = 127.0.0.1:0 (a free port)
	OSSAddr  string // OSS listener of the home region; "" = 127.0.0.1:0. Other regions get free ports on the same host.
	TLS      bool   // serve https with a self-signed certificate kept in <data>/tls
	// WallClock replaces the system clock (tests); the authorization clock runs on top of it.
	WallClock model.Clock
	// AssumeRoleRate is the account's token quota per second (Throttling.User above it); 0 = none.
	AssumeRoleRate float64
	// Journal is the decision journal file both halves append to (model/journal: JSON lines,
	// 0600, rotated at 16 MiB keeping 3); "" = none.
	Journal string
}

// journalFileName is the console's sandbox's decision journal inside its data dir.
const journalFileName = "journal.jsonl"

// sandbox is a started embedded sandbox: both emulators and what they share.
type sandbox struct {
	Info      model.SandboxInfo
	STS       *stsemu.Running
	OSS       *ossemu.Running
	AuthClock *model.OffsetClock // shared: the STS control API moves it for both halves
	Journal   *journal.Writer    // the decision journal both halves write; nil = none
}

// startSandbox loads the seed, starts the STS + RAM emulator (which takes the data dir's lock)
// and the OSS emulator (which authenticates through the STS half's authority), both on the
// same authorization clock. When it returns, every listener accepts connections.
func startSandbox(ctx context.Context, o sandboxOptions) (*sandbox, error) {
	if o.DataDir == "" {
		return nil, errors.New("sandbox: no data dir")
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: data dir: %w", err)
	}
	seed, err := stsemu.LoadSeed(o.SeedFile)
	if err != nil {
		return nil, err
	}
	account := seed.Account()
	wall := o.WallClock
	if wall == nil {
		wall = model.WallClock
	}
	r := &sandbox{AuthClock: model.NewOffsetClock(wall, 0)}

	var tlsConf *tls.Config
	if o.TLS {
		cert, caFile, err := stsemu.EnsureCert(filepath.Join(o.DataDir, "tls"), time.Now())
		if err != nil {
			return nil, fmt.Errorf("sandbox: tls: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		r.Info.CAFile = caFile
	}

	stsCfg := stsemu.Config{DataDir: filepath.Join(o.DataDir, "sts"), Seed: seed, WallClock: wall, AuthClock: r.AuthClock, AssumeRoleRate: o.AssumeRoleRate}
	if o.Journal != "" {
		if r.Journal, err = journal.Open(o.Journal, journal.Options{}); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		stsCfg.Journal = r.Journal
	}
	r.STS, err = stsemu.Start(stsCfg, o.STSAddr, tlsConf)
	if err != nil {
		r.closeJournal()
		return nil, err
	}
	// This process holds the data dir now: a ready file left by a sandbox that died describes
	// nothing that runs.
	os.Remove(filepath.Join(o.DataDir, readyFileName))

	var buckets []ossemu.Bucket
	for _, b := range account.Buckets {
		buckets = append(buckets, ossemu.Bucket{Name: b.Name, Region: b.Region, Policy: b.Policy})
	}
	r.OSS, err = ossemu.Start(ossemu.Config{DataDir: filepath.Join(o.DataDir, "oss"), AccountID: account.ID, Buckets: buckets,
		Auth: r.STS.Authority(), Diagnostics: r.STS.Authority(), WallClock: wall, AuthClock: r.AuthClock, Journal: r.ossJournal()}, account.Region, o.OSSAddr, tlsConf)
	if err != nil {
		r.STS.Close()
		r.closeJournal()
		return nil, err
	}

	auth := r.STS.Authority()
	r.Info.Region, r.Info.AccountID = account.Region, account.ID
	r.Info.STSEndpoint, r.Info.RAMEndpoint = r.STS.URL, r.STS.URL
	r.Info.OSSEndpoint = r.OSS.Endpoints[account.Region]
	r.Info.Users, r.Info.Roles, r.Info.Buckets = []model.SandboxUser{}, []model.SandboxRole{}, []model.SandboxBucket{}
	for _, u := range auth.Users() {
		r.Info.Users = append(r.Info.Users, model.SandboxUser{Name: u.Name, Kind: u.Kind, AccessKeyID: u.AccessKeyID, AccessKeySecret: u.AccessKeySecret})
	}
	for _, ro := range auth.Roles() {
		r.Info.Roles = append(r.Info.Roles, model.SandboxRole{Name: ro.Name, ARN: ro.ARN, MaxSessionDuration: ro.MaxSessionDuration})
	}
	for _, b := range account.Buckets {
		r.Info.Buckets = append(r.Info.Buckets, model.SandboxBucket{Name: b.Name, Region: b.Region, Endpoint: r.OSS.Endpoints[b.Region]})
	}
	if err := ctx.Err(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Err reports a listener of either half that stopped serving on its own.
func (r *sandbox) Err() <-chan error {
	ch := make(chan error, 1)
	go func() {
		select {
		case err := <-r.STS.Err():
			ch <- err
		case err := <-r.OSS.Err():
			ch <- err
		}
	}()
	return ch
}

// Shutdown stops both halves (OSS first: it authenticates through the STS half), waiting for
// in-flight requests until ctx is done, then releases the data dir.
func (r *sandbox) Shutdown(ctx context.Context) error {
	return errors.Join(r.OSS.Shutdown(ctx), r.STS.Shutdown(ctx), r.closeJournal())
}

// ossJournal is the journal as the OSS half's interface (a nil *journal.Writer would not be a
// nil interface).
func (r *sandbox) ossJournal() ossemu.DecisionJournal {
	if r.Journal == nil {
		return nil
	}
	return r.Journal
}

func (r *sandbox) closeJournal() error {
	if r.Journal == nil {
		return nil
	}
	return r.Journal.Close()
}

// Close is Shutdown with a 5 second grace period.
func (r *sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r.Shutdown(ctx)
}

// Control returns a client of this sandbox's control API.
func (r *sandbox) Control() (*sts.Control, error) { return sts.NewControl(r.Info) }

// readyFileName is where runSandbox publishes a running sandbox inside its data dir
// (<data>/ready.json), so that an embedded sandbox asked for the same data dir meanwhile (a
// command run with --sandbox) uses it instead of failing on the data dir's lock.
const readyFileName = "ready.json"

// runSandbox is `stsdeck sandbox`: it starts the sandbox, publishes it in <data>/ready.json and
// writes readyFile (if not "") once every listener accepts connections, calls ready, and serves
// until ctx is done; then it shuts down gracefully and removes both files.
func runSandbox(ctx context.Context, o sandboxOptions, readyFile string, ready func(model.SandboxInfo)) error {
	r, err := startSandbox(ctx, o)
	if err != nil {
		return err
	}
	files := []string{filepath.Join(o.DataDir, readyFileName)}
	if readyFile != "" && !samePath(readyFile, files[0]) {
		files = append(files, readyFile)
	}
	for i, f := range files {
		if err := writeReadyFile(f, r.Info); err != nil {
			for _, g := range files[:i] {
				os.Remove(g)
			}
			r.Close()
			return err
		}
	}
	defer func() {
		for _, f := range files {
			os.Remove(f)
		}
	}()
	if ready != nil {
		ready(r.Info)
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-r.Err():
	}
	shutdownErr := r.Close()
	return errors.Join(serveErr, shutdownErr)
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// writeReadyFile writes info as JSON to path atomically with mode 0600: it holds the
// sandbox's (fake) secret keys.
func writeReadyFile(path string, info model.SandboxInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}
