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
		policyUsage(env.Stderr)
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
	fmt.Fprintf(env.Stderr, "stsdeck policy: unknown subcommand %q (want from-journal or replay)\n", sub)
	policyUsage(env.Stderr)
	return ExitBadInput
}

func policyUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: stsdeck policy from-journal FILE [--session S] [--bucket B] [--json]")
	fmt.Fprintln(w, "       stsdeck policy replay FILE --session-policy P [--session S] [--bucket B] [--json]")
	fmt.Fprintln(w, "FILE is a decision journal (stsdeck sandbox --journal FILE; the console's sandbox keeps")
	fmt.Fprintln(w, "<state>/sandbox/journal.jsonl); its rotated predecessors FILE.1, FILE.2, ... are read too.")
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
		fmt.Fprintf(j.env.Stderr, "stsdeck %s: warning: %s\n", j.name, w)
	}
	j.records = recs
	return -1
}

func (j *journalFlags) bad(format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintf(j.env.Stderr, "stsdeck %s: %s\n", j.name, msg)
	if j.asJSON {
		writeJSON(j.env.Stdout, map[string]any{"error": map[string]string{"message": msg}})
	}
	return ExitBadInput
}

func runPolicyFromJournal(_ context.Context, env *Env) int {
	j := newJournalFlags(env, "policy from-journal")
	j.fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Usage: stsdeck policy from-journal FILE [--session S] [--bucket B] [--json]")
		fmt.Fprintln(env.Stderr, "Prints the least-privilege session policy of one recorded session (for issue --policy).")
		fmt.Fprintln(env.Stderr, "Exit status: 0 a policy that lints clean and fits, 1 it cannot fit, 2 bad input.")
		j.fs.PrintDefaults()
	}
	if code := j.parse(); code >= 0 {
		return code
	}
	g, err := flow.FromJournal(j.records, j.filter)
	if g == nil {
		return j.bad("%v", err)
	}
	if j.asJSON {
		writeJSON(env.Stdout, g)
	} else {
		fmt.Fprintln(env.Stdout, g.Document)
		for _, l := range g.Describe() {
			fmt.Fprintf(env.Stderr, "stsdeck policy from-journal: %s\n", l)
		}
		for _, f := range g.Findings {
			fmt.Fprintf(env.Stderr, "stsdeck policy from-journal: lint: %s\n", polFindingText(polFinding{File: "generated", Finding: f}))
		}
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck policy from-journal: %v\n", err)
		return ExitDenied
	}
	if policy.HasErrors(g.Findings) {
		fmt.Fprintln(env.Stderr, "stsdeck policy from-journal: the generated policy does not lint clean")
		return ExitDenied
	}
	return ExitOK
}

func runPolicyReplay(_ context.Context, env *Env) int {
	j := newJournalFlags(env, "policy replay")
	var polFile string
	j.fs.StringVar(&polFile, "session-policy", "", "the candidate session policy `FILE` (- = stdin)")
	j.fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Usage: stsdeck policy replay FILE --session-policy P [--session S] [--bucket B] [--json]")
		fmt.Fprintln(env.Stderr, "Re-evaluates each journaled request of the session under P (the session layer) and reports")
		fmt.Fprintln(env.Stderr, "those it would now deny, and what P allows that the journal never saw (over-breadth).")
		fmt.Fprintln(env.Stderr, "Exit status: 0 none would be denied, 1 some would, 2 bad input.")
		j.fs.PrintDefaults()
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
				return j.bad("%s", polFindingText(polFinding{File: polFile, Finding: f}))
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
		printReplay(env.Stdout, rep)
	}
	if len(rep.Denied) > 0 {
		return ExitDenied
	}
	return ExitOK
}

func printReplay(w io.Writer, rep *flow.ReplayReport) {
	fmt.Fprintf(w, "session %s: %d journaled requests replayed; %d would now be denied\n", rep.Session, rep.Requests, len(rep.Denied))
	for _, d := range rep.Denied {
		why := "no statement allows it"
		if d.Now == string(policy.OutcomeDeny) {
			why = "a Deny statement matches"
		}
		if len(d.Indeterminate) > 0 {
			why += "; the request did not carry " + strings.Join(d.Indeterminate, ", ")
		}
		fmt.Fprintf(w, "  DENIED  #%d %s %s on %s (%s)\n", d.Seq, d.Operation, d.Action, d.Resource, why)
	}
	for _, a := range rep.NowAllowed {
		fmt.Fprintf(w, "  now allowed  #%d %s on %s (the recording's session policy denied it)\n", a.Seq, a.Action, a.Resource)
	}
	if len(rep.OverBreadth) == 0 {
		fmt.Fprintln(w, "over-breadth: none (every pattern allows only what the journal saw)")
		return
	}
	fmt.Fprintln(w, "over-breadth (allowed, never seen in the journal):")
	for _, b := range rep.OverBreadth {
		fmt.Fprintf(w, "  Statement[%d] %s (covers %d journaled requests)\n", b.Statement, b.Resource, b.Seen)
		if b.Unseen != "" {
			fmt.Fprintf(w, "    by wildcard: also allows e.g. %s\n", b.Unseen)
		}
		if len(b.Actions) > 0 {
			acts := b.Actions
			more := ""
			if len(acts) > 8 {
				more = fmt.Sprintf(" … and %d more", len(acts)-8)
				acts = acts[:8]
			}
			fmt.Fprintf(w, "    actions never used there: %s%s\n", strings.Join(acts, ", "), more)
		}
	}
}
