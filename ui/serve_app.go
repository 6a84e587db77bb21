package ui

import "time"

// The app's side of serving the card's token (serve.go): where the URL file goes, the quit
// warning, and stopping when the console ends.

// serveOwner is the Issue screen's serve interface.
type serveOwner interface {
	ServeWarning(now time.Time) string
	StopServing()
	setServeDir(dir string)
}

func (a *App) serveScreen() serveOwner {
	o, _ := a.screens[ScreenIssue].(serveOwner)
	return o
}

// setupServe tells the Issue screen where to write the credentials URI file.
func (a *App) setupServe(dir string) {
	if o := a.serveScreen(); o != nil {
		o.setServeDir(dir)
	}
}

// quitWarning is why quitting should ask ("" = it need not).
func (a *App) quitWarning() string {
	if o := a.serveScreen(); o != nil {
		return o.ServeWarning(a.now())
	}
	return ""
}

// stopServing stops serving (Close: the console ends).
func (a *App) stopServing() {
	if o := a.serveScreen(); o != nil {
		o.StopServing()
	}
}
