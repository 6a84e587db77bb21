package model

import "time"

// DecisionRecord is one authorization decision of the sandbox, as its decision journal keeps
// it (one JSON line each; `stsdeck sandbox --journal FILE`): who asked, for what, with which
// condition keys, and what the policy layers answered. It never holds a secret or a security
// token: the principal is named by ARN, role session and AccessKeyId only.
type DecisionRecord struct {
	// Seq numbers the records of one journal file (and its rotated predecessors) from 1; the
	// journal assigns it.
	Seq       uint64            `json:"seq,omitempty"`
	Time      time.Time         `json:"time"`
	Service   string            `json:"service"`    // "oss", "sts", "ram"
	RequestID string            `json:"request_id"` // the answer's x-oss-request-id / RequestId
	Operation string            `json:"operation"`  // "PutObject", "UploadPart", "AssumeRole", ...
	Principal DecisionPrincipal `json:"principal"`
	Action    string            `json:"action"`
	Resource  string            `json:"resource"`
	// Context holds the condition keys the request carried and their values (acs:SourceIp,
	// acs:CurrentTime, acs:SecureTransport, acs:UserAgent, oss:Prefix, oss:Delimiter, ...).
	Context   map[string][]string `json:"context,omitempty"`
	Decision  string              `json:"decision"`             // "Allow", "ExplicitDeny", "ImplicitDeny"
	DecidedBy string              `json:"decided_by,omitempty"` // "session", "identity", "bucket", "trust", "owner"
	// Layers is each layer's outcome ("session": "Allow", "identity": "NoMatch", ...).
	Layers map[string]string `json:"layers,omitempty"`
	// Statement is the statement that decided (the first matching one of the deciding layer
	// with the decision's effect); nil for an implicit deny or the owner's root key.
	Statement *TraceStatement `json:"statement,omitempty"`
	// HadSessionPolicy says the caller's token carried a session policy.
	HadSessionPolicy bool `json:"had_session_policy,omitempty"`
}

// DecisionPrincipal names who made a journaled request.
type DecisionPrincipal struct {
	Type        string `json:"type"` // "user", "role", "root", "anonymous"
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"account_id,omitempty"`
	Name        string `json:"name,omitempty"`    // user or role name
	Session     string `json:"session,omitempty"` // role session name
	AccessKeyID string `json:"access_key_id,omitempty"`
}

// JournalPage is an answer of the journal's live feed (GET /-/journal?since=N on the
// sandbox's STS endpoint): the records after N that are still held in memory, oldest first.
type JournalPage struct {
	Records []DecisionRecord `json:"records"`
	// Next is the Seq to ask for next (the last record's, or since when none is newer).
	Next uint64 `json:"next"`
	// Missed counts records after since that are no longer held in memory (read the file).
	Missed uint64 `json:"missed,omitempty"`
	// File is where the journal is written.
	File string `json:"file,omitempty"`
}
