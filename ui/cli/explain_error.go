package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// explain --error: an error someone pasted (OSS XML, STS/RAM JSON, an SDK's or ossutil's
// text, an EC, an EncodedDiagnosticMessage) explained: decoded through RAM when connected,
// the token found in the audit log, the request re-evaluated, the smallest fix proposed.
//
//	stsdeck explain --error FILE|- [--sandbox | --profile NAME ...] [--offline] [--json]
//
// Exit 1 = an error was explained, 2 = the input is not an error (or a bad flag).

// explainMode tells which form of explain the arguments ask for: "error", "tool" or "" (one
// request against policy files).
func explainMode(args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") {
			continue
		}
		switch name {
		case "error":
			return "error"
		case "tool":
			return "tool"
		}
	}
	return ""
}

func runExplainError(ctx context.Context, env *Env) int {
	c := newCmd(env, "explain", "--error FILE|- [--sandbox | --profile NAME | --sts-endpoint URL ...] [--offline] [--json]")
	file := c.String("error", "", "the error to explain: a `FILE` holding an OSS error XML, an STS/RAM JSON error, an SDK's or ossutil's error text, an EC or an EncodedDiagnosticMessage; - = stdin")
	offline := c.Bool("offline", false, "do not connect (no decoding; the local audit log is still read)")
	asJSON := c.Bool("json", false, "print one JSON object")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q (the error is given with --error FILE or --error -)", pos[0])
	}
	if *file == "" {
		return c.bad("--error needs a file, or - for standard input")
	}
	data, err := readErrorInput(env, *file)
	if err != nil {
		return explainErrorBad(env, *asJSON, err)
	}
	rep, err := flow.DetectError(data)
	if err != nil {
		return explainErrorBad(env, *asJSON, err)
	}
	ports := flow.DiagnosePorts{}
	var notes []string
	if !*offline && env.Deps.Connect != nil {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		svc, closer, err := env.Deps.Connect(cctx, c.g, env)
		cancel()
		if err != nil {
			notes = append(notes, "offline: "+firstLine(err.Error())) // i18n:ok (flow's note vocabulary; translated when printed)
		} else {
			defer closer()
			ports = flow.DiagnosePorts{Audit: svc.Audit, Roles: svc.Roles, AccountID: svc.AccountID, Region: svc.Region}
			if svc.Diagnostics != nil {
				ports.Decoder = svc.Diagnostics
			}
		}
	}
	if ports.Audit == nil {
		if dir, err := StateDir(env.Getenv); err == nil {
			ports.Audit = auditlog.Open(dir)
		}
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d := flow.Diagnose(dctx, rep, ports)
	d.Notes = append(notes, d.Notes...)
	if *asJSON {
		polWriteJSON(env.Stdout, d)
	} else {
		printDiagnosis(env.Stdout, &d, env.tr())
	}
	return ExitDenied
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// readErrorInput reads at most flow.MaxErrorInput+1 bytes (the detector refuses more).
func readErrorInput(env *Env, file string) ([]byte, error) {
	var r io.Reader
	if file == "-" {
		r = env.Stdin
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, msg.Errf("--error %s: cannot read: %s", file, polErrText(err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, msg.Errf("--error %s: is a directory, want a file holding the error", file)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, flow.MaxErrorInput+1))
	if err != nil {
		return nil, msg.Errf("--error %s: cannot read: %s", file, polErrText(err))
	}
	return data, nil
}

// explainErrorBad reports input that is not an error (exit 2).
func explainErrorBad(env *Env, asJSON bool, err error) int {
	fmt.Fprintf(env.Stderr, "stsdeck explain: %s\n", errText(env.tr(), err)) // i18n:ok
	if asJSON {
		kind := "bad-input"
		var ne *flow.NotAnError
		if errors.As(err, &ne) {
			kind = "not-an-error"
		}
		polWriteJSON(env.Stdout, map[string]any{"error": map[string]string{"kind": kind, "message": err.Error()}})
	}
	return ExitBadInput
}

func printDiagnosis(w io.Writer, d *flow.Diagnosis, tr *i18n.T) {
	head := d.Code
	if d.EC != "" {
		head += " (EC " + d.EC + ")" // i18n:ok
	}
	if d.RequestID != "" {
		tr.Ln(w, "%s — read as %s, RequestId %s", head, d.Input, d.RequestID)
	} else {
		tr.Ln(w, "%s — read as %s", head, d.Input)
	}
	if d.Meaning != "" {
		tr.F(w, "  means:     %s\n", tr.Domain(d.Meaning))
	}
	if d.Action != "" {
		tr.F(w, "  request:   %s on %s\n", d.Action, dash(d.Resource))
	}
	if d.Principal != "" {
		tr.F(w, "  principal: %s\n", d.Principal)
	}
	tr.F(w, "  layer:     %s\n", d.Layer)
	if s := d.Statement; s != nil {
		tr.F(w, "  statement: %s Statement[%d] (line %d): %s\n", s.Policy, s.Index, s.Line, s.Effect)
	}
	switch {
	case d.Decoded:
		tr.Ln(w, "  decoded:   yes (RAM DecodeDiagnosticMessage)")
	case d.DecodeError != "":
		tr.F(w, "  decoded:   no — %s\n", tr.Domain(d.DecodeError))
	}
	if a := d.Audit; a != nil {
		tr.F(w, "  token:     %s, session %s, issued %s (audit log)\n", a.AccessKeyID, a.SessionName, a.IssuedAt.UTC().Format(time.RFC3339))
	}
	if f := d.Fix; f != nil {
		if f.Change == "remove" {
			tr.F(w, "  fix:       remove %s Statement[%d] (line %d) from the %s policy\n", f.Remove.Policy, f.Remove.Index, f.Remove.Line, f.Layer)
		} else {
			tr.F(w, "  fix:       add to the %s policy: %s\n", f.Layer, compactStatement(f.Statement))
		}
		if f.Policy != "" {
			tr.F(w, "  re-issue with: %s\n", f.Policy)
		}
		if f.Verified {
			tr.Ln(w, "             (the engine allows the request with the fix)")
		}
	} else if d.Remedy != "" {
		tr.F(w, "  do:        %s\n", tr.Domain(d.Remedy))
	}
	for _, n := range d.Notes {
		if rest, ok := strings.CutPrefix(n, "offline: "); ok {
			tr.F(w, "  note:      offline: %s\n", tr.Domain(rest))
			continue
		}
		tr.F(w, "  note:      %s\n", tr.Domain(n))
	}
}

func compactStatement(st *flow.FixStatement) string {
	var b strings.Builder
	polWriteCompact(&b, st)
	return strings.TrimSpace(b.String())
}

func polWriteCompact(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
