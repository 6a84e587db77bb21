package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// lint: validate one policy document.
//
//	stsdeck lint [--kind session|identity|bucket|trust] policy.json [--json]
//
// Exit 0 = accepted (possibly with warnings and suggestions), 2 = refused or bad input.

type lintJSON struct {
	File     string       `json:"file"`
	Kind     string       `json:"kind"`
	Size     int          `json:"size"` // counted as the limit counts (Unit)
	Limit    int          `json:"limit"`
	Unit     string       `json:"unit"` // "characters" (session policies: what STS counts) or "bytes"
	Valid    bool         `json:"valid"`
	Findings []polFinding `json:"findings"`
	// Error is the first error when the document is refused (exit 2).
	Error *polInputError `json:"error,omitempty"`
}

func runLint(_ context.Context, env *Env) int {
	tr := env.tr()
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	langFlag(fs)
	kindName := fs.String("kind", "identity", "policy kind: session, identity, bucket or trust")
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Usage = func() {
		tr.Ln(env.Stderr, "Usage: stsdeck lint [--kind session|identity|bucket|trust] FILE [--json]   (FILE - = stdin)")
		tr.Ln(env.Stderr, "Exit status: 0 accepted (warnings allowed), 2 refused or bad input.")
		printFlags(env.Stderr, fs, tr)
	}
	// Accept flags after the file name too: lint policy.json --json.
	var files []string
	args := env.Args
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			return polBadInput(env, "lint", polWantsJSON(env.Args), err, nil)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		return polBadInput(env, "lint", *asJSON, msg.Errf("want exactly one policy file, got %d", len(files)), nil)
	}
	var kind policy.Kind
	switch *kindName {
	case "identity", "custom":
		kind = policy.KindIdentity
	case "session":
		kind = policy.KindSession
	case "bucket":
		kind = policy.KindBucket
	case "trust":
		kind = policy.KindTrust
	default:
		return polBadInput(env, "lint", *asJSON, msg.Errf("--kind %q: want session, identity, bucket or trust", *kindName), nil)
	}
	file := files[0]
	l := &polLoader{env: env}
	data, err := l.read(file)
	if err != nil {
		return polBadInput(env, "lint", *asJSON, err, nil)
	}
	// Counted as `issue --policy` sends it.
	data = issuereq.PolicyAsSent(data)
	p, found := policy.Validate(file, data, kind)
	out := lintJSON{File: file, Kind: kind.String(), Size: policy.Size(kind, data), Limit: policy.SizeLimit(kind), Unit: policy.SizeUnit(kind), Valid: p != nil, Findings: []polFinding{}}
	for _, f := range found {
		out.Findings = append(out.Findings, polFinding{File: file, Finding: f})
		if f.Severity == policy.SeverityError && out.Error == nil {
			out.Error = &polInputError{File: file, Line: f.Line, Col: f.Col, Path: f.Path, Message: f.Message}
		}
	}
	if *asJSON {
		polWriteJSON(env.Stdout, out)
	} else {
		printLintText(env.Stdout, &out, tr)
	}
	if out.Error != nil {
		// In text mode the error is already among the findings on stdout.
		if *asJSON {
			fmt.Fprintf(env.Stderr, "stsdeck lint: %s\n", inputErrorText(tr, out.Error)) // i18n:ok
		}
		return ExitBadInput
	}
	return ExitOK
}

func printLintText(w io.Writer, out *lintJSON, tr *i18n.T) {
	counts := map[policy.Severity]int{}
	for _, f := range out.Findings {
		counts[f.Severity]++
		fmt.Fprintln(w, findingText(tr, f))
		if f.Fix != "" && len(f.Fix) <= 100 {
			tr.Ln(w, "  fix: %s", f.Fix)
		} else if f.Fix != "" {
			tr.Ln(w, "  fix: available with --json")
		}
	}
	verdict := tr.S("accepted")
	if !out.Valid {
		verdict = tr.S("refused")
	}
	tr.Ln(w, "%s: %s %s policy, %d / %d %s; %s, %s, %s", out.File, verdict, tr.S(out.Kind), out.Size, out.Limit, tr.S(out.Unit),
		tr.S("%d error(s)", counts[policy.SeverityError]), tr.S("%d warning(s)", counts[policy.SeverityWarning]), tr.S("%d suggestion(s)", counts[policy.SeveritySuggestion]))
}
