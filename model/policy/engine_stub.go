package policy

// The functions below are the engine's entry points. Their bodies are being written in this
// package by the engine's owner; signatures are fixed.

// Parse reads a policy document of the given kind, keeping positions. Structural problems
// (invalid JSON, trailing comma, duplicate key, wrong type, unknown element, bad Effect ...)
// return a *ParseError. Semantic checks live in Validate.
func Parse(name string, src []byte, kind Kind) (*Policy, error) {
	panic("policy.Parse: not implemented yet")
}

// Validate parses and checks a document and returns every finding, errors first by position.
// The returned policy is non-nil iff no finding has SeverityError.
func Validate(name string, src []byte, kind Kind) (*Policy, []Finding) {
	panic("policy.Validate: not implemented yet")
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
	return r
}

// EvaluateInto is Evaluate writing into dst, reusing dst's slices: zero allocations per
// decision once dst has grown.
func EvaluateInto(dst *Result, req *Request, layers Layers) {
	panic("policy.EvaluateInto: not implemented yet")
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

// EvaluateAssumeRole decides whether caller may assume the role roleARN
// ("acs:ram::<account>:role/<name>"): the caller's identity policies must allow sts:AssumeRole on
// the role ARN and the trust policy must allow the caller; a Deny in either denies; an account
// root caller is refused before any policy is read. ctx carries sts:ExternalId when given.
func EvaluateAssumeRole(caller Principal, roleARN string, identity []*Policy, trust *Policy, ctx map[string][]string) AssumeRoleResult {
	panic("policy.EvaluateAssumeRole: not implemented yet")
}

// Template names, in menu order.
var TemplateNames = []string{"upload-only", "read-only", "read-write", "list-read", "no-delete"}

// Template renders the named template (or "base,overlay", e.g. "read-write,no-delete") for
// bucket b and prefix p as an indented JSON session policy.
func Template(name, bucket, prefix string) (string, error) {
	panic("policy.Template: not implemented yet")
}

// Minify returns the document with insignificant whitespace removed.
func Minify(src []byte) ([]byte, error) {
	panic("policy.Minify: not implemented yet")
}
