package stsemu

import (
	"fmt"
	"net/http"

	"github.com/stsdeck/stsdeck/model"
)

// apiError is an error answered on the wire. One table (catalogue) maps each code to its status
// and message, from protocol.md §1.4–§1.5; message templates with %s are filled per request.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Check names the failed check for the trace ("signature", "timestamp", "token", ...).
	Check string
	// Detail is a sentence for the trace (never contains secrets).
	Detail string
	// Denied is the AccessDeniedDetail of a policy-decided NoPermission.
	Denied *model.AccessDeniedDetail
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

type catEntry struct {
	status int
	msg    string
	check  string
}

// catalogue: code → status, message, check. Where protocol.md marks a status UNCONFIRMED the
// choice is noted.
var catalogue = map[string]catEntry{
	// POP gateway, common to STS and RAM.
	"MissingParameter":                           {400, `The input parameter "%s" that is mandatory for processing this request is not supplied.`, "parameters"},
	"InvalidParameter":                           {400, `The specified parameter "Action or Version" is not valid.`, "parameters"},
	"InvalidAction.NotFound":                     {404, `Specified api is not found, please check your url and method`, "parameters"}, // status UNCONFIRMED
	"InvalidVersion":                             {400, `Specified parameter Version is not valid.`, "parameters"},                    // status UNCONFIRMED
	"InvalidAccessKeyId.NotFound":                {404, `Specified access key is not found.`, "access-key"},
	"InvalidAccessKeyId.Inactive":                {400, `Specified access key is disabled.`, "access-key"},
	"SignatureDoesNotMatch":                      {400, `Specified signature is not matched with our calculation. server string to sign is:%s`, "signature"},
	"IncompleteSignature":                        {400, `The request signature does not conform to Aliyun standards.`, "signature"},
	"InvalidTimeStamp.Expired":                   {400, `Specified time stamp or date value is expired.`, "timestamp"},
	"InvalidTimeStamp.Format":                    {400, `Specified time stamp or date value is not well formatted.`, "timestamp"},
	"SignatureNonceUsed":                         {400, `Specified signature nonce was used already.`, "nonce"}, // status UNCONFIRMED
	"MissingSecurityToken":                       {400, `SecurityToken is mandatory for this action.`, "token"}, // status UNCONFIRMED
	"InvalidSecurityToken.Expired":               {400, `Specified SecurityToken is expired.`, "token"},
	"InvalidSecurityToken.Malformed":             {400, `Specified SecurityToken is malformed.`, "token"},
	"InvalidSecurityToken.MismatchWithAccessKey": {400, `Specified SecurityToken mismatch with the AccessKey.`, "token"},
	"Throttling.User":                            {400, `Request was denied due to user flow control.`, "throttling"},
	"InvalidParameter.ContentType":               {400, `The ContentType request header must be either "application/json" or "application/x-www-form-urlencoded".`, "parameters"},
	// Oversized requests. The gateway's exact answer is not documented (protocol.md §1.1 gives
	// only the limits: GET ≤ 4 KB, POST ≤ 10 MB); the sandbox answers with the standard HTTP
	// statuses and these POP-style codes.
	"RequestTooLarge":             {413, `The request body exceeds the maximum size of 10 MB.`, "size"},
	"URITooLong":                  {414, `The request URI exceeds the maximum length.`, "size"},
	"RequestHeaderFieldsTooLarge": {431, `The request headers exceed the maximum size.`, "size"},

	// STS AssumeRole.
	"InvalidParameter.DurationSeconds": {400, `The Min/Max value of DurationSeconds is 15min/1hr.`, "parameters"},
	"InvalidParameter.ExternalId":      {400, `The parameter ExternalId is wrongly formed.`, "parameters"},
	"InvalidParameter.RoleArn":         {400, `The parameter RoleArn is wrongly formed.`, "parameters"},
	"InvalidParameter.RoleSessionName": {400, `The parameter RoleSessionName is wrongly formed.`, "parameters"},
	"InvalidParameter.PolicyGrammar":   {400, `The parameter Policy has not passed grammar check.`, "session-policy"},
	"InvalidParameter.PolicySize":      {400, `The size of Policy must be smaller than 2048 bytes.`, "session-policy"},
	"InvalidParameter.SourceIdentity":  {400, `The parameter SourceIdentity is wrongly formed.`, "parameters"},
	"EntityNotExist.Role":              {404, `The specified Role not exists .`, "role"},
	"InternalError":                    {500, `STS Server Internal Error happened, please send the RequestId to us.`, "internal"},

	// RAM reads.
	"EntityNotExist.Policy":        {404, `The policy not exists.`, "policy"},
	"EntityNotExist.User":          {404, `The user not exists.`, "user"},
	"EntityNotExist.PolicyVersion": {404, `The policy version not exists.`, "policy"},
	"InvalidParameter.PolicyType":  {400, `The parameter PolicyType is invalid.`, "parameters"},
	"InvalidParameter.MaxItems":    {400, `The parameter MaxItems is invalid.`, "parameters"},
	"InvalidParameter.Marker":      {400, `The parameter Marker is invalid.`, "parameters"},

	// RAM DecodeDiagnosticMessage: a message that does not open (forged, altered, another
	// account's). Code and text UNCONFIRMED (no capture of the cloud's answer).
	"InvalidParameter.EncodedDiagnosticMessage": {400, `The parameter EncodedDiagnosticMessage is invalid.`, "parameters"},
}

// NoPermission messages (protocol.md §1.5): one code, three texts.
const (
	msgNoPermissionRAM   = `You are not authorized to do this action. You should be authorized by RAM.`
	msgNoPermissionRoot  = `Roles may not be assumed by root accounts.`
	msgNoPermissionTrust = `No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole or the specified role does not trust you`
)

// errorf builds the catalogue error for code; args fill the message template.
func errorf(code string, args ...any) *apiError {
	c, ok := catalogue[code]
	if !ok {
		panic("stsemu: error code not in catalogue: " + code)
	}
	msg := c.msg
	if len(args) > 0 {
		msg = fmt.Sprintf(c.msg, args...)
	}
	return &apiError{Status: c.status, Code: code, Message: msg, Check: c.check}
}

// noPermission is the 403 NoPermission error with the given message and trace check.
func noPermission(msg, check string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "NoPermission", Message: msg, Check: check}
}

func (e *apiError) withDetail(d string) *apiError {
	e.Detail = d
	return e
}

// PolicyType values of AccessDeniedDetail. The identity and session names are those OSS sends;
// the trust-policy name is the sandbox's (no STS capture shows one: UNCONFIRMED).
const (
	policyTypeIdentity = "AccountLevelIdentityBasedPolicy"
	policyTypeSession  = "SessionPolicy"
	policyTypeTrust    = "AssumeRolePolicy"
)

// deniedBy adds an AccessDeniedDetail for caller c, action and the deciding policy type.
func (e *apiError) deniedBy(c *caller, action, policyType string, explicit bool) *apiError {
	d := &model.AccessDeniedDetail{PolicyType: policyType, AuthPrincipalOwnerID: c.Principal.AccountID, AuthAction: action,
		NoPermissionType: "ImplicitDeny"}
	if explicit {
		d.NoPermissionType = "ExplicitDeny"
	}
	switch {
	case c.Claims != nil:
		d.AuthPrincipalType = "AssumedRoleUser"
		d.AuthPrincipalDisplayName = c.Role.ID + ":" + c.Claims.SessionName
	case c.User != nil:
		d.AuthPrincipalType = "SubUser"
		d.AuthPrincipalDisplayName = c.User.ID
	}
	e.Denied = d
	return e
}
