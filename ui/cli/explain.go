package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

// explain: evaluate one request against policy files and say why.
//
//	stsdeck explain --action oss:PutObject --resource acs:oss:...:examplebucket/dst/a.txt \
//	  --identity-policy role.json [--identity-policy more.json ...] [--session-policy s.json] \
//	  [--bucket-policy b.json --principal <uid|arn>] [--trust-policy t.json --caller <arn>] \
//	  [--context acs:SourceIp=10.0.0.1 ...] [--json]
//
// Exit 0 = allowed, 1 = denied, 2 = bad input.

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// polInputError is a bad-input error with a position, reported as {"error": {...}}.
type polInputError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (e *polInputError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, col %d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// polFinding is a finding with the file it belongs to.
type polFinding struct {
	File string `json:"file"`
	policy.Finding
}

// polLoader reads policy files (or "-" for stdin, once) and validates them.
type polLoader struct {
	env       *Env
	stdinUsed bool
	findings  []polFinding
}

func (l *polLoader) read(file string) ([]byte, error) {
	var r io.Reader
	if file == "-" {
		if l.stdinUsed {
			return nil, &polInputError{File: file, Message: "standard input can be read only once; give the other policies as files"}
		}
		l.stdinUsed = true
		r = l.env.Stdin
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, &polInputError{File: file, Message: "cannot read the policy: " + polErrText(err)}
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, &polInputError{File: file, Message: "is a directory, want a policy JSON file"}
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, policy.MaxDocumentBytes+1))
	if err != nil {
		return nil, &polInputError{File: file, Message: "cannot read the policy: " + polErrText(err)}
	}
	if len(data) > policy.MaxDocumentBytes {
		return nil, &polInputError{File: file, Message: fmt.Sprintf("larger than %d bytes; not a policy document", policy.MaxDocumentBytes)}
	}
	return data, nil
}

func polErrText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// load reads and validates one policy; the first error finding becomes a polInputError.
func (l *polLoader) load(file string, kind policy.Kind) (*policy.Policy, error) {
	data, err := l.read(file)
	if err != nil {
		return nil, err
	}
	name := file
	if file == "-" {
		name = "stdin"
	}
	p, fs := policy.Validate(name, data, kind)
	for _, f := range fs {
		l.findings = append(l.findings, polFinding{File: file, Finding: f})
	}
	if p == nil {
		for _, f := range fs {
			if f.Severity == policy.SeverityError {
				return nil, &polInputError{File: file, Line: f.Line, Col: f.Col, Path: f.Path, Message: f.Message}
			}
		}
		return nil, &polInputError{File: file, Message: "invalid " + kind.String() + " policy"}
	}
	return p, nil
}

// polBadInput reports err (exit 2): words on stderr, {"error": ...} on stdout with --json.
func polBadInput(env *Env, cmd string, asJSON bool, err error, findings []polFinding) int {
	var ie *polInputError
	if !errors.As(err, &ie) {
		ie = &polInputError{Message: err.Error()}
	}
	fmt.Fprintf(env.Stderr, "stsdeck %s: %s\n", cmd, ie.Error())
	for _, f := range findings {
		if f.Severity == policy.SeverityError && !(f.File == ie.File && f.Line == ie.Line && f.Col == ie.Col && f.Message == ie.Message) {
			fmt.Fprintf(env.Stderr, "  also: %s\n", polFindingText(f))
		}
	}
	if asJSON {
		out := map[string]any{"error": ie}
		if findings != nil {
			out["findings"] = findings
		}
		polWriteJSON(env.Stdout, out)
	}
	return ExitBadInput
}

func polFindingText(f polFinding) string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", f.Line, f.Col)
	}
	b.WriteString(": " + string(f.Severity) + ": ")
	if f.Path != "" {
		b.WriteString(f.Path + ": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

func polWriteJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// parsePrincipalArg turns --principal/--caller into a Principal:
// "*" or "anonymous"; an account uid (the account itself); acs:ram::<uid>:root;
// acs:ram::<uid>:user/<name>; acs:ram::<uid>:role/<name>; arn:sts::<uid>:assumed-role/<role>/<session>;
// a service name such as ecs.aliyuncs.com.
func parsePrincipalArg(v string) (policy.Principal, error) {
	bad := func(why string) (policy.Principal, error) {
		return policy.Principal{}, fmt.Errorf("principal %q: %s; want an account uid, acs:ram::<uid>:user/<name>, acs:ram::<uid>:role/<name>, arn:sts::<uid>:assumed-role/<role>/<session>, a service such as ecs.aliyuncs.com, or \"*\"", v, why)
	}
	switch {
	case v == "*" || v == "anonymous":
		return policy.Principal{Type: "anonymous"}, nil
	case polDigits(v):
		return policy.Principal{AccountID: v, ID: v, Type: "root"}, nil
	case strings.HasPrefix(v, "acs:ram::"):
		acct, rel, ok := strings.Cut(v[len("acs:ram::"):], ":")
		if !ok || !polDigits(acct) {
			return bad("want an account uid after acs:ram::")
		}
		switch {
		case rel == "root":
			return policy.Principal{AccountID: acct, ID: acct, Type: "root"}, nil
		case strings.HasPrefix(rel, "user/") && len(rel) > 5:
			return policy.Principal{AccountID: acct, Type: "user", Name: rel[5:]}, nil
		case strings.HasPrefix(rel, "role/") && len(rel) > 5:
			return policy.Principal{AccountID: acct, Type: "role", Name: rel[5:]}, nil
		}
		return bad("want root, user/<name> or role/<name> after the account")
	case strings.HasPrefix(v, "arn:sts::"):
		acct, rel, ok := strings.Cut(v[len("arn:sts::"):], ":")
		if !ok || !polDigits(acct) || !strings.HasPrefix(rel, "assumed-role/") {
			return bad("want arn:sts::<uid>:assumed-role/<role>/<session>")
		}
		role, sess, ok := strings.Cut(rel[len("assumed-role/"):], "/")
		if !ok || role == "" || sess == "" {
			return bad("want arn:sts::<uid>:assumed-role/<role>/<session>")
		}
		return policy.Principal{AccountID: acct, Type: "role", Name: role, SessionName: sess}, nil
	case strings.HasSuffix(v, ".aliyuncs.com"):
		return policy.Principal{Type: "service", Service: v}, nil
	}
	return bad("unrecognised form")
}

func polDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type explainJSON struct {
	Decision      policy.Decision           `json:"decision"`
	DecidedBy     policy.Layer              `json:"decided_by"`
	Reason        string                    `json:"reason,omitempty"`
	Layers        map[string]policy.Outcome `json:"layers"`
	Statements    []policy.Match            `json:"statements"`
	Indeterminate []string                  `json:"indeterminate"`
	Findings      []polFinding              `json:"findings"`
}

func runExplain(_ context.Context, env *Env) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var (
		action, resource, sessionFile, bucketFile, principal, trustFile, caller string
		identityFiles, contexts                                                 multiFlag
		asJSON                                                                  bool
	)
	fs.StringVar(&action, "action", "", "the action, e.g. oss:PutObject")
	fs.StringVar(&resource, "resource", "", "the resource ARN, e.g. acs:oss:cn-hangzhou:1234567890123456:examplebucket/dst/a.txt")
	fs.Var(&identityFiles, "identity-policy", "an identity policy file (repeatable; - = stdin)")
	fs.StringVar(&sessionFile, "session-policy", "", "the session policy file")
	fs.StringVar(&bucketFile, "bucket-policy", "", "the bucket policy file (needs --principal)")
	fs.StringVar(&principal, "principal", "", "who makes the request, for the bucket policy: <uid|arn|*>")
	fs.StringVar(&trustFile, "trust-policy", "", "the role's trust policy (with --action sts:AssumeRole and --caller)")
	fs.StringVar(&caller, "caller", "", "who calls AssumeRole: acs:ram::<uid>:user/<name>, ...")
	fs.Var(&contexts, "context", "a condition key, key=value (repeatable; repeat a key for several values)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Usage: stsdeck explain --action A --resource ARN --identity-policy FILE ... [--session-policy FILE]")
		fmt.Fprintln(env.Stderr, "         [--bucket-policy FILE --principal P] [--trust-policy FILE --caller P] [--context k=v ...] [--json]")
		fmt.Fprintln(env.Stderr, "Exit status: 0 allowed, 1 denied, 2 bad input.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(env.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return polBadInput(env, "explain", polWantsJSON(env.Args), err, nil)
	}
	bad := func(err error, l *polLoader) int {
		var f []polFinding
		if l != nil {
			f = l.findings
		}
		return polBadInput(env, "explain", asJSON, err, f)
	}
	if fs.NArg() > 0 {
		return bad(fmt.Errorf("unexpected argument %q (policies are given with --identity-policy, --session-policy, ...)", fs.Arg(0)), nil)
	}
	switch {
	case action == "":
		return bad(errors.New("--action is required, e.g. --action oss:PutObject"), nil)
	case resource == "":
		return bad(errors.New("--resource is required, e.g. --resource acs:oss:cn-hangzhou:1234567890123456:examplebucket/a.txt"), nil)
	case !strings.Contains(action, ":"):
		return bad(fmt.Errorf("--action %q: want <service>:<action>, e.g. oss:PutObject", action), nil)
	case !polLooksLikeARN(resource):
		return bad(fmt.Errorf("--resource %q: want an ARN acs:<service>:<region>:<account>:<relative-id>, e.g. acs:oss:cn-hangzhou:1234567890123456:examplebucket/a.txt", resource), nil)
	case bucketFile != "" && principal == "":
		return bad(errors.New("--bucket-policy needs --principal (who makes the request: an account uid, an ARN, or * for anonymous)"), nil)
	case principal != "" && bucketFile == "":
		return bad(errors.New("--principal applies only with --bucket-policy"), nil)
	case (trustFile != "" || caller != "") && !strings.EqualFold(action, "sts:AssumeRole"):
		return bad(errors.New("--trust-policy and --caller apply only with --action sts:AssumeRole"), nil)
	case trustFile != "" && caller == "":
		return bad(errors.New("--trust-policy needs --caller (who calls AssumeRole)"), nil)
	case caller != "" && trustFile == "":
		return bad(errors.New("--caller needs --trust-policy"), nil)
	}
	ctxMap := map[string][]string{}
	for _, kv := range contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return bad(fmt.Errorf("--context %q: want key=value, e.g. acs:SourceIp=10.0.0.1", kv), nil)
		}
		ctxMap[k] = append(ctxMap[k], v)
	}
	l := &polLoader{env: env}
	var layers policy.Layers
	layers.Identity = []*policy.Policy{}
	for _, f := range identityFiles {
		p, err := l.load(f, policy.KindIdentity)
		if err != nil {
			return bad(err, l)
		}
		layers.Identity = append(layers.Identity, p)
	}
	if sessionFile != "" {
		p, err := l.load(sessionFile, policy.KindSession)
		if err != nil {
			return bad(err, l)
		}
		layers.Session = p
	}
	req := &policy.Request{Action: action, Resource: resource, Context: ctxMap}
	if bucketFile != "" {
		p, err := l.load(bucketFile, policy.KindBucket)
		if err != nil {
			return bad(err, l)
		}
		layers.Bucket = p
		if req.Principal, err = parsePrincipalArg(principal); err != nil {
			return bad(err, l)
		}
	}
	out := explainJSON{Layers: map[string]policy.Outcome{}, Findings: l.findings}
	if trustFile != "" {
		trust, err := l.load(trustFile, policy.KindTrust)
		if err != nil {
			return bad(err, l)
		}
		who, err := parsePrincipalArg(caller)
		if err != nil {
			return bad(err, l)
		}
		if layers.Session != nil || layers.Bucket != nil {
			return bad(errors.New("an AssumeRole evaluation takes --identity-policy and --trust-policy only"), l)
		}
		ar := policy.EvaluateAssumeRole(who, resource, layers.Identity, trust, ctxMap)
		out.Findings = l.findings
		out.Layers["identity"] = polOutcome(ar.Identity.Identity, ar.Reason == "root-refused")
		out.Layers["trust"] = polOutcome(ar.Trust.Trust, ar.Reason == "root-refused")
		out.Statements = append(append([]policy.Match{}, ar.Identity.Statements...), ar.Trust.Statements...)
		out.Indeterminate = polUnion(ar.Identity.Indeterminate, ar.Trust.Indeterminate)
		out.Reason = ar.Reason
		switch {
		case ar.Allowed:
			out.Decision, out.DecidedBy = policy.DecisionAllow, policy.LayerTrust
		case ar.Reason == "root-refused":
			out.Decision, out.DecidedBy = policy.DecisionImplicitDeny, policy.LayerIdentity
		case ar.Identity.Decision == policy.DecisionExplicitDeny:
			out.Decision, out.DecidedBy = policy.DecisionExplicitDeny, policy.LayerIdentity
		case ar.Trust.Decision == policy.DecisionExplicitDeny:
			out.Decision, out.DecidedBy = policy.DecisionExplicitDeny, policy.LayerTrust
		case ar.Reason == "identity":
			out.Decision, out.DecidedBy = policy.DecisionImplicitDeny, policy.LayerIdentity
		default:
			out.Decision, out.DecidedBy = policy.DecisionImplicitDeny, policy.LayerTrust
		}
	} else {
		if len(identityFiles) == 0 && layers.Bucket == nil {
			return bad(errors.New("no policies: give --identity-policy (and/or --session-policy, --bucket-policy)"), nil)
		}
		if len(identityFiles) == 0 {
			layers.Identity = nil // identity layer not given (e.g. anonymous access through a bucket policy)
		}
		r := policy.Evaluate(req, layers)
		out.Decision, out.DecidedBy = r.Decision, r.DecidedBy
		out.Statements, out.Indeterminate = r.Statements, r.Indeterminate
		if layers.Session != nil {
			out.Layers["session"] = r.Session
		}
		if layers.Identity != nil {
			out.Layers["identity"] = r.Identity
		}
		if layers.Bucket != nil {
			out.Layers["bucket"] = r.Bucket
		}
	}
	if out.Findings == nil {
		out.Findings = []polFinding{}
	}
	if asJSON {
		polWriteJSON(env.Stdout, out)
	} else {
		printExplainText(env.Stdout, &out)
	}
	if out.Decision == policy.DecisionAllow {
		return ExitOK
	}
	return ExitDenied
}

// polLooksLikeARN accepts acs:<service>:<region>:<account>:<relative-id> (region and account
// may be empty or "*").
func polLooksLikeARN(s string) bool {
	parts := strings.SplitN(s, ":", 5)
	return len(parts) == 5 && parts[0] == "acs" && parts[1] != "" && parts[4] != ""
}

func polOutcome(o policy.Outcome, refused bool) policy.Outcome {
	if refused || o == policy.OutcomeNone {
		return policy.OutcomeNoMatch
	}
	return o
}

func polUnion(a, b []string) []string {
	out := append([]string{}, a...)
	for _, k := range b {
		found := false
		for _, x := range out {
			if x == k {
				found = true
			}
		}
		if !found {
			out = append(out, k)
		}
	}
	return out
}

// polWantsJSON spots --json in raw args when flag parsing failed.
func polWantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--json" || a == "-json" || a == "--json=true" || a == "-json=true" {
			return true
		}
	}
	return false
}

func printExplainText(w io.Writer, out *explainJSON) {
	fmt.Fprintf(w, "%s (decided by %s)\n", out.Decision, out.DecidedBy)
	if out.Reason == "root-refused" {
		fmt.Fprintln(w, "  the account root cannot call AssumeRole; use a RAM user or role")
	}
	fmt.Fprintln(w, "Layers:")
	for _, name := range []string{"session", "identity", "bucket", "trust"} {
		if o, ok := out.Layers[name]; ok {
			fmt.Fprintf(w, "  %-9s %s\n", name, o)
		}
	}
	if len(out.Statements) == 0 {
		fmt.Fprintln(w, "Matching statements: none")
	} else {
		fmt.Fprintln(w, "Matching statements:")
		for _, m := range out.Statements {
			fmt.Fprintf(w, "  %-9s %s Statement[%d] (line %d): %s\n", m.Layer, m.Policy, m.Index, m.Line, m.Effect)
		}
	}
	if len(out.Indeterminate) > 0 {
		keys := append([]string(nil), out.Indeterminate...)
		sort.Strings(keys)
		fmt.Fprintf(w, "Unknown: the request carries no %s; conditions on it were taken as false, so the answer may change when it does (--context key=value)\n", strings.Join(keys, ", "))
	}
	if len(out.Findings) > 0 {
		fmt.Fprintln(w, "Findings:")
		for _, f := range out.Findings {
			fmt.Fprintf(w, "  %s\n", polFindingText(f))
		}
	}
}
