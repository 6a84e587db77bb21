package model

import "strings"

// DeniedBy names the policy layer an OSS error points at, from its EC, message and
// AccessDeniedDetail: "session" (the token's session policy), "identity" (an explicit Deny in the
// RAM policies), "bucket" (the bucket policy), "acl" (implicit deny reaching a private ACL),
// "anonymous", "endpoint" (the bucket lives in another region), "credentials" (key, token,
// signature or clock), or "" when the error is not a denial of that kind.
func (e *APIError) DeniedBy() string {
	if e == nil {
		return ""
	}
	msg := strings.ToLower(e.Message)
	switch {
	case e.EC == "0003-00000301" || strings.Contains(msg, "authorizer's policy"):
		return "session"
	case e.EC == "0003-00000101" || strings.Contains(msg, "by bucket policy") && e.EC != "0003-00000201" && e.EC != "0003-00000203":
		return "bucket"
	case e.EC == "0003-00000201" || e.EC == "0003-00000203":
		return "identity"
	case strings.Contains(msg, "because of bucket acl") || e.EC == "0003-00000001" && e.Code == "AccessDenied":
		return "acl"
	case e.EC == "0003-00001201" || strings.Contains(msg, "anonymous"):
		return "anonymous"
	case strings.Contains(msg, "must be addressed using the specified endpoint"):
		return "endpoint"
	case e.Code == "InvalidAccessKeyId" || e.Code == "SignatureDoesNotMatch" || strings.HasPrefix(e.Code, "InvalidSecurityToken") ||
		e.Code == "SecurityTokenExpired" || e.Code == "AccessKeyIdAndSecurityTokenNotMatch" || e.Code == "RequestTimeTooSkewed":
		return "credentials"
	}
	if d := e.AccessDeniedDetail; d != nil {
		switch strings.ToLower(d.PolicyType) {
		case "sessionpolicy", "session":
			return "session"
		case "bucketpolicy", "bucket":
			return "bucket"
		case "rampolicy", "identitypolicy", "identity":
			return "identity"
		}
	}
	return ""
}
