package ui

import (
	"context"
	"errors"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Options configure the console.
type Options struct {
	Mouse   bool             // capture the mouse (off by default so text can be selected)
	NoColor bool             // NO_COLOR: no styling; state shown by glyphs
	Now     func() time.Time // the wall clock (tests inject one)
	Input   io.Reader        // default: the terminal
	Output  io.Writer        // default: the terminal
	// NoAltScreen keeps the console in the normal screen buffer (tests, recordings).
	NoAltScreen bool
	// Connect, when set (and svc is nil), resolves the services after the first frame: the
	// console shows "connecting…" meanwhile.
	Connect Connector
	// Lang is the console's language at start (i18n.Detect; "" = English); L switches it.
	Lang i18n.Lang
	// ServeDir is where the token card's S writes the credentials URI file (0600); "" = a
	// private temporary directory.
	ServeDir string
}

// New returns the console's root model (for teatest and embedding).
func New(svc *Services, opts Options) tea.Model { return newApp(svc, opts) }

// Run runs the console until the operator quits or ctx is cancelled; the terminal is restored
// either way. With svc nil and opts.Connect set, the first frame comes at once and the services
// are connected inside a command; a connection failure is shown on screen and returned when the
// operator quits.
func Run(ctx context.Context, svc *Services, opts Options) error {
	i18n.AgreeOnWidths() // before the first measurement: runewidth and lipgloss count alike
	m := newApp(svc, opts)
	defer m.Close()
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if !opts.NoAltScreen {
		popts = append(popts, tea.WithAltScreen())
	}
	if opts.Mouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	_, err := tea.NewProgram(m, popts...).Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil // interrupted from outside: not a failure
	}
	if err == nil && m.connectErr != nil {
		return m.connectErr
	}
	return err
}
