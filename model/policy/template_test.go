package policy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestTemplateGolden pins each template's text for examplebucket and prefix src/.
func TestTemplateGolden(t *testing.T) {
	names := append(append([]string{}, TemplateNames[:4]...), "read-write,no-delete", "upload-only,no-delete")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got, err := Template(name, "examplebucket", "src/")
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "templates", strings.ReplaceAll(name, ",", "+")+".json")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -run TestTemplateGolden -update)", err)
			}
			if got != string(want) {
				t.Fatalf("template %s changed:\n%s\nwant:\n%s", name, got, want)
			}
			p, fs := Validate(name, []byte(got), KindSession)
			if p == nil || len(fs) != 0 {
				t.Fatalf("template does not lint clean: %+v", fs)
			}
		})
	}
}

// TestTemplateEffect proves what each template allows, as a session policy over a role that
// allows everything in OSS.
func TestTemplateEffect(t *testing.T) {
	const arn = "acs:oss:cn-hangzhou:1234567890123456:examplebucket"
	type op struct {
		name, action, resource string
		ctx                    map[string][]string
	}
	ops := []op{
		{"put-in", "oss:PutObject", arn + "/src/a.txt", nil},
		{"put-out", "oss:PutObject", arn + "/dst/a.txt", nil},
		{"put-sibling", "oss:PutObject", arn + "/src-old/a.txt", nil},
		{"abort-in", "oss:AbortMultipartUpload", arn + "/src/a.txt", nil},
		{"parts-in", "oss:ListParts", arn + "/src/a.txt", nil},
		{"get-in", "oss:GetObject", arn + "/src/a.txt", nil},
		{"get-out", "oss:GetObject", arn + "/dst/a.txt", nil},
		{"delete-in", "oss:DeleteObject", arn + "/src/a.txt", nil},
		{"list-in", "oss:ListObjects", arn, map[string][]string{KeyPrefix: {"src/2024/"}}},
		{"list-out", "oss:ListObjects", arn, map[string][]string{KeyPrefix: {"dst/"}}},
		{"list-root", "oss:ListObjects", arn, map[string][]string{KeyPrefix: {""}}},
		{"acl-in", "oss:PutObjectAcl", arn + "/src/a.txt", nil},
	}
	cases := []struct {
		tmpl  string
		allow []string
	}{
		{"upload-only", []string{"put-in", "abort-in", "parts-in"}},
		{"read-only", []string{"get-in"}},
		{"read-write", []string{"put-in", "abort-in", "parts-in", "get-in", "delete-in"}},
		{"list-read", []string{"get-in", "list-in"}},
		{"read-write,no-delete", []string{"put-in", "abort-in", "parts-in", "get-in"}},
	}
	role := mustParse(t, "role", doc(`{"Effect":"Allow","Action":"oss:*","Resource":"*"}`), KindIdentity)
	for _, c := range cases {
		src, err := Template(c.tmpl, "examplebucket", "src/")
		if err != nil {
			t.Fatal(err)
		}
		sess := mustParse(t, c.tmpl, src, KindSession)
		for _, o := range ops {
			t.Run(c.tmpl+"/"+o.name, func(t *testing.T) {
				want := false
				for _, a := range c.allow {
					want = want || a == o.name
				}
				r := Evaluate(&Request{Action: o.action, Resource: o.resource, Context: o.ctx}, Layers{Identity: []*Policy{role}, Session: sess})
				if (r.Decision == DecisionAllow) != want {
					t.Fatalf("allowed=%v, want %v: %+v", r.Decision == DecisionAllow, want, r)
				}
				if !want && r.Decision == DecisionImplicitDeny && r.DecidedBy != LayerSession {
					t.Fatalf("denied by %s, want session", r.DecidedBy)
				}
				if o.name == "delete-in" && strings.Contains(c.tmpl, "no-delete") && r.Decision != DecisionExplicitDeny {
					t.Fatalf("no-delete overlay: %s, want ExplicitDeny", r.Decision)
				}
			})
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	cases := []struct{ name, tmpl, bucket, prefix, want string }{
		{"unknown", "write-only", "examplebucket", "src/", "unknown template"},
		{"overlay alone", "no-delete", "examplebucket", "src/", "overlay"},
		{"overlay not an overlay", "read-only,read-write", "examplebucket", "src/", "only \"no-delete\""},
		{"bad bucket", "read-only", "Example_Bucket", "src/", "bucket name"},
		{"short bucket", "read-only", "ab", "src/", "3 to 63"},
		{"wildcard prefix", "read-only", "examplebucket", "src/*", "wildcards"},
		{"leading slash", "read-only", "examplebucket", "/src/", "do not start"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Template(c.tmpl, c.bucket, c.prefix)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	// An empty prefix means the whole bucket.
	src, err := Template("read-only", "examplebucket", "")
	if err != nil || !strings.Contains(src, `"acs:oss:*:*:examplebucket/*"`) {
		t.Fatalf("%v\n%s", err, src)
	}
}
