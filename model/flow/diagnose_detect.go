package flow

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stsdeck/stsdeck/model"
)

// The error-text detector of `stsdeck explain --error`: what an admin pastes (an OSS error
// XML, an OpenAPI JSON error, an SDK's or ossutil's error text that contains either, a bare EC,
// a bare EncodedDiagnosticMessage) becomes an ErrorReport, or a NotAnError that says why not.

// Input kinds (the --json "input" key).
const (
	InputOSSXML      = "oss-xml"
	InputOpenAPIJSON = "openapi-json"
	InputOpenAPIXML  = "openapi-xml" // an STS/RAM error asked for with Format=XML
	InputText        = "text"
	InputEC          = "ec"
	InputEncoded     = "encoded"
)

// MaxErrorInput bounds what the detector reads: an error body is a few KB, an SDK dump with
// a stack trace a few hundred.
const MaxErrorInput = 1 << 20

// ErrorReport is what an error text carries. It never holds a secret: security tokens and
// signatures in the input are not copied.
type ErrorReport struct {
	Input      string `json:"input"`
	Service    string `json:"service,omitempty"` // oss, sts, ram; "" when it does not say
	StatusCode int    `json:"status,omitempty"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	HostID     string `json:"host_id,omitempty"`
	EC         string `json:"ec,omitempty"`
	Recommend  string `json:"recommend,omitempty"`
	// AccessKeyID is the AccessKeyId the failed request was made with, when the text shows it
	// (OSSAccessKeyId element, a presigned URL's OSSAccessKeyId or x-oss-credential).
	AccessKeyID string                    `json:"access_key_id,omitempty"`
	Bucket      string                    `json:"bucket,omitempty"`
	Key         string                    `json:"key,omitempty"`
	Endpoint    string                    `json:"endpoint,omitempty"` // the endpoint a wrong-region answer names
	Detail      *model.AccessDeniedDetail `json:"access_denied_detail,omitempty"`
	// Method and URL of the failed request when the text shows them (query removed).
	Method string `json:"method,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Encoded returns the EncodedDiagnosticMessage the report carries, "" if none.
func (r *ErrorReport) Encoded() string {
	if r.Detail == nil {
		return ""
	}
	return r.Detail.EncodedDiagnosticMessage
}

// NotAnError is returned for input that is not an error: it says why, and where when it can.
type NotAnError struct{ Reason string }

func (e *NotAnError) Error() string { return e.Reason }

func notError(format string, a ...any) error { return &NotAnError{Reason: fmt.Sprintf(format, a...)} }

var (
	ecRE        = regexp.MustCompile(`\b(\d{4}-\d{8})\b`)
	bareECRE    = regexp.MustCompile(`^\d{4}-\d{8}$`)
	encodedRE   = regexp.MustCompile(`^AQE[A-Za-z0-9+/]{20,}={0,2}$`)
	encodedInRE = regexp.MustCompile(`EncodedDiagnosticMessage["']?\s*(?:[:=>]|&gt;)\s*"?(AQE[A-Za-z0-9+/]{20,}={0,2})`)
	codeWordRE  = regexp.MustCompile(`^[A-Z][A-Za-z]+(\.[A-Za-z]+)*$`)
	// key/value forms of SDKs and tools: "ErrorCode=AccessDenied", "Error Code: AccessDenied.",
	// "Code: NoPermission", "RequestId=…", "Request Id: …", "request id: …", "Ec=…".
	kvCodeRE    = regexp.MustCompile(`(?i)\b(?:error ?code|errorcode|code)\s*[:=]\s*"?([A-Za-z][A-Za-z0-9.]*[A-Za-z0-9])`)
	kvReqRE     = regexp.MustCompile(`(?i)\brequest ?id\s*[:=]\s*"?([A-Za-z0-9-]{8,64})`)
	kvStatusRE  = regexp.MustCompile(`(?i)\b(?:http status code|statuscode|status code|status)\s*[:=]\s*"?(\d{3})\b`)
	kvMsgRE     = regexp.MustCompile(`(?i)\b(?:errormessage|message)\s*[:=]\s*("(?:[^"\\]|\\.)*"|[^\n]*)`)
	kvHostRE    = regexp.MustCompile(`(?i)\bhost ?id\s*[:=]\s*"?([A-Za-z0-9.-]+)`)
	akQueryRE   = regexp.MustCompile(`(?i)\bOSSAccessKeyId=([A-Za-z0-9.%_-]+)`)
	akCredRE    = regexp.MustCompile(`(?i)\bx-oss-credential=([A-Za-z0-9.%_-]+)`)
	akTextRE    = regexp.MustCompile(`\b(STS\.[A-Za-z0-9]{10,64})\b`)
	endpointRE  = regexp.MustCompile(`(?i)\brequest endpoint\s*:\s*([A-Z]+)\s+(https?://[^\s?]+)`)
	reqLineRE   = regexp.MustCompile(`\b(GET|PUT|POST|HEAD|DELETE)\s+"?(https?://[^\s?"]+)`)
	errorTagRE  = regexp.MustCompile(`<Error>`)
	errorEndRE  = regexp.MustCompile(`</Error>`)
	recommendRE = regexp.MustCompile(`(?i)\brecommend\s*[:=]\s*"?(https?://[^\s"]+)`)
)

// DetectError reads an error in any of the accepted forms.
func DetectError(data []byte) (*ErrorReport, error) {
	if len(data) > MaxErrorInput {
		return nil, notError("the input is %d bytes, larger than %d: not an error text (paste the error body or the tool's message)", len(data), MaxErrorInput)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	s := strings.TrimSpace(string(data))
	if s == "" {
		return nil, notError("the input is empty: paste an OSS error XML, an STS/RAM JSON error, an SDK's error text, an EC or an EncodedDiagnosticMessage")
	}
	if i := binaryAt(s); i >= 0 {
		return nil, notError("the input is binary (byte %d is not text): not an error text", i)
	}
	switch {
	case strings.HasPrefix(s, "<"):
		return detectXML(s, true)
	case strings.HasPrefix(s, "{"):
		return detectJSON(s, true)
	case bareECRE.MatchString(s):
		return &ErrorReport{Input: InputEC, EC: s, Service: "oss"}, nil
	case encodedRE.MatchString(s) && isBase64(s):
		return &ErrorReport{Input: InputEncoded, Detail: &model.AccessDeniedDetail{EncodedDiagnosticMessage: s}}, nil
	case codeWordRE.MatchString(s):
		if e, ok := LookupError("", s, ""); ok {
			return &ErrorReport{Input: InputText, Code: s, Service: e.Service}, nil
		}
	}
	return detectText(s)
}

// binaryAt returns the index of the first byte that makes s binary (NUL, invalid UTF-8, a
// control character other than tab, CR, LF, ESC), -1 if s is text.
func binaryAt(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != 0x1b || r == 0x7f {
			return i
		}
		i += n
	}
	return -1
}

func isBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// xmlError is an OSS (or POP with Format=XML) error body.
type xmlError struct {
	XMLName            xml.Name
	Code               string                    `xml:"Code"`
	Message            string                    `xml:"Message"`
	RequestID          string                    `xml:"RequestId"`
	HostID             string                    `xml:"HostId"`
	EC                 string                    `xml:"EC"`
	Recommend          string                    `xml:"Recommend"`
	AccessKeyID        string                    `xml:"OSSAccessKeyId"`
	BucketName         string                    `xml:"BucketName"`
	Bucket             string                    `xml:"Bucket"`
	Key                string                    `xml:"Key"`
	Endpoint           string                    `xml:"Endpoint"`
	AccessDeniedDetail *model.AccessDeniedDetail `xml:"AccessDeniedDetail"`
}

func detectXML(s string, whole bool) (*ErrorReport, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	var x xmlError
	if err := dec.Decode(&x); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, notError("the XML is not well-formed (line %d: %s): truncated? paste the whole <Error> body", se.Line, se.Msg)
		}
		if strings.Contains(err.Error(), "EOF") {
			return nil, notError("the XML ends early: truncated? paste the whole <Error> body")
		}
		return nil, notError("the XML cannot be read: %v", err)
	}
	if whole {
		if rest := strings.TrimSpace(s[dec.InputOffset():]); rest != "" {
			return nil, notError("the XML has content after its root element (at byte %d)", dec.InputOffset())
		}
	}
	if x.XMLName.Local != "Error" {
		return nil, notError("the XML's root element is <%s>, not <Error>: not an error answer", x.XMLName.Local)
	}
	if x.Code == "" {
		return nil, notError("the <Error> has no <Code>: not an error answer")
	}
	r := &ErrorReport{Input: InputOSSXML, Service: "oss", Code: x.Code, Message: x.Message, RequestID: x.RequestID, HostID: x.HostID,
		EC: x.EC, Recommend: x.Recommend, AccessKeyID: x.AccessKeyID, Bucket: firstNonEmpty(x.BucketName, x.Bucket), Key: x.Key, Endpoint: x.Endpoint,
		Detail: x.AccessDeniedDetail}
	if svc := popService(x.HostID, x.Recommend); svc != "" {
		r.Input, r.Service = InputOpenAPIXML, svc
	}
	return r, nil
}

// popService tells STS and RAM answers (POP gateway) from OSS ones by HostId and Recommend.
func popService(hostID, recommend string) string {
	h := strings.ToLower(hostID)
	switch {
	case strings.HasPrefix(h, "sts.") || strings.Contains(recommend, "product=Sts"):
		return "sts"
	case strings.HasPrefix(h, "ram.") || strings.Contains(recommend, "product=Ram"):
		return "ram"
	}
	return ""
}

func detectJSON(s string, whole bool) (*ErrorReport, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, notError("the JSON is not valid (at byte %d: %v): truncated? paste the whole error", se.Offset, err)
		}
		if strings.Contains(err.Error(), "EOF") {
			return nil, notError("the JSON ends early: truncated? paste the whole error")
		}
		return nil, notError("the JSON is not an error object: %v", err)
	}
	if whole && dec.More() {
		return nil, notError("the JSON has content after its object (at byte %d)", dec.InputOffset())
	}
	r, ok := reportFromMap(m)
	if !ok {
		return nil, notError("the JSON has no Code: not an error answer")
	}
	return r, nil
}

// reportFromMap reads a POP error ({"RequestId","HostId","Code","Message","Recommend",
// "AccessDeniedDetail"}), the darabonba SDKError's data map (lower-case keys, "statusCode"),
// or OSS's JSON error ({"Error": {...}}).
func reportFromMap(m map[string]any) (*ErrorReport, bool) {
	if inner, ok := m["Error"].(map[string]any); ok {
		r, ok := reportFromMap(inner)
		if ok && r.Service == "" {
			r.Service = "oss"
		}
		return r, ok
	}
	get := func(keys ...string) string {
		for _, k := range keys {
			switch v := m[k].(type) {
			case string:
				if v != "" {
					return v
				}
			case json.Number:
				return v.String()
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return ""
	}
	r := &ErrorReport{Input: InputOpenAPIJSON, Code: get("Code", "code", "ErrorCode"), Message: get("Message", "message", "ErrorMessage"),
		RequestID: get("RequestId", "requestId", "RequestID"), HostID: get("HostId", "hostId"), Recommend: get("Recommend", "recommend"),
		EC: get("EC", "ec", "Ec")}
	if r.Code == "" {
		return nil, false
	}
	if st := get("statusCode", "StatusCode", "status"); st != "" {
		r.StatusCode, _ = strconv.Atoi(st)
	}
	r.Service = popService(r.HostID, r.Recommend)
	if r.EC != "" && r.Service == "" {
		r.Service = "oss"
	}
	for _, k := range []string{"AccessDeniedDetail", "accessDeniedDetail"} {
		if d, ok := m[k].(map[string]any); ok {
			ds := func(k string) string { v, _ := d[k].(string); return v }
			r.Detail = &model.AccessDeniedDetail{PolicyType: ds("PolicyType"), AuthPrincipalOwnerID: ds("AuthPrincipalOwnerId"),
				AuthPrincipalType: ds("AuthPrincipalType"), AuthPrincipalDisplayName: ds("AuthPrincipalDisplayName"),
				NoPermissionType: ds("NoPermissionType"), AuthAction: ds("AuthAction"), EncodedDiagnosticMessage: ds("EncodedDiagnosticMessage")}
			break
		}
	}
	return r, true
}

// detectText finds an error inside free text: an embedded <Error> XML or JSON object first,
// then the key/value forms SDKs and tools print.
func detectText(s string) (*ErrorReport, error) {
	var r *ErrorReport
	if loc := errorTagRE.FindStringIndex(s); loc != nil {
		start := loc[0]
		if i := strings.LastIndex(s[:start], "<?xml"); i >= 0 {
			start = i
		}
		if end := errorEndRE.FindStringIndex(s[loc[0]:]); end != nil {
			if x, err := detectXML(s[start:loc[0]+end[1]], false); err == nil {
				r = x
			}
		}
	}
	if r == nil {
		r = jsonInText(s)
	}
	if r == nil {
		r = &ErrorReport{}
	}
	r.Input = InputText
	fill := func(dst *string, re *regexp.Regexp) {
		if *dst == "" {
			if m := re.FindStringSubmatch(s); m != nil {
				*dst = strings.TrimSuffix(strings.TrimSpace(m[1]), ".")
			}
		}
	}
	fill(&r.Code, kvCodeRE)
	fill(&r.RequestID, kvReqRE)
	fill(&r.HostID, kvHostRE)
	fill(&r.Recommend, recommendRE)
	if r.EC == "" {
		if m := ecRE.FindStringSubmatch(s); m != nil {
			r.EC = m[1]
		}
	}
	if r.StatusCode == 0 {
		if m := kvStatusRE.FindStringSubmatch(s); m != nil {
			r.StatusCode, _ = strconv.Atoi(m[1])
		}
	}
	if r.Message == "" {
		if m := kvMsgRE.FindStringSubmatch(s); m != nil {
			msg := strings.TrimSpace(m[1])
			if uq, err := strconv.Unquote(msg); err == nil {
				msg = uq
			}
			r.Message = strings.TrimSuffix(msg, ".")
			if r.Message != "" && !strings.HasSuffix(r.Message, ".") && strings.HasSuffix(strings.TrimSpace(m[1]), ".") {
				r.Message += "."
			}
		}
	}
	if r.Encoded() == "" {
		if m := encodedInRE.FindStringSubmatch(s); m != nil {
			if r.Detail == nil {
				r.Detail = &model.AccessDeniedDetail{}
			}
			r.Detail.EncodedDiagnosticMessage = m[1]
		}
	}
	if r.Method == "" {
		if m := endpointRE.FindStringSubmatch(s); m != nil {
			r.Method, r.URL = strings.ToUpper(m[1]), m[2]
		} else if m := reqLineRE.FindStringSubmatch(s); m != nil {
			r.Method, r.URL = m[1], m[2]
		}
	}
	if r.AccessKeyID == "" {
		r.AccessKeyID = accessKeyInText(s)
	}
	if r.Service == "" {
		switch {
		case r.EC != "" || strings.Contains(s, "oss: service returned error") || strings.Contains(s, "Error returned by Service"):
			r.Service = "oss"
		default:
			r.Service = popService(r.HostID, r.Recommend)
		}
	}
	if r.Code != "" {
		if _, known := LookupError("", r.Code, ""); !known && r.EC == "" && r.RequestID == "" && r.StatusCode < 400 {
			r.Code = "" // "code: foo" in unrelated text
		}
	}
	if r.Code == "" && r.EC == "" && r.Encoded() == "" {
		return nil, notError("no error found: the text has no error code, EC or EncodedDiagnosticMessage (paste the error body or the tool's whole message)")
	}
	return r, nil
}

// jsonInText tries each '{' of s as the start of an error object (a darabonba SDKError's
// Data, a CLI's dump), at most 64 of them.
func jsonInText(s string) *ErrorReport {
	off := 0
	for tries := 0; tries < 64; tries++ {
		i := strings.IndexByte(s[off:], '{')
		if i < 0 {
			return nil
		}
		off += i
		dec := json.NewDecoder(strings.NewReader(s[off:]))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) == nil {
			if r, ok := reportFromMap(m); ok {
				return r
			}
		}
		off++
	}
	return nil
}

// accessKeyInText finds the AccessKeyId of a presigned URL (V1 OSSAccessKeyId, V4
// x-oss-credential) or a bare STS.… key in the text.
func accessKeyInText(s string) string {
	if m := akQueryRE.FindStringSubmatch(s); m != nil {
		if v, err := url.QueryUnescape(m[1]); err == nil {
			return v
		}
	}
	if m := akCredRE.FindStringSubmatch(s); m != nil {
		if v, err := url.QueryUnescape(m[1]); err == nil {
			ak, _, _ := strings.Cut(v, "/")
			return ak
		}
	}
	if m := akTextRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
