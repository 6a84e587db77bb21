package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/postform"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The export list's PostObject entries (issue 14): a browser upload form for the current token
// — OSS PostObject with a V4-signed POST policy limiting the key prefix, the size and the
// content type (model/postform, as `stsdeck presign --post`) — as HTML or as the JSON field
// set. Before copying or saving, a small form asks the limits, with defaults inside the
// token's life.

// PostObject pseudo formats in the export menu.
const (
	postHTML = "post-form-html"
	postJSON = "post-form-json"
)

// expPost is the export stage asking the form's limits.
const expPost = 100

// Defaults of the form's limits.
const (
	postDefaultMaxSize = "100MiB"
	postDefaultExpires = time.Hour // shortened to what the token has left
)

func isPostKind(kind string) bool { return kind == postHTML || kind == postJSON }

// postLabel describes a PostObject entry (false for other kinds).
func postLabel(st Styles, kind string) (string, bool) {
	switch kind {
	case postHTML:
		return st.tr().S("browser upload form (OSS PostObject, HTML) into the policy's prefix"), true
	case postJSON:
		return st.tr().S("browser upload form as a JSON field set (action, fields, policy)"), true
	}
	return "", false
}

// postLimits is the limits form.
type postLimits struct {
	fields    [3]textinput.Model // max size, content type, expires
	focus     int
	clipboard bool // what c or f asked for, once the limits are in
	ready     bool // the limits were confirmed for the next export
	maxSize   int64
	ctype     string
	expires   time.Duration
}

func newPostLimits(st Styles) postLimits {
	var p postLimits
	// Prompts and placeholders are set in the current language by postView.
	p.fields[0] = st.Input("", "10MiB", 16)
	p.fields[1] = st.Input("", "image/", 128)
	p.fields[2] = st.Input("", "30m", 16)
	return p
}

// openPostLimits asks the limits before an export of a PostObject form; rem is the token's
// time left (the default validity never outlives it).
func (s *IssueScreen) openPostLimits(clipboard bool) tea.Cmd {
	e := &s.exp
	if s.creds == nil {
		e.err = s.st.tr().S("no token yet")
		return nil
	}
	if !s.havePol || s.policy.Bucket == "" {
		e.err = s.st.tr().S("no bucket known: set bucket and prefix on screen 2 (Policy)")
		return nil
	}
	rem := s.remaining(*s.creds)
	if rem <= 0 {
		e.err = s.st.tr().S("the token has expired: a form signed with it would be refused — re-issue first (r)")
		return nil
	}
	if e.post.fields[0].Placeholder == "" {
		e.post = newPostLimits(s.st)
	}
	p := &e.post
	p.clipboard, p.ready = clipboard, false
	if p.fields[0].Value() == "" {
		p.fields[0].SetValue(postDefaultMaxSize)
	}
	p.fields[2].SetValue(shortDur(min(postDefaultExpires, rem.Truncate(time.Minute))))
	if rem < 2*time.Minute {
		p.fields[2].SetValue(shortDur(rem.Truncate(time.Second)))
	}
	e.stage, e.err = expPost, ""
	p.focus = 0
	for i := range p.fields {
		p.fields[i].Blur()
		p.fields[i].CursorEnd()
	}
	return p.fields[0].Focus()
}

// check reads the limits; rem is the token's time left.
func (p *postLimits) check(tr *i18n.T, rem time.Duration) string {
	n, err := model.ParseBytes(p.fields[0].Value())
	if strings.TrimSpace(p.fields[0].Value()) == "" {
		n, err = postform.MaxSize, nil
	}
	if err != nil || n <= 0 || n > postform.MaxSize {
		return tr.S("max size %q: want a size from 1 byte to 5GiB", p.fields[0].Value())
	}
	ct := strings.TrimSpace(p.fields[1].Value())
	if err := postform.CheckContentType(ct); err != nil {
		return tr.S("content type %s", tr.Domain(err.Error()))
	}
	d, err := time.ParseDuration(strings.TrimSpace(p.fields[2].Value()))
	if err != nil || d <= 0 {
		return tr.S("valid for %q: want a duration such as 30m", p.fields[2].Value())
	}
	if d > rem {
		return tr.S("valid for %s: beyond the token's expiry in %s (the form would stop working then)", d, rem.Round(time.Second))
	}
	p.maxSize, p.ctype, p.expires = n, ct, d
	return ""
}

// updatePostLimits handles keys while the limits form is open: tab/↑/↓ move, enter confirms
// (then copies or asks for the file path), esc goes back to the list.
func (s *IssueScreen) updatePostLimits(msg tea.KeyMsg) tea.Cmd {
	e := &s.exp
	p := &e.post
	k := s.keys
	move := func(d int) tea.Cmd {
		p.fields[p.focus].Blur()
		p.focus = (p.focus + d + len(p.fields)) % len(p.fields)
		return p.fields[p.focus].Focus()
	}
	switch {
	case key.Matches(msg, k.Close):
		e.stage, e.err = expList, ""
		p.fields[p.focus].Blur()
		return nil
	case msg.Type == tea.KeyDown, msg.Type == tea.KeyTab:
		return move(1)
	case msg.Type == tea.KeyUp, msg.Type == tea.KeyShiftTab:
		return move(-1)
	case key.Matches(msg, k.Submit):
		if problem := p.check(s.st.tr(), s.remaining(*s.creds)); problem != "" {
			e.err = problem
			return nil
		}
		p.fields[p.focus].Blur()
		p.ready = true
		if p.clipboard {
			return s.startExport(true, "", false)
		}
		e.stage, e.err = expAskPath, ""
		e.path.SetValue("stsdeck-upload-form.html")
		if e.selected() == postJSON {
			e.path.SetValue("stsdeck-upload-form.json")
		}
		e.path.CursorEnd()
		return e.path.Focus()
	}
	var cmd tea.Cmd
	p.fields[p.focus], cmd = p.fields[p.focus].Update(msg)
	e.err = ""
	return cmd
}

// postJob fills an export job's PostObject request ("" = fine, else why not).
func (s *IssueScreen) postJob(job *exportJob) string {
	p := &s.exp.post
	if !p.ready {
		return s.st.tr().S("set the form's limits first")
	}
	p.ready = false // the next export asks again
	c := *s.creds
	job.post = &postform.Request{Endpoint: s.svc.OSSEndpoint, Region: s.svc.Region, Bucket: s.policy.Bucket, Prefix: s.policy.Prefix,
		MaxSize: p.maxSize, ContentType: p.ctype, Expires: p.expires, AccessKeyID: c.AccessKeyID, Secret: c.AccessKeySecret,
		SecurityToken: c.SecurityToken, Expiration: c.Expiration, Now: s.now()}
	if job.post.Region == "" {
		job.post.Region = c.Region
	}
	return ""
}

// postLabels are the upload page's visible words in the operator's language (the fields stay
// as OSS reads them; English is HTML() byte for byte).
func postLabels(tr *i18n.T) postform.Labels {
	if tr.Lang() == i18n.EN {
		return postform.Labels{}
	}
	return postform.Labels{Lang: string(tr.Lang()), Title: tr.S("Upload to OSS"), Submit: tr.S("Upload")}
}

// renderPost builds the form (inside exportCmd: no I/O, but it signs with the secret).
func renderPost(kind string, r postform.Request, l postform.Labels) (string, error) {
	f, err := postform.Build(r)
	if err != nil {
		return "", fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "postform: "))
	}
	if kind == postHTML {
		return f.HTMLWith(l), nil
	}
	b, err := json.MarshalIndent(struct {
		*postform.Form
		Bucket string `json:"bucket"`
		Prefix string `json:"prefix"`
		File   string `json:"file_field"`
	}{f, r.Bucket, r.Prefix, "file"}, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b) + "\n", nil
}

// postView is the limits form in the export menu.
func (e *exportState) postView(w int) string {
	st, tr := e.st, e.st.tr()
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Upload form limits")) + "  " + st.Muted.Render(tr.S("(enter continues, esc back)")) + "\n")
	// The prompts line up in cells whatever the language.
	labels := [3]string{tr.S("max size"), tr.S("content type"), tr.S("valid for")}
	hints := [3]string{tr.S("e.g. 10MiB (up to 5GiB)"), tr.S("any; or image/png, or a family: image/"), tr.S("e.g. 30m")}
	lw := 0
	for _, l := range labels {
		lw = max(lw, cellWidth(l))
	}
	for i, f := range e.post.fields {
		f.Prompt, f.Placeholder = padRight(labels[i], lw)+" ", hints[i]
		b.WriteString(cutLine(f.View(), w) + "\n")
	}
	for _, l := range wrapHard(tr.S("The form lets a browser upload one file under the policy's prefix, up to the size, of the type, until it expires (never after the token)."), max(20, w)) {
		b.WriteString(st.Muted.Render(l) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
