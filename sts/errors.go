package sts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

// decodeError turns what the darabonba SDK returned into a *model.APIError when the service
// answered, or a plain error (network, timeout) otherwise. Security tokens echoed by the server
// (a string-to-sign carries them) and request URLs (their query carries the token and the
// signature) are redacted first. token is the caller's own security token, if any.
func decodeError(service, op string, err error, token string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: %w", service, op, err)
	}
	var sdk *tea.SDKError
	if errors.As(err, &sdk) {
		e := &model.APIError{Service: service, Operation: op, Code: tea.StringValue(sdk.Code)}
		if sdk.StatusCode != nil {
			e.StatusCode = *sdk.StatusCode
		}
		var data map[string]any
		if sdk.Data != nil && json.Unmarshal([]byte(*sdk.Data), &data) == nil {
			e.RequestID = str(data, "RequestId", "requestId")
			e.HostID = str(data, "HostId", "hostId")
			e.Recommend = str(data, "Recommend", "recommend")
			e.Message = str(data, "Message", "message")
			if c := str(data, "Code", "code"); c != "" {
				e.Code = c
			}
		}
		if e.Message == "" {
			e.Message = strings.TrimSpace(tea.StringValue(sdk.Message))
		}
		if len(sdk.AccessDeniedDetail) > 0 {
			d := &model.AccessDeniedDetail{}
			d.PolicyType, _ = sdk.AccessDeniedDetail["PolicyType"].(string)
			d.AuthPrincipalOwnerID, _ = sdk.AccessDeniedDetail["AuthPrincipalOwnerId"].(string)
			d.AuthPrincipalType, _ = sdk.AccessDeniedDetail["AuthPrincipalType"].(string)
			d.AuthPrincipalDisplayName, _ = sdk.AccessDeniedDetail["AuthPrincipalDisplayName"].(string)
			d.NoPermissionType, _ = sdk.AccessDeniedDetail["NoPermissionType"].(string)
			d.AuthAction, _ = sdk.AccessDeniedDetail["AuthAction"].(string)
			d.EncodedDiagnosticMessage, _ = sdk.AccessDeniedDetail["EncodedDiagnosticMessage"].(string)
			e.AccessDeniedDetail = d
		}
		if e.StatusCode == 0 && e.Code == "" {
			// A client-side SDK error (e.g. invalid credentials config), not an answer.
			return fmt.Errorf("%s %s: %s", service, op, Redact(tea.StringValue(sdk.Message), token))
		}
		e.Message = Redact(e.Message, token)
		e.Hint = Hint(e)
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %s %s: %s", service, op, strings.ToUpper(ue.Op), stripQuery(ue.URL), Redact(ue.Err.Error(), token))
	}
	return fmt.Errorf("%s %s: %s", service, op, Redact(err.Error(), token))
}

func str(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			if s, ok := v.(string); ok {
				return s
			}
			return fmt.Sprint(v)
		}
	}
	return ""
}

func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

var (
	// RPC string-to-sign: SecurityToken%3D<doubly encoded token>%26... ; also plain query forms.
	reTokenParam = regexp.MustCompile(`(?i)((?:x-acs-)?security-?token(?:%253D|%3D|=|:))([^&\s"<]*?)(%2526|%26|&|\\n|\n|\s|"|<|$)`)
	// Any URL's query string.
	reURLQuery = regexp.MustCompile(`(https?://[^\s?"]+)\?[^\s"]*`)
)

// Redact removes security tokens from a message a server or client produced: the given token in
// any of its encodings, any SecurityToken=… parameter, and the query of any URL.
func Redact(msg, token string) string {
	if token != "" {
		for _, form := range []string{token, url.QueryEscape(token), url.QueryEscape(url.QueryEscape(token)), strings.ReplaceAll(url.QueryEscape(token), "+", "%20")} {
			if form != "" {
				msg = strings.ReplaceAll(msg, form, "[redacted]")
			}
		}
	}
	msg = reTokenParam.ReplaceAllString(msg, "${1}[redacted]${3}")
	msg = reURLQuery.ReplaceAllString(msg, "${1}?[query redacted]")
	return msg
}

// Hint returns a one-line explanation of what to do about an STS or RAM error, "" when there is
// nothing better to say than the message.
func Hint(e *model.APIError) string {
	msg := strings.ToLower(e.Message)
	switch e.Code {
	case "NoPermission":
		switch {
		case strings.Contains(msg, "root account"):
			return "STS refuses an account's root AccessKey: call AssumeRole with a RAM user's AccessKey (one with AliyunSTSAssumeRoleAccess)."
		case strings.Contains(msg, "does not trust you") || strings.Contains(msg, "on this role"):
			return "Either the caller lacks sts:AssumeRole on this role, or the role's trust policy does not name the caller's account or user: check both (stsdeck roles --role NAME shows the trust policy)."
		case e.Service == "ram":
			return "RAM refused the read: the caller needs ram:" + e.Operation + " (e.g. AliyunRAMReadOnlyAccess); you can still type a role ARN."
		default:
			return "The caller is not allowed sts:AssumeRole: attach AliyunSTSAssumeRoleAccess (or a policy allowing sts:AssumeRole on the role) to the RAM user."
		}
	case "EntityNotExist.Role":
		return "No role of that name in the account: check the account id and role name in the ARN (stsdeck roles lists them)."
	case "InvalidParameter.DurationSeconds":
		return "The duration must be at least 15 minutes and at most the role's maximum session duration (1 hour unless raised on the role, up to 12 hours)."
	case "InvalidParameter.PolicySize":
		return "The session policy is over 2,048 bytes as sent: minify it (stsdeck lint --minify FILE) or drop statements."
	case "InvalidParameter.PolicyGrammar":
		return "The session policy is not a valid RAM policy: stsdeck lint FILE shows where."
	case "InvalidParameter.RoleSessionName":
		return "The session name must be 2-64 characters: letters, digits and . @ - _ only."
	case "InvalidParameter.ExternalId":
		return "The external id must be 2-1224 characters: letters, digits and = , . @ : / - _ only."
	case "InvalidParameter.RoleArn", "InvalidParameter":
		if strings.Contains(msg, "rolearn") {
			return "The role ARN must look like acs:ram::<account-id>:role/<role-name>."
		}
		return ""
	case "InvalidAccessKeyId.NotFound":
		return "The endpoint does not know this AccessKeyId: a typo, a deleted key, or the wrong site (China vs international)."
	case "InvalidAccessKeyId.Inactive":
		return "This AccessKey is disabled in RAM: enable it or use another one."
	case "SignatureDoesNotMatch", "IncompleteSignature":
		return "The AccessKeySecret does not match the AccessKeyId: check for a rotated key or stray whitespace."
	case "InvalidTimeStamp.Expired":
		return "This machine's clock is more than 15 minutes off the server's: synchronise it (NTP)."
	case "SignatureNonceUsed":
		return "A request nonce was reused: retry."
	case "InvalidSecurityToken.Expired":
		return "The caller's own STS token has expired: get fresh credentials."
	case "InvalidSecurityToken.Malformed", "InvalidSecurityToken.MismatchWithAccessKey":
		return "The SecurityToken is damaged or belongs to another AccessKeyId: copy all three values from the same AssumeRole answer."
	case "MissingSecurityToken":
		return "An STS.* AccessKeyId needs its SecurityToken: set ALIBABA_CLOUD_SECURITY_TOKEN."
	case "Throttling", "Throttling.User", "Throttling.Api":
		return "The service is rate-limiting this account: wait a moment and retry."
	case "InternalError":
		return "A server-side error: retry, and quote the RequestId to support if it persists."
	}
	return ""
}

// diagnoseTrust sharpens the hint of an AssumeRole NoPermission answer when the role's trust
// policy is readable (RAM GetRole, best effort, a few seconds at most) and every statement that
// allows assuming it requires an sts:ExternalId: the caller then sent no external id, or not the
// one the policy names.
func (c *Client) diagnoseTrust(ctx context.Context, req model.IssueRequest, err error) {
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Code != "NoPermission" || strings.Contains(strings.ToLower(ae.Message), "root account") {
		return
	}
	gctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	role, gerr := c.GetRole(gctx, req.RoleARN)
	if gerr != nil || !issuereq.TrustRequiresExternalID(role.TrustPolicy) {
		return
	}
	name := role.Name
	if name == "" {
		_, name, _ = issuereq.ParseRoleARN(req.RoleARN)
	}
	if req.ExternalID == "" {
		ae.Hint = fmt.Sprintf("The role %s trusts you only with an external id (its trust policy has an sts:ExternalId condition): pass the id agreed with the role's owner (--external-id).", name)
		return
	}
	ae.Hint = fmt.Sprintf("The role %s trusts you only with a specific external id (sts:ExternalId in its trust policy): check the external id you sent (--external-id) with the role's owner, and that the trust policy names your account or user.", name)
}
