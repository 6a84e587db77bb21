package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The Test screen's upload: a generated test object or a local file, with a progress bar,
// throughput and ETA while it runs, and an outcome line after (the probe's refusals use the same
// line).

// generatedObjectSize is the size of the generated test object.
const generatedObjectSize = 256 << 10

// uploadKeys are the upload's bindings.
type uploadKeys struct {
	Cancel key.Binding
}

func newUploadKeys() uploadKeys {
	return uploadKeys{Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel upload"))}
}

// testUpload is the upload component.
type testUpload struct {
	st    Styles
	width int
	keys  uploadKeys

	seq     int // request id: stale messages are dropped
	running bool
	cancel  context.CancelFunc
	prog    model.Progress
	line    string // outcome line
	detail  string // size, rate, RequestId of a success
	etag    string // its ETag (shown when there is room: 120 columns and more)
	ok      bool
}

func newTestUpload(st Styles) testUpload { return testUpload{st: st, keys: newUploadKeys()} }

// SetSize sets the width the progress and outcome lines wrap to.
func (u *testUpload) SetSize(w, _ int) { u.width = w }

// KeyMap is what help shows while an upload runs.
func (u testUpload) KeyMap() help.KeyMap { return bindings{short: []key.Binding{u.keys.Cancel}} }

// say sets the outcome line.
func (u *testUpload) say(line string, ok bool) { u.line, u.ok = line, ok }

// uploadProgressMsg reports bytes sent; ch is where the next message will come from.
type uploadProgressMsg struct {
	id int
	p  model.Progress
	ch chan tea.Msg
}

// uploadDoneMsg ends an upload.
type uploadDoneMsg struct {
	id      int
	info    model.ObjectInfo
	size    int64
	elapsed time.Duration
	err     error
	local   bool // err is about the local file, not OSS
}

// Update takes the upload's progress and, while it runs, the keys: esc cancels, others wait.
func (u testUpload) Update(msg tea.Msg) (testUpload, tea.Cmd) {
	switch msg := msg.(type) {
	case uploadProgressMsg:
		if msg.id != u.seq || !u.running {
			return u, nil
		}
		u.prog = msg.p
		return u, waitUpload(msg.ch)
	case tea.KeyMsg:
		if u.running && key.Matches(msg, u.keys.Cancel) && u.cancel != nil {
			u.cancel()
			u.line = "cancelling…"
		}
	}
	return u, nil
}

type uploadJob struct {
	client      ObjectClient
	bucket, key string
	file        string // "" = generated
	id          int
	ch          chan tea.Msg
}

// start begins the upload job describes (its id and channel are set here).
func (u *testUpload) start(job uploadJob) tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	u.seq++
	u.running = true
	u.prog = model.Progress{Total: -1}
	u.line, u.detail, u.etag, u.ok = "", "", "", false
	ch := make(chan tea.Msg, 1)
	job.id, job.ch = u.seq, ch
	return tea.Batch(runUpload(ctx, job), waitUpload(ch))
}

// done records the end of an upload to bucket/key (as typed). current is false for a stale
// message; explain is true when OSS refused it (the screen opens Explain).
func (u *testUpload) done(msg uploadDoneMsg, bucket, objKey string) (current, explain bool) {
	if msg.id != u.seq {
		return false, false
	}
	u.running = false
	if u.cancel != nil {
		u.cancel()
		u.cancel = nil
	}
	tr := u.st.tr()
	if msg.err != nil {
		u.ok = false
		if errors.Is(msg.err, context.Canceled) {
			u.line = GlyphWarn + " " + tr.S("upload cancelled (nothing half-written stays: OSS keeps whole objects only)")
			return true, false
		}
		u.line = GlyphDeny + " " + tr.S("upload failed: %s", flatLine(msg.err.Error()))
		if msg.local {
			u.line = GlyphDeny + " " + tr.S("%s (nothing was sent)", localUploadError(tr, msg.err))
			return true, false
		}
		return true, true
	}
	u.ok = true
	rate := ""
	if msg.elapsed > 0 {
		rate = tr.S(" at %s/s", model.HumanBytes(float64(msg.size)/msg.elapsed.Seconds()))
	}
	if msg.info.Bucket != "" {
		bucket, objKey = msg.info.Bucket, msg.info.Key
	}
	u.line = GlyphOK + " " + tr.S("upload succeeded: oss://%s/%s", bucket, objKey)
	u.detail = "  " + tr.S("%s in %s%s", model.HumanBytes(float64(msg.size)), msg.elapsed.Round(time.Millisecond), rate)
	u.etag = msg.info.ETag
	if msg.info.RequestID != "" {
		u.detail += ", RequestId " + msg.info.RequestID
	}
	return true, false
}

// runUpload performs the Put, streaming progress into ch (latest wins) and ending with uploadDoneMsg.
func runUpload(ctx context.Context, job uploadJob) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		var body io.ReaderAt
		var size int64
		if job.file != "" {
			f, err := os.Open(job.file)
			if err != nil {
				job.ch <- uploadDoneMsg{id: job.id, err: &localFileError{"open", job.file, pathErrReason(err)}, local: true}
				return nil
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				job.ch <- uploadDoneMsg{id: job.id, err: &localFileError{"read", job.file, pathErrReason(err)}, local: true}
				return nil
			}
			if fi.IsDir() {
				job.ch <- uploadDoneMsg{id: job.id, err: &localFileError{"dir", job.file, nil}, local: true}
				return nil
			}
			body, size = f, fi.Size()
		} else {
			data := generatedObject(generatedObjectSize)
			body, size = bytes.NewReader(data), int64(len(data))
		}
		progress := func(p model.Progress) {
			m := uploadProgressMsg{id: job.id, p: p, ch: job.ch}
			select {
			case job.ch <- m:
			default: // the UI has not taken the last one yet: drop this one
			}
		}
		info, err := job.client.Put(ctx, job.bucket, job.key, body, size, progress)
		// Drain an unread progress report so the final message is never stuck behind it.
		select {
		case <-job.ch:
		default:
		}
		job.ch <- uploadDoneMsg{id: job.id, info: info, size: size, elapsed: time.Since(start), err: err}
		return nil
	}
}

// localFileError is a file the upload could not read (nothing was sent): what failed, the
// path, and the system's reason (kept as the OS says it).
type localFileError struct {
	op, path string
	err      error
}

func (e *localFileError) Error() string { return localUploadError(nil, e) }
func (e *localFileError) Unwrap() error { return e.err }

// localUploadError says a local file error in the console's language.
func localUploadError(tr *i18n.T, err error) string {
	var le *localFileError
	if !errors.As(err, &le) {
		return flatLine(err.Error())
	}
	switch le.op {
	case "open":
		return tr.S("cannot open %s: %v", le.path, le.err)
	case "read":
		return tr.S("cannot read %s: %v", le.path, le.err)
	}
	return tr.S("%s is a directory", le.path)
}

// pathErrReason drops the path an *fs.PathError repeats.
func pathErrReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// waitUpload delivers the next upload message.
func waitUpload(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// generatedObject is a recognisable, deterministic test payload.
func generatedObject(n int) []byte {
	line := []byte("stsdeck test object — uploaded with temporary STS credentials\n") // i18n:ok (the object's content, not the screen)
	b := make([]byte, 0, n)
	for len(b) < n {
		b = append(b, line...)
	}
	return b[:n]
}

// View draws the progress line (while running) and the outcome lines.
func (u testUpload) View() string {
	st := u.st
	var b strings.Builder
	if u.running {
		b.WriteString(u.progressView() + "\n")
	}
	if u.line != "" {
		style := st.Error
		switch {
		case u.ok:
			style = st.Allow
		case strings.HasPrefix(u.line, GlyphWarn):
			style = st.Warn
		}
		for _, l := range wrapWords(u.line, max(20, u.width)) {
			b.WriteString(style.Render(l) + "\n")
		}
		if u.ok && u.detail != "" {
			d := u.detail
			if u.etag != "" && u.width >= 120 {
				d += ", ETag " + u.etag
			}
			for _, l := range wrapWords(d, max(20, u.width-2)) {
				b.WriteString(st.Muted.Render("  "+strings.TrimLeft(l, " ")) + "\n")
			}
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (u testUpload) progressView() string {
	p := u.prog
	if p.Total <= 0 {
		return u.st.Muted.Render(u.st.tr().S("uploading… (esc cancels)"))
	}
	frac := float64(p.Done) / float64(p.Total)
	barW := max(10, min(40, u.width-50))
	line := meterBar(barW, frac, u.st.Allow, u.st.Muted) + fmt.Sprintf(" %3.0f%% %s / %s", frac*100, model.HumanBytes(float64(p.Done)), model.HumanBytes(float64(p.Total)))
	more := ""
	if rate := p.Rate(); rate > 0 {
		eta := time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second))
		more = u.st.tr().S("%s/s  ETA %s  ", model.HumanBytes(rate), eta.Round(time.Second))
	}
	more += u.st.Muted.Render(u.st.tr().S("(esc cancels)"))
	if cellWidth(line)+2+cellWidth(more) <= u.width {
		return line + "  " + more
	}
	return line + "\n" + strings.Repeat(" ", 2) + more // rate, ETA and esc on their own line
}
