package stsemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// traceStore keeps the traces of the most recent requests (a ring).
type traceStore struct {
	mu   sync.Mutex
	ring []*model.Trace
	next int
	byID map[string]*model.Trace
}

const traceCap = 4096

func newTraceStore() *traceStore {
	return &traceStore{ring: make([]*model.Trace, traceCap), byID: make(map[string]*model.Trace, traceCap)}
}

func (t *traceStore) add(tr *model.Trace) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.ring[t.next]; old != nil {
		delete(t.byID, old.RequestID)
	}
	t.ring[t.next] = tr
	t.byID[tr.RequestID] = tr
	t.next = (t.next + 1) % len(t.ring)
}

func (t *traceStore) get(id string) (*model.Trace, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tr, ok := t.byID[id]
	return tr, ok
}

// nonceStore remembers signature nonces until the request timestamp they came with leaves the
// ±15 minute window (after which a replay fails the timestamp check anyway). Sharded; each
// shard is swept of expired entries as it grows, and is bounded.
type nonceStore struct {
	shards [32]nonceShard
}

type nonceShard struct {
	mu      sync.Mutex
	m       map[string]time.Time
	sweepAt int
}

const nonceShardMax = 1 << 16

func newNonceStore() *nonceStore {
	n := &nonceStore{}
	for i := range n.shards {
		n.shards[i].m = map[string]time.Time{}
		n.shards[i].sweepAt = 1024
	}
	return n
}

// use records key (expiring at until) and reports whether it was already recorded and live.
func (n *nonceStore) use(key string, until, now time.Time) (reused bool) {
	var h uint32 = 2166136261
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	s := &n.shards[h%uint32(len(n.shards))]
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.m[key]; ok && now.Before(exp) {
		return true
	}
	if len(s.m) >= s.sweepAt {
		for k, exp := range s.m {
			if !now.Before(exp) {
				delete(s.m, k)
			}
		}
		if len(s.m) >= nonceShardMax {
			// Bounded memory: forget the shard. Replays of forgotten nonces are still refused
			// once their timestamp leaves the window.
			clear(s.m)
		}
		s.sweepAt = max(1024, 2*len(s.m))
	}
	s.m[key] = until
	return false
}

// newRequestID returns an id shaped like the gateway's (8-4-4-4-12 upper-case hex).
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ClockState is the answer of GET/POST /-/clock.
type ClockState struct {
	Offset        string    `json:"offset"`         // Go duration, e.g. "30m0s"
	OffsetSeconds float64   `json:"offset_seconds"` // the same in seconds
	Wall          time.Time `json:"wall"`           // the wall clock (signatures, Date)
	Now           time.Time `json:"now"`            // the authorization clock (token expiry)
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeControlJSON(w, status, map[string]string{"error": msg})
}

// DiscoveryPath is where the STS half says that it is a stsdeck sandbox: a client pointed at an
// endpoint from the environment (`stsdeck sandbox --print env`) asks it to label the connection
// SANDBOX rather than LIVE. The cloud's STS has no such path.
const DiscoveryPath = "/-/sandbox"

// DiscoveryProduct is the Product a sandbox's discovery answer names.
const DiscoveryProduct = "stsdeck-sandbox"

// Discovery is the answer of GET /-/sandbox.
type Discovery struct {
	Product string   `json:"product"` // DiscoveryProduct
	Half    string   `json:"half"`    // "sts" (the STS + RAM listener)
	Control []string `json:"control"` // the control paths served
}

// ServeControl serves the control API under /-/: GET /-/sandbox (discovery), GET /-/clock, POST /-/clock?advance=DURATION and
// GET /-/trace/<RequestId>. It answers only loopback clients.
func ServeControl(w http.ResponseWriter, r *http.Request, wall model.Clock, clock *model.OffsetClock, traces func(id string) (*model.Trace, bool)) {
	if !isLoopback(r.RemoteAddr) {
		controlError(w, http.StatusForbidden, "the control API answers loopback clients only")
		return
	}
	switch {
	case r.URL.Path == DiscoveryPath:
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			controlError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		writeControlJSON(w, http.StatusOK, Discovery{Product: DiscoveryProduct, Half: "sts", Control: []string{"/-/clock", "/-/trace/<RequestId>", DiscoveryPath}})
	case r.URL.Path == "/-/clock":
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			adv := r.URL.Query().Get("advance")
			if adv == "" {
				controlError(w, http.StatusBadRequest, "POST /-/clock needs ?advance=DURATION (e.g. 30m, 1h, -5m)")
				return
			}
			d, err := time.ParseDuration(adv)
			if err != nil {
				controlError(w, http.StatusBadRequest, "advance: want a Go duration such as 30m or 1h30m, got "+quote(adv))
				return
			}
			clock.Advance(d)
		default:
			w.Header().Set("Allow", "GET, POST")
			controlError(w, http.StatusMethodNotAllowed, "use GET or POST")
			return
		}
		off := clock.Offset()
		writeControlJSON(w, http.StatusOK, ClockState{Offset: off.String(), OffsetSeconds: off.Seconds(),
			Wall: wall.Now().UTC(), Now: clock.Now().UTC()})
	case strings.HasPrefix(r.URL.Path, "/-/trace/"):
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			controlError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/-/trace/")
		tr, ok := traces(id)
		if !ok {
			controlError(w, http.StatusNotFound, "no trace for request id "+quote(id)+" (only recent requests are kept)")
			return
		}
		writeControlJSON(w, http.StatusOK, tr)
	default:
		controlError(w, http.StatusNotFound, "unknown control path; known: /-/sandbox, /-/clock, /-/trace/<RequestId>")
	}
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
