package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Clean-up on the Test screen (x): the probe's and the test uploads' leftovers under the prefix
// and the probe's outside prefix, removed with the operator's own credentials
// (Services.Operator, never the exported token: it may not delete), through flow.Cleanup — the
// use case `stsdeck cleanup` runs. A LIVE connection lists first and asks; the sandbox removes
// at once. The outcome says what was removed, what failed and what was left alone.

func newCleanKey() key.Binding {
	return key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "clean up leftovers (your own credentials)"))
}

// cleanupMsg answers a clean-up run (dry: only listed, for the LIVE question).
type cleanupMsg struct {
	rep flow.CleanupReport
	dry bool
	err error
}

// cleanupTarget is where the leftovers can be: the bucket and the prefixes the probe and the
// test upload write under.
func (s *TestScreen) cleanupTarget() (bucket string, prefixes []string) {
	bucket = strings.TrimSpace(s.inputs[tfBucket].Value())
	inside := s.policy.Prefix
	if k := strings.TrimSpace(s.inputs[tfKey].Value()); k != "" {
		if i := strings.LastIndex(k, "/"); i >= 0 {
			inside = k[:i+1]
		} else {
			inside = ""
		}
	}
	prefixes = []string{inside}
	if out := model.OutsidePrefix(inside); out != inside {
		prefixes = append(prefixes, out)
	}
	return bucket, prefixes
}

// startCleanup runs x: a dry run first in LIVE mode (the answer asks), the removal otherwise.
func (s *TestScreen) startCleanup() tea.Cmd {
	tr := s.st.tr()
	if s.svc.Operator == nil || s.svc.Objects == nil {
		s.upload.say(GlyphDeny+" "+tr.S("clean-up needs your own credentials and OSS, which this connection does not offer (stsdeck cleanup from a shell does the same)"), false)
		return nil
	}
	bucket, prefixes := s.cleanupTarget()
	if bucket == "" {
		s.upload.say(GlyphDeny+" "+tr.S("clean-up needs a bucket (e edits it)"), false)
		return nil
	}
	dry := s.svc.Mode != "sandbox"
	s.upload.say(tr.S("cleaning up oss://%s under %s with your own credentials…", bucket, quoteList(tr, prefixes)), true)
	return cleanupCmd(s.svc.Operator, s.svc.Objects, bucket, prefixes, dry)
}

func cleanupCmd(op func(context.Context) (model.Credentials, error), objs ObjectService, bucket string, prefixes []string, dry bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		creds, err := op(ctx)
		if err != nil {
			return cleanupMsg{dry: dry, err: &ownCredsError{err}}
		}
		rep, err := flow.Cleanup(ctx, objs.With(creds), bucket, prefixes, dry)
		return cleanupMsg{rep: rep, dry: dry, err: err}
	}
}

// onCleanup shows the outcome, or in LIVE mode asks before removing what the listing found.
func (s *TestScreen) onCleanup(msg cleanupMsg) tea.Cmd {
	rep, tr := msg.rep, s.st.tr()
	where := tr.S("oss://%s under %s", rep.Bucket, quoteList(tr, rep.Prefixes))
	switch {
	case msg.err != nil:
		text := msg.err.Error()
		var oe *ownCredsError
		if errors.As(msg.err, &oe) {
			text = tr.S("your own credentials: %s", oe.err.Error())
		}
		s.upload.say(GlyphDeny+" "+tr.S("clean-up: %s", text), false)
	case msg.dry && len(rep.Removed) == 0, len(rep.Removed) == 0 && len(rep.Failed) == 0:
		s.upload.say(GlyphOK+" "+tr.S("nothing to clean up in %s (%d other object(s) left alone)", where, rep.Kept), true)
	case msg.dry:
		s.cleanAsk = &rep
	default:
		text := GlyphOK + " " + tr.S("removed %d leftover(s) from %s with your own credentials: %s", len(rep.Removed), where, itemList(rep.Removed))
		if len(rep.Failed) > 0 {
			text += tr.S("; ") + GlyphDeny + " " + tr.S("could not remove %d: %s", len(rep.Failed), itemList(rep.Failed))
		}
		s.upload.say(text+tr.S("; ")+tr.S("%d other object(s) left alone", rep.Kept), len(rep.Failed) == 0)
	}
	return nil
}

// answerCleanup handles the LIVE question's key: y removes, anything else cancels.
func (s *TestScreen) answerCleanup(msg tea.KeyMsg) tea.Cmd {
	rep := *s.cleanAsk
	s.cleanAsk = nil
	if !key.Matches(msg, s.keys.Proceed) {
		s.upload.say(GlyphWarn+" "+s.st.tr().S("clean-up cancelled — nothing was removed"), false)
		return nil
	}
	s.upload.say(s.st.tr().S("removing with your own credentials…"), true)
	return cleanupCmd(s.svc.Operator, s.svc.Objects, rep.Bucket, rep.Prefixes, false)
}

// cleanupQuestion is the LIVE question's text.
func (s *TestScreen) cleanupQuestion() string {
	rep := *s.cleanAsk
	return s.st.tr().S("remove %d leftover(s) from oss://%s with your own LIVE credentials: %s? y removes, any other key cancels",
		len(rep.Removed), rep.Bucket, itemList(rep.Removed))
}

func itemList(items []flow.CleanupItem) string {
	var out []string
	for _, it := range items {
		s := it.Key + " (" + it.Kind + ")"
		if it.Error != "" {
			s += ": " + it.Error
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func quoteList(tr *i18n.T, ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = fmt.Sprintf("%q", p)
	}
	if len(q) == 2 {
		return tr.S("%s and %s", q[0], q[1])
	}
	return strings.Join(q, ", ")
}

// ownCredsError is a failure to get the operator's own credentials for the clean-up.
type ownCredsError struct{ err error }

func (e *ownCredsError) Error() string { return "your own credentials: " + e.err.Error() } // i18n:ok (said through tr in onCleanup)
func (e *ownCredsError) Unwrap() error { return e.err }
