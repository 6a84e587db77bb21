package ossemu

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is an OSS emulator serving one listener per region (Start).
type Running struct {
	*Server
	// Endpoints maps each region the buckets live in to the URL of its listener.
	Endpoints map[string]string

	servers   []*http.Server
	errc      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start builds the emulator (New) and serves it in the background: the home region on addr
// ("" = 127.0.0.1:0), every other region of the buckets on a free port of the same host; with
// tlsConf it serves https (and cfg.TLS is set). When Start returns, every listener accepts
// connections.
func Start(cfg Config, home, addr string, tlsConf *tls.Config) (*Running, error) {
	cfg.TLS = tlsConf != nil
	s, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("sandbox: oss: %w", err)
	}
	r := &Running{Server: s, Endpoints: map[string]string{}, errc: make(chan error, 8)}
	regions := []string{home}
	for _, reg := range s.Regions() {
		if reg != home {
			regions = append(regions, reg)
		}
	}
	host := "127.0.0.1"
	if addr != "" {
		if h, _, err := net.SplitHostPort(addr); err == nil && h != "" {
			host = h
		}
	}
	for i, reg := range regions {
		a := net.JoinHostPort(host, "0")
		if i == 0 && addr != "" {
			a = addr
		}
		if err := r.serve(reg, a, tlsConf); err != nil {
			r.Close()
			return nil, fmt.Errorf("sandbox: OSS listener for %s: %w", reg, err)
		}
	}
	return r, nil
}

func (r *Running) serve(region, addr string, tlsConf *tls.Config) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsConf != nil {
		ln, scheme = tls.NewListener(ln, tlsConf), "https"
	}
	srv := &http.Server{Handler: r.Handler(region), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 20}
	r.servers = append(r.servers, srv)
	r.Endpoints[region] = scheme + "://" + ln.Addr().String()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.errc <- err
		}
	}()
	return nil
}

// Err reports a listener that stopped serving on its own.
func (r *Running) Err() <-chan error { return r.errc }

// Shutdown stops accepting, waits for in-flight requests until ctx is done, then releases the
// store.
func (r *Running) Shutdown(ctx context.Context) error {
	r.closeOnce.Do(func() {
		var errs []error
		for _, s := range r.servers {
			if err := s.Shutdown(ctx); err != nil {
				s.Close()
				errs = append(errs, err)
			}
		}
		errs = append(errs, r.Server.Close())
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// Close is Shutdown with a 5 second grace period.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r.Shutdown(ctx)
}
