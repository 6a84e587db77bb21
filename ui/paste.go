package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The paste target (issue 15): an error someone else hit — an OSS error XML, an STS/RAM JSON
// error, an SDK's or ossutil's error text, an EC, an EncodedDiagnosticMessage — pasted on any
// screen (bracketed paste, or E then paste/type) is detected (flow.DetectError) and explained
// (flow.Diagnose: decoded through RAM DecodeDiagnosticMessage, its token found in the audit
// log, the request re-evaluated against the record's session policy and the role's policies)
// in the Explain panel; f re-issues with the verified fix, opening the Policy screen with it.

// Paste panel stages.
const (
	pasteInput   = iota // waiting for a paste or typed text
	pasteWorking        // detecting and diagnosing
	pasteResult         // the diagnosis is shown
)

// pasteKeys are the panel's bindings (the global Open key is in GlobalKeys.Paste).
type pasteKeys struct {
	Submit, Close, Fix, Again key.Binding
}

func newPasteKeys() pasteKeys {
	return pasteKeys{
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "explain")),
		Close:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Fix:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "re-issue with this fix")),
		Again:  key.NewBinding(key.WithKeys("p", "E"), key.WithHelp("p", "paste another")),
	}
}

// pastePanel is the app-level overlay (a component: Update, View, KeyMap, SetSize).
type pastePanel struct {
	st    Styles
	keys  pasteKeys
	open  bool
	stage int
	input textinput.Model
	seq   int    // request id of the diagnosis in flight
	err   string // the input is not an error (NotAnError), or the fix failed
	diag  *flow.Diagnosis
	why   explainState

	width, height int
}

func newPastePanel(st Styles) pastePanel {
	return pastePanel{st: st, keys: newPasteKeys(), input: st.Input("> ", st.tr().S("paste here, or type an EC / EncodedDiagnosticMessage"), flow.MaxErrorInput)}
}

// diagnosedMsg answers diagnoseCmd.
type diagnosedMsg struct {
	id   int
	diag *flow.Diagnosis
	err  error // from the detector: the input is not an error
}

// fixReissueMsg is the fix, ready to re-issue: the app hands it to the screens in order
// (RoleSelectedMsg when the role was read, CloneIssueMsg, PolicyFixMsg) and shows Policy.
type fixReissueMsg struct {
	role   *model.Role // nil when the role could not be read
	record model.AuditRecord
	fix    PolicyFixMsg
	err    error
}

// PolicyFixMsg tells the Policy screen that its draft is a diagnosis's fix: the denied request
// (Action on Resource) and the session policy the token had (Before), so the preview shows the
// row turning to allow.
type PolicyFixMsg struct {
	Action, Resource string
	Context          map[string][]string
	Before           string // the denied token's session policy ("" = none)
	Layer            string // the layer the fix changes (session)
}

// Focused: the text field has the keys (the app then keeps only ctrl+c).
func (p *pastePanel) Focused() bool { return p.open && p.stage == pasteInput }

// SetSize sets the panel's size.
func (p *pastePanel) SetSize(w, h int) {
	p.width, p.height = w, h
	p.input.Width = max(10, w-4)
	p.why.SetSize(w, max(3, h-2))
}

// Open shows the panel waiting for input.
func (p *pastePanel) Open() tea.Cmd {
	p.open, p.stage, p.err = true, pasteInput, ""
	p.input.SetValue("")
	return p.input.Focus()
}

// KeyMap is the panel's help.
func (p pastePanel) KeyMap() help.KeyMap {
	k := p.keys
	switch p.stage {
	case pasteInput:
		return bindings{short: []key.Binding{k.Submit, k.Close}}
	case pasteWorking:
		return bindings{short: []key.Binding{k.Close}}
	}
	fix := k.Fix
	fix.SetEnabled(p.fixReady())
	h := p.why.KeyMap().ShortHelp() // scroll, close
	return bindings{short: append([]key.Binding{h[0], fix, k.Again}, h[1:]...)}
}

// fixReady: a verified fix with the session policy to re-issue with, and its audit record.
func (p pastePanel) fixReady() bool {
	d := p.diag
	return d != nil && d.Fix != nil && d.Fix.Verified && d.Fix.Policy != "" && d.Audit != nil
}

// diagnose starts the use case on text.
func (p *pastePanel) diagnose(svc *Services, text string) tea.Cmd {
	p.seq++
	p.stage, p.err, p.diag = pasteWorking, "", nil
	p.input.Blur()
	ports := flow.DiagnosePorts{Decoder: svc.Diagnostics, Audit: svc.Audit, Roles: svc.Roles, AccountID: svc.AccountID, Region: svc.Region}
	return diagnoseCmd(ports, text, p.seq)
}

// diagnoseCmd detects and diagnoses text (RAM, the audit log and the role are read here).
func diagnoseCmd(ports flow.DiagnosePorts, text string, id int) tea.Cmd {
	return func() tea.Msg {
		rep, err := flow.DetectError([]byte(text))
		if err != nil {
			return diagnosedMsg{id: id, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		d := flow.Diagnose(ctx, rep, ports)
		return diagnosedMsg{id: id, diag: &d}
	}
}

// fixCmd reads the denied token's audit record and its role, and builds the re-issue.
func fixCmd(tr *i18n.T, audit AuditLog, roles RoleSource, d flow.Diagnosis, now time.Time) tea.Cmd {
	return func() tea.Msg {
		out := fixReissueMsg{fix: PolicyFixMsg{Action: d.Action, Resource: d.Resource, Layer: d.Fix.Layer}}
		if m := d.Diagnostic; m != nil {
			out.fix.Context = map[string][]string{}
			for _, c := range m.AuthConditions {
				out.fix.Context[c.ConditionKey] = c.ConditionValues
			}
		}
		var rec model.AuditRecord
		found := false
		if audit != nil {
			recs, _, err := audit.List()
			if err != nil {
				return fixReissueMsg{err: err}
			}
			for i := len(recs) - 1; i >= 0; i-- {
				if recs[i].ID == d.Audit.ID || d.Audit.ID == "" && recs[i].AccessKeyID == d.Audit.AccessKeyID {
					rec, found = recs[i], true
					break
				}
			}
		}
		if !found {
			return fixReissueMsg{err: errors.New(tr.S("the denied token's audit record is gone: re-issue by hand"))}
		}
		out.fix.Before = rec.SessionPolicy
		rec.SessionPolicy = d.Fix.Policy
		rec.SessionName = issuereq.DefaultSessionName(now) // a new session: the audit log tells them apart
		out.record = rec
		if roles != nil && rec.RoleARN != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if r, err := roles.GetRole(ctx, rec.RoleARN); err == nil {
				out.role = &r
			}
		}
		return out
	}
}

// Update handles the panel's keys and answers; svc is the console's services.
func (p pastePanel) Update(msg tea.Msg, svc *Services, now time.Time) (pastePanel, tea.Cmd) {
	switch msg := msg.(type) {
	case diagnosedMsg:
		if msg.id != p.seq || !p.open {
			return p, nil
		}
		if msg.err != nil {
			p.stage = pasteInput
			p.err = p.st.tr().Domain(flatLine(msg.err.Error()))
			return p, p.input.Focus()
		}
		p.stage, p.diag = pasteResult, msg.diag
		p.why = explainState{open: true, title: p.title(msg.diag), diag: msg.diag, hideLeak: true, st: p.st,
			sandbox: svc.Sandbox != nil}
		p.why.SetSize(p.width, max(3, p.height-2))
		return p, nil
	case tea.KeyMsg:
		if msg.Paste {
			return p, p.diagnose(svc, string(msg.Runes))
		}
		k := p.keys
		switch p.stage {
		case pasteInput:
			switch {
			case key.Matches(msg, k.Close):
				p.open = false
				p.input.Blur()
				return p, nil
			case key.Matches(msg, k.Submit):
				if strings.TrimSpace(p.input.Value()) == "" {
					p.err = p.st.tr().S("paste an error (OSS XML, STS/RAM JSON, an SDK's text), or type an EC or an EncodedDiagnosticMessage")
					return p, nil
				}
				return p, p.diagnose(svc, p.input.Value())
			}
			var cmd tea.Cmd
			p.input, cmd = p.input.Update(msg)
			return p, cmd
		case pasteWorking:
			if key.Matches(msg, k.Close) {
				p.seq++ // abandon
				p.open = false
			}
			return p, nil
		}
		switch {
		case key.Matches(msg, k.Again):
			return p, p.Open()
		case key.Matches(msg, k.Fix):
			if !p.fixReady() {
				return p, nil
			}
			return p, fixCmd(p.st.tr(), svc.Audit, svc.Roles, *p.diag, now)
		}
		var cmd tea.Cmd
		p.why, cmd = p.why.Update(msg)
		if !p.why.open {
			p.open = false
		}
		return p, cmd
	}
	return p, nil
}

// title names what was pasted.
func (p pastePanel) title(d *flow.Diagnosis) string {
	tr := p.st.tr()
	what := d.Code
	if what == "" {
		what = d.EC
	}
	if what == "" {
		what = tr.S("an EncodedDiagnosticMessage")
	}
	return tr.S("pasted %s (%s)", what, d.Input)
}

// View draws the panel.
func (p pastePanel) View() string {
	st, tr := p.st, p.st.tr()
	if p.stage == pasteResult {
		return p.why.view(st, p.width, p.height)
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Explain an error someone pasted")) + "  " + st.Muted.Render(tr.S("(esc closes)")) + "\n")
	for _, l := range wrapWords(tr.S("Paste the error as it came: an OSS error XML, an STS/RAM JSON error, an SDK's or ossutil's error text, an EC like 0003-00000301, or an EncodedDiagnosticMessage. The console decodes it through RAM, finds the token in the audit log, names the layer and statement that denied it, and proposes the smallest fix."), max(20, p.width)) {
		b.WriteString(st.Muted.Render(l) + "\n")
	}
	b.WriteString("\n")
	if p.stage == pasteWorking {
		b.WriteString(st.Muted.Render(tr.S("decoding and explaining…")) + "\n")
	} else {
		b.WriteString(p.input.View() + "\n")
	}
	if p.err != "" {
		for _, l := range wrapWords(GlyphDeny+" "+p.err, max(20, p.width)) {
			b.WriteString(st.Error.Render(l) + "\n")
		}
	}
	return fitLines(strings.TrimRight(b.String(), "\n"), p.width)
}
