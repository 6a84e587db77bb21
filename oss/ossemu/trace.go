package ossemu

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/stsdeck/stsdeck/model"
)

// traceRing keeps the decision traces of the last n requests.
type traceRing struct {
	mu    sync.Mutex
	buf   []model.Trace
	next  int
	index map[string]int // request id → slot
}

func newTraceRing(n int) *traceRing {
	return &traceRing{buf: make([]model.Trace, 0, n), index: make(map[string]int, n)}
}

func (t *traceRing) add(tr model.Trace) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buf) < cap(t.buf) {
		t.index[tr.RequestID] = len(t.buf)
		t.buf = append(t.buf, tr)
		return
	}
	delete(t.index, t.buf[t.next].RequestID)
	t.buf[t.next] = tr
	t.index[tr.RequestID] = t.next
	t.next = (t.next + 1) % cap(t.buf)
}

func (t *traceRing) get(id string) (model.Trace, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.index[id]
	if !ok {
		return model.Trace{}, false
	}
	return t.buf[i], true
}

// Trace returns the trace of a recent request.
func (s *Server) Trace(requestID string) (model.Trace, bool) { return s.traces.get(requestID) }

func (s *Server) serveTrace(w http.ResponseWriter, id string) {
	tr, ok := s.traces.get(id)
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": "no trace for request id " + id + " (unknown, or older than the last 2048 requests)"})
		return
	}
	json.NewEncoder(w).Encode(tr)
}
