package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// ScreenID names a screen, in tab order.
type ScreenID int

const (
	ScreenRoles ScreenID = iota
	ScreenPolicy
	ScreenIssue
	ScreenTest
	ScreenHistory
	screenCount
)

// Screen is one of the console's screens. The app routes keys to the active screen and
// WindowSizeMsg (as SetSize) to all of them.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	// Title is the tab label.
	Title() string
	// KeyMap returns the screen's current bindings (reflecting what is enabled) for bubbles help.
	KeyMap() help.KeyMap
	// InputFocused reports whether a text field has focus; the app then lets only esc, ctrl+c,
	// tab/shift+tab and alt+1…5 act globally (bare 1…5 switch screens only when it is false).
	InputFocused() bool
}

// Messages that cross screens. Screens emit them as tea.Cmd results; the app forwards each to
// every screen (and switches screens where the message says so).

// SwitchScreenMsg asks the app to show a screen.
type SwitchScreenMsg struct{ To ScreenID }

// RoleSelectedMsg: the operator chose a role on the Roles screen (details loaded where possible).
type RoleSelectedMsg struct{ Role model.Role }

// PolicyChangedMsg: the session policy draft changed (Doc "" = no session policy).
type PolicyChangedMsg struct {
	Doc    string
	Bucket string
	Prefix string
	Valid  bool // no error findings
	// Problem is the first error finding in words ("line 3, col 5: …"), "" when Valid.
	Problem string
	// Pending: the draft changed and is not checked yet (Valid is meaningless); a token must not
	// be issued from it, or it could go out without the policy the operator sees.
	Pending bool
}

// TokenIssuedMsg: new credentials were issued (Previous is the token they replace, if any).
type TokenIssuedMsg struct {
	Creds    model.Credentials
	Request  model.IssueRequest
	Previous *model.Credentials
	RecordID string // audit record id
	// Record is the audit record appended for this token (never holds a secret); the Test screen
	// appends it again with Probe filled in, and History keeps the last line of each ID.
	Record model.AuditRecord
}

// CloneIssueMsg: History asks for a new issue with a past record's inputs.
type CloneIssueMsg struct{ Record model.AuditRecord }

// ErrorMsg carries an error to the one place that renders errors (the app's status line).
type ErrorMsg struct {
	Context string // what was being done, e.g. "listing roles"
	Err     error
}

// StatusMsg is a transient status-line message.
type StatusMsg struct{ Text string }

// TickMsg is the app-wide one-second clock tick; Now is the local wall time.
type TickMsg struct{ Now time.Time }

// ClockAdvancedMsg: the sandbox's authorization clock moved (sandbox only).
type ClockAdvancedMsg struct{ Offset time.Duration }
