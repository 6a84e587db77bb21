package model

import "time"

// Trace is the sandbox's record of why it answered a request the way it did, served by
// GET /-/trace/<RequestId> by both halves of the sandbox.
type Trace struct {
	RequestID string    `json:"request_id"`
	Time      time.Time `json:"time"`
	Service   string    `json:"service"`   // "sts", "ram", "oss"
	Operation string    `json:"operation"` // "AssumeRole", "PutObject", ...
	Caller    string    `json:"caller,omitempty"`
	Action    string    `json:"action,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Status    int       `json:"status"`
	Code      string    `json:"code,omitempty"` // error code, "" on success
	EC        string    `json:"ec,omitempty"`
	// Check names the check that failed ("signature", "timestamp", "token", "trust-policy",
	// "identity-policy", "session-policy", "bucket-policy", "acl", ...); "" on success.
	Check  string `json:"check,omitempty"`
	Detail string `json:"detail,omitempty"` // one sentence for people
	// Policy decision, when the engine was consulted.
	Decision      string            `json:"decision,omitempty"`
	DecidedBy     string            `json:"decided_by,omitempty"`
	Layers        map[string]string `json:"layers,omitempty"`
	Statements    []TraceStatement  `json:"statements,omitempty"`
	Indeterminate []string          `json:"indeterminate,omitempty"`
}

// TraceStatement is a policy statement that matched the request.
type TraceStatement struct {
	Layer  string `json:"layer"`
	Policy string `json:"policy"`
	Index  int    `json:"index"`
	Line   int    `json:"line"`
	Effect string `json:"effect"`
}
