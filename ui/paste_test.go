package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

type pDecoder struct{ m model.DiagnosticMessage }

func (d pDecoder) DecodeDiagnosticMessage(context.Context, string) (model.DiagnosticMessage, error) {
	return d.m, nil
}

const pUploadOnly = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/src/*"]}]}`
const pEncoded = "AQEAAAAAZBgxr0U1MjA1NTM1LUM4BBktMzE5RS1CODgxLUU1QTI0RDNFQTM1"
const pRes = "acs:oss:cn-hangzhou:" + cAccount + ":examplebucket/src/a.txt"

// pDeniedXML is an OSS denial as an SDK or a presigned URL's answer carries it.
const pDeniedXML = `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Access denied by authorizer's policy.</Message>
  <RequestId>6643A1B2C3D4E5F601234567</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <AccessDeniedDetail><EncodedDiagnosticMessage>` + pEncoded + `</EncodedDiagnosticMessage></AccessDeniedDetail>
  <EC>0003-00000301</EC>
</Error>`

// pasteServices: an upload-only token in the audit log, a role that may read and write the
// bucket, and a RAM decoder answering the denied GET.
func pasteServices() (*Services, *cAuditFake) {
	roles := cDemoRoles()
	roles.roles[0].Policies = []model.AttachedPolicy{{Name: "OssReadWrite", Type: "Custom",
		Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`}}
	svc := cDemoServices(roles)
	audit := &cAuditFake{recs: []model.AuditRecord{{ID: "rec-1", Time: cNow.Add(-time.Minute), RoleARN: roles.roles[0].ARN, SessionName: "partner",
		AccessKeyID: "STS.NUgYrLnoC37mZZCNnAbez2", SessionPolicy: pUploadOnly, DurationSeconds: 3600, Mode: "sandbox", Region: "cn-hangzhou"}}}
	svc.Audit = audit
	svc.Diagnostics = pDecoder{m: model.DiagnosticMessage{AuthAction: "oss:GetObject", AuthResource: pRes, NoPermissionPolicyType: "SessionPolicy",
		AuthPrincipal: &model.DiagnosticPrincipal{AuthPrincipalDisplayName: "RamOssTest:partner", AuthPrincipalType: "AssumedRoleUser", AuthPrincipalOwnerID: cAccount}}}
	return svc, audit
}

func paste(text string) tea.KeyMsg {
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true}
}

// A bracketed paste on any screen is explained in the Explain panel; f re-issues with the
// verified fix: the Policy screen shows the draft with it, and the denied request turning to
// allow; the Issue screen has the record's inputs with the fixed policy.
func TestPasteDiagnoseFixReissue(t *testing.T) {
	svc, _ := pasteServices()
	d := newTestApp(t, svc)
	d.send(tea.WindowSizeMsg{Width: 100, Height: 60})
	d.keys("5") // History: the paste target is reachable from every screen
	d.send(paste(pDeniedXML))
	v := d.view()
	for _, want := range []string{"Explain: pasted AccessDenied (oss-xml)", "0003-00000301", "6643A1B2C3D4E5F601234567", "oss:GetObject",
		pRes, "RamOssTest/partner", "yes (RAM DecodeDiagnosticMessage)", "session (the session policy", "rec-1, session partner",
		"STS.NUgYrLnoC37mZZCNnAbez2", "add to the session policy:", `"Action":["oss:GetObject"]`, "verified", "f re-issues with this fix"} {
		if !strings.Contains(v, want) {
			t.Errorf("the panel lacks %q:\n%s", want, v)
		}
	}
	if !strings.Contains(v, "f re-issue with this fix") { // the help line
		t.Errorf("help lacks the fix key:\n%s", v)
	}
	d.keys("f")
	a := d.app()
	if a.Active() != ScreenPolicy || a.paste.open {
		t.Fatalf("after f: screen %d, panel open %v", a.Active(), a.paste.open)
	}
	d.settle()
	p := a.Screen(ScreenPolicy).(*PolicyScreen)
	if !strings.Contains(p.Doc(), "oss:GetObject") || !strings.Contains(p.Doc(), "oss:PutObject") {
		t.Fatalf("draft %s", p.Doc())
	}
	v = d.view()
	if !strings.Contains(v, "Fix from Explain") || !strings.Contains(v, "✗ Deny (session) → ✓ Allow") {
		t.Fatalf("the Policy screen does not show the request turning to allow:\n%s", v)
	}
	is := a.Screen(ScreenIssue).(*IssueScreen)
	if is.role.ARN != svc.Audit.(*cAuditFake).recs[0].RoleARN || !strings.Contains(is.policy.Doc, "oss:GetObject") || is.form.Value(fieldSession) == "partner" {
		t.Fatalf("issue screen: role %q policy %q session %q", is.role.ARN, is.policy.Doc, is.form.Value(fieldSession))
	}
}

// E opens the panel; typed text that is not an error says why and stays open; esc closes.
func TestPasteKeyAndNotAnError(t *testing.T) {
	svc, _ := pasteServices()
	d := newTestApp(t, svc)
	d.keys("E")
	a := d.app()
	if !a.paste.open || !a.paste.Focused() {
		t.Fatal("E did not open the paste panel")
	}
	if v := d.view(); !strings.Contains(v, "Explain an error someone pasted") {
		t.Fatalf("view:\n%s", v)
	}
	d.keys("q") // typed into the field, not quitting
	if d.quit {
		t.Fatal("q quit while the field had focus")
	}
	d.keys("enter")
	if v := d.view(); !strings.Contains(v, "✗") || !a.paste.open {
		t.Fatalf("a non-error was not refused:\n%s", v)
	}
	d.send(paste("0003-00000301"))
	if v := d.view(); !strings.Contains(v, "pasted") || !strings.Contains(v, "0003-00000301") {
		t.Fatalf("bare EC:\n%s", v)
	}
	d.keys("f") // no fix for a bare EC: nothing happens
	if a.Active() == ScreenPolicy {
		t.Fatal("f without a fix switched screens")
	}
	d.keys("esc")
	if a.paste.open {
		t.Fatal("esc did not close")
	}
}

// A paste while a text field has focus goes to the field, not to the panel.
func TestPasteIntoFocusedFieldStaysThere(t *testing.T) {
	svc, _ := pasteServices()
	d := newTestApp(t, svc)
	d.keys("2", "e") // Policy editor
	d.send(paste(`{"Version":"1"}`))
	if d.app().paste.open {
		t.Fatal("the panel opened over the editor")
	}
	if p := d.app().Screen(ScreenPolicy).(*PolicyScreen); !strings.Contains(p.Doc(), `"Version"`) {
		t.Fatalf("editor holds %q", p.Doc())
	}
}
