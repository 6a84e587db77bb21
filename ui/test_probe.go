package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// The Test screen's probe grid: put/head/get/list/delete inside and outside the prefix, each
// row the local engine's prediction beside what OSS answered (flow.RunProbe), the selected row
// ready for Explain.

// probeKeys are the grid's bindings.
type probeKeys struct {
	Up, Down, Explain key.Binding
}

func newProbeKeys() probeKeys {
	return probeKeys{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select")),
		Down:    key.NewBinding(key.WithKeys("down", "j")),
		Explain: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "explain row")),
	}
}

// probeGrid is the grid component.
type probeGrid struct {
	st            Styles
	width, height int
	keys          probeKeys

	seq     int // request id: stale answers are dropped
	probing bool
	report  *model.ProbeReport
	cells   []PreviewCell // local verdict per report row
	sel     int
}

func newProbeGrid(st Styles) probeGrid { return probeGrid{st: st, keys: newProbeKeys()} }

// SetSize sets the grid's width (columns widen at 120) and the rows it may take (the "enter
// explains" hint goes first when they are short).
func (g *probeGrid) SetSize(w, h int) { g.width, g.height = w, h }

// KeyMap is the grid's part of the screen's help: select, and explain once there are rows.
func (g probeGrid) KeyMap() help.KeyMap {
	ex := g.keys.Explain
	ex.SetEnabled(g.report != nil && len(g.report.Results) > 0)
	return bindings{short: []key.Binding{g.keys.Up, ex}}
}

// Update moves the selection.
func (g probeGrid) Update(msg tea.Msg) (probeGrid, tea.Cmd) {
	if msg, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(msg, g.keys.Up):
			g.sel = max(0, g.sel-1)
		case key.Matches(msg, g.keys.Down):
			if g.report != nil {
				g.sel = min(len(g.report.Results)-1, g.sel+1)
			}
		}
	}
	return g, nil
}

// probeDoneMsg answers probeCmd.
type probeDoneMsg struct {
	id       int
	report   model.ProbeReport
	cells    []PreviewCell
	err      error
	audited  bool
	auditErr error
}

// start marks a probe in flight and returns its request id.
func (g *probeGrid) start() int {
	g.seq++
	g.probing = true
	return g.seq
}

// done takes a probe's answer; false for a stale one. A report selects the first
// disagreement, else the first denial: that is what needs explaining.
func (g *probeGrid) done(msg probeDoneMsg) bool {
	if msg.id != g.seq {
		return false
	}
	g.probing = false
	if msg.err != nil {
		return true
	}
	rep := msg.report
	g.report, g.cells = &rep, msg.cells
	g.sel = 0
	for i, r := range rep.Results {
		if r.Agree != nil && !*r.Agree {
			g.sel = i
			break
		}
	}
	if g.sel == 0 {
		for i, r := range rep.Results {
			if !r.Actual.Allowed {
				g.sel = i
				break
			}
		}
	}
	return true
}

// probeCmd runs the probe, predicts each operation with the local engine, and appends the
// token's audit record again with the probe results (flow.RunProbe).
func probeCmd(client ObjectClient, spec model.ProbeSpec, in flow.ProbeInputs, audit AuditLog, rec model.AuditRecord, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		predict := func(rep *model.ProbeReport) []PreviewCell { return flow.PredictProbe(rep, in) }
		run, err := flow.RunProbe(ctx, client, spec, predict, audit, rec)
		if err != nil {
			return probeDoneMsg{id: id, err: err}
		}
		return probeDoneMsg{id: id, report: run.Report, cells: run.Cells, audited: run.Audited, auditErr: run.AuditErr}
	}
}

// View draws "probing…" while a probe runs and the grid once there is a report, with the
// "enter explains" hint when the rows allow.
func (g probeGrid) View() string {
	var b strings.Builder
	if g.probing {
		b.WriteString(g.st.Muted.Render(g.st.tr().S("probing put/head/get/list/delete inside and outside the prefix…")) + "\n")
	}
	if g.report != nil {
		grid := g.gridView(true)
		if strings.Count(b.String()+grid, "\n") > g.height {
			grid = g.gridView(false)
		}
		b.WriteString(grid)
	}
	return b.String()
}

func (g probeGrid) gridView(hint bool) string {
	st, tr := g.st, g.st.tr()
	rep := g.report
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", st.Title.Render(tr.S("Probe")), st.Muted.Render(tr.S("oss://%s  inside %q  outside %q", rep.Bucket, rep.Prefix, rep.Outside)))
	wide := g.width >= 120
	pw := 16
	if wide {
		pw = 22
	}
	// Columns padded in cells: the headers may be Chinese.
	head := "  " + padRight(tr.S("op"), 6) + " " + padRight(tr.S("scope"), 7) + " " + padRight(tr.S("predicted"), pw) + " " +
		padRight(tr.S("actual"), 18) + " " + padRight(tr.S("agree"), 6) + " EC"
	if wide {
		head += "            RequestId"
	}
	b.WriteString(head + "\n")
	disagree := 0
	for i, r := range rep.Results {
		line, differs := g.rowView(r, pw, wide)
		if differs {
			disagree++
		}
		mark := "  "
		if i == g.sel {
			mark = GlyphSelected + " "
			line = st.Selected.Render(line)
		}
		b.WriteString(mark + line + "\n")
	}
	if disagree > 0 {
		b.WriteString(st.Warn.Render(GlyphWarn+" "+tr.S("%d disagreement(s) between the local engine and OSS — enter explains", disagree)) + "\n")
	} else if hint {
		b.WriteString(st.Muted.Render(tr.S("enter explains the selected row")) + "\n")
	}
	if len(rep.LeftBehind) > 0 {
		text := GlyphWarn + " " + tr.S("could not delete %s: this token may not delete them; x removes them with your own credentials", strings.Join(rep.LeftBehind, ", "))
		for _, l := range wrapWords(text, max(20, g.width)) {
			b.WriteString(st.Warn.Render(l) + "\n")
		}
	}
	return b.String()
}

// rowView is one result: op, scope, predicted (layer), actual, agreement, EC (and RequestId
// when wide), styled by what it shows; differs says prediction and answer disagree.
func (g probeGrid) rowView(r model.ProbeResult, pw int, wide bool) (line string, differs bool) {
	st, tr := g.st, g.st.tr()
	pred := verdictWord(tr, r.Predicted)
	if r.PredictedLayer != "" {
		lw := layerWord(tr, r.PredictedLayer)
		switch r.Predicted {
		case VerdictAllow:
			pred = tr.S("Allow (%s)", lw)
		case VerdictDeny:
			pred = tr.S("Deny (%s)", lw)
		default:
			pred = tr.S("Unknown (%s)", lw)
		}
	}
	act := GlyphOK + " " + tr.S("%d allowed", r.Actual.Status)
	if !r.Actual.Allowed {
		act = fmt.Sprintf("%s %d %s", GlyphDeny, r.Actual.Status, nonEmpty(r.Actual.Code, tr.S("denied")))
	}
	agree := GlyphUnknown
	if r.Agree != nil {
		if *r.Agree {
			agree = GlyphOK
		} else {
			agree = GlyphWarn + " DIFF"
			differs = true
		}
	}
	line = fmt.Sprintf("%-6s %s %s %s %s %-13s", r.Op, padRight(tr.S(r.Scope), 7), padRight(pred, pw), padRight(act, 18), padRight(agree, 6), r.Actual.EC)
	if wide {
		line += " " + r.Actual.RequestID
	}
	line = strings.TrimRight(line, " ")
	switch {
	case differs:
		line = st.Warn.Render(line)
	case !r.Actual.Allowed:
		line = st.Deny.Render(line)
	}
	return line, differs
}

func nonEmpty(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
