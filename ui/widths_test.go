package ui

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
)

// Issue 12 item 5: every screen, with realistic content, at 80×24, 120×40 and 200×60, in
// colour and with NO_COLOR: no line wider than the terminal in cells (CJK counts 2), never
// more lines than it has.

var widthSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// wLooked is what the credential chain reports on a machine without credentials.
var wLooked = []string{
	"environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET not set",
	"aliyun CLI config /home/operator/.aliyun/config.json: not found",
	"credentials file /home/operator/.alibabacloud/credentials: not found",
	"ECS instance metadata: disabled (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)",
}

// wServices is a sandbox console with the demo's roles plus long and Chinese ones, an issuer,
// objects with the probe's answers, and history.
func wServices() (*Services, *tkClient) {
	roles := cDemoRoles()
	roles.roles = append(roles.roles,
		model.Role{Name: "PartnerUploadWithAVeryLongRoleNameForTheDemo", ARN: "acs:ram::" + cAccount + ":role/partneruploadwithaverylongrolenameforthedemo",
			Description: "合作伙伴上传到 examplebucket 的 src/ 目录（只写）", MaxSessionDuration: 12 * time.Hour, TrustPolicy: cTrustAccount,
			Policies: []model.AttachedPolicy{{Name: "RamTestPolicy", Type: "Custom", Document: cRamTestPolicy}}},
	)
	svc := cDemoServices(roles)
	svc.Where = "embedded sandbox (no credentials found) as RAM user sts-issuer, data /home/operator/.local/state/stsdeck/sandbox; looked in: " + strings.Join(wLooked, "; ")
	svc.Looked = wLooked
	svc.Issuer = &tkIssuer{at: cClock}
	cl := &tkClient{probe: tkProbeReport()}
	cl.probe.LeftBehind = []string{"src/.stsdeck-probe-b9be6d8412e55586"}
	svc.Objects = &tkObjects{c: cl}
	svc.OSSEndpoint = "http://127.0.0.1:39117"
	aud := &cAuditFake{}
	for i := range 12 {
		req := model.IssueRequest{RoleARN: roles.roles[0].ARN, SessionName: fmt.Sprintf("stsdeck-20261127-0%d0000-ab1%d", i%10, i), Duration: time.Hour, Policy: tkPolicy}
		cr := model.Credentials{AccessKeyID: "STS.k", Expiration: cNow.Add(time.Duration(i-6) * time.Hour), IssuedAt: cNow.Add(time.Duration(i-7) * time.Hour), RoleARN: req.RoleARN}
		_ = aud.Append(buildAuditRecord(auditMeta{mode: "sandbox", region: "cn-hangzhou", caller: "acs:ram::" + cAccount + ":user/sts-issuer"}, req, cr, cr.IssuedAt))
	}
	svc.Audit = aud
	return svc, cl
}

// wScene is one state of the console reached by keys.
type wScene struct {
	name string
	keys func(d *consoleDriver)
}

// wWalk is the operator's path; each scene starts where the previous one ended.
var wWalk = []wScene{
	{"roles", func(d *consoleDriver) {}},
	{"roles help", func(d *consoleDriver) { d.keys("?") }},
	{"roles details", func(d *consoleDriver) { d.keys("?", "p") }},
	{"policy template menu", func(d *consoleDriver) { d.keys("esc", "enter", "t") }},
	{"policy scope form", func(d *consoleDriver) { d.keys("enter") }},
	{"policy preview", func(d *consoleDriver) { d.keys("enter"); d.typeText("src/"); d.keys("enter"); d.settle() }},
	{"policy help", func(d *consoleDriver) { d.keys("?") }},
	{"issue form", func(d *consoleDriver) { d.keys("?", "3") }},
	{"issue form, field focused", func(d *consoleDriver) { d.keys("down") }},
	{"issue form help", func(d *consoleDriver) { d.keys("esc", "?") }},
	{"issue card", func(d *consoleDriver) { d.keys("?", "enter", "enter") }},
	{"issue card, clock advanced", func(d *consoleDriver) { d.keys("ctrl+t") }},
	{"export list", func(d *consoleDriver) { d.keys("x") }},
	{"export list help", func(d *consoleDriver) { d.keys("?") }},
	{"test", func(d *consoleDriver) { d.keys("?", "esc", "4") }},
	{"test probe grid", func(d *consoleDriver) { d.keys("p") }},
	{"test explain", func(d *consoleDriver) { d.keys("down", "enter") }},
	{"test help", func(d *consoleDriver) { d.keys("?") }},
	{"history", func(d *consoleDriver) { d.keys("?", "esc", "5") }},
	{"history detail", func(d *consoleDriver) { d.keys("enter") }},
	{"history help", func(d *consoleDriver) { d.keys("?") }},
	{"status details", func(d *consoleDriver) { d.keys("?", "D") }},
	{"status details, scrolled", func(d *consoleDriver) { d.keys("pgdown", "pgdown") }},
	{"status error", func(d *consoleDriver) { d.keys("D", "1"); d.send(ErrorMsg{Context: wErrContext, Err: wErr}) }},
	{"status error details", func(d *consoleDriver) { d.keys("D") }},
	{"status error details, scrolled", func(d *consoleDriver) { d.keys("pgdown", "pgdown") }},
	{"status error closed", func(d *consoleDriver) { d.keys("D") }},
}

// wErr is the long refusal of TestConsoleListRolesDenied's status line (cut with … and then
// wrapped before).
var (
	wErrContext = "reading role ramosstest (its policies are unknown; the preview shows ?)"
	wErr        = &model.APIError{Service: "ram", Operation: "GetRole", StatusCode: 403, Code: "NoPermission",
		Message:   "You are not authorized to do this action. You should be authorized by RAM.",
		RequestID: "6D3E0B1C-8F5A-4D4B-9C1E-2B7A9F0E5D11",
		Hint:      "RAM refused the caller: grant ram:GetRole on acs:ram:*:1234567890123456:role/ramosstest (AliyunRAMReadOnlyAccess has it), or type the role ARN and go on without its policies"}
)

// wConsole walks the console at w×h and calls check with each scene's view.
func wConsole(t *testing.T, w, h int, noColor bool, check func(scene, raw string)) {
	t.Helper()
	svc, _ := wServices()
	d := newConsoleDriver(t, newApp(svc, Options{Now: cClock, NoColor: noColor}))
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.send(callerMsg{caller: model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":user/sts-issuer", IdentityType: "RAMUser"}})
	for _, sc := range wWalk {
		sc.keys(d)
		check(sc.name, d.m.View())
	}
}

func TestEveryScreenFitsTheTerminal(t *testing.T) {
	for _, sz := range widthSizes {
		for _, noColor := range []bool{true, false} {
			t.Run(fmt.Sprintf("%dx%d nocolor=%v", sz[0], sz[1], noColor), func(t *testing.T) {
				t.Parallel()
				wConsole(t, sz[0], sz[1], noColor, func(scene, raw string) {
					lines := strings.Split(raw, "\n")
					if len(lines) > sz[1] {
						t.Errorf("%s: %d lines on a %d-line terminal", scene, len(lines), sz[1])
					}
					for i, l := range lines {
						if n := ansi.StringWidth(l); n > sz[0] {
							t.Errorf("%s: line %d is %d cells on a %d-column terminal: %q", scene, i+1, n, sz[0], ansi.Strip(l))
						}
					}
				})
			})
		}
	}
}

// TestDumpWalk writes each scene's plain view to $STSDECK_WALK_DIR (for looking at them).
func TestDumpWalk(t *testing.T) {
	dir := getenv("STSDECK_WALK_DIR")
	if dir == "" {
		t.Skip("STSDECK_WALK_DIR not set")
	}
	for _, sz := range widthSizes {
		var b strings.Builder
		wConsole(t, sz[0], sz[1], true, func(scene, raw string) {
			fmt.Fprintf(&b, "===== %s (%dx%d)\n%s\n", scene, sz[0], sz[1], ansi.Strip(raw))
		})
		writeFile(t, fmt.Sprintf("%s/walk_%dx%d.txt", dir, sz[0], sz[1]), b.String())
	}
}

func getenv(k string) string { return os.Getenv(k) }

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// What item 5 named, each read whole at 80, 120 and 200 columns.
func TestNothingReadableIsCut(t *testing.T) {
	sessRE := regexp.MustCompile(`stsdeck-\d{8}-\d{6}-[0-9a-f]{4}`)
	for _, sz := range widthSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			details := map[string]string{} // what the details view showed, by what it was opened on
			wConsole(t, sz[0], sz[1], true, func(scene, raw string) {
				v := ansi.Strip(raw)
				lines := strings.Split(v, "\n")
				// The status line (above the help line) is never cut without saying which key
				// shows it whole, and never both cut and wrapped.
				help := len(lines) - 1
				for help > 0 && !strings.Contains(lines[help], "•") {
					help--
				}
				var status []string
				for i := help - 1; i >= 0 && i >= help-3; i-- {
					l := strings.TrimRight(lines[i], " ")
					if l == "" || strings.Contains(l, "│") || strings.HasPrefix(l, "─") {
						break
					}
					status = append([]string{l}, status...)
				}
				for i, l := range status {
					if strings.Contains(l, "…") && !strings.HasSuffix(l, "· D shows it all") {
						t.Errorf("%s: status line cut without the details key: %q", scene, l)
					}
					if strings.Contains(l, "…") && len(status) > 1 && i < len(status)-1 {
						t.Errorf("%s: status line cut and wrapped: %q", scene, status)
					}
				}
				if strings.HasPrefix(scene, "status details") {
					details["creds"] += flat(v) + " "
				}
				if strings.HasPrefix(scene, "status error details") {
					details["error"] += flat(v) + " "
				}
				switch scene {
				case "status details, scrolled":
					// Every place the credential chain looked can be read whole.
					for _, l := range wLooked {
						if !strings.Contains(details["creds"], l) {
							t.Errorf("the details view never shows %q:\n%s", l, details["creds"])
						}
					}
				case "status error":
					// The error's short form names the refusal and the key; when the whole text
					// fits in three lines it is there with its last words.
					joined := flat(strings.Join(status, " "))
					if !strings.Contains(joined, "RAM GetRole: 403 NoPermission") {
						t.Errorf("the status line lacks the refusal: %q", status)
					}
					if !strings.Contains(joined, "go on without its policies") && !strings.HasSuffix(joined, "D shows it all") {
						t.Errorf("the error is neither whole nor says which key shows it: %q", status)
					}
				case "status error details, scrolled":
					for _, want := range []string{wErrContext, "You are not authorized to do this action. You should be authorized by RAM.",
						"[RequestId 6D3E0B1C-8F5A-4D4B-9C1E-2B7A9F0E5D11]", "or type the role ARN and go on without its policies"} {
						if !strings.Contains(strings.ReplaceAll(details["error"], "- ", "-"), want) {
							t.Errorf("the error's details lack %q:\n%s", want, details["error"])
						}
					}
				case "policy preview":
					// The preview's title, notes and reasons wrap or are counted, never cut.
					var pane []string
					for _, l := range lines {
						if _, right, ok := strings.Cut(l, "│"); ok {
							l = right
						}
						pane = append(pane, l)
						if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
							t.Errorf("%s: cut: %q\n%s", scene, l, v)
						}
					}
					if sz[0] >= 120 && !strings.Contains(flat(strings.Join(pane, "\n")), "role PartnerUploadWithAVeryLongRoleNameForTheDemo") {
						t.Errorf("the preview's role is cut:\n%s", v)
					}
				case "history":
					if !strings.Contains(flat(v), "newest first · times: the server's clock, UTC") {
						t.Errorf("the History header is cut:\n%s", v)
					}
				case "history detail":
					// The policy digest is whole (wrapped under itself).
					joined := regexp.MustCompile(`\n {16}`).ReplaceAllString(v, "")
					if !regexp.MustCompile(`policy digest +sha256:[0-9a-f]{64}\b`).MatchString(joined) {
						t.Errorf("the policy digest is cut:\n%s", v)
					}
				case "status error closed":
					if strings.Contains(v, "Status line in full") {
						t.Errorf("D did not close the details:\n%s", v)
					}
				}
				switch scene {
				case "issue form":
					// The role and policy rows line up with the fields (after the focus mark).
					col := map[string]int{}
					for _, l := range lines {
						for _, label := range []string{"role ", "policy ", "session name ", "duration ", "external id "} {
							if i := strings.Index(l, label); i >= 0 && i <= 2 {
								col[label] = i
							}
						}
					}
					if len(col) != 5 || col["role "] != col["session name "] || col["policy "] != col["duration "] {
						t.Errorf("labels not in one column %v:\n%s", col, v)
					}
					if !strings.Contains(strings.ReplaceAll(flat(v), "/ ", "/"), "role/partneruploadwithaverylongrolenameforthedemo (max session 12h)") {
						t.Errorf("the role ARN is cut:\n%s", v)
					}
				case "issue card", "issue card, clock advanced":
					sess := sessRE.FindString(v)
					if sess == "" {
						t.Fatalf("no default session name (issuereq.DefaultSessionName) on the card:\n%s", v)
					}
					// The assumed-role ARN breaks after a '/', never inside the session name.
					if !strings.Contains(v, "/"+sess) && !regexp.MustCompile(`\n\s+`+sess).MatchString(v) {
						t.Errorf("the assumed-role ARN is broken inside %s:\n%s", sess, v)
					}
					for _, l := range lines {
						if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
							t.Errorf("%s: line cut off: %q", scene, l)
						}
					}
				case "export list":
					// Every description shown is whole (wrapped under itself), never cut.
					for _, l := range lines {
						if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
							t.Errorf("%s: cut: %q\n%s", scene, l, v)
						}
					}
					if !strings.Contains(flat(v), "external-profile aliyun configure command for an External profile that runs stsdeck issue --format external") {
						t.Errorf("an export description is cut:\n%s", v)
					}
					for _, want := range []string{"c copy to the clipboard (OSC 52, best effort)", "f/enter save to a file (0600)", "esc close"} {
						if !strings.Contains(v, want) {
							t.Errorf("export hint lacks %q:\n%s", want, v)
						}
					}
				}
			})
		})
	}
}
