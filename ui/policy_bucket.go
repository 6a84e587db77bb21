package ui

import (
	"context"
	"errors"
	"regexp"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The Policy screen's bucket layer: the chosen bucket's policy, read with the console's own
// credentials so the preview can include it.

type bucketPolicyMsg struct {
	req    int
	bucket string
	doc    string
	found  bool
	err    error
}

// bucketNote is what the preview knows about the bucket layer, rendered in the current
// language when shown (bucketNote.text).
type bucketNote struct {
	kind string // "" nothing known yet, or one of the bucketNote* kinds
	why  string // unreadable: the error code or text; unparsable: the parse error
	n    int    // read: the number of statements
}

const (
	bucketNoteNoConn     = "no-connection"
	bucketNoteReading    = "reading"
	bucketNoteUnreadable = "unreadable"
	bucketNoteNone       = "none"
	bucketNoteUnparsable = "unparsable"
	bucketNoteRead       = "read"
)

// text is the note in words ("" = nothing to say).
func (n bucketNote) text(tr *i18n.T) string {
	switch n.kind {
	case bucketNoteNoConn:
		return tr.S("not read (no OSS connection for the console's own credentials)")
	case bucketNoteReading:
		return tr.S("reading…")
	case bucketNoteUnreadable:
		why := tr.Domain(n.why)
		if n.why == errNoBucketPolicyReader.Error() {
			why = tr.S("this OSS client cannot read bucket policies")
		}
		return GlyphUnknown + " " + tr.S("not readable (%s) — not in the preview", why)
	case bucketNoteNone:
		return tr.S("none")
	case bucketNoteUnparsable:
		return GlyphUnknown + " " + tr.S("does not parse (%s) — not in the preview", tr.Domain(n.why))
	case bucketNoteRead:
		return GlyphOK + " " + tr.S("read (%d statements), in the preview", n.n)
	}
	return ""
}

// readBucketPolicy asks OSS for the chosen bucket's policy with the console's own credentials
// (when the adapter can), so the preview can include the bucket layer.
func (s *PolicyScreen) readBucketPolicy() tea.Cmd {
	if s.bucketFor == s.bucket && s.bucketNote.kind != "" && s.bucketNote.kind != bucketNoteReading {
		return nil // already known for this bucket
	}
	s.bucketReq++
	s.bucketFor, s.bucketPolicy = s.bucket, nil
	if s.svc.Objects == nil || s.svc.Current == nil {
		s.bucketNote = bucketNote{kind: bucketNoteNoConn}
		return nil
	}
	s.bucketNote = bucketNote{kind: bucketNoteReading}
	return readBucketPolicy(s.svc.Objects, s.svc.Current, s.bucketReq, s.bucket)
}

// errNoBucketPolicyReader: the OSS adapter cannot read bucket policies.
var errNoBucketPolicyReader = errors.New("this OSS client cannot read bucket policies") // i18n:ok (bucketNote.text translates it)

func readBucketPolicy(objects ObjectService, current func(context.Context) (model.Credentials, error), req int, bucket string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		creds, err := current(ctx)
		if err != nil {
			return bucketPolicyMsg{req: req, bucket: bucket, err: err}
		}
		r, ok := objects.With(creds).(BucketPolicyReader)
		if !ok {
			return bucketPolicyMsg{req: req, bucket: bucket, err: errNoBucketPolicyReader}
		}
		doc, found, err := r.BucketPolicy(ctx, bucket)
		return bucketPolicyMsg{req: req, bucket: bucket, doc: doc, found: found, err: err}
	}
}

func (s *PolicyScreen) applyBucketPolicy(msg bucketPolicyMsg) {
	s.bucketFor, s.bucketPolicy = msg.bucket, nil
	switch {
	case msg.err != nil:
		why := msg.err.Error()
		var ae *model.APIError
		if errors.As(msg.err, &ae) {
			why = ae.Code
		}
		s.bucketNote = bucketNote{kind: bucketNoteUnreadable, why: why}
	case !msg.found:
		s.bucketNote = bucketNote{kind: bucketNoteNone}
	default:
		p, err := policy.Parse("bucket policy", []byte(msg.doc), policy.KindBucket) // i18n:ok (the policy's name in errors)
		if err != nil {
			s.bucketNote = bucketNote{kind: bucketNoteUnparsable, why: err.Error()}
			return
		}
		s.bucketPolicy = p
		s.bucketNote = bucketNote{kind: bucketNoteRead, n: len(p.Statement)}
	}
}

// bucketLine is what the preview knows about the bucket layer (kind "" = nothing to say).
func (s *PolicyScreen) bucketLine() bucketNote {
	if s.bucket == "" || s.bucketFor != s.bucket {
		return bucketNote{}
	}
	return s.bucketNote
}

var ossResourceBucket = regexp.MustCompile(`acs:oss:[^:"]*:[^:"]*:([a-z0-9][a-z0-9-]{1,61}[a-z0-9])(/|")`)

// bucketHint suggests a bucket from the role's policies (the first named, non-wildcard bucket).
func bucketHint(r model.Role) string {
	for _, p := range r.Policies {
		if m := ossResourceBucket.FindStringSubmatch(p.Document); m != nil {
			return m[1]
		}
	}
	return ""
}
