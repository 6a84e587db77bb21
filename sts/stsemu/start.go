package stsemu

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

// Running is an STS + RAM emulator serving on its own listener (Start).
type Running struct {
	*Server
	URL string // scheme://host:port of the STS + RAM endpoint (RAM is served on the same listener)

	srv       *http.Server
	errc      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start builds the emulator (New: data dir lock, keys, account), binds addr ("" =
// 127.0.0.1:0, a free port) and serves in the background; with tlsConf it serves https (and
// cfg.TLS is set). When Start returns, the listener accepts connections.
func Start(cfg Config, addr string, tlsConf *tls.Config) (*Running, error) {
	cfg.TLS = tlsConf != nil
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, url, err := listen(addr, tlsConf)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sandbox: STS listener: %w", err)
	}
	r := &Running{Server: s, URL: url, errc: make(chan error, 1),
		srv: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 20}}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.errc <- err
		}
	}()
	return r, nil
}

// listen binds addr ("" = a free loopback port), wrapped in TLS when tlsConf is set, and
// returns the listener and its URL.
func listen(addr string, tlsConf *tls.Config) (net.Listener, string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	scheme := "http"
	if tlsConf != nil {
		ln, scheme = tls.NewListener(ln, tlsConf), "https"
	}
	return ln, scheme + "://" + ln.Addr().String(), nil
}

// Err reports the listener stopping on its own.
func (r *Running) Err() <-chan error { return r.errc }

// Shutdown stops accepting, waits for in-flight requests until ctx is done, then releases the
// data dir.
func (r *Running) Shutdown(ctx context.Context) error {
	r.closeOnce.Do(func() {
		var errs []error
		if err := r.srv.Shutdown(ctx); err != nil {
			r.srv.Close()
			errs = append(errs, err)
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
