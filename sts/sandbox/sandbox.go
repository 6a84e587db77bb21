// Package sandbox composes the embedded sandbox: the STS + RAM half (sts/stsemu) and the OSS half
// (oss/ossemu) in one process, sharing one account authority and one authorization clock, each
// on its own loopback listener. `stsdeck sandbox` runs it in the foreground; the console starts it
// in-process when no credentials are at hand.
//
// Data dir layout: <data>/sts (keys.json, token.key, lock), <data>/oss (objects, bucket
// policies), <data>/tls (cert.pem, key.pem with --tls).
package sandbox

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/oss/ossemu"
	"github.com/stsdeck/stsdeck/sts/stsemu"
)

// ErrLocked is wrapped by Start when another process serves the data dir.
var ErrLocked = stsemu.ErrLocked

// Options configure a sandbox.
type Options struct {
	DataDir  string // required
	SeedFile string // "" = the built-in account
	STSAddr  string // STS + RAM listener; "" = 127.0.0.1:0 (a free port)
	OSSAddr  string // OSS listener of the home region; "" = 127.0.0.1:0. Other regions get free ports on the same host.
	TLS      bool   // serve https with a self-signed certificate kept in <data>/tls
	// WallClock replaces the system clock (tests); the authorization clock runs on top of it.
	WallClock model.Clock
}

// Info describes a running sandbox: the ready file's content.
type Info struct {
	Region      string   `json:"region"`
	AccountID   string   `json:"account_id"`
	STSEndpoint string   `json:"sts_endpoint"`
	RAMEndpoint string   `json:"ram_endpoint"`
	OSSEndpoint string   `json:"oss_endpoint"`
	CAFile      string   `json:"ca_file,omitempty"`
	Users       []User   `json:"users"`
	Roles       []Role   `json:"roles"`
	Buckets     []Bucket `json:"buckets"`
}

// User is a seeded user with its (fake, sandbox-only) keys.
type User struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"` // "root" or "user"
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
}

// Role is a seeded role.
type Role struct {
	Name               string `json:"name"`
	ARN                string `json:"arn"`
	MaxSessionDuration int    `json:"max_session_duration"` // seconds
}

// Bucket is a seeded bucket and the endpoint of its region.
type Bucket struct {
	Name     string `json:"name"`
	Region   string `json:"region"`
	Endpoint string `json:"endpoint"`
}

// User returns the named user.
func (i Info) User(name string) (User, bool) {
	for _, u := range i.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// Running is a started sandbox.
type Running struct {
	Info      Info
	STS       *stsemu.Server
	OSS       *ossemu.Server
	AuthClock *model.OffsetClock

	servers   []*http.Server
	done      chan struct{}
	serveErr  chan error
	closeOnce sync.Once
	closeErr  error
}

// InputError is a failure caused by what the operator gave (a seed file that cannot be read or
// parsed): commands exit 2 for it, as for any bad input. Its BadInput method says so without the
// caller importing this package.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// BadInput reports that the error is the input's fault.
func (e *InputError) BadInput() bool { return true }

// Start loads the seed, opens the data dir (one sandbox per data dir), binds every listener and
// serves in the background. When Start returns, every listener accepts connections.
func Start(ctx context.Context, o Options) (*Running, error) {
	if o.DataDir == "" {
		return nil, errors.New("sandbox: no data dir")
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: data dir: %w", err)
	}
	var seed *stsemu.Seed
	var err error
	if o.SeedFile != "" {
		src, err := os.ReadFile(o.SeedFile)
		if err != nil {
			return nil, &InputError{fmt.Errorf("sandbox: seed: %w", err)}
		}
		seed, err = stsemu.ParseSeed(o.SeedFile, src)
		if err != nil {
			return nil, &InputError{fmt.Errorf("sandbox: bad seed: %w", err)}
		}
	} else {
		seed, err = stsemu.ParseSeed("built-in seed", stsemu.DefaultSeed)
		if err != nil {
			return nil, fmt.Errorf("sandbox: built-in seed: %w", err)
		}
	}
	wall := o.WallClock
	if wall == nil {
		wall = model.WallClock
	}
	authClock := model.NewOffsetClock(wall, 0)

	r := &Running{AuthClock: authClock, done: make(chan struct{}), serveErr: make(chan error, 8)}
	cleanup := func() {
		for _, s := range r.servers {
			s.Close()
		}
		if r.OSS != nil {
			r.OSS.Close()
		}
		if r.STS != nil {
			r.STS.Close()
		}
	}

	r.STS, err = stsemu.New(stsemu.Config{DataDir: filepath.Join(o.DataDir, "sts"), Seed: seed, WallClock: wall, AuthClock: authClock, TLS: o.TLS})
	if err != nil {
		return nil, err
	}
	auth := r.STS.Authority()
	// This process holds the data dir now: a ready file left by a sandbox that died describes
	// nothing that runs.
	os.Remove(filepath.Join(o.DataDir, ReadyFileName))

	var tlsConf *tls.Config
	scheme := "http"
	if o.TLS {
		cert, caFile, err := stsemu.EnsureCert(filepath.Join(o.DataDir, "tls"), time.Now())
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("sandbox: tls: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
		r.Info.CAFile = caFile
	}

	var buckets []ossemu.Bucket
	for _, b := range seed.Buckets {
		buckets = append(buckets, ossemu.Bucket{Name: b.Name, Region: b.Region, Policy: b.Policy})
	}
	r.OSS, err = ossemu.New(ossemu.Config{DataDir: filepath.Join(o.DataDir, "oss"), AccountID: seed.AccountID, Buckets: buckets,
		Auth: auth, WallClock: wall, AuthClock: authClock, TLS: o.TLS})
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("sandbox: oss: %w", err)
	}

	listen := func(addr string, h http.Handler) (string, error) {
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return "", err
		}
		if tlsConf != nil {
			ln = tls.NewListener(ln, tlsConf)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 20}
		r.servers = append(r.servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				r.serveErr <- err
			}
		}()
		return scheme + "://" + ln.Addr().String(), nil
	}

	stsURL, err := listen(o.STSAddr, r.STS.Handler())
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("sandbox: STS listener: %w", err)
	}
	r.Info.Region, r.Info.AccountID = seed.Region, seed.AccountID
	r.Info.STSEndpoint, r.Info.RAMEndpoint = stsURL, stsURL

	// One OSS listener per region: the home region's on OSSAddr, the others on free ports.
	regions := []string{seed.Region}
	for _, reg := range r.OSS.Regions() {
		if reg != seed.Region {
			regions = append(regions, reg)
		}
	}
	ossHost := "127.0.0.1"
	if o.OSSAddr != "" {
		if h, _, err := net.SplitHostPort(o.OSSAddr); err == nil && h != "" {
			ossHost = h
		}
	}
	endpoints := map[string]string{}
	for i, reg := range regions {
		addr := net.JoinHostPort(ossHost, "0")
		if i == 0 && o.OSSAddr != "" {
			addr = o.OSSAddr
		}
		u, err := listen(addr, r.OSS.Handler(reg))
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("sandbox: OSS listener for %s: %w", reg, err)
		}
		endpoints[reg] = u
	}
	r.Info.OSSEndpoint = endpoints[seed.Region]

	for _, u := range auth.Users() {
		r.Info.Users = append(r.Info.Users, User{Name: u.Name, Kind: u.Kind, AccessKeyID: u.AccessKeyID, AccessKeySecret: u.AccessKeySecret})
	}
	for _, ro := range auth.Roles() {
		r.Info.Roles = append(r.Info.Roles, Role{Name: ro.Name, ARN: ro.ARN, MaxSessionDuration: ro.MaxSessionDuration})
	}
	for _, b := range seed.Buckets {
		r.Info.Buckets = append(r.Info.Buckets, Bucket{Name: b.Name, Region: b.Region, Endpoint: endpoints[b.Region]})
	}
	if r.Info.Users == nil {
		r.Info.Users = []User{}
	}
	if r.Info.Roles == nil {
		r.Info.Roles = []Role{}
	}
	if r.Info.Buckets == nil {
		r.Info.Buckets = []Bucket{}
	}
	if err := ctx.Err(); err != nil {
		cleanup()
		return nil, err
	}
	return r, nil
}

// Err reports a listener that stopped serving on its own (nil channel value never sent otherwise).
func (r *Running) Err() <-chan error { return r.serveErr }

// Shutdown stops accepting, waits for in-flight requests until ctx is done, then releases the
// data dir.
func (r *Running) Shutdown(ctx context.Context) error {
	r.closeOnce.Do(func() {
		var errs []error
		for _, s := range r.servers {
			if err := s.Shutdown(ctx); err != nil {
				s.Close()
				errs = append(errs, err)
			}
		}
		if err := r.OSS.Close(); err != nil {
			errs = append(errs, err)
		}
		if err := r.STS.Close(); err != nil {
			errs = append(errs, err)
		}
		r.closeErr = errors.Join(errs...)
		close(r.done)
	})
	return r.closeErr
}

// Close is Shutdown with a 5 second grace period.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r.Shutdown(ctx)
}

// Control returns a client of this sandbox's control API.
func (r *Running) Control() (*Control, error) { return NewControl(r.Info) }

// ReadyFileName is where Run publishes a running sandbox inside its data dir
// (<data>/ready.json), so that an embedded sandbox asked for the same data dir meanwhile (a
// command run with --sandbox) uses it instead of failing on the data dir's lock.
const ReadyFileName = "ready.json"

// Run starts the sandbox, publishes it in <data>/ready.json and writes readyFile (if not "")
// once every listener accepts connections, calls ready, and serves until ctx is done; then it
// shuts down gracefully and removes both files.
func Run(ctx context.Context, o Options, readyFile string, ready func(Info)) error {
	r, err := Start(ctx, o)
	if err != nil {
		return err
	}
	files := []string{filepath.Join(o.DataDir, ReadyFileName)}
	if readyFile != "" && !samePath(readyFile, files[0]) {
		files = append(files, readyFile)
	}
	for i, f := range files {
		if err := WriteReadyFile(f, r.Info); err != nil {
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
	case serveErr = <-r.serveErr:
	}
	shutdownErr := r.Close()
	return errors.Join(serveErr, shutdownErr)
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// WriteReadyFile writes info as JSON to path atomically (temp file, fsync, rename) with mode 0600:
// it holds the sandbox's (fake) secret keys.
func WriteReadyFile(path string, info Info) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}
