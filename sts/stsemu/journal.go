package stsemu

import (
	"net/http"
	"strconv"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// Journal is the sandbox's decision journal as the STS half uses it (main.go wires
// model/journal's writer, shared with the OSS half): Record takes one record per authorized
// request (AssumeRole's identity ∧ trust decision, each RAM read's), Since serves the live
// feed GET /-/journal?since=N.
type Journal interface {
	Record(r model.DecisionRecord)
	Since(after uint64, limit int) model.JournalPage
}

// journalRequest reports q's decision, if the engine was consulted (an authenticated caller
// and a decision in the trace). The external id is left out: it is a shared secret between
// the role's owner and its partner.
func (s *Server) journalRequest(q *rpcRequest) {
	if s.journal == nil || q.caller == nil || q.trace.Decision == "" {
		return
	}
	tr, c := q.trace, q.caller
	r := model.DecisionRecord{Time: tr.Time, Service: tr.Service, RequestID: q.id, Operation: tr.Operation, Action: tr.Action, Resource: tr.Resource,
		Context: s.requestContext(q), Decision: tr.Decision, DecidedBy: tr.DecidedBy, Layers: tr.Layers, HadSessionPolicy: c.Session != nil,
		Principal: model.DecisionPrincipal{Type: c.Principal.Type, ARN: c.ARN, AccountID: c.Principal.AccountID, Name: c.Principal.Name,
			Session: c.Principal.SessionName, AccessKeyID: c.AccessKeyID}}
	if c.isRoot() && tr.DecidedBy == "" {
		r.DecidedBy = "root" // the account root is not subject to RAM policies
	}
	want := string(policy.Allow)
	if tr.Decision == string(policy.DecisionExplicitDeny) {
		want = string(policy.Deny)
	}
	if tr.Decision != string(policy.DecisionImplicitDeny) {
		for i := range tr.Statements {
			if m := tr.Statements[i]; m.Effect == want && (r.DecidedBy == "" || m.Layer == r.DecidedBy) {
				r.Statement = &m
				break
			}
		}
	}
	s.journal.Record(r)
}

// serveJournal answers GET /-/journal?since=N[&limit=M] (loopback clients only): the records
// after N still held in memory, oldest first.
func (s *Server) serveJournal(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) {
		controlError(w, http.StatusForbidden, "the control API answers loopback clients only")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		controlError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	if s.journal == nil {
		controlError(w, http.StatusNotFound, "this sandbox keeps no decision journal (start it with --journal FILE)")
		return
	}
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			controlError(w, http.StatusBadRequest, "since: want the last sequence number seen (0 for the start), got "+quote(v))
			return
		}
		since = n
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			controlError(w, http.StatusBadRequest, "limit: want a positive number of records, got "+quote(v))
			return
		}
		limit = n
	}
	writeControlJSON(w, http.StatusOK, s.journal.Since(since, limit))
}
