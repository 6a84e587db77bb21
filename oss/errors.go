package oss

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/stsdeck/stsdeck/model"
)

// errorBody is the part of OSS's <Error> the SDK's ServiceError does not keep.
type errorBody struct {
	HostID             string                    `xml:"HostId"`
	RecommendDoc       string                    `xml:"RecommendDoc"`
	AccessDeniedDetail *model.AccessDeniedDetail `xml:"AccessDeniedDetail"`
}

// decodeError turns an SDK error into *model.APIError when OSS answered, else a plain error with
// request URLs stripped of their query (it carries the token and signature).
func decodeError(op string, err error, token string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("oss %s: %w", op, contextErr(err))
	}
	var se *ossdk.ServiceError
	if errors.As(err, &se) {
		e := &model.APIError{
			Service: "oss", Operation: op, StatusCode: se.StatusCode, Code: se.Code,
			Message: Redact(se.Message, token), RequestID: se.RequestID, EC: se.EC,
		}
		if e.EC == "" && se.Headers != nil {
			e.EC = se.Headers.Get("x-oss-ec")
		}
		var b errorBody
		if len(se.Snapshot) > 0 && xml.Unmarshal(se.Snapshot, &b) == nil {
			e.HostID = b.HostID
			e.RecommendDoc = b.RecommendDoc
			e.AccessDeniedDetail = b.AccessDeniedDetail
		}
		e.Hint = Hint(e)
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("oss %s: %s %s: %s", op, ue.Op, stripQuery(ue.URL), Redact(ue.Err.Error(), token))
	}
	return fmt.Errorf("oss %s: %s", op, Redact(err.Error(), token))
}

func contextErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	return context.DeadlineExceeded
}

func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

var (
	reTokenParam = regexp.MustCompile(`(?i)((?:x-oss-)?security-token(?:=|:|%3D))([^&\s"<]*)`)
	reURLQuery   = regexp.MustCompile(`(https?://[^\s?"]+)\?[^\s"]*`)
)

// Redact removes security tokens from a message: the known token, any security-token
// parameter or header line (an OSS string-to-sign carries one), and any URL's query.
func Redact(msg, token string) string {
	if token != "" {
		for _, form := range []string{token, url.QueryEscape(token)} {
			msg = strings.ReplaceAll(msg, form, "[redacted]")
		}
	}
	msg = reTokenParam.ReplaceAllString(msg, "${1}[redacted]")
	msg = reURLQuery.ReplaceAllString(msg, "${1}?[query redacted]")
	return msg
}

// DeniedBy names the policy layer an OSS error points at (see model.APIError.DeniedBy).
func DeniedBy(e *model.APIError) string { return e.DeniedBy() }

// Hint returns one line on what an OSS error means and what to do.
func Hint(e *model.APIError) string {
	switch e.Code {
	case "NoSuchBucket":
		return "No bucket of that name here: check the name and the region (--region / --oss-endpoint)."
	case "NoSuchKey":
		return "No object with that key (the request itself was allowed)."
	case "SecurityTokenExpired":
		return "The temporary credentials have expired: issue new ones (stsdeck issue)."
	case "InvalidSecurityToken":
		return "OSS does not accept this SecurityToken: it is truncated, altered, or from another site."
	case "AccessKeyIdAndSecurityTokenNotMatch":
		return "The SecurityToken belongs to another AccessKeyId: copy all three values from the same AssumeRole answer."
	case "InvalidAccessKeyId":
		return "OSS does not know this AccessKeyId: an STS.* key needs its SecurityToken, and keys from another site are unknown here."
	case "SignatureDoesNotMatch":
		return "The signature does not match: a wrong AccessKeySecret, or (V4) a region that is not the bucket's."
	case "RequestTimeTooSkewed":
		return "This machine's clock is more than 15 minutes off OSS's: synchronise it (NTP)."
	}
	switch DeniedBy(e) {
	case "session":
		return "Denied by the token's session policy (the Policy given to AssumeRole): this action or key is outside what it allows."
	case "identity":
		return "Denied by an explicit Deny in the RAM policies of the role or user."
	case "bucket":
		return "Denied by the bucket policy."
	case "acl":
		return "No policy allows this (implicit deny) and the bucket ACL is private: grant the action in the role's policy or the bucket policy."
	case "anonymous":
		return "The request carried no credentials and the bucket is not public."
	case "endpoint":
		return "The bucket lives in another region: use that region's endpoint (--region / --oss-endpoint)."
	}
	return ""
}
