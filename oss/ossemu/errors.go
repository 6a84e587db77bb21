package ossemu

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/stsdeck/stsdeck/model"
)

// ossError is an error answer: one row of errTable plus request-specific extra elements.
type ossError struct {
	Status  int
	Code    string
	Message string
	EC      string
	Extra   []field                   // extra elements in order (BucketName, Key, StringToSign, ...)
	Detail  *model.AccessDeniedDetail // denials only
	Check   string                    // trace: which check failed
	Why     string                    // trace: one sentence for people (never secrets)
}

type field struct{ Name, Value string }

func (e *ossError) Error() string { return e.Code + ": " + e.Message }

type errSpec struct {
	status  int
	message string
	ec      string
}

// errTable is the one place that maps codes to status, message and EC (protocol.md §6.5–6.6).
// ECs marked "picked" are not confirmed by any source read; they were chosen in the group
// protocol.md §6.6 infers (0002 authentication, 0003 authorization, 0015 bucket, 0016 object,
// 0026 read, 0042 multipart) and may differ from the cloud.
var errTable = map[string]errSpec{
	"NoSuchBucket":                        {404, "The specified bucket does not exist.", "0015-00000101"},
	"NoSuchKey":                           {404, "The specified key does not exist.", "0026-00000001"},
	"NoSuchUpload":                        {404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000002"},
	"NoSuchBucketPolicy":                  {404, "The bucket policy does not exist.", "0031-00000001"}, // picked
	"InvalidAccessKeyId":                  {403, "The OSS Access Key Id you provided does not exist in our records.", "0002-00000902"},
	"SignatureDoesNotMatch":               {403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.", "0002-00000040"},
	"InvalidSecurityToken":                {403, "The security token you provided is invalid.", "0002-00000006"},
	"AccessKeyIdAndSecurityTokenNotMatch": {403, "The OSS access key id and security token you provided does not match.", "0002-00000004"}, // mapping unconfirmed
	"SecurityTokenExpired":                {403, "The security token you provided has expired.", "0002-00000007"},
	"RequestTimeTooSkewed":                {403, "The difference between the request time and the current time is too large.", "0002-00000504"},
	"AccessDenied":                        {403, "AccessDenied", "0003-00000001"},
	"InvalidArgument":                     {400, "Invalid argument.", "0016-00000001"},                                                                                                               // picked
	"InvalidObjectName":                   {400, "The specified object is not valid.", "0016-00000005"},                                                                                              // picked
	"InvalidDigest":                       {400, "The Content-MD5 you specified is not valid.", "0016-00000403"},                                                                                     // picked
	"BadDigest":                           {400, "The Content-MD5 you specified did not match what we received.", "0016-00000404"},                                                                   // picked
	"EntityTooLarge":                      {400, "Your proposed upload exceeds the maximum allowed size.", "0016-00000402"},                                                                          // picked
	"EntityTooSmall":                      {400, "Your proposed upload is smaller than the minimum allowed size.", "0042-00000310"},                                                                  // picked
	"InvalidPart":                         {400, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.", "0042-00000313"}, // picked
	"InvalidPartOrder":                    {400, "The list of parts was not in ascending order. The parts list must be specified in order by part number.", "0042-00000314"},                         // picked
	"MalformedXML":                        {400, "The XML you provided was not well-formed or did not validate against our published schema.", "0016-00000608"},
	"MalformedPolicy":                     {400, "Policy is not valid.", "0031-00000002"},                                                // picked; the bucket-policy validation error
	"InvalidRange":                        {416, "The requested range cannot be satisfied.", "0026-00000005"},                            // picked
	"FileAlreadyExists":                   {409, "The object you specified already exists and can not be overwritten.", "0016-00000702"}, // picked
	"MissingContentLength":                {411, "You must provide the Content-Length HTTP header.", "0016-00000008"},                    // picked
	"PreconditionFailed":                  {412, "At least one of the pre-conditions you specified did not hold.", "0026-00000012"},      // picked
	"MetadataTooLarge":                    {400, "Your metadata headers exceed the maximum allowed metadata size.", "0016-00000401"},     // picked
	"InvalidURI":                          {400, "Couldn't parse the specified URI.", "0016-00000002"},                                   // picked
	"OperationNotSupported":               {400, "The operation is not supported for this resource", "0037-00000001"},
	"MethodNotAllowed":                    {405, "The specified method is not allowed against this resource.", "0016-00000011"}, // picked
	"InvalidBucketName":                   {400, "The specified bucket is not valid.", "0015-00000001"},                         // picked
	"InternalError":                       {500, "We encountered an internal error. Please try again.", "0000-00000001"},        // picked
	// AppendObject: message and EC of PositionNotEqualToLength from the Go SDK v2's mock of the
	// cloud's body (client_mock_object_basic_test.go); ObjectNotAppendable's EC from the cloud's
	// page 0026-00000017, message from the 411/409 troubleshooting page.
	"PositionNotEqualToLength": {409, "Position is not equal to file length", "0026-00000016"},
	"ObjectNotAppendable":      {409, "The object is not appendable", "0026-00000017"},
	// PostObject: codes and messages from the cloud's PostObject troubleshooting page; the ECs
	// here are defaults (each answer sets the EC of the cloud's 0006-* page for its case, or
	// one marked picked in post.go / post_policy.go).
	"MalformedPOSTRequest":  {400, "The body of your POST request is not well-formed multipart/form-data.", "0006-00000101"}, // EC picked
	"InvalidPolicyDocument": {400, "Invalid Policy.", "0006-00000201"},
}

// sigErrTable holds the signature checks' answers whose code (InvalidArgument, AccessDenied,
// SignatureDoesNotMatch) is shared but whose message and EC say which part of the signature is
// wrong; the status is errTable's for the code. Sources per row; UNCONFIRMED = chosen here.
var sigErrTable = map[string]struct{ code, message, ec string }{
	// "Authorization header is invalid." with this EC on a real OSS answer (orzogc/fake115uploader#61); which malformation it was is UNCONFIRMED.
	"authz-malformed": {"InvalidArgument", "Authorization header is invalid.", "0002-00000063"},
	// EC page 0002-00000503 (a request with no valid Date or x-oss-date); message from real answers (aliyun/aliyun-oss-ruby-sdk#85).
	"date-missing": {"AccessDenied", "OSS authentication requires a valid Date.", "0002-00000503"},
	// EC pages 0002-00000505 (unparsable time) and 0002-00000502 (V4: Date not GMT); the messages are UNCONFIRMED.
	"v4-bad-x-oss-date": {"AccessDenied", "Invalid x-oss-date: the value must be in ISO 8601 format, such as 20221220T084818Z.", "0002-00000505"},
	"v4-bad-date":       {"AccessDenied", "Invalid Date: the value must be in GMT format, such as Tue, 20 Dec 2022 08:48:18 GMT.", "0002-00000502"},
	// V4 scope, header. Region: aliyun/alibabacloud-oss-go-sdk-v2#29 and #85 (400, this message, 0002-00000226).
	// Product: aliyun/alibabacloud-oss-python-sdk-v2#74 (400, this message, 0002-00000227).
	// Credential shape/terminator: EC page 0002-00000213 (message UNCONFIRMED). Date: message and EC UNCONFIRMED.
	"v4-scope-region":  {"InvalidArgument", "Invalid signing region in Authorization header.", "0002-00000226"},
	"v4-scope-product": {"InvalidArgument", "Invalid signing product in Authorization header.", "0002-00000227"},
	"v4-credential":    {"InvalidArgument", "Invalid credential in Authorization header.", "0002-00000213"},
	"v4-scope-date":    {"InvalidArgument", "Invalid signing date in Authorization header.", "0002-00000224"},
	// V4 scope, signed URL: EC 0002-00000222 (bad x-oss-credential) and 0002-00000223 (bad date in
	// x-oss-credential) have doc pages; the region/product rows reuse the header ECs (UNCONFIRMED for URLs); messages UNCONFIRMED.
	"v4q-credential":    {"AccessDenied", "Invalid credential in x-oss-credential.", "0002-00000222"},
	"v4q-scope-date":    {"InvalidArgument", "Invalid signing date in x-oss-credential.", "0002-00000223"},
	"v4q-scope-region":  {"InvalidArgument", "Invalid signing region in x-oss-credential.", "0002-00000226"},
	"v4q-scope-product": {"InvalidArgument", "Invalid signing product in x-oss-credential.", "0002-00000227"},
	// V2 signed URLs: the V1 URL answers (protocol.md §5.2) with V2's parameter names; ECs UNCONFIRMED.
	"v2q-incomplete":  {"AccessDenied", "Query string authentication requires the x-oss-signature-version, x-oss-access-key-id, x-oss-expires and x-oss-signature parameters.", "0002-00000120"},
	"v2q-bad-expires": {"AccessDenied", "Invalid date (should be seconds since epoch).", "0002-00000121"},
	// Mismatches: V1 header 0002-00000040 and V4 0002-00000201 (protocol.md §5.1, §5.4); V2 UNCONFIRMED.
	"v1-mismatch":  {"SignatureDoesNotMatch", "", "0002-00000040"},
	"v4-mismatch":  {"SignatureDoesNotMatch", "", "0002-00000201"},
	"v2-mismatch":  {"SignatureDoesNotMatch", "", "0002-00000101"},
	"v2q-mismatch": {"SignatureDoesNotMatch", "", "0002-00000102"},
}

// sigErr builds the answer of one sigErrTable row.
func sigErr(name string, extra ...field) *ossError {
	row, ok := sigErrTable[name]
	if !ok {
		return apiErr("InternalError", "").check("signature", "no answer for signature check "+name)
	}
	e := apiErr(row.code, row.message, extra...)
	e.EC = row.ec
	return e
}

// apiErr builds the error for code, with the table's message unless msg is given.
func apiErr(code string, msg string, extra ...field) *ossError {
	spec, ok := errTable[code]
	if !ok {
		spec = errTable["InternalError"]
	}
	if msg == "" {
		msg = spec.message
	}
	return &ossError{Status: spec.status, Code: code, Message: msg, EC: spec.ec, Extra: extra}
}

// withEC overrides the EC (for codes whose EC depends on the situation).
func (e *ossError) withEC(ec string) *ossError { e.EC = ec; return e }

func (e *ossError) check(c, why string) *ossError { e.Check, e.Why = c, why; return e }

// body renders the error XML (protocol.md §6.5).
func (e *ossError) body(requestID, hostID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error>\n")
	el := func(name, v string) {
		b.WriteString("  <" + name + ">")
		xml.EscapeText(&b, []byte(v))
		b.WriteString("</" + name + ">\n")
	}
	el("Code", e.Code)
	el("Message", e.Message)
	el("RequestId", requestID)
	el("HostId", hostID)
	for _, f := range e.Extra {
		el(f.Name, f.Value)
	}
	if d := e.Detail; d != nil {
		b.WriteString("  <AccessDeniedDetail>\n")
		sub := func(name, v string) {
			if v == "" {
				return
			}
			b.WriteString("    <" + name + ">")
			xml.EscapeText(&b, []byte(v))
			b.WriteString("</" + name + ">\n")
		}
		sub("PolicyType", d.PolicyType)
		sub("AuthPrincipalOwnerId", d.AuthPrincipalOwnerID)
		sub("AuthPrincipalType", d.AuthPrincipalType)
		sub("AuthPrincipalDisplayName", d.AuthPrincipalDisplayName)
		sub("NoPermissionType", d.NoPermissionType)
		sub("AuthAction", d.AuthAction)
		sub("EncodedDiagnosticMessage", d.EncodedDiagnosticMessage)
		b.WriteString("  </AccessDeniedDetail>\n")
	}
	if e.EC != "" {
		el("EC", e.EC)
		el("RecommendDoc", "https://api.aliyun.com/troubleshoot?q="+e.EC)
	}
	b.WriteString("</Error>\n")
	return b.Bytes()
}

// writeError answers e; HEAD requests get an empty body and the XML base64-encoded in x-oss-err.
func writeError(w http.ResponseWriter, r *http.Request, e *ossError, requestID, hostID string) {
	body := e.body(requestID, hostID)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	if e.EC != "" {
		h.Set("x-oss-ec", e.EC)
	}
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		h.Set("Content-Length", "0")
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
