package credfmt

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func snippetTarget() SnippetTarget {
	return SnippetTarget{Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:9000", Bucket: "examplebucket", Key: `src/partner "q".txt`}
}

func TestSnippetsNameTheTargetAndHoldNoSecret(t *testing.T) {
	for _, kind := range SnippetKinds {
		code, err := Snippet(kind, snippetTarget())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"http://127.0.0.1:9000"`, `"examplebucket"`, `"src/partner \"q\".txt"`, "OSS_SESSION_TOKEN"} {
			if !strings.Contains(code, want) {
				t.Errorf("%s lacks %s:\n%s", kind, want, code)
			}
		}
	}
	if _, err := Snippet("code-go", SnippetTarget{}); err == nil {
		t.Error("no bucket accepted")
	}
}

// The Go snippet compiles against the pinned SDK (a module of its own, built from the module
// cache: no network).
func TestGoSnippetCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	code, err := Snippet("code-go", snippetTarget())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := os.ReadFile(filepath.Join("..", "..", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module snippet\n\ngo 1.24\n\nrequire github.com/aliyun/alibabacloud-oss-go-sdk-v2 v1.6.1\n"
	for name, body := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "main.go": code} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(goBin, "build", "-o", os.DevNull, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s\n%s", err, out, code)
	}
}
