// Package credserve is the loopback credentials URI both faces serve (`stsdeck serve`/`exec`
// and the console's S on the token card): the HTTP handler in the shape credentials-go's URI
// provider reads, and a small server around a flow.Renewer.
//
// Security rules (issue 16): bind 127.0.0.1 only; an unguessable path (256 random bits) in
// the URL; the URL written to a 0600 file and shown only when asked; any other path 404; any
// non-loopback peer or foreign Host 403.
package credserve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model/atomicfile"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
)

// Handler answers the credentials URI: GET on Path from a loopback peer gets the current
// token as credentials-go's URI provider reads it (providers/uri.go: HTTP 200 with
// AccessKeyId, AccessKeySecret, SecurityToken and Expiration in 2006-01-02T15:04:05Z).
type Handler struct {
	Path    string
	Renewer *flow.Renewer
	Log     func(string) // nil = quiet; never given a secret
	// Served is told about every token handed out (the console counts fetches); may be nil.
	Served func()
}

// answer is the URI provider's JSON. Code "Success" is what the aliyun CLI's own
// CredentialsURI mode insists on (config/profile.go: "Code is not Success" otherwise);
// credentials-go ignores it.
type answer struct {
	Code            string `json:"Code"`
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !LoopbackPeer(r.RemoteAddr) {
		serveError(w, http.StatusForbidden, "Forbidden", "only loopback peers may fetch credentials")
		return
	}
	if !loopbackHost(r.Host) {
		serveError(w, http.StatusForbidden, "Forbidden", "the Host header must name 127.0.0.1 or localhost")
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.URL.Path), []byte(h.Path)) != 1 {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		serveError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
		return
	}
	res, err := h.Renewer.Get(r.Context())
	if err != nil {
		if errors.Is(err, flow.ErrServeEnded) {
			serveError(w, http.StatusGone, "ServeEnded", err.Error())
			return
		}
		if h.Log != nil {
			h.Log("no token to serve: " + err.Error())
		}
		serveError(w, http.StatusBadGateway, "IssueFailed", err.Error())
		return
	}
	if h.Served != nil {
		h.Served()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer{"Success", res.Creds.AccessKeyID, res.Creds.AccessKeySecret, res.Creds.SecurityToken,
		res.Creds.Expiration.UTC().Format("2006-01-02T15:04:05Z")})
}

func serveError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Code": code, "Message": msg})
}

// LoopbackPeer reports whether a request's RemoteAddr is a loopback address.
func LoopbackPeer(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loopbackHost(h string) bool {
	host := h
	if hh, _, err := net.SplitHostPort(h); err == nil {
		host = hh
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoopbackAddr accepts 127.0.0.1:PORT (or localhost:PORT) and nothing else.
func LoopbackAddr(a string) (string, error) {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", fmt.Errorf("want 127.0.0.1:PORT")
	}
	if host != "127.0.0.1" && host != "localhost" {
		return "", fmt.Errorf("serve binds 127.0.0.1 only (a credential endpoint must not be reachable from the network)")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("port %q: want 0..65535", port)
	}
	return net.JoinHostPort("127.0.0.1", port), nil
}

// RandomPath is "/" + 256 random bits, base64url.
func RandomPath() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("serve: random path: %w", err)
	}
	return "/" + base64.RawURLEncoding.EncodeToString(b), nil
}

// SandboxClock is the clock a serve decides expiry on: in the sandbox the control API's
// authorization clock (re-read at most once a second); live nil (the local clock corrected by
// the STS response's Date offset, which the renewer keeps).
func SandboxClock(sb service.SandboxControl) flow.ServerClock {
	nc, ok := sb.(interface {
		Now(ctx context.Context) (time.Time, error)
	})
	if !ok || sb == nil {
		return nil
	}
	return flow.NewCachedClock(nc.Now, time.Second, nil).Now
}

// Server serves one Renewer on 127.0.0.1 at a random port and path, with the URL in a 0600
// file, counting the tokens it hands out. Safe for concurrent use.
type Server struct {
	URL, URLFile string
	Renewer      *flow.Renewer

	srv  *http.Server
	done chan struct{}
	stop context.CancelFunc // ends keepFresh

	mu      sync.Mutex
	fetches []time.Time // local times of recent answers (the last minute's are kept)
	total   int
	now     func() time.Time
}

// Start listens on 127.0.0.1:0 and writes the URL to urlFile (0600, its directory created
// 0700). now is the local clock the fetch count uses (nil = time.Now).
func Start(r *flow.Renewer, urlFile string, now func() time.Time) (*Server, error) {
	if r == nil {
		return nil, errors.New("serve: no renewer")
	}
	if now == nil {
		now = time.Now
	}
	path, err := RandomPath()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("serve: listening on 127.0.0.1: %w", err)
	}
	s := &Server{Renewer: r, URLFile: urlFile, done: make(chan struct{}), now: now}
	s.URL = "http://" + ln.Addr().String() + path
	if err := os.MkdirAll(filepath.Dir(urlFile), 0o700); err != nil {
		ln.Close()
		return nil, fmt.Errorf("serve: the URL file's directory: %w", err)
	}
	if err := atomicfile.Write(urlFile, []byte(s.URL+"\n"), 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("serve: writing the URL file %s: %w", urlFile, err)
	}
	h := &Handler{Path: path, Renewer: r, Served: s.served}
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	go s.keepFresh(ctx)
	return s, nil
}

// keepFresh renews a token nobody fetched, so that a late fetch never waits (as serve's Wait).
func (s *Server) keepFresh(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Renewer.Get(ctx)
		}
	}
}

func (s *Server) served() {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.now()
	s.total++
	s.fetches = append(s.fetches, t)
	cut := 0
	for cut < len(s.fetches) && t.Sub(s.fetches[cut]) > time.Minute {
		cut++
	}
	s.fetches = s.fetches[cut:]
}

// Fetches returns how many tokens were handed out in the minute before now, and in all.
func (s *Server) Fetches(now time.Time) (lastMinute, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.fetches {
		if now.Sub(t) <= time.Minute {
			lastMinute++
		}
	}
	return lastMinute, s.total
}

// Close stops listening (answers in flight get 2 s) and removes the URL file.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.stop()
	s.srv.Shutdown(ctx)
	<-s.done
	os.Remove(s.URLFile)
}
