package ui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// Issue 12 item 5: the status line is whole (an error wrapped within three lines) or a short
// form naming the key; D shows everything, also in Chinese.

func statusApp(t *testing.T, w, h int) *consoleDriver {
	t.Helper()
	svc, _ := wServices()
	d := newConsoleDriver(t, newApp(svc, Options{Now: cClock, NoColor: true}))
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// statusOf returns the status lines (between the body and the help line).
func statusOf(d *consoleDriver) []string {
	a := d.app()
	return a.statusLines()
}

func TestStatusLineWholeOrShortWithKey(t *testing.T) {
	t.Parallel()
	d := statusApp(t, 80, 24)
	// A note that does not fit: one line ending in the key.
	if got := statusOf(d); len(got) != 1 || !strings.HasSuffix(got[0], "… · D shows it all") {
		t.Errorf("credentials note: %q", got)
	}
	// An error that fits in three lines is wrapped whole: its last words are there, no "…".
	d.send(ErrorMsg{Context: "reading role ramosstest", Err: errors.New("the connection was reset by the peer while RAM answered; try again in a moment or press r to reload the roles")})
	got := statusOf(d)
	if len(got) < 2 || len(got) > statusMaxLines || strings.Contains(strings.Join(got, ""), "…") || !strings.HasSuffix(got[len(got)-1], "reload the roles") {
		t.Errorf("a three-line error is not whole: %q", got)
	}
	if v := d.view(); !strings.Contains(v, "press r to reload the roles") {
		t.Errorf("the error's last words are not on screen:\n%s", v)
	}
	// A longer one: the short form (context and code) with the key, whole and not cut.
	d.send(ErrorMsg{Context: wErrContext, Err: wErr})
	got = statusOf(d)
	joined := strings.Join(got, " ")
	if strings.Contains(joined, "…") || !strings.Contains(joined, "RAM GetRole: 403 NoPermission · D shows it all") || len(got) > statusMaxLines {
		t.Errorf("short form: %q", got)
	}
	// D shows all of it; the help line says how to close it; esc closes, and the next esc
	// dismisses the error as before.
	d.keys("D")
	v := flat(d.view())
	for _, want := range []string{"Status line in full", "You should be authorized by RAM.", "[RequestId 6D3E0B1C-8F5A-4D4B-9C1E-2B7A9F0E5D11]",
		"Where stsdeck looked for credentials, in order", "D/esc close the details"} {
		if !strings.Contains(v, want) {
			t.Errorf("details lack %q:\n%s", want, d.view())
		}
	}
	d.keys("esc")
	if strings.Contains(d.view(), "Status line in full") {
		t.Fatal("esc did not close the details")
	}
	d.keys("esc")
	if strings.Contains(d.view(), "NoPermission") {
		t.Error("the second esc did not dismiss the error")
	}
}

func TestStatusDetailsChineseAndUnavailable(t *testing.T) {
	t.Parallel()
	svc := &Services{Mode: "live", Region: "cn-hangzhou", Looked: wLooked,
		Unavailable: &model.APIError{Service: "sts", Operation: "GetCallerIdentity", StatusCode: 404, Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found."}}
	d := newConsoleDriver(t, newApp(svc, Options{Now: cClock, NoColor: true}))
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.keys("D")
	v := flat(d.view())
	for _, want := range []string{"mode: live · region: cn-hangzhou", "InvalidAccessKeyId.NotFound", wLooked[0], wLooked[3]} {
		if !strings.Contains(v, want) {
			t.Errorf("details lack %q:\n%s", want, d.view())
		}
	}
	d.keys("L")
	v = d.view()
	for _, want := range []string{"状态栏全文", "stsdeck 依次查找访问凭证的位置", "关闭详情"} {
		if !strings.Contains(v, want) {
			t.Errorf("Chinese details lack %q:\n%s", want, v)
		}
	}
}
