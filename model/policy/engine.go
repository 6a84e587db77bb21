package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SizeLimit is the largest accepted document of a kind, in bytes as sent.
func SizeLimit(k Kind) int {
	switch k {
	case KindSession:
		return MaxSessionPolicyBytes
	case KindBucket:
		return MaxBucketPolicyBytes
	}
	return MaxCustomPolicyBytes
}

// SessionPolicyUnit is what the session-policy limit counts: characters (Unicode code points
// of the Policy parameter as sent). Sources: the STS API reference, "The value must be 1 to
// 2,048 characters in length" (sts-20150401 v2.0.4 client.go, AssumeRoleRequest.Policy), and
// Alibaba's notice of 19 Sep 2022 raising it "from 1~1024 characters to 1~2048 characters"
// (alibabacloud.com/en/notice/upgradenotification_of_request_parameters_length_constraints_
// upgrade_of_sts_apis_184). The cloud's refusal still reads "...smaller than 2048 bytes.";
// for ASCII documents (the usual case) the two agree.
const SessionPolicyUnit = "characters"

// Size counts src as its kind's limit does: a session policy in characters (SessionPolicyUnit),
// other kinds in bytes.
func Size(k Kind, src []byte) int {
	if k == KindSession {
		return utf8.RuneCount(src)
	}
	return len(src)
}

// SizeUnit names the unit Size and SizeLimit count for a kind: "characters" or "bytes".
func SizeUnit(k Kind) string {
	if k == KindSession {
		return SessionPolicyUnit
	}
	return "bytes"
}

// MaxBucketPolicyBytes is OSS's bucket policy size limit (16 KB).
const MaxBucketPolicyBytes = 16384

// Parse reads a policy document of the given kind, keeping positions, and compiles it for
// evaluation. Any problem Validate reports as an error — structural (invalid JSON, trailing
// comma, duplicate key, wrong type, unknown element, bad Effect ...) or semantic (Version,
// condition values, size) — comes back as a *ParseError, the first one by position; a Policy
// returned by Parse is always fit to evaluate.
func Parse(name string, src []byte, kind Kind) (*Policy, error) {
	p, fs := Validate(name, src, kind)
	if p != nil {
		return p, nil
	}
	for _, f := range fs {
		if f.Severity == SeverityError {
			return nil, &ParseError{Line: f.Line, Col: f.Col, Path: f.Path, Message: f.Message, Code: f.Code}
		}
	}
	return nil, &ParseError{Line: 1, Col: 1, Message: "invalid policy", Code: CodeGrammar}
}

// Validate parses and checks a document and returns every finding, errors first by position.
// The returned policy is non-nil iff no finding has SeverityError.
func Validate(name string, src []byte, kind Kind) (*Policy, []Finding) {
	p := &Policy{Name: name, Kind: kind, Size: len(src)}
	d := &decoder{kind: kind}
	root, soft, perr := parseJSON(src)
	for _, e := range soft {
		d.add(SeverityError, e.Line, e.Col, e.Path, e.Message, "")
		d.findings[len(d.findings)-1].Code = CodeSyntax
	}
	if perr != nil {
		d.add(SeverityError, perr.Line, perr.Col, perr.Path, perr.Message, "")
		d.findings[len(d.findings)-1].Code = CodeSyntax
		if len(src) > MaxDocumentBytes {
			d.findings[len(d.findings)-1].Code = CodeSize
		}
		return nil, sortFindings(d.findings)
	}
	d.decode(root, p)
	if limit, unit := SizeLimit(kind), SizeUnit(kind); Size(kind, src) > limit {
		d.add(SeverityError, 0, 0, "", "the document is "+strconv.Itoa(Size(kind, src))+" "+unit+"; "+kindArticle(kind)+" policy may have at most "+strconv.Itoa(limit), "")
		d.findings[len(d.findings)-1].Code = CodeSize
		if m, err := Minify(src); err == nil && Size(kind, m) <= limit {
			d.add(SeveritySuggestion, 0, 0, "", "minified, the document is "+strconv.Itoa(Size(kind, m))+" "+unit+" and fits the limit", string(m))
		}
	} else if kind == KindSession && len(src) > limit {
		d.add(SeverityWarning, 0, 0, "", "the document is "+strconv.Itoa(Size(kind, src))+" characters but "+strconv.Itoa(len(src))+" bytes in UTF-8: STS counts characters, yet its refusal speaks of bytes; keep non-ASCII text out of a session policy to be safe", "")
	}
	fs := sortFindings(d.findings)
	if HasErrors(fs) {
		return nil, fs
	}
	p.c = compile(p)
	return p, fs
}

func sevRank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

func sortFindings(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if r := sevRank(a.Severity) - sevRank(b.Severity); r != 0 {
			return r
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return fs
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Evaluate decides a request against the given layers.
func Evaluate(req *Request, layers Layers) Result {
	var r Result
	EvaluateInto(&r, req, layers)
	if r.Statements == nil {
		r.Statements = []Match{}
	}
	if r.Indeterminate == nil {
		r.Indeterminate = []string{}
	}
	return r
}

// AssumeRoleResult is the decision for an sts:AssumeRole call.
type AssumeRoleResult struct {
	Allowed bool `json:"allowed"`
	// Reason is "root-refused", "identity" (the caller's policies do not allow sts:AssumeRole on
	// the role), "trust" (the trust policy does not allow the caller), or "" when allowed.
	Reason   string `json:"reason,omitempty"`
	Identity Result `json:"identity"`
	Trust    Result `json:"trust"`
}

// Minify returns the document with insignificant whitespace removed. Strings are copied
// byte for byte; invalid JSON is refused with a positioned error.
func Minify(src []byte) ([]byte, error) {
	if _, _, perr := parseJSON(src); perr != nil {
		return nil, perr
	}
	var b bytes.Buffer
	b.Grow(len(src))
	in := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if in {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(src) {
				i++
				b.WriteByte(src[i])
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			in = true
		}
		b.WriteByte(c)
	}
	return b.Bytes(), nil
}

// Template names, in menu order.
var TemplateNames = []string{"upload-only", "read-only", "read-write", "list-read", "no-delete"}

// TemplateInfo says what a template is expected to allow, for menus and tests.
var TemplateInfo = map[string]string{
	"upload-only": "upload into <bucket>/<prefix>* (PutObject, multipart); no read, no list, no delete",
	"read-only":   "download from <bucket>/<prefix>*; no upload, no list, no delete",
	"read-write":  "upload, download and delete in <bucket>/<prefix>*",
	"list-read":   "list <bucket> under <prefix> and download from <bucket>/<prefix>*",
	"no-delete":   "overlay: deny DeleteObject in <bucket>/<prefix>* (use as read-write,no-delete)",
}

type tmplStatement struct {
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

type tmplDoc struct {
	Version   string          `json:"Version"`
	Statement []tmplStatement `json:"Statement"`
}

// Template renders the named template (or "base,overlay", e.g. "read-write,no-delete") for
// bucket b and prefix p as an indented JSON session policy.
func Template(name, bucket, prefix string) (string, error) {
	if err := checkBucketName(bucket); err != nil {
		return "", err
	}
	if strings.ContainsAny(prefix, "*?") {
		return "", errors.New("template prefix " + strconv.Quote(prefix) + ": \"*\" and \"?\" are wildcards in policies; give a plain prefix")
	}
	if strings.HasPrefix(prefix, "/") {
		return "", errors.New("template prefix " + strconv.Quote(prefix) + ": object keys do not start with \"/\"")
	}
	parts := strings.Split(name, ",")
	objects := "acs:oss:*:*:" + bucket + "/" + prefix + "*"
	doc := tmplDoc{Version: "1"}
	for i, part := range parts {
		part = strings.TrimSpace(part)
		if i == 0 && part == "no-delete" {
			return "", &OverlayError{Name: "no-delete", Use: "read-write,no-delete"}
		}
		if i > 0 && part != "no-delete" {
			return "", errors.New("template " + strconv.Quote(name) + ": only \"no-delete\" can be added as an overlay, got " + strconv.Quote(part))
		}
		switch part {
		case "upload-only":
			doc.Statement = append(doc.Statement, tmplStatement{Effect: "Allow", Action: []string{"oss:PutObject", "oss:AbortMultipartUpload", "oss:ListParts"}, Resource: []string{objects}})
		case "read-only":
			doc.Statement = append(doc.Statement, tmplStatement{Effect: "Allow", Action: []string{"oss:GetObject"}, Resource: []string{objects}})
		case "read-write":
			doc.Statement = append(doc.Statement, tmplStatement{Effect: "Allow", Action: []string{"oss:PutObject", "oss:AbortMultipartUpload", "oss:ListParts", "oss:GetObject", "oss:DeleteObject"}, Resource: []string{objects}})
		case "list-read":
			doc.Statement = append(doc.Statement,
				tmplStatement{Effect: "Allow", Action: []string{"oss:GetObject"}, Resource: []string{objects}},
				tmplStatement{Effect: "Allow", Action: []string{"oss:ListObjects"}, Resource: []string{"acs:oss:*:*:" + bucket},
					Condition: map[string]map[string][]string{"StringLike": {KeyPrefix: {prefix + "*"}}}})
		case "no-delete":
			doc.Statement = append(doc.Statement, tmplStatement{Effect: "Deny", Action: []string{"oss:DeleteObject"}, Resource: []string{objects}})
		default:
			return "", errors.New("unknown template " + strconv.Quote(part) + "; want one of " + strings.Join(TemplateNames, ", "))
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	return b.String(), nil
}

// checkBucketName applies OSS bucket naming rules: 3–63 characters, lower-case letters,
// digits and hyphens, starting and ending with a letter or digit.
func checkBucketName(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return errors.New("bucket name " + strconv.Quote(b) + ": want 3 to 63 characters")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
		if !ok {
			return errors.New("bucket name " + strconv.Quote(b) + ": only lower-case letters, digits and \"-\" are allowed")
		}
	}
	if b[0] == '-' || b[len(b)-1] == '-' {
		return errors.New("bucket name " + strconv.Quote(b) + ": must start and end with a letter or digit")
	}
	return nil
}
