package cli

import (
	"net/http"
	"strings"
	"testing"
)

func TestExternalCommand(t *testing.T) {
	got := externalCommand([]string{"--sandbox", "--role", "R", "--format", "external-profile", "--out", "f", "--json", "--template", "upload-only,no-delete", "--prefix", "a b/"})
	want := `stsdeck issue --sandbox --role R --template upload-only,no-delete --prefix 'a b/' --format external`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestChildEnvReplaces(t *testing.T) {
	got := childEnv([]string{"A=1", "OSS_SESSION_TOKEN=old", "B=2"}, map[string]string{"OSS_SESSION_TOKEN": "new"})
	if strings.Join(got, " ") != "A=1 B=2 OSS_SESSION_TOKEN=new" {
		t.Fatal(got)
	}
	_ = http.StatusOK
}
