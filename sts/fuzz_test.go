package sts

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRedact: a token embedded in a server message, raw or URL-encoded once or twice, never
// survives redaction.
func FuzzRedact(f *testing.F) {
	f.Add("server string to sign is:POST&%2F&SecurityToken%3D", "CAIS+abc/def==", "%26Version%3D1")
	f.Add("x-acs-security-token:", "tok", "\nhost:x")
	f.Fuzz(func(t *testing.T, before, token, after string) {
		if len(token) < 8 || strings.Contains(before+after, token) || strings.Contains("[query redacted]", token) {
			return // too short to be a token, or the text around it already contains it
		}
		for _, form := range []string{token, url.QueryEscape(token), url.QueryEscape(url.QueryEscape(token))} {
			got := Redact(before+form+after, token)
			if strings.Contains(got, token) {
				t.Fatalf("token survived: %q", got)
			}
		}
	})
}
