package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/oss"
	"github.com/stsdeck/stsdeck/sts/connect"
	"github.com/stsdeck/stsdeck/sts/creds"
	"github.com/stsdeck/stsdeck/sts/sandbox"
	"github.com/stsdeck/stsdeck/ui/credfmt"
)

// These tests run the commands as main.go wires them: real credential resolution, the real
// adapters and SDKs, and the embedded sandbox over loopback.

// testConnect is main.go's connectServices.
func testConnect(ctx context.Context, g Global, env *Env) (*service.Services, func(), error) {
	dir, err := StateDir(env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	c, err := connect.Connect(ctx, connect.Options{Sandbox: g.Sandbox, Fallback: g.Console, Profile: g.Profile, Region: g.Region,
		STSEndpoint: g.STSEndpoint, RAMEndpoint: g.RAMEndpoint, OSSEndpoint: g.OSSEndpoint, StateDir: dir, Getenv: env.Getenv})
	if err != nil {
		return nil, nil, err
	}
	s := &service.Services{Mode: c.Mode, Region: c.Region, AccountID: c.AccountID, Where: c.Where, Identity: c.STS, Roles: c.STS,
		Issuer: c.STS, Objects: objects{c.OSS}, Audit: c.Audit, OSSEndpoint: c.OSSEndpoint, Looked: c.Looked,
		Temporary: c.Temporary, Current: c.Current}
	if c.Control != nil {
		s.Sandbox = c.Control
	}
	return s, c.Close, nil
}

type objects struct{ s *oss.Service }

func (o objects) With(c model.Credentials) service.ObjectClient { return o.s.With(c) }

// world is a temporary HOME and state dir with an environment that finds no credentials.
type world struct {
	t       *testing.T
	home    string
	state   string
	vars    map[string]string
	connect func(context.Context, Global, *Env) (*service.Services, func(), error) // nil = testConnect
}

func newWorld(t *testing.T) *world {
	root := t.TempDir()
	w := &world{t: t, home: filepath.Join(root, "home"), state: filepath.Join(root, "state")}
	os.MkdirAll(w.home, 0o700)
	w.vars = map[string]string{"HOME": w.home, "STSDECK_STATE_DIR": w.state, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	return w
}

type result struct {
	code           int
	stdout, stderr string
}

func (w *world) run(stdin string, args ...string) result {
	w.t.Helper()
	var out, errb bytes.Buffer
	conn := w.connect
	if conn == nil {
		conn = testConnect
	}
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return w.vars[k] },
		Deps: Deps{Connect: conn}}
	code := Main(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func (w *world) must(args ...string) result {
	w.t.Helper()
	r := w.run("", args...)
	if r.code != 0 {
		w.t.Fatalf("stsdeck %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func TestNoCredentialsExitTwoListingWhereItLooked(t *testing.T) {
	w := newWorld(t)
	for _, args := range [][]string{
		{"whoami"}, {"roles"}, {"issue", "--role", "RamOssTest"}, {"presign", "oss://b/k"},
		{"probe", "--bucket", "b", "--prefix", "p/"}, {"upload", "--generate", "1KiB", "oss://b/k"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := w.run("", args...)
			if r.code != ExitBadInput || r.stdout != "" {
				t.Fatalf("exit %d stdout %q", r.code, r.stdout)
			}
			for _, want := range []string{"looked in", filepath.Join(w.home, ".aliyun", "config.json") + ": not found", "ALIBABA_CLOUD_ACCESS_KEY_ID", "--sandbox"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

func TestBadInputExitTwo(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"issue without role", []string{"issue", "--sandbox"}, "--role is required"},
		{"unknown format", []string{"issue", "--sandbox", "--role", "RamOssTest", "--format", "yaml"}, "--format"},
		{"duration too short", []string{"issue", "--sandbox", "--role", "RamOssTest", "--duration", "5m"}, "not sent"},
		{"duration over role max", []string{"issue", "--sandbox", "--role", "RamOssTest", "--duration", "2h"}, "maximum session duration of 1h"},
		{"policy with an error", []string{"issue", "--sandbox", "--role", "RamOssTest", "--policy", "-"}, "Policy"},
		{"template without bucket", []string{"issue", "--sandbox", "--role", "RamOssTest", "--template", "upload-only"}, "--bucket"},
		{"bad endpoint", []string{"whoami", "--sts-endpoint", "ftp://x"}, "--sts-endpoint"},
		{"bad oss url", []string{"presign", "--sandbox", "s3://b/k"}, "oss://bucket/key"},
		{"presign bad method", []string{"presign", "--sandbox", "--method", "DELETE", "oss://b/k"}, "GET or PUT"},
		{"unknown flag", []string{"whoami", "--nope"}, "nope"},
		{"out in a missing directory", []string{"issue", "--sandbox", "--role", "RamOssTest", "--format", "env", "--out", "/nonexistent-dir/x.env"}, "no such directory: /nonexistent-dir"},
		{"probe needs temporary credentials", []string{"probe", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/"}, "temporary credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(`{"Version":"1","Statement":[{"Effect":"allow","Action":"oss:GetObject","Resource":"*"}]}`, tc.args...)
			if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr lacks %q:\n%s", r.code, tc.want, r.stderr)
			}
		})
	}
}

// A probe whose credentials are refused learns nothing about the policies: exit 1, not "agree".
func TestProbeWithRefusedCredentialsFails(t *testing.T) {
	w := newWorld(t)
	var cr map[string]any
	json.Unmarshal([]byte(w.must("issue", "--sandbox", "--role", "RamOssTest", "--format", "json").stdout), &cr)
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = cr["AccessKeyId"].(string), cr["SecurityToken"].(string)
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "wrong-secret"
	r := w.run("", "probe", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/")
	if r.code != ExitDenied || !strings.Contains(r.stdout, "SignatureDoesNotMatch") || !strings.Contains(r.stderr, "credentials were refused") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "wrong-secret") {
		t.Error("the secret was printed")
	}
}

func TestDeniedExitOne(t *testing.T) {
	w := newWorld(t)
	r := w.run("", "issue", "--sandbox", "--role", "EcsOnly")
	if r.code != ExitDenied || !strings.Contains(r.stderr, "NoPermission") || !strings.Contains(r.stderr, "hint: ") || !strings.Contains(r.stderr, "RequestId") ||
		!strings.Contains(r.stderr, "sandbox trace") || !strings.Contains(r.stderr, "failed check: trust-policy") {
		t.Fatalf("exit %d stderr:\n%s", r.code, r.stderr)
	}
}

func TestWhoamiAndRolesSandbox(t *testing.T) {
	w := newWorld(t)
	r := w.must("whoami", "--sandbox", "--json")
	var who map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &who); err != nil {
		t.Fatal(err)
	}
	if who["account_id"] != "1234567890123456" || !strings.HasSuffix(who["arn"], ":user/sts-issuer") || who["mode"] != "sandbox" {
		t.Errorf("whoami %v", who)
	}
	r = w.must("roles", "--sandbox", "--json")
	var roles []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &roles); err != nil || len(roles) < 6 {
		t.Fatalf("roles %v %s", err, r.stdout)
	}
	r = w.must("roles", "--sandbox", "--role", "OssNoDelete")
	if !strings.Contains(r.stdout, "Trust policy") || !strings.Contains(r.stdout, "oss:DeleteObject") || !strings.Contains(r.stdout, "Max session   1h0m0s") {
		t.Errorf("role detail:\n%s", r.stdout)
	}
}

// issued runs issue with a format and returns stdout.
func (w *world) issue(format string, extra ...string) string {
	w.t.Helper()
	args := append([]string{"issue", "--sandbox", "--role", "OssReadWrite", "--template", "read-write", "--bucket", "examplebucket", "--prefix", "src/", "--format", format}, extra...)
	return w.must(args...).stdout
}

// whoamiWith checks that credentials work: GetCallerIdentity as the assumed role.
func whoamiWith(t *testing.T, w *world, id, secret, token string) {
	t.Helper()
	w2 := newWorld(t)
	w2.vars["STSDECK_STATE_DIR"] = w.state // the same sandbox data: it accepts the tokens it issued
	r := w2.run("", "whoami", "--sandbox", "--json")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	// Live mode against the sandbox's endpoints, with the exported credentials in the environment.
	run, err := sandbox.Start(context.Background(), sandbox.Options{DataDir: filepath.Join(w.state, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	w2.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w2.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], w2.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = id, secret, token
	r = w2.run("", "whoami", "--json", "--sts-endpoint", run.Info.STSEndpoint)
	if r.code != 0 {
		t.Fatalf("the exported credentials do not work: %s", r.stderr)
	}
	var who map[string]string
	json.Unmarshal([]byte(r.stdout), &who)
	if who["identity_type"] != "AssumedRoleUser" || who["mode"] != "live" || !strings.Contains(who["credentials_from"], "STS token") {
		t.Errorf("whoami with exported credentials: %v", who)
	}
}

func TestIssueFormatEnvEvalsInShells(t *testing.T) {
	w := newWorld(t)
	out := w.issue("env")
	if strings.Count(out, "export ") != 6 || !strings.Contains(out, "# expires 20") {
		t.Fatalf("env output:\n%s", out)
	}
	script := filepath.Join(t.TempDir(), "creds.sh")
	if err := os.WriteFile(script, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, sh := range []string{"sh", "dash", "bash"} {
		path, err := exec.LookPath(sh)
		if err != nil {
			t.Logf("%s not installed", sh)
			continue
		}
		t.Run(sh, func(t *testing.T) {
			cmd := exec.Command(path, "-c", `eval "$(cat "$1")"; printf '%s\n' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_SECURITY_TOKEN" "$OSS_ACCESS_KEY_ID" "$OSS_ACCESS_KEY_SECRET" "$OSS_SESSION_TOKEN"`, sh, script)
			got, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			v := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
			if len(v) != 6 || !strings.HasPrefix(v[0], "STS.") || v[1] == "" || v[2] == "" || v[3] != v[0] || v[4] != v[1] || v[5] != v[2] {
				t.Fatalf("%s eval gave %q", sh, v)
			}
			vals = v
		})
	}
	if vals == nil {
		t.Skip("no POSIX shell")
	}
	whoamiWith(t, w, vals[0], vals[1], vals[2])
}

// Awkward values survive eval in dash and bash (credfmt's quoting, exercised by real shells).
func TestEnvQuotingWithRealShells(t *testing.T) {
	nasty := model.Credentials{AccessKeyID: "STS.a'b", AccessKeySecret: `s$HOME"x\y` + "`id`", SecurityToken: "t'';$(echo pwned) *?[a]\ttab", Expiration: time.Now()}
	out, err := credfmt.Format("env", nasty, credfmt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"dash", "bash", "sh"} {
		path, err := exec.LookPath(sh)
		if err != nil {
			continue
		}
		t.Run(sh, func(t *testing.T) {
			got, err := exec.Command(path, "-c", out+`printf '%s\n' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_SECURITY_TOKEN"`).Output()
			if err != nil {
				t.Fatal(err)
			}
			want := nasty.AccessKeyID + "\n" + nasty.AccessKeySecret + "\n" + nasty.SecurityToken + "\n"
			if string(got) != want {
				t.Errorf("%s gave %q, want %q", sh, got, want)
			}
		})
	}
}

func TestIssueOtherFormats(t *testing.T) {
	w := newWorld(t)
	t.Run("json", func(t *testing.T) {
		var v map[string]any
		if err := json.Unmarshal([]byte(w.issue("json")), &v); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "RoleArn", "AssumedRoleUser", "Region"} {
			if _, ok := v[k]; !ok {
				t.Errorf("json lacks %s", k)
			}
		}
		if len(v) != 7 || v["Region"] != "cn-hangzhou" || !strings.HasSuffix(v["RoleArn"].(string), ":role/OssReadWrite") {
			t.Errorf("json %v", v)
		}
		whoamiWith(t, w, v["AccessKeyId"].(string), v["AccessKeySecret"].(string), v["SecurityToken"].(string))
	})
	t.Run("--json is json", func(t *testing.T) {
		out := w.must("issue", "--sandbox", "--role", "RamOssTest", "--json").stdout
		if !strings.Contains(out, `"AccessKeySecret"`) {
			t.Errorf("--json output:\n%s", out)
		}
	})
	t.Run("fish", func(t *testing.T) {
		out := w.issue("fish")
		if strings.Count(out, "set -gx ") != 6 || !strings.Contains(out, "set -gx ALIBABA_CLOUD_ACCESS_KEY_ID 'STS.") {
			t.Fatalf("fish:\n%s", out)
		}
		if fish, err := exec.LookPath("fish"); err == nil {
			got, err := exec.Command(fish, "-c", out+"; echo $OSS_ACCESS_KEY_ID").Output()
			if err != nil || !strings.HasPrefix(string(got), "STS.") {
				t.Errorf("fish eval: %q %v", got, err)
			}
		}
	})
	t.Run("powershell", func(t *testing.T) {
		out := w.issue("powershell")
		if strings.Count(out, "$Env:") != 6 || !strings.Contains(out, "$Env:OSS_SESSION_TOKEN = '") {
			t.Fatalf("powershell:\n%s", out)
		}
		if pwsh, err := exec.LookPath("pwsh"); err == nil {
			got, err := exec.Command(pwsh, "-NoProfile", "-Command", out+"; Write-Output $Env:OSS_ACCESS_KEY_ID").Output()
			if err != nil || !strings.HasPrefix(string(got), "STS.") {
				t.Errorf("pwsh eval: %q %v", got, err)
			}
		}
	})
	t.Run("ossutil", func(t *testing.T) {
		out := w.issue("ossutil")
		for _, want := range []string{"[Credentials]", "endpoint=http://127.0.0.1:", "accessKeyID=STS.", "accessKeySecret=", "stsToken=", "region=cn-hangzhou", "signVersion=v4"} {
			if !strings.Contains(out, want) {
				t.Errorf("ossutil lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("aliyun-cli", func(t *testing.T) {
		out := w.issue("aliyun-cli", "--profile-name", "partner")
		if !strings.HasPrefix(out, "aliyun configure set --profile 'partner' --mode StsToken --region 'cn-hangzhou' --access-key-id 'STS.") {
			t.Errorf("aliyun-cli:\n%s", out)
		}
	})
	t.Run("card masks the secret", func(t *testing.T) {
		out := w.issue("card")
		if !strings.Contains(out, "AccessKeySecret  ••••••••") || !strings.Contains(out, "[SANDBOX]") || !strings.Contains(out, " chars)") {
			t.Errorf("card:\n%s", out)
		}
	})
	t.Run("--out writes 0600 and nothing to stdout", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "creds.json")
		r := w.must("issue", "--sandbox", "--role", "RamOssTest", "--format", "json", "--out", path)
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 || r.stdout != "" {
			t.Fatalf("stat %v %v, stdout %q", fi, err, r.stdout)
		}
	})
}

func TestIssueConfigJSONMergesAndWorks(t *testing.T) {
	w := newWorld(t)
	cfg := filepath.Join(w.home, ".aliyun", "config.json")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	existing := `{"current":"dev","profiles":[{"name":"dev","mode":"AK","access_key_id":"LTAIdev","access_key_secret":"devsecret","region_id":"cn-shanghai","output_format":"json"}],"meta_path":""}`
	if err := os.WriteFile(cfg, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run("", "issue", "--sandbox", "--role", "OssReadWrite", "--format", "config-json")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "merged into "+cfg) {
		t.Fatalf("exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	fi, _ := os.Stat(cfg)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(cfg)
	var c struct {
		Current  string
		Profiles []map[string]any
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.Current != "dev" || len(c.Profiles) != 2 || c.Profiles[0]["access_key_secret"] != "devsecret" || c.Profiles[1]["name"] != "stsdeck" || c.Profiles[1]["mode"] != "StsToken" {
		t.Fatalf("merged config %s", data)
	}
	// The ecosystem's chain reads the profile back (credentials-go), and the credentials work.
	src, err := creds.Resolve(context.Background(), creds.Options{Profile: "stsdeck", Getenv: func(k string) string { return w.vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := src.Provider.GetCredentials()
	if err != nil || !src.Temporary {
		t.Fatalf("%v temporary=%v", err, src.Temporary)
	}
	whoamiWith(t, w, cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken)
}

func TestProbeUploadPresignHistory(t *testing.T) {
	w := newWorld(t)
	// No --outside: the default is the console's sibling prefix.
	r := w.must("probe", "--sandbox", "--role", "OssReadWrite", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep["outside"] != "dst/" {
		t.Errorf("outside %v, want the console's \"dst/\"", rep["outside"])
	}
	for _, k := range []string{"bucket", "prefix", "outside", "results", "left_behind"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("probe JSON lacks %q", k)
		}
	}
	results := rep["results"].([]any)
	if len(results) != 10 {
		t.Fatalf("%d results", len(results))
	}
	for _, x := range results {
		res := x.(map[string]any)
		actual := res["actual"].(map[string]any)
		for _, k := range []string{"allowed", "status", "code", "ec", "request_id", "latency_ms"} {
			if _, ok := actual[k]; !ok {
				t.Errorf("actual lacks %q (the schema has it even when empty): %v", k, actual)
			}
		}
		if actual["allowed"] == false && actual["message"] == nil {
			t.Errorf("a denial without the server's message: %v", actual)
		}
		if res["agree"] != true || (res["predicted"] != "Allow" && res["predicted"] != "Deny") {
			t.Errorf("result %v", res)
		}
		if res["scope"] == "inside" && res["op"] == "put" && actual["allowed"] != true {
			t.Errorf("inside put denied: %v", res)
		}
		if res["scope"] == "outside" && actual["allowed"] != false {
			t.Errorf("outside allowed: %v", res)
		}
	}
	// upload-only: the inside probe object could not be deleted, and the report says so.
	if lb := rep["left_behind"].([]any); len(lb) != 1 || !strings.HasPrefix(lb[0].(string), "src/.stsdeck-probe-") {
		t.Errorf("left_behind %v", lb)
	}

	r = w.must("upload", "--sandbox", "--role", "OssReadWrite", "--generate", "2MiB", "oss://examplebucket/src/gen.bin", "--json")
	var up map[string]any
	json.Unmarshal([]byte(r.stdout), &up)
	if up["size"] != float64(2<<20) || up["crc64"] == "" || !strings.Contains(r.stderr, "100.0%") {
		t.Errorf("upload %v stderr %q", up, r.stderr)
	}
	file := filepath.Join(t.TempDir(), "hello.txt")
	os.WriteFile(file, []byte("hello from a file\n"), 0o600)
	w.must("upload", "--sandbox", "--role", "OssReadWrite", file, "oss://examplebucket/src/hello.txt", "--quiet")
	r = w.run("", "upload", "--sandbox", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", file, "oss://examplebucket/dst/hello.txt")
	if r.code != ExitDenied || !strings.Contains(r.stderr, "0003-00000301") || !strings.Contains(r.stderr, "session policy") {
		t.Errorf("upload outside the policy: exit %d\n%s", r.code, r.stderr)
	}

	// presign signs with a fresh token; the sandbox must be up to answer the URL.
	url := strings.TrimSpace(w.must("presign", "--sandbox", "--role", "OssReadOnly", "oss://examplebucket/src/hello.txt", "--expires", "10m").stdout)
	run, err := sandbox.Start(context.Background(), sandbox.Options{DataDir: filepath.Join(w.state, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	// The URL names the port of the sandbox that signed it, which is gone; ask the new one.
	u := run.Info.OSSEndpoint + url[strings.Index(url[len("http://"):], "/")+len("http://"):]
	resp, err := http.Get(u)
	run.Close()
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body.String() != "hello from a file\n" {
		t.Errorf("presigned GET: %s %q", resp.Status, body.String())
	}

	r = w.must("history", "--json")
	var hist []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 5 {
		t.Fatalf("history has %d records, want 5 (probe, 2 uploads, 1 denied upload, presign)", len(hist))
	}
	if hist[0]["probe"] == nil || hist[0]["live"] != true || hist[0]["mode"] != "sandbox" || hist[0]["policy_digest"] == "" {
		t.Errorf("first record %v", hist[0])
	}
	for _, h := range hist {
		for k, v := range h {
			if s, ok := v.(string); ok && (strings.Contains(strings.ToLower(k), "secret") || strings.Contains(strings.ToLower(k), "token")) {
				t.Errorf("audit record holds %s=%q", k, s)
			}
		}
	}
	text := w.must("history").stdout
	if !strings.Contains(text, "✓ live") || !strings.Contains(text, "agree") {
		t.Errorf("history text:\n%s", text)
	}
}

// Live mode pointed at a sandbox with another user's keys: RAM listing refused, the audit log
// offers recent roles, exit 1; a probe without --role uses the exported token and finds its
// policies in the audit record.
func TestLiveModeAgainstSandboxEndpoints(t *testing.T) {
	w := newWorld(t)
	run, err := sandbox.Start(context.Background(), sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	u, _ := run.Info.User("sts-only")
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = u.AccessKeyID, u.AccessKeySecret
	eps := []string{"--sts-endpoint", run.Info.STSEndpoint, "--oss-endpoint", run.Info.OSSEndpoint}
	out := w.must(append([]string{"issue", "--role", "OssReadWrite", "--template", "read-only", "--bucket", "examplebucket", "--prefix", "src/", "--format", "json"}, eps...)...).stdout
	r := w.run("", append([]string{"roles"}, eps...)...)
	if r.code != ExitDenied || !strings.Contains(r.stderr, "NoPermission") || !strings.Contains(r.stdout, "acs:ram::1234567890123456:role/OssReadWrite") {
		t.Fatalf("roles: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	var cr map[string]any
	json.Unmarshal([]byte(out), &cr)
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], w.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = cr["AccessKeyId"].(string), cr["AccessKeySecret"].(string), cr["SecurityToken"].(string)
	// LIVE mode asks before writing; "n" stops it.
	r = w.run("n\n", append([]string{"probe", "--bucket", "examplebucket", "--prefix", "src/"}, eps...)...)
	if r.code != ExitDenied || !strings.Contains(r.stderr, "Proceed?") || !strings.Contains(r.stderr, "nothing written") || !strings.Contains(r.stderr, `"dst/"`) {
		t.Fatalf("unconfirmed probe: exit %d %s", r.code, r.stderr)
	}
	r = w.run("", append([]string{"probe", "--bucket", "examplebucket", "--prefix", "src/", "--yes"}, eps...)...)
	if !strings.Contains(r.stdout, "policies from the audit record") {
		t.Errorf("probe did not use the audit record:\n%s\n%s", r.stdout, r.stderr)
	}
	// The session policy is read-only: puts are predicted Deny by the session layer and denied.
	if !strings.Contains(r.stdout, "put     Deny (session)  ✗ denied") {
		t.Errorf("probe table:\n%s", r.stdout)
	}
	// The results are recorded under the token's audit record, though another process issued it.
	r = w.run("", "history", "--json")
	if !strings.Contains(r.stdout, `"predicted"`) || !strings.Contains(r.stdout, `"op"`) {
		t.Errorf("history does not carry the probe of the exported token:\n%s", r.stdout)
	}
}

// A bucket policy the token may read is part of the prediction: an explicit Deny there is
// predicted (layer "bucket") and agrees with OSS.
func TestProbeIncludesReadableBucketPolicy(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	run, err := sandbox.Start(ctx, sandbox.Options{DataDir: filepath.Join(w.state, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	svc, closer, err := testConnect(ctx, Global{STSEndpoint: run.Info.STSEndpoint, OSSEndpoint: run.Info.OSSEndpoint}, &Env{Getenv: func(k string) string {
		u, _ := run.Info.User("sts-issuer")
		switch k {
		case "ALIBABA_CLOUD_ACCESS_KEY_ID":
			return u.AccessKeyID
		case "ALIBABA_CLOUD_ACCESS_KEY_SECRET":
			return u.AccessKeySecret
		case "STSDECK_STATE_DIR":
			return t.TempDir()
		}
		return w.vars[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := svc.Issuer.AssumeRole(ctx, model.IssueRequest{RoleARN: "acs:ram::1234567890123456:role/OssReadWrite", SessionName: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	deny := `{"Version":"1","Statement":[{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:1234567890123456:examplebucket/src/*"]}]}`
	if _, err := svc.Objects.With(cr).(*oss.Client).SDK().PutBucketPolicy(ctx, &ossdk.PutBucketPolicyRequest{Bucket: ossdk.Ptr("examplebucket"), Body: strings.NewReader(deny)}); err != nil {
		t.Fatal(err)
	}
	closer()
	run.Close()

	r := w.must("probe", "--sandbox", "--role", "OssReadWrite", "--bucket", "examplebucket", "--prefix", "src/", "--outside", "dst/", "--json")
	var rep model.ProbeReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		if res.Agree == nil || !*res.Agree {
			t.Errorf("%s %s: predicted %s (%s), actual %+v", res.Scope, res.Op, res.Predicted, res.PredictedLayer, res.Actual)
		}
		if res.Scope == "inside" && (res.Op == "get" || res.Op == "head") && (res.Predicted != "Deny" || res.PredictedLayer != "bucket" || res.Actual.Allowed) {
			t.Errorf("inside %s: %+v", res.Op, res)
		}
	}
	text := w.must("probe", "--sandbox", "--role", "OssReadWrite", "--bucket", "examplebucket", "--prefix", "src/").stdout
	if !strings.Contains(text, "bucket policy included") {
		t.Errorf("probe note:\n%s", text)
	}
}
