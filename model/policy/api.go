// Package policy is the RAM policy language: Parse (positioned errors) → Validate (findings) →
// Evaluate (decision + explanation). Standard library only.
//
// This file is the package's public contract, relied on by the sandbox, the adapters and the
// console. Extend it; do not change what is here without updating every caller.
package policy

// Kind is the kind of policy document; it decides which elements are allowed and the size limit.
type Kind int

const (
	KindIdentity Kind = iota // a custom or system policy attached to a user or role (6,144 bytes)
	KindSession              // the AssumeRole Policy parameter (2,048 characters as sent: SessionPolicyUnit)
	KindBucket               // an OSS bucket policy (needs Principal)
	KindTrust                // a role's AssumeRolePolicyDocument (needs Principal, no Resource)
)

// String returns "identity", "session", "bucket" or "trust".
func (k Kind) String() string {
	switch k {
	case KindSession:
		return "session"
	case KindBucket:
		return "bucket"
	case KindTrust:
		return "trust"
	}
	return "identity"
}

// Size limits, as sent: in bytes, but a session policy's in characters (Size, SessionPolicyUnit).
const (
	MaxSessionPolicyBytes = 2048 // characters (the name predates the unit being checked)
	MaxCustomPolicyBytes  = 6144
)

// Severity of a Finding.
type Severity string

const (
	SeverityError      Severity = "error"      // the document is refused
	SeverityWarning    Severity = "warning"    // evaluated, but probably not what was meant
	SeveritySuggestion Severity = "suggestion" // an improvement
)

// Finding is one result of Validate.
type Finding struct {
	Severity Severity `json:"severity"`
	Path     string   `json:"path"` // JSON path with 0-based indexes, e.g. "Statement[1].Effect"; "" = document
	Line     int      `json:"line"` // 1-based; 0 = whole document
	Col      int      `json:"col"`  // 1-based
	Message  string   `json:"message"`
	// Fix is a replacement the console can offer (e.g. the minified document, a "did you mean" action).
	Fix string `json:"fix,omitempty"`
	// Code classifies errors: CodeSyntax (not JSON: trailing comma, duplicate key, ...),
	// CodeSize (over the kind's size limit) or CodeGrammar (everything else); "" for
	// warnings and suggestions. The sandbox maps CodeSize to InvalidParameter.PolicySize.
	Code string `json:"code,omitempty"`
}

// Finding codes.
const (
	CodeSyntax  = "syntax"
	CodeSize    = "size"
	CodeGrammar = "grammar"
)

// Effect of a statement.
type Effect string

const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Layer names a policy layer in an evaluation.
type Layer string

const (
	LayerSession  Layer = "session"
	LayerIdentity Layer = "identity"
	LayerBucket   Layer = "bucket"
	LayerTrust    Layer = "trust"
)

// Outcome of one layer.
type Outcome string

const (
	OutcomeNone    Outcome = ""        // the layer was not given
	OutcomeAllow   Outcome = "Allow"   // an Allow statement matched and no Deny did
	OutcomeDeny    Outcome = "Deny"    // a Deny statement matched
	OutcomeNoMatch Outcome = "NoMatch" // nothing matched
)

// Decision of an evaluation.
type Decision string

const (
	DecisionAllow        Decision = "Allow"
	DecisionExplicitDeny Decision = "ExplicitDeny"
	DecisionImplicitDeny Decision = "ImplicitDeny"
)

// Context keys the engine knows.
const (
	KeySourceIP        = "acs:SourceIp"
	KeyCurrentTime     = "acs:CurrentTime"
	KeySecureTransport = "acs:SecureTransport"
	KeyUserAgent       = "acs:UserAgent"
	KeyMFAPresent      = "acs:MFAPresent"
	KeyPrefix          = "oss:Prefix"
	KeyDelimiter       = "oss:Delimiter"
	KeyExternalID      = "sts:ExternalId"
)

// Principal identifies who makes a request, for bucket-policy and trust-policy Principal matching.
type Principal struct {
	AccountID string // the caller's account uid, e.g. "1234567890123456"
	// Type is "root" (the account itself), "user" (RAM user), "role" (an assumed-role session),
	// "service" (a cloud service such as ecs.aliyuncs.com) or "anonymous".
	Type        string
	Name        string // user name or role name
	ID          string // user uid or role id
	SessionName string // for role sessions
	Service     string // for Type "service"
}

// Request is one authorization question.
type Request struct {
	Action    string // e.g. "oss:PutObject"
	Resource  string // full ARN, e.g. "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/a.txt"
	Principal Principal
	// Context holds condition keys and their values (multi-valued keys allowed). A key absent
	// from the map is "not carried by the request".
	Context map[string][]string
}

// Policy is a parsed, compiled document, safe for concurrent evaluation.
type Policy struct {
	Name      string // shown in results, e.g. "RamTestPolicy" or a file name
	Kind      Kind
	Version   string
	Statement []Statement
	Size      int // bytes of the source document as given

	c *compiled // built by Parse/Validate; nil for a hand-built Policy (compiled per call then)
}

// Statement is one parsed statement.
type Statement struct {
	Index     int // 0-based
	Line, Col int // position of the statement's opening brace
	Effect    Effect
	Action    []string
	NotAction []string
	Resource  []string
	Principal *PrincipalBlock
	Condition []Condition
}

// PrincipalBlock is a statement's Principal element: "*" or {"RAM": [...], "Service": [...], "Federated": [...]}.
// Bucket policies give a plain list of strings (uids, ARNs, "*"): they land in Values.
type PrincipalBlock struct {
	Any       bool
	RAM       []string
	Service   []string
	Federated []string
	Values    []string
}

// Condition is one operator/key pair with its values.
type Condition struct {
	Operator string // as written, e.g. "StringLike"
	Key      string // as written, e.g. "oss:Prefix"
	Values   []string
}

// ParseError is the error returned by Parse: positioned, with a JSON path.
type ParseError struct {
	Line, Col int
	Path      string
	Message   string
	Code      string // CodeSyntax, CodeSize or CodeGrammar
}

func (e *ParseError) Error() string {
	if e.Path == "" {
		return "line " + itoa(e.Line) + ", col " + itoa(e.Col) + ": " + e.Message
	}
	return "line " + itoa(e.Line) + ", col " + itoa(e.Col) + ": " + e.Path + ": " + e.Message
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Layers is the set of policies an evaluation considers. A nil Session or Bucket means the
// layer was not given; an empty (non-nil) Identity slice means "the caller has no policies".
type Layers struct {
	Identity []*Policy
	Session  *Policy
	Bucket   *Policy
}

// Match is a statement that matched the request.
type Match struct {
	Layer  Layer  `json:"layer"`
	Policy string `json:"policy"`
	Index  int    `json:"index"`
	Line   int    `json:"line"`
	Effect Effect `json:"effect"`
}

// Result is the full answer of Evaluate.
type Result struct {
	Decision  Decision `json:"decision"`
	DecidedBy Layer    `json:"decided_by"`
	Identity  Outcome  `json:"identity,omitempty"`
	Session   Outcome  `json:"session,omitempty"`
	Bucket    Outcome  `json:"bucket,omitempty"`
	Trust     Outcome  `json:"trust,omitempty"` // only in EvaluateAssumeRole's Trust result
	// Statements are every matching statement (never short-circuited), in order session, identity, bucket.
	Statements []Match `json:"statements"`
	// Indeterminate lists condition keys absent from the request that decided whether a statement matched.
	Indeterminate []string `json:"indeterminate"`
}
