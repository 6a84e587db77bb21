package sts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// Control is a client of the embedded sandbox's control API: the authorization clock on the STS
// endpoint (/-/clock; moving it moves the clock both halves share) and each half's decision
// traces (/-/trace/<RequestId>). It satisfies service.SandboxControl.
type Control struct {
	STS  string // STS + RAM endpoint URL
	OSS  string // OSS endpoint URL
	HTTP *http.Client
	// StopsWithProcess is true for a throw-away sandbox started in-process (a command run with
	// --sandbox while no `stsdeck sandbox` serves the data dir): its endpoints die with the
	// process, and so does every URL pointing at them.
	StopsWithProcess bool
}

// Ephemeral reports StopsWithProcess.
func (c *Control) Ephemeral() bool { return c.StopsWithProcess }

// NewControl returns a control client for a sandbox described by info (trusting its CA file
// when it serves https).
func NewControl(info model.SandboxInfo) (*Control, error) {
	c := &Control{STS: info.STSEndpoint, OSS: info.OSSEndpoint, HTTP: &http.Client{Timeout: 10 * time.Second}}
	if info.CAFile != "" {
		pem, err := os.ReadFile(info.CAFile)
		if err != nil {
			return nil, fmt.Errorf("sandbox control: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("sandbox control: no certificate in %s", info.CAFile)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		c.HTTP.Transport = tr
	}
	return c, nil
}

// ClockState is the control API's clock answer.
type ClockState struct {
	Offset        string    `json:"offset"`
	OffsetSeconds float64   `json:"offset_seconds"`
	Wall          time.Time `json:"wall"`
	Now           time.Time `json:"now"`
}

// Clock reads the authorization clock.
func (c *Control) Clock(ctx context.Context) (ClockState, error) {
	var st ClockState
	err := c.do(ctx, http.MethodGet, c.STS+"/-/clock", &st)
	return st, err
}

// ReadClock reads both clocks as a model value (service.SandboxClock).
func (c *Control) ReadClock(ctx context.Context) (model.SandboxClock, error) {
	st, err := c.Clock(ctx)
	if err != nil {
		return model.SandboxClock{}, err
	}
	off, err := time.ParseDuration(st.Offset)
	if err != nil {
		return model.SandboxClock{}, fmt.Errorf("sandbox control: clock offset %q: %w", st.Offset, err)
	}
	return model.SandboxClock{Offset: off, Wall: st.Wall, Auth: st.Now}, nil
}

// IsSandbox asks the STS endpoint whether it is a stsdeck sandbox (GET /-/sandbox, which the
// cloud's STS does not serve): true only for the sandbox's own answer; an error, another
// status or another body is false.
func (c *Control) IsSandbox(ctx context.Context) bool {
	var d struct {
		Product string `json:"product"`
		Half    string `json:"half"`
	}
	if err := c.do(ctx, http.MethodGet, c.STS+"/-/sandbox", &d); err != nil {
		return false
	}
	return d.Product == "stsdeck-sandbox" && d.Half == "sts"
}

// Advance moves the authorization clock of both halves forward by d and returns the new offset.
func (c *Control) Advance(ctx context.Context, d time.Duration) (time.Duration, error) {
	var st ClockState
	if err := c.do(ctx, http.MethodPost, c.STS+"/-/clock?advance="+url.QueryEscape(d.String()), &st); err != nil {
		return 0, err
	}
	off, err := time.ParseDuration(st.Offset)
	if err != nil {
		return 0, fmt.Errorf("sandbox control: clock offset %q: %w", st.Offset, err)
	}
	return off, nil
}

// Trace fetches the decision trace of a recent request from the "sts" (or "ram") or "oss" half.
func (c *Control) Trace(ctx context.Context, service, requestID string) (*model.Trace, error) {
	base := c.STS
	switch service {
	case "sts", "ram":
	case "oss":
		base = c.OSS
	default:
		return nil, fmt.Errorf("sandbox control: unknown service %q (want sts, ram or oss)", service)
	}
	var tr model.Trace
	if err := c.do(ctx, http.MethodGet, base+"/-/trace/"+url.PathEscape(requestID), &tr); err != nil {
		return nil, err
	}
	return &tr, nil
}

func (c *Control) do(ctx context.Context, method, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return fmt.Errorf("sandbox control: %w", err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox control: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("sandbox control: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("sandbox control: %s %s: %s", method, req.URL.Path, e.Error)
		}
		return fmt.Errorf("sandbox control: %s %s: HTTP %d", method, req.URL.Path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("sandbox control: %s %s: %w", method, req.URL.Path, err)
	}
	return nil
}
