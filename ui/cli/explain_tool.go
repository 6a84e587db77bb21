package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
)

// explain --tool: would a token with this session policy work in a partner's tool? Each call
// the tool makes (model/flow.Tools) is evaluated with the role's policies (read through the
// connection, or --identity-policy files) and the session policy; the first failing call is
// named with the smallest addition that makes it pass while other prefixes stay denied.
//
//	stsdeck explain --tool NAME --session-policy s.json [--role R | --identity-policy FILE ...] --bucket B --prefix P [--json]
//
// Exit 0 = the tool works, 1 = a required call is denied, 2 = bad input.
func runExplainTool(ctx context.Context, env *Env) int {
	c := newCmd(env, "explain", "--tool NAME --session-policy FILE [--role R | --identity-policy FILE ...] --bucket B --prefix P [--json]")
	tool := c.String("tool", "", "the tool: "+strings.Join(flow.ToolNames(), ", ")) // i18n:ok (its catalog ID has the names filled in; TestFlagUsageChinese)
	sessFile := c.String("session-policy", "", "the session policy `FILE` the token will carry (- = stdin; default: none)")
	role := c.String("role", "", "the role `NAME|ARN` (its policies are read through the connection)")
	var idFiles multiFlag
	c.Var(&idFiles, "identity-policy", "the role's policy `FILE` instead of --role (repeatable)")
	bucket := c.String("bucket", "", "the `BUCKET`")
	prefix := c.String("prefix", "", "the key `PREFIX` the token is for, e.g. src/")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	t, ok := flow.LookupTool(*tool)
	if !ok {
		return c.bad("--tool %q: want one of %s", *tool, strings.Join(flow.ToolNames(), ", "))
	}
	if *bucket == "" {
		return c.bad("--bucket is required")
	}
	if *role != "" && len(idFiles) > 0 {
		return c.bad("give --role or --identity-policy, not both")
	}
	in := flow.ToolInput{Tool: t, Bucket: *bucket, Prefix: *prefix}
	l := &polLoader{env: env}
	if *sessFile != "" {
		data, err := l.read(*sessFile)
		if err != nil {
			return polBadInput(env, "explain", *asJSON, err, nil)
		}
		p, fs := policy.Validate(*sessFile, data, policy.KindSession)
		if p == nil {
			for _, f := range fs {
				if f.Severity == policy.SeverityError {
					return polBadInput(env, "explain", *asJSON, &polInputError{File: *sessFile, Line: f.Line, Col: f.Col, Path: f.Path, Message: f.Message}, nil)
				}
			}
		}
		in.Session, in.SessionDoc = p, string(data)
	}
	for _, f := range idFiles {
		p, err := l.load(f, policy.KindIdentity)
		if err != nil {
			return polBadInput(env, "explain", *asJSON, err, nil)
		}
		in.Identity = append(in.Identity, p)
	}
	if *role != "" {
		svc, closer, code := c.connect(ctx)
		if code >= 0 {
			return code
		}
		defer closer()
		in.AccountID, in.Region = svc.AccountID, svc.Region
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		r, err := svc.Roles.GetRole(rctx, *role)
		cancel()
		if err != nil {
			return c.fail(err)
		}
		l := flow.CompileIdentity(&r)
		if l.Unknown != "" {
			env.tr().F(env.Stderr, "stsdeck explain: the role's policies: %s (verdicts may be Unknown)\n", env.tr().Domain(l.Unknown))
		} else {
			in.Identity = l.Policies
		}
	}
	out := flow.CheckTool(in)
	if *asJSON {
		polWriteJSON(env.Stdout, out)
	} else {
		tr := env.tr()
		fmt.Fprintf(env.Stdout, "%s: %s\n", t.Name, tr.Domain(t.Description)) // i18n:ok
		var rows [][]string
		for i, s := range out.Steps {
			op := s.Op
			if s.Optional {
				op = tr.S("%s (optional)", s.Op)
			}
			rows = append(rows, []string{fmt.Sprintf("  %d", i+1), op, s.Verdict, tr.Domain(dash(s.Reason))}) // i18n:ok
		}
		writeTable(env.Stdout, rows)
		switch {
		case out.Works:
			tr.Ln(env.Stdout, "works: every required call is allowed")
		case out.FirstFailure < 0:
			tr.Ln(env.Stdout, "unknown: the role's policies are needed to tell (--role or --identity-policy)")
		default:
			s := out.Steps[out.FirstFailure]
			tr.F(env.Stdout, "fails at call %d (%s): add to the session policy %s\n", out.FirstFailure+1, s.Op, compactStatement(s.Suggestion))
			if out.Suggested != "" {
				tr.F(env.Stdout, "suggested session policy: %s\n", out.Suggested)
			}
		}
		tr.F(env.Stdout, "sequence source: %s\n", t.Source)
	}
	if out.Works {
		return ExitOK
	}
	return ExitDenied
}
