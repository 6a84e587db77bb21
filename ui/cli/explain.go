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

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
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
	// msg is Message as a translatable error (msg.Errf) when stsdeck wrote it; Message, in
	// English, is what --json carries.
	msg error
}

// polMsgError is a polInputError of stsdeck's own words (err from msg.Errf).
func polMsgError(file string, err error) *polInputError {
	return &polInputError{File: file, Message: err.Error(), msg: err}
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
			return nil, polMsgError(file, msg.Errf("standard input can be read only once; give the other policies as files"))
		}
		l.stdinUsed = true
		r = l.env.Stdin
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, polMsgError(file, msg.Errf("cannot read the policy: %s", polErrText(err)))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, polMsgError(file, msg.Errf("is a directory, want a policy JSON file"))
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, policy.MaxDocumentBytes+1))
	if err != nil {
		return nil, polMsgError(file, msg.Errf("cannot read the policy: %s", polErrText(err)))
	}
	if len(data) > policy.MaxDocumentBytes {
		return nil, polMsgError(file, msg.Errf("larger than %d bytes; not a policy document", policy.MaxDocumentBytes))
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
		return nil, polMsgError(file, msg.Errf("invalid %s policy", kind.String()))
	}
	return p, nil
}

// polBadInput reports err (exit 2): words on stderr, {"error": ...} on stdout with --json.
func polBadInput(env *Env, cmd string, asJSON bool, err error, findings []polFinding) int {
	tr := env.tr()
	var ie *polInputError
	if !errors.As(err, &ie) {
		ie = &polInputError{Message: err.Error(), msg: err}
	}
	shown := *ie
	if shown.msg != nil {
		shown.Message = errText(tr, shown.msg)
	}
	fmt.Fprintf(env.Stderr, "stsdeck %s: %s\n", cmd, inputErrorText(tr, &shown)) // i18n:ok
	for _, f := range findings {
		if f.Severity == policy.SeverityError && !(f.File == ie.File && f.Line == ie.Line && f.Col == ie.Col && f.Message == ie.Message) {
			tr.F(env.Stderr, "  also: %s\n", findingText(tr, f))
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
	bad := func(why error) (policy.Principal, error) {
		return policy.Principal{}, msg.Errf("principal %q: %v; want an account uid, acs:ram::<uid>:user/<name>, acs:ram::<uid>:role/<name>, arn:sts::<uid>:assumed-role/<role>/<session>, a service such as ecs.aliyuncs.com, or \"*\"", v, why)
	}
	switch {
	case v == "*" || v == "anonymous":
		return policy.Principal{Type: "anonymous"}, nil
	case polDigits(v):
		return policy.Principal{AccountID: v, ID: v, Type: "root"}, nil
	case strings.HasPrefix(v, "acs:ram::"):
		acct, rel, ok := strings.Cut(v[len("acs:ram::"):], ":")
		if !ok || !polDigits(acct) {
			return bad(msg.Errf("want an account uid after acs:ram::"))
		}
		switch {
		case rel == "root":
			return policy.Principal{AccountID: acct, ID: acct, Type: "root"}, nil
		case strings.HasPrefix(rel, "user/") && len(rel) > 5:
			return policy.Principal{AccountID: acct, Type: "user", Name: rel[5:]}, nil
		case strings.HasPrefix(rel, "role/") && len(rel) > 5:
			return policy.Principal{AccountID: acct, Type: "role", Name: rel[5:]}, nil
		}
		return bad(msg.Errf("want root, user/<name> or role/<name> after the account"))
	case strings.HasPrefix(v, "arn:sts::"):
		acct, rel, ok := strings.Cut(v[len("arn:sts::"):], ":")
		if !ok || !polDigits(acct) || !strings.HasPrefix(rel, "assumed-role/") {
			return bad(msg.Errf("want arn:sts::<uid>:assumed-role/<role>/<session>"))
		}
		role, sess, ok := strings.Cut(rel[len("assumed-role/"):], "/")
		if !ok || role == "" || sess == "" {
			return bad(msg.Errf("want arn:sts::<uid>:assumed-role/<role>/<session>"))
		}
		return policy.Principal{AccountID: acct, Type: "role", Name: role, SessionName: sess}, nil
	case strings.HasSuffix(v, ".aliyuncs.com"):
		return policy.Principal{Type: "service", Service: v}, nil
	}
	return bad(msg.Errf("unrecognised form"))
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

// explainJSON is the command's output: the engine's explanation and the policies' findings.
type explainJSON struct {
	flow.Explanation
	Findings []polFinding `json:"findings"`
}

// explainArgs are the command's flags.
type explainArgs struct {
	action, resource, sessionFile, bucketFile, principal, trustFile, caller string
	identityFiles, contexts                                                 multiFlag
	asJSON                                                                  bool
}

func (a *explainArgs) flagSet(env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&a.action, "action", "", "the action, e.g. oss:PutObject")
	fs.StringVar(&a.resource, "resource", "", "the resource ARN, e.g. acs:oss:cn-hangzhou:1234567890123456:examplebucket/dst/a.txt")
	fs.Var(&a.identityFiles, "identity-policy", "an identity policy file (repeatable; - = stdin)")
	fs.StringVar(&a.sessionFile, "session-policy", "", "the session policy file")
	fs.StringVar(&a.bucketFile, "bucket-policy", "", "the bucket policy file (needs --principal)")
	fs.StringVar(&a.principal, "principal", "", "who makes the request, for the bucket policy: <uid|arn|*>")
	fs.StringVar(&a.trustFile, "trust-policy", "", "the role's trust policy (with --action sts:AssumeRole and --caller)")
	fs.StringVar(&a.caller, "caller", "", "who calls AssumeRole: acs:ram::<uid>:user/<name>, ...")
	fs.Var(&a.contexts, "context", "a condition key, key=value (repeatable; repeat a key for several values)")
	fs.BoolVar(&a.asJSON, "json", false, "print one JSON object")
	langFlag(fs)
	fs.Usage = func() {
		tr := env.tr()
		tr.Ln(env.Stderr, "Usage: stsdeck explain --action A --resource ARN --identity-policy FILE ... [--session-policy FILE]")
		fmt.Fprintln(env.Stderr, "         [--bucket-policy FILE --principal P] [--trust-policy FILE --caller P] [--context k=v ...] [--json]") // i18n:ok
		tr.Ln(env.Stderr, "Exit status: 0 allowed, 1 denied, 2 bad input.")
		printFlags(env.Stderr, fs, tr)
	}
	return fs
}

// check refuses flag combinations that cannot describe one request.
func (a *explainArgs) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return msg.Errf("unexpected argument %q (policies are given with --identity-policy, --session-policy, ...)", fs.Arg(0))
	}
	switch {
	case a.action == "":
		return msg.Errf("--action is required, e.g. --action oss:PutObject")
	case a.resource == "":
		return msg.Errf("--resource is required, e.g. --resource acs:oss:cn-hangzhou:1234567890123456:examplebucket/a.txt")
	case !strings.Contains(a.action, ":"):
		return msg.Errf("--action %q: want <service>:<action>, e.g. oss:PutObject", a.action)
	case !polLooksLikeARN(a.resource):
		return msg.Errf("--resource %q: want an ARN acs:<service>:<region>:<account>:<relative-id>, e.g. acs:oss:cn-hangzhou:1234567890123456:examplebucket/a.txt", a.resource)
	case a.bucketFile != "" && a.principal == "":
		return msg.Errf("--bucket-policy needs --principal (who makes the request: an account uid, an ARN, or * for anonymous)")
	case a.principal != "" && a.bucketFile == "":
		return msg.Errf("--principal applies only with --bucket-policy")
	case (a.trustFile != "" || a.caller != "") && !strings.EqualFold(a.action, "sts:AssumeRole"):
		return msg.Errf("--trust-policy and --caller apply only with --action sts:AssumeRole")
	case a.trustFile != "" && a.caller == "":
		return msg.Errf("--trust-policy needs --caller (who calls AssumeRole)")
	case a.caller != "" && a.trustFile == "":
		return msg.Errf("--caller needs --trust-policy")
	}
	return nil
}

// contextKeys reads the --context key=value pairs.
func (a *explainArgs) contextKeys() (map[string][]string, error) {
	ctxMap := map[string][]string{}
	for _, kv := range a.contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, msg.Errf("--context %q: want key=value, e.g. acs:SourceIp=10.0.0.1", kv)
		}
		ctxMap[k] = append(ctxMap[k], v)
	}
	return ctxMap, nil
}

// input loads the policy files into the request to evaluate; findings gather in l. noFindings
// says the error is reported without them.
func (a *explainArgs) input(l *polLoader, ctxMap map[string][]string) (in flow.ExplainInput, noFindings bool, err error) {
	in = flow.ExplainInput{Action: a.action, Resource: a.resource, Context: ctxMap, Identity: []*policy.Policy{}}
	for _, f := range a.identityFiles {
		p, err := l.load(f, policy.KindIdentity)
		if err != nil {
			return in, false, err
		}
		in.Identity = append(in.Identity, p)
	}
	if a.sessionFile != "" {
		if in.Session, err = l.load(a.sessionFile, policy.KindSession); err != nil {
			return in, false, err
		}
	}
	if a.bucketFile != "" {
		if in.Bucket, err = l.load(a.bucketFile, policy.KindBucket); err != nil {
			return in, false, err
		}
		if in.Principal, err = parsePrincipalArg(a.principal); err != nil {
			return in, false, err
		}
	}
	if a.trustFile != "" {
		if in.Trust, err = l.load(a.trustFile, policy.KindTrust); err != nil {
			return in, false, err
		}
		if in.Caller, err = parsePrincipalArg(a.caller); err != nil {
			return in, false, err
		}
		if in.Session != nil || in.Bucket != nil {
			return in, false, msg.Errf("an AssumeRole evaluation takes --identity-policy and --trust-policy only")
		}
		return in, false, nil
	}
	if len(a.identityFiles) == 0 && in.Bucket == nil {
		return in, true, msg.Errf("no policies: give --identity-policy (and/or --session-policy, --bucket-policy)")
	}
	if len(a.identityFiles) == 0 {
		in.Identity = nil // identity layer not given (e.g. anonymous access through a bucket policy)
	}
	return in, false, nil
}

func runExplain(ctx context.Context, env *Env) int {
	switch explainMode(env.Args) {
	case "error":
		return runExplainError(ctx, env)
	case "tool":
		return runExplainTool(ctx, env)
	}
	var a explainArgs
	fs := a.flagSet(env)
	if err := fs.Parse(env.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return polBadInput(env, "explain", polWantsJSON(env.Args), err, nil)
	}
	if err := a.check(fs); err != nil {
		return polBadInput(env, "explain", a.asJSON, err, nil)
	}
	ctxMap, err := a.contextKeys()
	if err != nil {
		return polBadInput(env, "explain", a.asJSON, err, nil)
	}
	l := &polLoader{env: env}
	in, noFindings, err := a.input(l, ctxMap)
	if err != nil {
		f := l.findings
		if noFindings {
			f = nil
		}
		return polBadInput(env, "explain", a.asJSON, err, f)
	}
	out := explainJSON{Explanation: flow.Explain(in), Findings: l.findings}
	if out.Findings == nil {
		out.Findings = []polFinding{}
	}
	if a.asJSON {
		polWriteJSON(env.Stdout, out)
	} else {
		printExplainText(env.Stdout, &out, env.tr())
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

// polWantsJSON spots --json in raw args when flag parsing failed.
func polWantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--json" || a == "-json" || a == "--json=true" || a == "-json=true" {
			return true
		}
	}
	return false
}

func printExplainText(w io.Writer, out *explainJSON, tr *i18n.T) {
	tr.F(w, "%s (decided by %s)\n", out.Decision, out.DecidedBy)
	if out.Reason == "root-refused" {
		tr.Ln(w, "  the account root cannot call AssumeRole; use a RAM user or role")
	}
	tr.Ln(w, "Layers:")
	for _, name := range []string{"session", "identity", "bucket", "trust"} {
		if o, ok := out.Layers[name]; ok {
			fmt.Fprintf(w, "  %-9s %s\n", name, o) // i18n:ok (layer names and outcomes, as --json has them)
		}
	}
	if len(out.Statements) == 0 {
		tr.Ln(w, "Matching statements: none")
	} else {
		tr.Ln(w, "Matching statements:")
		for _, m := range out.Statements {
			tr.F(w, "  %-9s %s Statement[%d] (line %d): %s\n", m.Layer, m.Policy, m.Index, m.Line, m.Effect)
		}
	}
	if len(out.Indeterminate) > 0 {
		keys := append([]string(nil), out.Indeterminate...)
		sort.Strings(keys)
		tr.F(w, "Unknown: the request carries no %s; conditions on it were taken as false, so the answer may change when it does (--context key=value)\n", strings.Join(keys, ", "))
	}
	if len(out.Findings) > 0 {
		tr.Ln(w, "Findings:")
		for _, f := range out.Findings {
			fmt.Fprintf(w, "  %s\n", findingText(tr, f))
		}
	}
}
