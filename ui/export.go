package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/atomicfile"
	"github.com/stsdeck/stsdeck/model/postform"
	"github.com/stsdeck/stsdeck/ui/credfmt"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Export menu stages.
const (
	expList    = iota // choosing a format
	expAskPath        // typing the file path
	expConfirm        // the file exists: overwrite (or merge) y/n
	expBusy           // writing
)

// Presigned-URL pseudo formats in the export menu.
const (
	presignGET = "presign-get"
	presignPUT = "presign-put"
)

// presignObject is the object name presigned URLs point at, inside the policy's prefix.
const presignObject = "stsdeck-test.txt"

// exportState is the Issue screen's export menu.
type exportState struct {
	st     Styles
	open   bool
	stage  int
	cursor int
	path   textinput.Model
	seq    int
	result string // last outcome, shown on the token card
	err    string // shown inside the menu
	// confirmPath is the file awaiting the overwrite answer.
	confirmPath string
	post        postLimits // the PostObject form's limits (export_post.go)
}

func newExportState(st Styles) exportState {
	return exportState{st: st, path: st.Input(st.tr().S("file "), "", 4096)}
}

// exportKinds are the menu entries: every `stsdeck issue --format` plus presigned URLs.
func exportKinds() []string {
	out := append(append([]string{}, credfmt.Kinds...), presignGET, presignPUT, postHTML, postJSON)
	return append(out, credfmt.SnippetKinds...)
}

func exportLabel(st Styles, kind string) string {
	if l, ok := postLabel(st, kind); ok { // export_post.go
		return l
	}
	tr := st.tr()
	switch kind {
	case presignGET:
		return tr.S("presigned GET URL (download %s)", presignObject)
	case presignPUT:
		return tr.S("presigned PUT URL (upload %s)", presignObject)
	}
	// credfmt's descriptions are English IDs whose Chinese is in zh_screens.json
	// (TestExportLabelsTranslated checks every kind).
	if credfmt.IsSnippet(kind) {
		return tr.S(credfmt.DescribeSnippet(kind))
	}
	return tr.S(credfmt.Describe(kind))
}

func (e *exportState) openMenu() {
	e.open, e.stage, e.err = true, expList, ""
	e.path.Blur()
}

func (e *exportState) close() {
	e.open, e.stage, e.err = false, expList, ""
	e.path.Blur()
}

// reset forgets the outcome of an export for an older token.
func (e *exportState) reset() {
	e.close()
	e.result = ""
	e.seq++ // drop answers for the old token
}

func (e *exportState) selected() string { return exportKinds()[e.cursor] }

// updateExport handles keys while the export menu is open.
func (s *IssueScreen) updateExport(msg tea.KeyMsg) tea.Cmd {
	e := &s.exp
	k := s.keys
	switch e.stage {
	case expPost:
		return s.updatePostLimits(msg) // export_post.go
	case expBusy:
		if key.Matches(msg, k.Close) {
			e.seq++ // abandon
			e.close()
		}
		return nil
	case expConfirm:
		switch {
		case key.Matches(msg, k.Confirm):
			return s.startExport(false, e.confirmPath, true)
		case key.Matches(msg, k.Cancel):
			e.stage = expAskPath
			e.err = s.st.tr().S("not written; choose another path or esc")
			return e.path.Focus()
		}
		return nil
	case expAskPath:
		switch {
		case key.Matches(msg, k.Close):
			e.stage = expList
			e.path.Blur()
			return nil
		case key.Matches(msg, k.Submit):
			p := strings.TrimSpace(e.path.Value())
			if p == "" {
				e.err = s.st.tr().S("type a file path")
				return nil
			}
			return s.startExport(false, p, false)
		}
		var cmd tea.Cmd
		e.path, cmd = e.path.Update(msg)
		e.err = ""
		return cmd
	}
	n := len(exportKinds())
	switch {
	case key.Matches(msg, k.Close):
		e.close()
	case key.Matches(msg, k.MenuUp):
		e.cursor = (e.cursor + n - 1) % n
	case key.Matches(msg, k.MenuDown):
		e.cursor = (e.cursor + 1) % n
	case key.Matches(msg, k.Copy) && isPostKind(e.selected()):
		return s.openPostLimits(true) // export_post.go: the form's limits first
	case key.Matches(msg, k.ToFile) && isPostKind(e.selected()):
		return s.openPostLimits(false)
	case key.Matches(msg, k.Copy):
		return s.startExport(true, "", false)
	case key.Matches(msg, k.ToFile):
		e.stage = expAskPath
		e.err = ""
		e.path.SetValue(credfmt.SuggestedFile(e.selected()))
		if strings.HasPrefix(e.selected(), "presign") {
			e.path.SetValue("stsdeck-presigned-url.txt")
		}
		if credfmt.IsSnippet(e.selected()) {
			e.path.SetValue(credfmt.SnippetFile(e.selected()))
		}
		e.path.CursorEnd()
		return e.path.Focus()
	}
	return nil
}

// startExport builds the export job from the screen's state and runs it as a command.
func (s *IssueScreen) startExport(clipboard bool, path string, overwrite bool) tea.Cmd {
	e, tr := &s.exp, s.st.tr()
	if s.creds == nil {
		e.err = tr.S("no token yet")
		return nil
	}
	job := exportJob{kind: e.selected(), creds: *s.creds, region: s.svc.Region, lang: s.st.T.Lang(), clipboard: clipboard,
		clip: s.clip, tmux: s.tmux, path: path, overwrite: overwrite}
	if credfmt.IsSnippet(job.kind) {
		if !s.havePol || s.policy.Bucket == "" {
			e.err = tr.S("no bucket known: set bucket and prefix on screen 2 (Policy)")
			return nil
		}
		job.snippet = &credfmt.SnippetTarget{Region: s.svc.Region, Endpoint: s.svc.OSSEndpoint,
			Bucket: s.policy.Bucket, Key: s.policy.Prefix + "partner-upload.txt"}
	}
	if isPostKind(job.kind) {
		if problem := s.postJob(&job); problem != "" { // export_post.go
			e.err = problem
			return nil
		}
	}
	if strings.HasPrefix(job.kind, "presign") {
		if s.svc.Objects == nil {
			e.err = tr.S("no OSS connection for presigning")
			return nil
		}
		if !s.havePol || s.policy.Bucket == "" {
			e.err = tr.S("no bucket known: set bucket and prefix on screen 2 (Policy)")
			return nil
		}
		rem := s.remaining(*s.creds)
		if rem <= 0 {
			e.err = tr.S("the token has expired: a presigned URL would be refused — re-issue first (r)")
			return nil
		}
		job.objects = s.svc.Objects
		job.bucket = s.policy.Bucket
		job.key = s.policy.Prefix + presignObject
		job.expires = min(rem.Truncate(time.Second), time.Hour)
		job.method = "GET"
		if job.kind == presignPUT {
			job.method = "PUT"
		}
	}
	e.seq++
	e.stage = expBusy
	e.err = ""
	e.path.Blur()
	return exportCmd(job, e.seq)
}

// exportJob is everything one export needs, copied out of the model.
type exportJob struct {
	kind      string
	snippet   *credfmt.SnippetTarget // code snippets: where the partner's program uploads
	creds     model.Credentials
	region    string
	lang      i18n.Lang // the export's comments and the tools' language settings
	clipboard bool
	clip      io.Writer
	tmux      bool
	path      string
	overwrite bool
	// presigned URLs
	objects ObjectService
	method  string
	bucket  string
	key     string
	expires time.Duration
	// a PostObject form (export_post.go)
	post *postform.Request
}

// exportDoneMsg answers exportCmd.
type exportDoneMsg struct {
	id     int
	kind   string
	path   string // absolute path written (or asked about)
	exists bool   // the file exists and overwrite was not confirmed: nothing written
	bytes  int
	clip   bool
	err    error
}

// exportCmd renders the credentials (or presigns a URL) and sends them to the clipboard or a 0600 file.
func exportCmd(job exportJob, id int) tea.Cmd {
	return func() tea.Msg {
		done := exportDoneMsg{id: id, kind: job.kind, clip: job.clipboard}
		tr := i18n.New(job.lang)
		var path string
		var existing []byte
		if !job.clipboard {
			p, err := expandPath(tr, job.path)
			if err != nil {
				done.err = err
				return done
			}
			path, done.path = p, p
			if err := checkDir(tr, filepath.Dir(p)); err != nil {
				done.err = err // before asking to overwrite anything
				return done
			}
			data, err := os.ReadFile(p)
			switch {
			case err == nil:
				if !job.overwrite {
					done.exists = true
					return done
				}
				existing = data
			case errors.Is(err, fs.ErrNotExist):
			default:
				// A directory or an unreadable file: say so before trying to replace it.
				if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
					done.err = errors.New(tr.S("%s is a directory", p))
					return done
				}
				if !job.overwrite {
					done.exists = true
					return done
				}
			}
		}
		var text string
		if job.post != nil {
			t, err := renderPost(job.kind, *job.post, postLabels(tr))
			if err != nil {
				done.err = err
				return done
			}
			text = t
		} else if job.objects != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			u, err := job.objects.With(job.creds).Presign(ctx, job.method, job.bucket, job.key, job.expires)
			if err != nil {
				done.err = fmt.Errorf("%s: %w", tr.S("presigning %s oss://%s/%s", job.method, job.bucket, job.key), err)
				return done
			}
			text = u + "\n"
		} else if job.snippet != nil {
			t, err := credfmt.Snippet(job.kind, *job.snippet)
			if err != nil {
				done.err = err
				return done
			}
			text = t
		} else {
			opts := credfmt.Options{Region: job.region, Lang: job.lang}
			if job.kind == "config-json" {
				opts.Existing = existing
			}
			t, err := credfmt.Format(job.kind, job.creds, opts)
			if err != nil {
				done.err = err
				return done
			}
			text = t
		}
		done.bytes = len(text)
		if job.clipboard {
			if job.clip == nil {
				done.err = errors.New(tr.S("no terminal to send the clipboard sequence to"))
				return done
			}
			// Plain OSC 52 reaches the terminal, or tmux itself when its set-clipboard is on;
			// inside tmux the same sequence is also sent wrapped for passthrough to the outer
			// terminal (allow-passthrough on). Either may be refused: best effort.
			seqs := []string{osc52.New(text).String()}
			if job.tmux {
				seqs = append(seqs, osc52.New(text).Tmux().String())
			}
			for _, sq := range seqs {
				if _, err := io.WriteString(job.clip, sq); err != nil {
					done.err = fmt.Errorf("%s: %w", tr.S("writing the OSC 52 clipboard sequence"), err)
					break
				}
			}
			return done
		}
		done.err = writeSecretFile(tr, path, []byte(text))
		return done
	}
}

// onDone records an export's outcome.
func (e *exportState) onDone(msg exportDoneMsg) tea.Cmd {
	if msg.id != e.seq || !e.open {
		return nil // stale or abandoned
	}
	if msg.exists {
		e.stage = expConfirm
		e.confirmPath = msg.path
		return nil
	}
	if msg.err != nil {
		e.stage = expList
		if msg.path != "" {
			e.stage = expAskPath
		}
		e.err = flatLine(msg.err.Error())
		if e.stage == expAskPath {
			return e.path.Focus()
		}
		return nil
	}
	what, tr := msg.kind, e.st.tr()
	if msg.clip {
		e.result = e.st.Allow.Render(GlyphOK) + " " + tr.S("sent %s (%d bytes) to the clipboard via OSC 52 — best effort: paste to check; terminals may refuse it (tmux: set -g set-clipboard on)", what, msg.bytes)
	} else {
		e.result = e.st.Allow.Render(GlyphOK) + " " + tr.S("wrote %s to %s (mode 0600)", what, msg.path)
	}
	e.close()
	return nil // the card shows the result (once: not on the status line too)
}

// expandPath resolves "~/" and makes the path absolute.
func expandPath(tr *i18n.T, p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%s: %w", tr.S("cannot expand ~"), err)
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", tr.S("path %q", p), err)
	}
	return abs, nil
}

// checkDir says whether dir exists and is a directory.
func checkDir(tr *i18n.T, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New(tr.S("no such directory: %s", dir))
	case errors.Is(err, syscall.ENOTDIR):
		return errors.New(tr.S("not a directory: %s", dir))
	case err != nil:
		return fmt.Errorf("%s: %w", tr.S("directory %s", dir), err)
	case !fi.IsDir():
		return errors.New(tr.S("not a directory: %s", dir))
	}
	return nil
}

// writeSecretFile writes data to path atomically with mode 0600 (temp file in the same directory,
// fsync, rename). The directory must exist: a mistyped path is refused, not created.
func writeSecretFile(tr *i18n.T, path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := checkDir(tr, dir); err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("%s: %w", tr.S("writing %s", path), err)
	}
	return nil
}

// view renders the export menu.
func (e *exportState) view(w, h int) string {
	st, tr := e.st, e.st.tr()
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Export the token")) + "  " + st.Muted.Render(tr.S("(the output holds the secret and the token)")) + "\n")
	list := b.Len()
	b.WriteByte('\n')
	switch e.stage {
	case expList:
		// The keys on as few lines as fit the width (never cut).
		line := ""
		for _, h := range []string{tr.S("c copy to the clipboard (OSC 52, best effort)"), tr.S("f/enter save to a file (0600)"), tr.S("esc close")} {
			switch {
			case line == "":
				line = h
			case cellWidth(line)+3+cellWidth(h) <= w:
				line += "   " + h
			default:
				b.WriteString(line + "\n")
				line = h
			}
		}
		b.WriteString(line + "\n")
	case expAskPath:
		e.path.Prompt = tr.S("file ") // in the language of the moment (L may have switched it)
		b.WriteString(e.path.View() + "\n")
		if e.selected() == "config-json" {
			b.WriteString(st.Muted.Render(tr.S("an existing aliyun config keeps its other profiles; the \"stsdeck\" profile is replaced")) + "\n")
		}
	case expConfirm:
		q := tr.S("overwrite it? (y/n)")
		if e.selected() == "config-json" {
			q = tr.S("merge the \"stsdeck\" profile into it, keeping the others? (y/n)")
		}
		b.WriteString(st.Warn.Render(GlyphWarn+" "+tr.S("%s exists —", e.confirmPath)) + "\n")
		b.WriteString(st.Warn.Render("  "+q) + "\n")
	case expPost:
		b.WriteString(e.postView(w) + "\n") // export_post.go
	case expBusy:
		b.WriteString(st.Muted.Render(tr.S("writing…")) + "\n")
	}
	if e.err != "" {
		for _, l := range wrapHard(GlyphDeny+" "+e.err, max(20, w)) { // a path is worth reading whole
			b.WriteString(st.Error.Render(l) + "\n")
		}
	}
	// The list gets the rows the title and what is under it leave: a window around the cursor
	// when they are too few, so the keys under it are never pushed off the screen.
	head, foot := b.String()[:list], strings.TrimRight(b.String()[list:], "\n")
	// Every format's description is whole, wrapped under itself; the list is a window of
	// whole items around the cursor (export_list.go).
	budget := -1
	if h > 0 {
		budget = max(3, h-1-(strings.Count(foot, "\n")+1))
	}
	items := e.listWindow(st, w, budget)
	return strings.TrimRight(head+items+foot, "\n")
}
