package ui

import tea "github.com/charmbracelet/bubbletea"

// The console's one focus helper for forms (huh's nextField/prevField: blur the current field,
// pass over the fields to skip, focus the next one). A form keeps its fields as a slice or array
// of values (e.g. [3]textinput.Model) and the focused field's index in an int (-1: none); the
// helpers take both, so a form needs no second copy of its fields and stays copyable.
//
//	s.focus = -1
//	cmd := focusTo(s.inputs[:], &s.focus, 0)        // focus the first field
//	cmd = focusStep(s.inputs[:], &s.focus, 1, nil)  // next field, wrapping around
//	cmd = focusStep(s.inputs[:], &s.focus, -1, nil) // previous field
//	focusTo(s.inputs[:], &s.focus, -1)              // blur: no field focused
//
// Anything with Focus() tea.Cmd and Blur() on its pointer is a field: textinput.Model and
// textarea.Model are. What a form does on focus beyond that (e.g. CursorEnd) it does itself
// after the call; the order does not matter to either model.

// Focusable is a field the focus helpers can move focus to and from.
type Focusable interface {
	Focus() tea.Cmd
	Blur()
}

// focusField is a field kept by value whose pointer is Focusable (e.g. textinput.Model).
type focusField[T any] interface {
	*T
	Focusable
}

// focusTo blurs the focused field (*at; -1 = none), focuses fields[to] (to -1 = none) and sets
// *at to it. It returns the focused field's command (the cursor's blink), nil for none.
func focusTo[T any, P focusField[T]](fields []T, at *int, to int) tea.Cmd {
	if *at >= 0 && *at < len(fields) {
		P(&fields[*at]).Blur()
	}
	if to < 0 || to >= len(fields) {
		*at = -1
		return nil
	}
	*at = to
	return P(&fields[to]).Focus()
}

// focusStep moves the focus dir fields on (1 next, -1 previous), wrapping around and passing
// over the fields skip reports (nil skips none). With no field focused it starts before the
// first field (dir > 0) or after the last (dir < 0). When every field is skipped, nothing
// changes and it returns nil.
func focusStep[T any, P focusField[T]](fields []T, at *int, dir int, skip func(i int) bool) tea.Cmd {
	n := len(fields)
	if n == 0 || dir == 0 {
		return nil
	}
	i := *at
	if i < 0 || i >= n {
		i = -1
		if dir < 0 {
			i = n
		}
	}
	for range n {
		i = ((i+dir)%n + n) % n
		if skip == nil || !skip(i) {
			return focusTo[T, P](fields, at, i)
		}
	}
	return nil
}
