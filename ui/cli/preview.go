package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/ui/i18n"
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
	c := newCmd(env, "preview", "--bucket B --prefix P [--role NAME|ARN] [--policy FILE|- | --template T] [--source-ip IP] [--https yes|no] [--time T] [--json]") // i18n:ok
	var t tokenFlags
	c.StringVar(&t.role, "role", "", "role `NAME|ARN` whose policies the token would carry (none: the role layer is unknown)")
	c.StringVar(&t.policyFile, "policy", "", "session policy `FILE` (- = stdin)")
	c.StringVar(&t.template, "template", "", "session policy template `NAME[,overlay]` ("+strings.Join(policy.TemplateNames, ", ")+") for --bucket and --prefix") // i18n:ok (its catalog ID has the names filled in; TestFlagUsageChinese)
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
		return c.bad("%s", err)
	}
	doc, err := c.sessionPolicy(&t)
	if err != nil {
		return c.bad("%s", err)
	}
	in := flow.PreviewInput{Bucket: t.bucket, Prefix: t.prefix, Context: pctx}
	var findings []policy.Finding
	if doc != "" {
		in.Session, findings = policy.Validate("session policy", []byte(doc), policy.KindSession) // i18n:ok
		in.SessionBroken = in.Session == nil
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	in.Region, in.AccountID = svc.Region, svc.AccountID
	in.Identity = flow.CompileIdentity(nil)
	var roleUnknown error // in.Identity.Unknown as a translatable error, when stsdeck wrote it
	if t.role != "" {
		arn, code := c.resolveRole(ctx, svc, t.role)
		if code >= 0 {
			return code
		}
		acct, name, _ := issuereq.ParseRoleARN(arn)
		in.RoleName, in.AccountID = name, acct
		if svc.Roles == nil {
			roleUnknown = msg.Errf("no role service: the role's policies are unknown")
			in.Identity.Unknown = roleUnknown.Error()
		} else if r, err := svc.Roles.GetRole(ctx, arn); r.Name == "" && err != nil {
			roleUnknown = msg.Errf("the role could not be read (%s)", errWord(err))
			in.Identity.Unknown = roleUnknown.Error()
		} else {
			in.RoleName = r.Name
			in.Identity = flow.CompileIdentity(&r)
		}
	}
	var bucketNoteErr error
	in.BucketPolicy, bucketNoteErr = readBucketPolicyFor(ctx, svc, t.bucket)
	bucketNote := bucketNoteErr.Error() // English in --json
	pv := flow.ComputePreview(in)
	if *asJSON {
		writeJSON(env.Stdout, previewJSON(pv, in, doc, findings, bucketNote))
	} else {
		tr := env.tr()
		unknown := tr.Domain(in.Identity.Unknown)
		if roleUnknown != nil {
			unknown = errText(tr, roleUnknown)
		}
		printPreview(env.Stdout, tr, pv, in, doc, errText(tr, bucketNoteErr), unknown)
		for _, f := range findings {
			tr.F(env.Stderr, "stsdeck preview: session policy line %d, col %d: %s: %s\n", f.Line, f.Col, severityText(tr, string(f.Severity)), tr.Domain(f.Message))
		}
	}
	if in.SessionBroken {
		if *asJSON {
			env.tr().Ln(env.Stderr, "stsdeck preview: the session policy has errors (STS would refuse it): every cell is unknown")
		}
		return ExitBadInput
	}
	return ExitOK
}

// readBucketPolicyFor reads the bucket's policy with the operator's own credentials, as the
// console's Policy screen does; the note (a msg.Errf: English in --json, translated on screen)
// says what became of it.
func readBucketPolicyFor(ctx context.Context, svc *service.Services, bucket string) (*policy.Policy, error) {
	if svc.Objects == nil || svc.Current == nil {
		return nil, msg.Errf("not read (no OSS connection for the operator's credentials)")
	}
	cr, err := svc.Current(ctx)
	if err != nil {
		return nil, msg.Errf("not read (%s)", errWord(err))
	}
	rd, ok := svc.Objects.With(cr).(flow.BucketPolicyReader)
	if !ok {
		return nil, msg.Errf("not read (this OSS client cannot read bucket policies)")
	}
	doc, found, err := rd.BucketPolicy(ctx, bucket)
	switch {
	case err != nil:
		return nil, msg.Errf("not readable (%s) — not in the preview", errWord(err))
	case !found:
		return nil, msg.Errf("none")
	}
	p, err := policy.Parse("bucket policy", []byte(doc), policy.KindBucket) // i18n:ok
	if err != nil {
		return nil, msg.Errf("does not parse (%s) — not in the preview", err.Error())
	}
	return p, msg.Errf("read (%d statements), in the preview", len(p.Statement))
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
func verdictText(tr *i18n.T, c flow.PreviewCell) string {
	switch c.Verdict {
	case flow.VerdictAllow:
		return tr.S("✓ Allow (%s)", c.Layer)
	case flow.VerdictDeny:
		return tr.S("✗ Deny (%s)", c.Layer)
	}
	return tr.S("? unknown")
}

func printPreview(w io.Writer, tr *i18n.T, pv flow.Preview, in flow.PreviewInput, doc, bucketNote, roleUnknown string) {
	role := in.RoleName
	if role == "" {
		role = tr.S("(none)")
	}
	pol := tr.S("none (the role's full permissions)")
	if doc != "" {
		size := strconv.Itoa(policy.Size(policy.KindSession, []byte(doc)))
		unit := tr.S(policy.SizeUnit(policy.KindSession))
		pol = tr.S("%s %s", size, unit)
		if in.SessionBroken {
			pol = tr.S("%s %s, has errors (STS would refuse it)", size, unit)
		}
	}
	tr.F(w, "preview oss://%s  role %s  session policy %s\n", in.Bucket, role, pol)
	tr.F(w, "bucket policy: %s\n", bucketNote)
	if in.Identity.Unknown != "" && in.RoleName != "" {
		tr.F(w, "role policies: %s\n", roleUnknown)
	}
	rows := [][]string{{tr.S("OP"), "ACTION", tr.S("INSIDE %s", pv.Inside), tr.S("OUTSIDE %s", pv.Outside)}} // i18n:ok
	for _, row := range pv.Cells {
		rows = append(rows, []string{row[0].Op, row[0].Action, verdictText(tr, row[0]), verdictText(tr, row[1])})
	}
	writeTable(w, rows)
	tr.Ln(w, "why:")
	for _, row := range pv.Cells {
		for _, cell := range row {
			fmt.Fprintf(w, "  %-6s %s %s\n", cell.Op, padCells(tr.S(cell.Scope), 7), tr.Domain(cell.Reason)) // i18n:ok
		}
	}
	tr.Ln(w, "(local engine, nothing issued; `stsdeck probe` asks OSS)")
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
