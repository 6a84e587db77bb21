package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/journal"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// policy: session policies from the sandbox's decision journal.
//
//	stsdeck policy from-journal FILE [--session S] [--bucket B] [--json]
//	stsdeck policy replay FILE --session-policy P [--session S] [--bucket B] [--json]
//
// from-journal prints the least-privilege session policy of one recorded session on stdout
// (ready for `issue --policy FILE`), and on stderr which keys led to which wildcard and what
// minification merged. replay re-evaluates each journaled request under P with the engine.
// Exit: from-journal 0 = a policy that lints clean and fits, 1 = it cannot fit, 2 = bad input;
// replay 0 = no journaled request would now be denied, 1 = some would, 2 = bad input.

func runPolicy(ctx context.Context, env *Env) int {
	if len(env.Args) == 0 || env.Args[0] == "-h" || env.Args[0] == "--help" || env.Args[0] == "help" {
		policyUsage(env.Stderr, env.tr())
		if len(env.Args) == 0 {
			return ExitBadInput
		}
		return ExitOK
	}
	sub := env.Args[0]
	sub2 := *env
	sub2.Args = env.Args[1:]
	switch sub {
	case "from-journal":
		return runPolicyFromJournal(ctx, &sub2)
	case "replay":
		return runPolicyReplay(ctx, &sub2)
	}
	env.tr().F(env.Stderr, "stsdeck policy: unknown subcommand %q (want from-journal or replay)\n", sub)
	policyUsage(env.Stderr, env.tr())
	return ExitBadInput
}

func policyUsage(w io.Writer, tr *i18n.T) {
	tr.Ln(w, "Usage: stsdeck policy from-journal FILE [--session S] [--bucket B] [--json]")
	tr.Ln(w, "       stsdeck policy replay FILE --session-policy P [--session S] [--bucket B] [--json]")
	tr.Ln(w, "FILE is a decision journal (stsdeck sandbox --journal FILE; the console's sandbox keeps")
	tr.Ln(w, "<state>/sandbox/journal.jsonl); its rotated predecessors FILE.1, FILE.2, ... are read too.")
}

// journalFlags are the flags both subcommands share.
type journalFlags struct {
	fs      *flag.FlagSet
	filter  flow.RecordFilter
	asJSON  bool
	files   []string
	name    string
	env     *Env
	records []model.DecisionRecord
}

func newJournalFlags(env *Env, name string) *journalFlags {
	j := &journalFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError), name: name, env: env}
	j.fs.SetOutput(env.Stderr)
	j.fs.StringVar(&j.filter.Session, "session", "", "the role session: its name, assumed-role ARN or AccessKeyId (default: the journal's only one)")
	j.fs.StringVar(&j.filter.Bucket, "bucket", "", "keep only requests on this `BUCKET`")
	j.fs.BoolVar(&j.asJSON, "json", false, "print one JSON object")
	langFlag(j.fs)
	return j
}

// parse accepts flags before and after the file name; it returns an exit code, or -1 to go on.
func (j *journalFlags) parse() int {
	args := j.env.Args
	for {
		if err := j.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			return ExitBadInput
		}
		if j.fs.NArg() == 0 {
			break
		}
		j.files = append(j.files, j.fs.Arg(0))
		args = j.fs.Args()[1:]
	}
	if len(j.files) != 1 {
		return j.bad("want exactly one journal file, got %d", len(j.files))
	}
	recs, warns, err := journal.ReadFile(j.files[0])
	if err != nil {
		return j.bad("%v", err)
	}
	for _, w := range warns {
		j.env.tr().F(j.env.Stderr, "stsdeck %s: warning: %s\n", j.name, j.env.tr().Domain(w))
	}
	j.records = recs
	return -1
}

// bad reports bad input: in the operator's language on stderr, in English in --json (the
// format is a catalog ID; error arguments are translated as errText does).
func (j *journalFlags) bad(format string, a ...any) int {
	tr := j.env.tr()
	fmt.Fprintf(j.env.Stderr, "stsdeck %s: %s\n", j.name, tr.S(format, trArgs(tr, a)...)) // i18n:ok
	if j.asJSON {
		writeJSON(j.env.Stdout, map[string]any{"error": map[string]string{"message": fmt.Sprintf(format, a...)}}) // i18n:ok
	}
	return ExitBadInput
}

func runPolicyFromJournal(_ context.Context, env *Env) int {
	j := newJournalFlags(env, "policy from-journal") // i18n:ok
	j.fs.Usage = func() {
		tr := env.tr()
		tr.Ln(env.Stderr, "Usage: stsdeck policy from-journal FILE [--session S] [--bucket B] [--json]")
		tr.Ln(env.Stderr, "Prints the least-privilege session policy of one recorded session (for issue --policy).")
		tr.Ln(env.Stderr, "Exit status: 0 a policy that lints clean and fits, 1 it cannot fit, 2 bad input.")
		printFlags(env.Stderr, j.fs, tr)
	}
	if code := j.parse(); code >= 0 {
		return code
	}
	g, err := flow.FromJournal(j.records, j.filter)
	if g == nil {
		return j.bad("%v", err)
	}
	tr := env.tr()
	if j.asJSON {
		writeJSON(env.Stdout, g)
	} else {
		fmt.Fprintln(env.Stdout, g.Document)
		for _, l := range g.Describe() {
			fmt.Fprintf(env.Stderr, "stsdeck policy from-journal: %s\n", tr.Domain(l)) // i18n:ok
		}
		for _, f := range g.Findings {
			tr.F(env.Stderr, "stsdeck policy from-journal: lint: %s\n", findingText(tr, polFinding{File: "generated", Finding: f})) // i18n:ok (the file name stays)
		}
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck policy from-journal: %s\n", errText(tr, err)) // i18n:ok
		return ExitDenied
	}
	if policy.HasErrors(g.Findings) {
		tr.Ln(env.Stderr, "stsdeck policy from-journal: the generated policy does not lint clean")
		return ExitDenied
	}
	return ExitOK
}

func runPolicyReplay(_ context.Context, env *Env) int {
	j := newJournalFlags(env, "policy replay") // i18n:ok
	var polFile string
	j.fs.StringVar(&polFile, "session-policy", "", "the candidate session policy `FILE` (- = stdin)")
	j.fs.Usage = func() {
		tr := env.tr()
		tr.Ln(env.Stderr, "Usage: stsdeck policy replay FILE --session-policy P [--session S] [--bucket B] [--json]")
		tr.Ln(env.Stderr, "Re-evaluates each journaled request of the session under P (the session layer) and reports")
		tr.Ln(env.Stderr, "those it would now deny, and what P allows that the journal never saw (over-breadth).")
		tr.Ln(env.Stderr, "Exit status: 0 none would be denied, 1 some would, 2 bad input.")
		printFlags(env.Stderr, j.fs, tr)
	}
	if code := j.parse(); code >= 0 {
		return code
	}
	if polFile == "" {
		return j.bad("--session-policy FILE is required")
	}
	l := &polLoader{env: env}
	data, err := l.read(polFile)
	if err != nil {
		return j.bad("%v", err)
	}
	data = issuereq.PolicyAsSent(data)
	cand, found := policy.Validate(polFile, data, policy.KindSession)
	if cand == nil || policy.HasErrors(found) {
		for _, f := range found {
			if f.Severity == policy.SeverityError {
				return j.badText(polFindingText(polFinding{File: polFile, Finding: f}), findingText(j.env.tr(), polFinding{File: polFile, Finding: f}))
			}
		}
		return j.bad("%s: not a valid session policy", polFile)
	}
	rep, err := flow.Replay(j.records, j.filter, cand)
	if err != nil {
		return j.bad("%v", err)
	}
	if j.asJSON {
		writeJSON(env.Stdout, rep)
	} else {
		printReplay(env.Stdout, rep, env.tr())
	}
	if len(rep.Denied) > 0 {
		return ExitDenied
	}
	return ExitOK
}

func printReplay(w io.Writer, rep *flow.ReplayReport, tr *i18n.T) {
	tr.F(w, "session %s: %d journaled requests replayed; %d would now be denied\n", rep.Session, rep.Requests, len(rep.Denied))
	for _, d := range rep.Denied {
		why := tr.S("no statement allows it")
		if d.Now == string(policy.OutcomeDeny) {
			why = tr.S("a Deny statement matches")
		}
		if len(d.Indeterminate) > 0 {
			why = tr.S("%s; the request did not carry %s", why, strings.Join(d.Indeterminate, ", "))
		}
		tr.F(w, "  DENIED  #%d %s %s on %s (%s)\n", d.Seq, d.Operation, d.Action, d.Resource, why)
	}
	for _, a := range rep.NowAllowed {
		tr.F(w, "  now allowed  #%d %s on %s (the recording's session policy denied it)\n", a.Seq, a.Action, a.Resource)
	}
	if len(rep.OverBreadth) == 0 {
		tr.Ln(w, "over-breadth: none (every pattern allows only what the journal saw)")
		return
	}
	tr.Ln(w, "over-breadth (allowed, never seen in the journal):")
	for _, b := range rep.OverBreadth {
		tr.F(w, "  Statement[%d] %s (covers %d journaled requests)\n", b.Statement, b.Resource, b.Seen)
		if b.Unseen != "" {
			tr.F(w, "    by wildcard: also allows e.g. %s\n", b.Unseen)
		}
		if len(b.Actions) > 0 {
			acts := b.Actions
			if len(acts) > 8 {
				tr.F(w, "    actions never used there: %s … and %d more\n", strings.Join(acts[:8], ", "), len(acts)-8)
				continue
			}
			tr.F(w, "    actions never used there: %s\n", strings.Join(acts, ", "))
		}
	}
}

// badText is bad for a message already composed in both languages (a lint finding).
func (j *journalFlags) badText(en, shown string) int {
	fmt.Fprintf(j.env.Stderr, "stsdeck %s: %s\n", j.name, shown) // i18n:ok
	if j.asJSON {
		writeJSON(j.env.Stdout, map[string]any{"error": map[string]string{"message": en}}) // i18n:ok
	}
	return ExitBadInput
}
