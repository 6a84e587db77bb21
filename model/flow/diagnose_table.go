package flow

// The error table of `stsdeck explain --error`: what each EC (OSS) or error code (STS, RAM)
// means, which layer it blames and what to do. It covers every EC and code the sandbox emits
// (oss/ossemu errTable and its withEC overrides, sts/stsemu's catalogue) and the ECs of the
// Alibaba Cloud documentation the README's demo and protocol.md §6.6 name. Meanings of ECs
// marked "picked" in ossemu are the sandbox's; the cloud may use other numbers.

// ErrorEntry is one row of the table.
type ErrorEntry struct {
	EC      string // OSS EC, "" for a code-only row
	Code    string // the error code it comes with ("" = any)
	Service string // "oss", "sts", "ram" ("sts" rows also cover RAM: one POP gateway)
	// Layer is the policy layer it blames: session, identity, bucket, acl, trust; none for a
	// failure that is not a policy decision (expired token, clock, endpoint, missing bucket).
	Layer   string
	Meaning string
	Remedy  string
}

// ErrorTable is every row, ECs first.
var ErrorTable = []ErrorEntry{
	// OSS authorization (0003).
	{EC: "0003-00000001", Code: "AccessDenied", Service: "oss", Layer: "acl", Meaning: "access denied: no policy allowed the request and the bucket's ACL (private) does not grant it", Remedy: "allow the action in the role's policy (and the session policy, if the token has one) or in the bucket policy"},
	{EC: "0003-00000101", Code: "AccessDenied", Service: "oss", Layer: "bucket", Meaning: "an explicit Deny in the bucket policy matched", Remedy: "narrow or remove the bucket policy's Deny statement"},
	{EC: "0003-00000201", Code: "AccessDenied", Service: "oss", Layer: "identity", Meaning: "an explicit Deny in a RAM policy (the role's or user's identity policies) matched", Remedy: "narrow or remove the Deny statement in the RAM policy"},
	{EC: "0003-00000202", Code: "AccessDenied", Service: "oss", Layer: "identity", Meaning: "not the bucket owner and no RAM policy allows it (implicit deny)", Remedy: "allow the action in the role's RAM policy"},
	{EC: "0003-00000203", Code: "AccessDenied", Service: "oss", Layer: "bucket", Meaning: "explicit Deny in both the bucket policy and a RAM policy", Remedy: "remove both Deny statements"},
	{EC: "0003-00000204", Code: "AccessDenied", Service: "oss", Layer: "identity", Meaning: "explicit Deny on a batch operation", Remedy: "narrow the Deny statement"},
	{EC: "0003-00000301", Code: "AccessDenied", Service: "oss", Layer: "session", Meaning: "denied by the session policy: the Policy passed to AssumeRole when the token was issued does not allow it", Remedy: "re-issue the token with a session policy that allows the action on the resource"},
	{EC: "0003-00000801", Code: "UserDisable", Service: "oss", Layer: "none", Meaning: "the RAM user is disabled", Remedy: "enable the user in the RAM console"},
	{EC: "0003-00001201", Code: "AccessDenied", Service: "oss", Layer: "acl", Meaning: "anonymous access is forbidden for this operation: the request carried no signature", Remedy: "sign the request (an SDK with the token, or a presigned URL)"},
	{EC: "0003-00001403", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "wrong region endpoint: the bucket lives in another region and must be addressed there", Remedy: "use the endpoint in the error's <Endpoint> element (or set the bucket's region)"},
	// OSS authentication (0002).
	{EC: "0002-00000002", Code: "InvalidAccessKeyId", Service: "oss", Layer: "none", Meaning: "a security token was sent with a non-STS AccessKeyId", Remedy: "send the AccessKeyId AssumeRole returned (STS.…) with its token"},
	{EC: "0002-00000004", Code: "AccessKeyIdAndSecurityTokenNotMatch", Service: "oss", Layer: "none", Meaning: "the AccessKeyId and the security token do not belong together", Remedy: "send the three values of one AssumeRole answer together"},
	{EC: "0002-00000006", Code: "InvalidSecurityToken", Service: "oss", Layer: "none", Meaning: "the security token is invalid: truncated (copied incompletely), altered, or from another account", Remedy: "copy the whole token again (it is long; terminals and forms cut it) or re-issue"},
	{EC: "0002-00000007", Code: "SecurityTokenExpired", Service: "oss", Layer: "none", Meaning: "the security token has expired", Remedy: "issue a new token (stsdeck issue, or r on the Issue screen); a longer duration needs a role max session to match"},
	{EC: "0002-00000020", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "a presigned URL lacks Signature, Expires or OSSAccessKeyId", Remedy: "use the whole presigned URL"},
	{EC: "0002-00000021", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "a presigned URL's Expires is not seconds since the epoch", Remedy: "make the URL again (stsdeck presign)"},
	{EC: "0002-00000040", Code: "SignatureDoesNotMatch", Service: "oss", Layer: "none", Meaning: "signature mismatch (V1): wrong secret or a mangled request", Remedy: "check the AccessKeySecret belongs to the AccessKeyId; do not change the request after signing"},
	{EC: "0002-00000069", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "the presigned URL has expired", Remedy: "make a new URL; it cannot outlive the token that signed it"},
	{EC: "0002-00000201", Code: "SignatureDoesNotMatch", Service: "oss", Layer: "none", Meaning: "signature mismatch (V4): wrong secret, region or a mangled request", Remedy: "check the secret and that the signing region is the bucket's"},
	{EC: "0002-00000215", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "a V4 presigned URL lacks x-oss-expires", Remedy: "use the whole presigned URL"},
	{EC: "0002-00000216", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "a V4 presigned URL's x-oss-expires is out of range (1 to 604800 seconds)", Remedy: "presign for at most 7 days"},
	{EC: "0002-00000220", Code: "AccessDenied", Service: "oss", Layer: "none", Meaning: "a V4 presigned URL lacks one of its x-oss-* parameters", Remedy: "use the whole presigned URL"},
	{EC: "0002-00000504", Code: "RequestTimeTooSkewed", Service: "oss", Layer: "none", Meaning: "skewed clock: the request time is more than 15 minutes from the server's", Remedy: "sync the client's clock (NTP)"},
	{EC: "0002-00000902", Code: "InvalidAccessKeyId", Service: "oss", Layer: "none", Meaning: "the AccessKeyId does not exist (or the token's key was typed wrong)", Remedy: "check the AccessKeyId; a temporary one starts with STS."},
	// OSS buckets, objects, multipart.
	{EC: "0015-00000001", Code: "InvalidBucketName", Service: "oss", Layer: "none", Meaning: "the bucket name is not valid", Remedy: "3 to 63 lower-case letters, digits and hyphens"},
	{EC: "0015-00000101", Code: "NoSuchBucket", Service: "oss", Layer: "none", Meaning: "the bucket does not exist (in this region or at all)", Remedy: "check the bucket name and its region's endpoint"},
	{EC: "0016-00000001", Code: "InvalidArgument", Service: "oss", Layer: "none", Meaning: "a request argument is not valid", Remedy: "see ArgumentName/ArgumentValue in the error"},
	{EC: "0016-00000002", Code: "InvalidURI", Service: "oss", Layer: "none", Meaning: "the URI cannot be parsed", Remedy: "percent-encode the key"},
	{EC: "0016-00000005", Code: "InvalidObjectName", Service: "oss", Layer: "none", Meaning: "the object key is not valid", Remedy: "1 to 1023 bytes of UTF-8, not starting with / or \\"},
	{EC: "0016-00000008", Code: "MissingContentLength", Service: "oss", Layer: "none", Meaning: "Content-Length is required", Remedy: "send the body's length"},
	{EC: "0016-00000011", Code: "MethodNotAllowed", Service: "oss", Layer: "none", Meaning: "the method is not allowed on this resource", Remedy: "check the operation"},
	{EC: "0016-00000401", Code: "MetadataTooLarge", Service: "oss", Layer: "none", Meaning: "the user metadata headers are larger than 8 KB", Remedy: "send less metadata"},
	{EC: "0016-00000402", Code: "EntityTooLarge", Service: "oss", Layer: "none", Meaning: "the upload is larger than one PutObject allows (5 GB)", Remedy: "use a multipart upload"},
	{EC: "0016-00000403", Code: "InvalidDigest", Service: "oss", Layer: "none", Meaning: "Content-MD5 is not valid base64 of 16 bytes", Remedy: "send base64(md5(body))"},
	{EC: "0016-00000404", Code: "BadDigest", Service: "oss", Layer: "none", Meaning: "Content-MD5 does not match the body received", Remedy: "the body changed in transit or the MD5 is of another file"},
	{EC: "0016-00000501", Code: "InvalidArgument", Service: "oss", Layer: "none", Meaning: "AppendObject without ?position=", Remedy: "send the append position"},
	{EC: "0016-00000502", Code: "InvalidArgument", Service: "oss", Layer: "none", Meaning: "AppendObject's position is not a non-negative integer", Remedy: "send the object's current length"},
	{EC: "0016-00000608", Code: "MalformedXML", Service: "oss", Layer: "none", Meaning: "the request's XML is not well-formed", Remedy: "check the request body"},
	{EC: "0016-00000702", Code: "FileAlreadyExists", Service: "oss", Layer: "none", Meaning: "the object exists and x-oss-forbid-overwrite is set", Remedy: "use another key or allow overwriting"},
	{EC: "0026-00000001", Code: "NoSuchKey", Service: "oss", Layer: "none", Meaning: "the object does not exist", Remedy: "check the key (keys are case-sensitive; no leading /)"},
	{EC: "0026-00000005", Code: "InvalidRange", Service: "oss", Layer: "none", Meaning: "the requested range cannot be satisfied", Remedy: "ask for a range inside the object"},
	{EC: "0026-00000012", Code: "PreconditionFailed", Service: "oss", Layer: "none", Meaning: "an If-* precondition did not hold", Remedy: "the object changed since its ETag was read"},
	{EC: "0031-00000001", Code: "NoSuchBucketPolicy", Service: "oss", Layer: "none", Meaning: "the bucket has no bucket policy", Remedy: "nothing to read; set one first"},
	{EC: "0031-00000002", Code: "MalformedPolicy", Service: "oss", Layer: "none", Meaning: "the bucket policy is not valid", Remedy: "stsdeck lint --kind bucket FILE"},
	{EC: "0037-00000001", Code: "OperationNotSupported", Service: "oss", Layer: "none", Meaning: "the operation is not supported for this resource", Remedy: "check the operation"},
	{EC: "0042-00000002", Code: "NoSuchUpload", Service: "oss", Layer: "none", Meaning: "the multipart upload does not exist (aborted, completed or a wrong id)", Remedy: "start a new upload"},
	{EC: "0042-00000216", Code: "InvalidArgument", Service: "oss", Layer: "none", Meaning: "CompleteMultipartUpload got both x-oss-complete-all and a part list", Remedy: "send one of them"},
	{EC: "0042-00000310", Code: "EntityTooSmall", Service: "oss", Layer: "none", Meaning: "a part other than the last is smaller than 100 KB", Remedy: "use larger parts"},
	{EC: "0042-00000313", Code: "InvalidPart", Service: "oss", Layer: "none", Meaning: "a listed part was not uploaded or its ETag differs", Remedy: "list the parts (ListParts) and complete with those"},
	{EC: "0042-00000314", Code: "InvalidPartOrder", Service: "oss", Layer: "none", Meaning: "the part list is not in ascending order", Remedy: "sort the parts by number"},
	{EC: "0000-00000001", Code: "InternalError", Service: "oss", Layer: "none", Meaning: "the service failed internally", Remedy: "retry; report the RequestId if it persists"},

	// STS and RAM (POP gateway).
	{Code: "NoPermission", Service: "sts", Layer: "unknown", Meaning: "the caller may not do this: its own RAM policies lack the action, the role's trust policy does not name it (AssumeRole), or the caller is an account root (roles cannot be assumed by root accounts)", Remedy: "give the caller sts:AssumeRole on the role (identity) or trust it in the role's trust policy"},
	{Code: "EntityNotExist.Role", Service: "sts", Layer: "none", Meaning: "no role with that name or ARN exists in the account", Remedy: "check the role ARN (stsdeck roles)"},
	{Code: "EntityNotExist.Policy", Service: "ram", Layer: "none", Meaning: "no such policy", Remedy: "check the policy name and type"},
	{Code: "EntityNotExist.PolicyVersion", Service: "ram", Layer: "none", Meaning: "no such policy version", Remedy: "check the version id"},
	{Code: "EntityNotExist.User", Service: "ram", Layer: "none", Meaning: "no such RAM user", Remedy: "check the user name"},
	{Code: "InvalidParameter.DurationSeconds", Service: "sts", Layer: "none", Meaning: "the duration is outside 15 minutes … the role's MaxSessionDuration", Remedy: "ask for at most the role's max session (stsdeck roles --role R)"},
	{Code: "InvalidParameter.RoleSessionName", Service: "sts", Layer: "none", Meaning: "the session name must be 2–64 characters of letters, digits and . @ - _", Remedy: "pick another session name"},
	{Code: "InvalidParameter.ExternalId", Service: "sts", Layer: "none", Meaning: "the external id must be 2–1224 characters of letters, digits and = , . @ : / - _", Remedy: "check the external id"},
	{Code: "InvalidParameter.PolicyGrammar", Service: "sts", Layer: "none", Meaning: "the session policy did not pass STS's grammar check", Remedy: "stsdeck lint --kind session FILE"},
	{Code: "InvalidParameter.PolicySize", Service: "sts", Layer: "none", Meaning: "the session policy is larger than 2048 bytes", Remedy: "minify it (the Policy screen's one-key minify)"},
	{Code: "InvalidParameter.RoleArn", Service: "sts", Layer: "none", Meaning: "the role ARN is malformed", Remedy: "want acs:ram::<account>:role/<name>"},
	{Code: "InvalidParameter.SourceIdentity", Service: "sts", Layer: "none", Meaning: "the source identity is malformed", Remedy: "2–64 characters, not starting with acs:, aliyun: or alibabacloud:"},
	{Code: "InvalidParameter.EncodedDiagnosticMessage", Service: "ram", Layer: "none", Meaning: "the diagnostic message does not decode: truncated, altered or from another account", Remedy: "copy the whole EncodedDiagnosticMessage; decode it with a caller of its account"},
	{Code: "InvalidParameter.ContentType", Service: "sts", Layer: "none", Meaning: "the request's Content-Type is not form or JSON", Remedy: "a client bug"},
	{Code: "InvalidParameter.MaxItems", Service: "ram", Layer: "none", Meaning: "MaxItems is out of range (1–1000)", Remedy: "page with 1000 or fewer"},
	{Code: "InvalidParameter.Marker", Service: "ram", Layer: "none", Meaning: "the Marker is not one RAM returned", Remedy: "start the listing again"},
	{Code: "InvalidParameter.PolicyType", Service: "ram", Layer: "none", Meaning: "PolicyType must be System or Custom", Remedy: "fix the parameter"},
	{Code: "InvalidParameter", Service: "sts", Layer: "none", Meaning: "a parameter (Action or Version) is not valid", Remedy: "a client bug or a wrong endpoint"},
	{Code: "MissingParameter", Service: "sts", Layer: "none", Meaning: "a required parameter is missing", Remedy: "see the parameter the message names"},
	{Code: "InvalidAction.NotFound", Service: "sts", Layer: "none", Meaning: "the API does not exist at this endpoint (wrong product endpoint or version)", Remedy: "check --sts-endpoint / --ram-endpoint"},
	{Code: "InvalidVersion", Service: "sts", Layer: "none", Meaning: "the API version is not served", Remedy: "check the endpoint"},
	{Code: "InvalidAccessKeyId.NotFound", Service: "sts", Layer: "none", Meaning: "the caller's AccessKeyId does not exist", Remedy: "check the key (stsdeck whoami says where it came from)"},
	{Code: "InvalidAccessKeyId.Inactive", Service: "sts", Layer: "none", Meaning: "the caller's AccessKeyId is disabled", Remedy: "enable it or use another key"},
	{Code: "SignatureDoesNotMatch", Service: "sts", Layer: "none", Meaning: "the signature does not match: wrong secret or a mangled request", Remedy: "check the AccessKeySecret"},
	{Code: "IncompleteSignature", Service: "sts", Layer: "none", Meaning: "the signature does not conform to the signing rules", Remedy: "a client bug"},
	{Code: "InvalidTimeStamp.Expired", Service: "sts", Layer: "none", Meaning: "skewed clock: the request time is more than 15 minutes from the server's", Remedy: "sync the clock (NTP)"},
	{Code: "InvalidTimeStamp.Format", Service: "sts", Layer: "none", Meaning: "the Timestamp is not yyyy-MM-ddTHH:mm:ssZ", Remedy: "a client bug"},
	{Code: "SignatureNonceUsed", Service: "sts", Layer: "none", Meaning: "the signature nonce was used already (a replayed request)", Remedy: "send a fresh request"},
	{Code: "MissingSecurityToken", Service: "sts", Layer: "none", Meaning: "a temporary AccessKeyId (STS.…) was sent without its security token", Remedy: "send the token too"},
	{Code: "InvalidSecurityToken.Expired", Service: "sts", Layer: "none", Meaning: "the caller's security token has expired", Remedy: "issue a new token"},
	{Code: "InvalidSecurityToken.Malformed", Service: "sts", Layer: "none", Meaning: "the caller's security token is malformed: truncated or altered", Remedy: "copy the whole token again"},
	{Code: "InvalidSecurityToken.MismatchWithAccessKey", Service: "sts", Layer: "none", Meaning: "the security token belongs to another AccessKeyId", Remedy: "send the three values of one AssumeRole answer together"},
	{Code: "Throttling.User", Service: "sts", Layer: "none", Meaning: "too many requests: over the account's AssumeRole quota (100 per second)", Remedy: "reuse tokens until they near expiry"},
	{Code: "RequestTooLarge", Service: "sts", Layer: "none", Meaning: "the request body is larger than 10 MB", Remedy: "send less"},
	{Code: "URITooLong", Service: "sts", Layer: "none", Meaning: "the request URI is too long", Remedy: "send parameters in the body (POST)"},
	{Code: "RequestHeaderFieldsTooLarge", Service: "sts", Layer: "none", Meaning: "the request headers are too large", Remedy: "send fewer headers"},
	{Code: "InternalError", Service: "sts", Layer: "none", Meaning: "the service failed internally", Remedy: "retry; report the RequestId if it persists"},
	// OSS codes without an EC (HEAD answers carry none in their body).
	{Code: "SecurityTokenExpired", Service: "oss", Layer: "none", Meaning: "the security token has expired", Remedy: "issue a new token"},
	{Code: "InvalidSecurityToken", Service: "oss", Layer: "none", Meaning: "the security token is invalid: truncated, altered, or from another account", Remedy: "copy the whole token again or re-issue"},
	{Code: "AccessKeyIdAndSecurityTokenNotMatch", Service: "oss", Layer: "none", Meaning: "the AccessKeyId and the security token do not belong together", Remedy: "send the three values of one AssumeRole answer together"},
	{Code: "InvalidAccessKeyId", Service: "oss", Layer: "none", Meaning: "the AccessKeyId does not exist or is disabled", Remedy: "check the AccessKeyId"},
	{Code: "RequestTimeTooSkewed", Service: "oss", Layer: "none", Meaning: "skewed clock: the request time is too far from the server's", Remedy: "sync the clock (NTP)"},
	{Code: "NoSuchBucket", Service: "oss", Layer: "none", Meaning: "the bucket does not exist", Remedy: "check the name and region"},
	{Code: "NoSuchKey", Service: "oss", Layer: "none", Meaning: "the object does not exist", Remedy: "check the key"},
	{Code: "AccessDenied", Service: "oss", Layer: "unknown", Meaning: "the request was not authorized", Remedy: "find which layer denied it (session, identity, bucket policy)"},
}

// LookupError finds the row for an EC, else for a code (of the service when given, else any).
func LookupError(ec, code, service string) (ErrorEntry, bool) {
	if ec != "" {
		for _, e := range ErrorTable {
			if e.EC == ec {
				return e, true
			}
		}
	}
	if code == "" {
		return ErrorEntry{}, false
	}
	svc := service
	if svc == "ram" {
		svc = "" // RAM shares the gateway's codes with STS
	}
	var any *ErrorEntry
	for i, e := range ErrorTable {
		if e.EC != "" || e.Code != code {
			continue
		}
		if svc == "" || e.Service == svc || service == "ram" && (e.Service == "sts" || e.Service == "ram") {
			return e, true
		}
		if any == nil {
			any = &ErrorTable[i]
		}
	}
	if any != nil {
		return *any, true
	}
	return ErrorEntry{}, false
}
