package policy

// OverlayError: Template was asked for an overlay (a Deny-only addition such as "no-delete") on
// its own. A Deny-only session policy allows nothing, so an overlay is only ever added to a base
// template ("read-write,no-delete"). Callers tell overlays from bases with errors.As, never by
// the message's text.
type OverlayError struct {
	Name string // the overlay asked for alone, e.g. "no-delete"
	Use  string // how to use it instead, e.g. "read-write,no-delete"
}

func (e *OverlayError) Error() string {
	return "template \"" + e.Name + "\" is an overlay: a Deny-only session policy allows nothing; use it as \"" + e.Use + "\""
}
