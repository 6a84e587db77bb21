package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
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

// readBucketPolicy asks OSS for the chosen bucket's policy with the console's own credentials
// (when the adapter can), so the preview can include the bucket layer.
func (s *PolicyScreen) readBucketPolicy() tea.Cmd {
	if s.bucketFor == s.bucket && s.bucketNote != "" && !strings.HasPrefix(s.bucketNote, "reading") {
		return nil // already known for this bucket
	}
	s.bucketReq++
	s.bucketFor, s.bucketPolicy = s.bucket, nil
	if s.svc.Objects == nil || s.svc.Current == nil {
		s.bucketNote = "not read (no OSS connection for the console's own credentials)"
		return nil
	}
	s.bucketNote = "reading…"
	return readBucketPolicy(s.svc.Objects, s.svc.Current, s.bucketReq, s.bucket)
}

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
			return bucketPolicyMsg{req: req, bucket: bucket, err: errors.New("this OSS client cannot read bucket policies")}
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
		s.bucketNote = GlyphUnknown + " not readable (" + why + ") — not in the preview"
	case !msg.found:
		s.bucketNote = "none"
	default:
		p, err := policy.Parse("bucket policy", []byte(msg.doc), policy.KindBucket)
		if err != nil {
			s.bucketNote = GlyphUnknown + " does not parse (" + err.Error() + ") — not in the preview"
			return
		}
		s.bucketPolicy = p
		s.bucketNote = fmt.Sprintf("%s read (%d statements), in the preview", GlyphOK, len(p.Statement))
	}
}

// bucketLine is what the preview knows about the bucket layer ("" = nothing to say).
func (s *PolicyScreen) bucketLine() string {
	if s.bucket == "" || s.bucketFor != s.bucket || s.bucketNote == "" {
		return ""
	}
	return "bucket policy: " + s.bucketNote
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
