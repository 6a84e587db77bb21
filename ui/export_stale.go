package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// Saved exports go stale (issue 12 item 9): a file saved earlier in this session still holds
// the previous token after a re-issue. The Issue screen remembers each file it wrote and, when a
// new token arrives, offers to rewrite them with it (y/N): the same formats, the same paths,
// 0600 through model/atomicfile (exportCmd, overwriting). Presigned URLs and POST forms are
// signed, not rewritten (export them again); code snippets read the token from the
// environment and hold none.

// savedExport is a file written this session.
type savedExport struct {
	kind, path string
}

// staleExports is the Issue screen's memory of saved files and the rewrite question.
type staleExports struct {
	saved   []savedExport
	ask     bool          // a new token arrived: rewrite the saved files? (y/N)
	resign  []string      // saved signed exports that cannot be rewritten (their paths)
	pending int           // rewrites in flight
	results []staleResult // one per rewritten (or failed) file, or the answer "keep them"
}

// staleResult is one outcome line, rendered in the current language by view.
type staleResult struct {
	kept       bool   // n: the files were kept as they are
	path, kind string // the file rewritten (or not)
	err        string // why it could not be rewritten
}

// rewritable reports whether an export kind is the token itself in a format (credfmt), which a
// rewrite can write again for a new token.
func rewritable(kind string) bool {
	return !strings.HasPrefix(kind, "presign") && !strings.HasPrefix(kind, "code-") && !isPostKind(kind)
}

// holdsToken reports whether a saved export stops working with the previous token.
func holdsToken(kind string) bool { return !strings.HasPrefix(kind, "code-") }

// remember notes a file written by the export menu.
func (x *staleExports) remember(msg exportDoneMsg) {
	if msg.err != nil || msg.exists || msg.clip || msg.path == "" || !holdsToken(msg.kind) {
		return
	}
	for i, sv := range x.saved {
		if sv.path == msg.path {
			x.saved[i].kind = msg.kind // the same file, written again in another format
			return
		}
	}
	x.saved = append(x.saved, savedExport{kind: msg.kind, path: msg.path})
}

// newToken asks about the saved files when a token replaces another.
func (x *staleExports) newToken() {
	x.results, x.resign = nil, nil
	x.ask = false
	for _, sv := range x.saved {
		if rewritable(sv.kind) {
			x.ask = true
		} else {
			x.resign = append(x.resign, sv.path)
		}
	}
}

// rewriteID marks an exportDoneMsg as a rewrite's answer (the menu's own ids are positive).
const rewriteID = -1

func newStaleKeys() (yes, no key.Binding) {
	return key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "rewrite the saved files")),
		key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "keep them"))
}

// answer handles the question's key: y rewrites every rewritable saved file with creds.
func (s *IssueScreen) answerStale(msg tea.KeyMsg, creds model.Credentials) tea.Cmd {
	x := &s.stale
	yes, _ := newStaleKeys()
	x.ask = false
	if !key.Matches(msg, yes) {
		x.results = []staleResult{{kept: true}}
		return nil
	}
	var cmds []tea.Cmd
	for _, sv := range x.saved {
		if !rewritable(sv.kind) {
			continue
		}
		job := exportJob{kind: sv.kind, creds: creds, region: s.svc.Region, lang: s.st.T.Lang(), path: sv.path, overwrite: true}
		cmds = append(cmds, exportCmd(job, rewriteID))
		x.pending++
	}
	return tea.Batch(cmds...)
}

// onRewritten records one rewrite's outcome.
func (x *staleExports) onRewritten(msg exportDoneMsg) {
	if x.pending > 0 {
		x.pending--
	}
	r := staleResult{path: msg.path, kind: msg.kind}
	if msg.err != nil {
		r.err = flatLine(msg.err.Error())
	}
	x.results = append(x.results, r)
}

// view is the question or the outcome, wrapped to w ("" when there is nothing to say).
func (x staleExports) view(st Styles, w int) string {
	tr := st.tr()
	var lines []string
	add := func(style func(...string) string, text string) {
		for _, l := range wrapHard(text, max(20, w)) {
			lines = append(lines, style(l))
		}
	}
	if x.ask {
		var files []string
		for _, sv := range x.saved {
			if rewritable(sv.kind) {
				files = append(files, sv.path+" ("+sv.kind+")")
			}
		}
		add(st.Warn.Render, GlyphWarn+" "+tr.S("%d file(s) saved this session hold the previous token: %s — rewrite them with the new one? y rewrites, n keeps them",
			len(files), strings.Join(files, ", ")))
	}
	if len(x.resign) > 0 {
		add(st.Warn.Render, GlyphWarn+" "+tr.S("signed with the previous token, export again: %s", strings.Join(x.resign, ", ")))
	}
	if x.pending > 0 {
		add(st.Muted.Render, tr.S("rewriting…"))
	}
	for _, r := range x.results {
		switch {
		case r.kept:
			add(st.Warn.Render, GlyphWarn+" "+tr.S("the saved files still hold the previous token"))
		case r.err != "":
			add(st.Warn.Render, GlyphDeny+" "+tr.S("could not rewrite %s: %s", r.path, tr.Domain(r.err)))
		default:
			add(st.Allow.Render, GlyphOK+" "+tr.S("rewrote %s with the new token (%s, mode 0600)", r.path, r.kind))
		}
	}
	return strings.Join(lines, "\n")
}
