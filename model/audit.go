package model

import "time"

// AuditRecord is one line of the local audit log (audit.jsonl). It never holds a secret or token.
type AuditRecord struct {
	ID              string        `json:"id"`
	Time            time.Time     `json:"time"`
	Caller          string        `json:"caller"`
	RoleARN         string        `json:"role_arn"`
	SessionName     string        `json:"session_name"`
	DurationSeconds int64         `json:"duration_seconds"`
	Expiration      time.Time     `json:"expiration"`
	AccessKeyID     string        `json:"access_key_id"`
	ExternalIDUsed  bool          `json:"external_id_used"`
	SessionPolicy   string        `json:"session_policy,omitempty"`
	PolicyDigest    string        `json:"policy_digest,omitempty"` // "sha256:<hex>" of the policy as sent
	Mode            string        `json:"mode"`                    // "sandbox" or "live"
	Region          string        `json:"region,omitempty"`
	Probe           []ProbeResult `json:"probe,omitempty"`
	// Via lists the intermediate role ARNs of a role chain, in order (the token is RoleARN's).
	Via []string `json:"via,omitempty"`
}

// ProbeResult is one probed operation: what the engine predicted and what OSS answered.
type ProbeResult struct {
	Op             string      `json:"op"`    // put, head, get, list, delete
	Scope          string      `json:"scope"` // inside, outside
	Key            string      `json:"key"`
	Predicted      string      `json:"predicted"` // Allow, Deny, Unknown
	PredictedLayer string      `json:"predicted_layer,omitempty"`
	Actual         ProbeActual `json:"actual"`
	Agree          *bool       `json:"agree"`
}

// ProbeActual is what the server answered to a probe operation.
type ProbeActual struct {
	Allowed   bool   `json:"allowed"`
	Status    int    `json:"status"`
	Code      string `json:"code"` // "" when none (always present: probe --json's schema)
	EC        string `json:"ec"`   // "" when none
	RequestID string `json:"request_id,omitempty"`
	LatencyMS int64  `json:"latency_ms"`
	// Message is the server's error message, "" when the operation succeeded.
	Message string `json:"message,omitempty"`
}
