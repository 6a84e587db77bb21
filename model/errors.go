package model

import (
	"fmt"
	"strings"
)

// APIError is an error answered by a cloud service (STS, RAM or OSS), decoded by an adapter.
// Every field is safe to show: adapters redact security tokens and secrets before building it.
type APIError struct {
	Service    string // "sts", "ram" or "oss"
	Operation  string // e.g. "AssumeRole", "PutObject"
	StatusCode int
	Code       string
	Message    string
	RequestID  string
	HostID     string
	Recommend  string // POP gateway troubleshoot URL
	// OSS only.
	EC                 string
	RecommendDoc       string
	AccessDeniedDetail *AccessDeniedDetail
	// Hint is a one-line, human explanation of what to do, added by the adapter.
	Hint string
}

// AccessDeniedDetail mirrors OSS's <AccessDeniedDetail> element.
type AccessDeniedDetail struct {
	PolicyType               string `json:"PolicyType,omitempty" xml:"PolicyType,omitempty"`
	AuthPrincipalOwnerID     string `json:"AuthPrincipalOwnerId,omitempty" xml:"AuthPrincipalOwnerId,omitempty"`
	AuthPrincipalType        string `json:"AuthPrincipalType,omitempty" xml:"AuthPrincipalType,omitempty"`
	AuthPrincipalDisplayName string `json:"AuthPrincipalDisplayName,omitempty" xml:"AuthPrincipalDisplayName,omitempty"`
	NoPermissionType         string `json:"NoPermissionType,omitempty" xml:"NoPermissionType,omitempty"`
	AuthAction               string `json:"AuthAction,omitempty" xml:"AuthAction,omitempty"`
	EncodedDiagnosticMessage string `json:"EncodedDiagnosticMessage,omitempty" xml:"EncodedDiagnosticMessage,omitempty"`
}

func (e *APIError) Error() string {
	var b strings.Builder
	svc := strings.ToUpper(e.Service)
	if svc == "" {
		svc = "API"
	}
	fmt.Fprintf(&b, "%s", svc)
	if e.Operation != "" {
		fmt.Fprintf(&b, " %s", e.Operation)
	}
	fmt.Fprintf(&b, ": %d %s: %s", e.StatusCode, e.Code, e.Message)
	if e.EC != "" {
		fmt.Fprintf(&b, " (EC %s)", e.EC)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [RequestId %s]", e.RequestID)
	}
	return b.String()
}
