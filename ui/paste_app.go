package ui

import tea "github.com/charmbracelet/bubbletea"

// The app's side of the paste target (paste.go): opening it from any screen, routing keys to
// it while it is open, and handing a fix to the screens in order.

// openPaste opens the panel; with text (a bracketed paste) it is explained at once.
func (a *App) openPaste(text string) tea.Cmd {
	cmd := a.paste.Open()
	if text != "" {
		cmd = a.paste.diagnose(a.svc, text)
	}
	a.layout(false)
	return cmd
}

// updatePaste gives a key to the open panel.
func (a *App) updatePaste(msg tea.KeyMsg) tea.Cmd {
	if !a.paste.Focused() && !msg.Paste {
		switch {
		case keyIs(msg, a.keys.Quit):
			return a.requestQuit()
		case keyIs(msg, a.keys.Help):
			a.fullHelp = !a.fullHelp
			a.layout(false)
			return nil
		}
	}
	var cmd tea.Cmd
	a.paste, cmd = a.paste.Update(msg, a.svc, a.now())
	a.layout(false)
	return cmd
}

// applyFix re-issues with a diagnosis's fix: the role (when read) and the record with the
// fixed session policy go to every screen as History's clone does, the Policy screen learns
// which request the fix is for, and shows it.
func (a *App) applyFix(msg fixReissueMsg) tea.Cmd {
	tr := a.st.tr()
	if msg.err != nil {
		a.paste.err = flatLine(msg.err.Error())
		a.setError(ErrorMsg{Context: tr.S("re-issuing with the fix"), Err: msg.err})
		return nil
	}
	a.paste.open = false
	var cmds []tea.Cmd
	if msg.role != nil {
		cmds = append(cmds, a.broadcast(RoleSelectedMsg{Role: *msg.role}))
	}
	cmds = append(cmds, a.broadcast(CloneIssueMsg{Record: msg.record}), a.broadcast(msg.fix))
	a.switchTo(ScreenPolicy)
	a.setStatus(tr.S("the fix is applied to the session policy: check the preview, then issue on screen 3"))
	return tea.Batch(cmds...)
}
