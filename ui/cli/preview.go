package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
)

// preview: the effective-permission grid of the console's Policy screen, without issuing — what a
// token for the role with the session policy would be allowed to do, per test operation, inside
// the prefix and outside it, decided by the local engine (flow.ComputePreview) with the role's
// policies (RAM) and the bucket's policy (when the operator's credentials may read it). Exit 0,
// or 2 when the session policy has errors (STS would refuse it; the grid says unknown).
//
//	stsdeck preview --bucket B --prefix P [--role NAME|ARN] [--policy FILE|- | --template T]
//	                [--outside P2] [--source-ip IP] [--https yes|no] [--time T|now] [--json]
func runPreview(ctx context.Context, env *Env) int {
	c := newCmd(env, "preview", "--bucket B --prefix P [--role NAME|ARN] [--policy FILE|- | --template T] [--source-ip IP] [--https yes|no] [--time T] [--json]")
	var t tokenFlags
	c.StringVar(&t.role, "role", "", "role `NAME|ARN` whose policies the token would carry (none: the role layer is unknown)")
	c.StringVar(&t.policyFile, "policy", "", "session policy `FILE` (- = stdin)")
	c.StringVar(&t.template, "template", "", "session policy template `NAME[,overlay]` ("+strings.Join(policy.TemplateNames, ", ")+") for --bucket and --prefix")
	c.StringVar(&t.bucket, "bucket", "", "`BUCKET` the grid is about")
	c.StringVar(&t.prefix, "prefix", "", "key `PREFIX` the token is meant for (the grid's inside column)")
	sourceIP := c.String("source-ip", "", "assume requests come from `IP` (acs:SourceIp; default unknown)")
	https := c.String("https", "", "assume requests use https: `yes|no` (acs:SecureTransport; default unknown)")
	at := c.String("time", "", "assume requests at `T` (RFC 3339, or now; acs:CurrentTime; default unknown)")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	if t.bucket == "" || t.prefix == "" {
		return c.bad("--bucket and --prefix are required (the grid is the prefix and outside it)")
	}
	pctx, err := flow.ParsePreviewContext(*sourceIP, *https, *at, env.Now())
	if err != nil {
		return c.bad("%v", err)
	}
	doc, err := c.sessionPolicy(&t)
	if err != nil {
		return c.bad("%v", err)
	}
	in := flow.PreviewInput{Bucket: t.bucket, Prefix: t.prefix, Context: pctx}
	var findings []policy.Finding
	if doc != "" {
		in.Session, findings = policy.Validate("session policy", []byte(doc), policy.KindSession)
		in.SessionBroken = in.Session == nil
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	in.Region, in.AccountID = svc.Region, svc.AccountID
	in.Identity = flow.CompileIdentity(nil)
	if t.role != "" {
		arn, code := c.resolveRole(ctx, svc, t.role)
		if code >= 0 {
			return code
		}
		acct, name, _ := issuereq.ParseRoleARN(arn)
		in.RoleName, in.AccountID = name, acct
		if svc.Roles == nil {
			in.Identity.Unknown = "no role service: the role's policies are unknown"
		} else if r, err := svc.Roles.GetRole(ctx, arn); r.Name == "" && err != nil {
			in.Identity.Unknown = "the role could not be read (" + errWord(err) + ")"
		} else {
			in.RoleName = r.Name
			in.Identity = flow.CompileIdentity(&r)
		}
	}
	bucketNote := ""
	in.BucketPolicy, bucketNote = readBucketPolicyFor(ctx, svc, t.bucket)
	pv := flow.ComputePreview(in)
	if *asJSON {
		writeJSON(env.Stdout, previewJSON(pv, in, doc, findings, bucketNote))
	} else {
		printPreview(env.Stdout, pv, in, doc, bucketNote)
		for _, f := range findings {
			fmt.Fprintf(env.Stderr, "stsdeck preview: session policy line %d, col %d: %s: %s\n", f.Line, f.Col, f.Severity, f.Message)
		}
	}
	if in.SessionBroken {
		if *asJSON {
			fmt.Fprintln(env.Stderr, "stsdeck preview: the session policy has errors (STS would refuse it): every cell is unknown")
		}
		return ExitBadInput
	}
	return ExitOK
}

// readBucketPolicyFor reads the bucket's policy with the operator's own credentials, as the
// console's Policy screen does; the note says what became of it.
func readBucketPolicyFor(ctx context.Context, svc *service.Services, bucket string) (*policy.Policy, string) {
	if svc.Objects == nil || svc.Current == nil {
		return nil, "not read (no OSS connection for the operator's credentials)"
	}
	cr, err := svc.Current(ctx)
	if err != nil {
		return nil, "not read (" + errWord(err) + ")"
	}
	rd, ok := svc.Objects.With(cr).(flow.BucketPolicyReader)
	if !ok {
		return nil, "not read (this OSS client cannot read bucket policies)"
	}
	doc, found, err := rd.BucketPolicy(ctx, bucket)
	switch {
	case err != nil:
		return nil, "not readable (" + errWord(err) + ") — not in the preview"
	case !found:
		return nil, "none"
	}
	p, err := policy.Parse("bucket policy", []byte(doc), policy.KindBucket)
	if err != nil {
		return nil, "does not parse (" + err.Error() + ") — not in the preview"
	}
	return p, fmt.Sprintf("read (%d statements), in the preview", len(p.Statement))
}

// errWord is an API error's code, else the error's text.
func errWord(err error) string {
	var ae *model.APIError
	if errors.As(err, &ae) && ae.Code != "" {
		return ae.Code
	}
	return err.Error()
}

// verdictText is a cell's verdict with a glyph (state shown without colour) and the layer.
func verdictText(c flow.PreviewCell) string {
	switch c.Verdict {
	case flow.VerdictAllow:
		return "✓ Allow (" + c.Layer + ")"
	case flow.VerdictDeny:
		return "✗ Deny (" + c.Layer + ")"
	}
	return "? unknown"
}

func printPreview(w io.Writer, pv flow.Preview, in flow.PreviewInput, doc, bucketNote string) {
	role := in.RoleName
	if role == "" {
		role = "(none)"
	}
	pol := "none (the role's full permissions)"
	if doc != "" {
		pol = fmt.Sprintf("%d %s", policy.Size(policy.KindSession, []byte(doc)), policy.SizeUnit(policy.KindSession))
		if in.SessionBroken {
			pol += ", has errors (STS would refuse it)"
		}
	}
	fmt.Fprintf(w, "preview oss://%s  role %s  session policy %s\n", in.Bucket, role, pol)
	fmt.Fprintf(w, "bucket policy: %s\n", bucketNote)
	if in.Identity.Unknown != "" && in.RoleName != "" {
		fmt.Fprintf(w, "role policies: %s\n", in.Identity.Unknown)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "OP\tACTION\tINSIDE %s\tOUTSIDE %s\n", pv.Inside, pv.Outside)
	for _, row := range pv.Cells {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row[0].Op, row[0].Action, verdictText(row[0]), verdictText(row[1]))
	}
	tw.Flush()
	fmt.Fprintln(w, "why:")
	for _, row := range pv.Cells {
		for _, cell := range row {
			fmt.Fprintf(w, "  %-6s %-7s %s\n", cell.Op, cell.Scope, cell.Reason)
		}
	}
	fmt.Fprintln(w, "(local engine, nothing issued; `stsdeck probe` asks OSS)")
}

func previewJSON(pv flow.Preview, in flow.PreviewInput, doc string, findings []policy.Finding, bucketNote string) map[string]any {
	cells := []map[string]any{}
	for _, row := range pv.Cells {
		for _, c := range row {
			cells = append(cells, map[string]any{"op": c.Op, "scope": c.Scope, "action": c.Action, "resource": c.Resource,
				"verdict": c.Verdict, "layer": c.Layer, "reason": c.Reason})
		}
	}
	if findings == nil {
		findings = []policy.Finding{}
	}
	m := map[string]any{
		"role": in.RoleName, "bucket": in.Bucket, "inside": pv.Inside, "outside": pv.Outside,
		"session_policy": doc != "", "session_policy_valid": !in.SessionBroken, "findings": findings,
		"role_policies_unknown": in.Identity.Unknown, "bucket_policy": bucketNote, "cells": cells,
	}
	return m
}
