package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const polRole = `{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "oss:PutObject",
      "Resource": "acs:oss:*:*:examplebucket/*"
    }
  ]
}`

const polSession = `{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "oss:PutObject",
      "Resource": "acs:oss:*:*:examplebucket/src/*"
    }
  ]
}`

// polRun runs one stsdeck command in dir with the given files written there first.
func polRun(t *testing.T, files map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

type polExplainOut struct {
	Decision   string            `json:"decision"`
	DecidedBy  string            `json:"decided_by"`
	Reason     string            `json:"reason"`
	Layers     map[string]string `json:"layers"`
	Statements []struct {
		Layer  string `json:"layer"`
		Policy string `json:"policy"`
		Index  int    `json:"index"`
		Line   int    `json:"line"`
		Effect string `json:"effect"`
	} `json:"statements"`
	Indeterminate []string          `json:"indeterminate"`
	Findings      []json.RawMessage `json:"findings"`
	Error         *struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Col     int    `json:"col"`
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"error"`
}

func polDecode(t *testing.T, s string) polExplainOut {
	t.Helper()
	var o polExplainOut
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout carries more than one JSON value:\n%s", s)
	}
	return o
}

const polObj = "acs:oss:cn-hangzhou:1234567890123456:examplebucket/"

func TestExplainJSON(t *testing.T) {
	bucket := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Principal":["*"],"Resource":"acs:oss:*:*:examplebucket/public/*"},
{"Effect":"Deny","Action":"oss:*","Principal":["arn:sts::1234567890123456:assumed-role/RamOssTest/*"],"Resource":"acs:oss:*:*:examplebucket/secret/*"}]}`
	ipRole := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}`
	files := map[string]string{"role.json": polRole, "s.json": polSession, "b.json": bucket, "ip.json": ipRole}
	cases := []struct {
		name      string
		args      []string
		code      int
		decision  string
		decidedBy string
		layers    map[string]string
		nStmts    int
		indet     []string
	}{
		{"session allows src", []string{"--action", "oss:PutObject", "--resource", polObj + "src/a", "--identity-policy", "role.json", "--session-policy", "s.json"},
			0, "Allow", "identity", map[string]string{"identity": "Allow", "session": "Allow"}, 2, nil},
		{"session narrows dst", []string{"--action", "oss:PutObject", "--resource", polObj + "dst/a", "--identity-policy", "role.json", "--session-policy", "s.json"},
			1, "ImplicitDeny", "session", map[string]string{"identity": "Allow", "session": "NoMatch"}, 1, nil},
		{"no identity match", []string{"--action", "oss:GetObject", "--resource", polObj + "src/a", "--identity-policy", "role.json"},
			1, "ImplicitDeny", "identity", map[string]string{"identity": "NoMatch"}, 0, nil},
		{"anonymous via bucket policy", []string{"--action", "oss:GetObject", "--resource", polObj + "public/x", "--bucket-policy", "b.json", "--principal", "*"},
			0, "Allow", "bucket", map[string]string{"bucket": "Allow"}, 1, nil},
		{"bucket deny on role session", []string{"--action", "oss:PutObject", "--resource", polObj + "secret/x", "--identity-policy", "role.json", "--bucket-policy", "b.json", "--principal", "arn:sts::1234567890123456:assumed-role/RamOssTest/s1"},
			1, "ExplicitDeny", "bucket", map[string]string{"identity": "Allow", "bucket": "Deny"}, 2, nil},
		{"ip condition absent is indeterminate", []string{"--action", "oss:GetObject", "--resource", polObj + "a", "--identity-policy", "ip.json"},
			1, "ImplicitDeny", "identity", map[string]string{"identity": "NoMatch"}, 0, []string{"acs:SourceIp"}},
		{"ip condition present", []string{"--action", "oss:GetObject", "--resource", polObj + "a", "--identity-policy", "ip.json", "--context", "acs:SourceIp=10.1.2.3"},
			0, "Allow", "identity", map[string]string{"identity": "Allow"}, 1, nil},
		{"ip condition outside", []string{"--action", "oss:GetObject", "--resource", polObj + "a", "--identity-policy", "ip.json", "--context", "acs:SourceIp=192.168.0.1"},
			1, "ImplicitDeny", "identity", map[string]string{"identity": "NoMatch"}, 0, nil},
		{"stdin policy", []string{"--action", "oss:PutObject", "--resource", polObj + "a", "--identity-policy", "-"},
			0, "Allow", "identity", map[string]string{"identity": "Allow"}, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"explain", "--json"}, c.args...)
			code, stdout, stderr := polRun(t, files, polRole, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout, stderr)
			}
			o := polDecode(t, stdout)
			if o.Decision != c.decision || o.DecidedBy != c.decidedBy || len(o.Statements) != c.nStmts {
				t.Fatalf("got %+v", o)
			}
			if len(o.Layers) != len(c.layers) {
				t.Fatalf("layers %v, want %v", o.Layers, c.layers)
			}
			for k, v := range c.layers {
				if o.Layers[k] != v {
					t.Fatalf("layers %v, want %v", o.Layers, c.layers)
				}
			}
			if strings.Join(o.Indeterminate, ",") != strings.Join(c.indet, ",") {
				t.Fatalf("indeterminate %v, want %v", o.Indeterminate, c.indet)
			}
			if o.Statements == nil || o.Indeterminate == nil || o.Findings == nil {
				t.Fatalf("statements/indeterminate/findings must be lists, not null:\n%s", stdout)
			}
		})
	}
}

func TestExplainStatementLines(t *testing.T) {
	code, stdout, _ := polRun(t, map[string]string{"role.json": polRole}, "", "explain", "--json", "--action", "OSS:putobject", "--resource", polObj+"a", "--identity-policy", "role.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	o := polDecode(t, stdout)
	if len(o.Statements) != 1 || o.Statements[0].Line != 4 || o.Statements[0].Policy != "role.json" || o.Statements[0].Layer != "identity" || o.Statements[0].Effect != "Allow" || o.Statements[0].Index != 0 {
		t.Fatalf("statements %+v", o.Statements)
	}
}

func TestExplainAssumeRole(t *testing.T) {
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:root"]}},
{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::9999999999999999:root"},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`
	ident := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}`
	files := map[string]string{"t.json": trust, "i.json": ident}
	role := "acs:ram::1234567890123456:role/RamOssTest"
	cases := []struct {
		name      string
		extra     []string
		code      int
		decision  string
		decidedBy string
		reason    string
	}{
		{"same-account user", []string{"--caller", "acs:ram::1234567890123456:user/alice"}, 0, "Allow", "trust", ""},
		{"root refused", []string{"--caller", "acs:ram::1234567890123456:root"}, 1, "ImplicitDeny", "identity", "root-refused"},
		{"other account needs external id", []string{"--caller", "acs:ram::9999999999999999:user/bob"}, 1, "ImplicitDeny", "trust", "trust"},
		{"other account with external id", []string{"--caller", "acs:ram::9999999999999999:user/bob", "--context", "sts:ExternalId=abc"}, 0, "Allow", "trust", ""},
		{"other account wrong external id", []string{"--caller", "acs:ram::9999999999999999:user/bob", "--context", "sts:ExternalId=abd"}, 1, "ImplicitDeny", "trust", "trust"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"explain", "--json", "--action", "sts:AssumeRole", "--resource", role, "--identity-policy", "i.json", "--trust-policy", "t.json"}, c.extra...)
			code, stdout, stderr := polRun(t, files, "", args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, c.code, stdout, stderr)
			}
			o := polDecode(t, stdout)
			if o.Decision != c.decision || o.DecidedBy != c.decidedBy || o.Reason != c.reason {
				t.Fatalf("got %+v", o)
			}
			if _, ok := o.Layers["trust"]; !ok {
				t.Fatalf("no trust layer: %v", o.Layers)
			}
		})
	}
}

func TestExplainBadInput(t *testing.T) {
	badEffect := `{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"},
    {
      "Action": "oss:PutObject",
      "Effect": "allow",
      "Resource": "*"
    }
  ]
}`
	files := map[string]string{"bad.json": badEffect, "role.json": polRole, "trail.json": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*",}]}`}
	cases := []struct {
		name     string
		args     []string
		file     string
		line     int
		col      int
		path     string
		contains string
	}{
		{"bad effect", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--identity-policy", "bad.json"}, "bad.json", 7, 17, "Statement[1].Effect", `want "Allow" or "Deny", got "allow"`},
		{"trailing comma", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--identity-policy", "trail.json"}, "trail.json", 1, 78, "Statement[0]", "trailing comma"},
		{"missing file", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--identity-policy", "nope.json"}, "nope.json", 0, 0, "", "no such file"},
		{"no action", []string{"--resource", polObj + "x", "--identity-policy", "role.json"}, "", 0, 0, "", "--action is required"},
		{"bucket without principal", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--bucket-policy", "role.json"}, "", 0, 0, "", "--principal"},
		{"trust without assume role", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--identity-policy", "role.json", "--trust-policy", "role.json", "--caller", "acs:ram::1:user/a"}, "", 0, 0, "", "sts:AssumeRole"},
		{"bad context", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--identity-policy", "role.json", "--context", "acs:SourceIp"}, "", 0, 0, "", "key=value"},
		{"unknown flag", []string{"--actoin", "oss:GetObject"}, "", 0, 0, "", "actoin"},
		{"resource not an arn", []string{"--action", "oss:GetObject", "--resource", "examplebucket/a.txt", "--identity-policy", "role.json"}, "", 0, 0, "", "want an ARN"},
		{"action without service", []string{"--action", "GetObject", "--resource", polObj + "a", "--identity-policy", "role.json"}, "", 0, 0, "", "<service>:<action>"},
		{"principal in identity policy", []string{"--action", "oss:GetObject", "--resource", polObj + "x", "--identity-policy", "role.json", "--session-policy", "role.json", "--bucket-policy", "bad.json", "--principal", "what"}, "bad.json", 0, 0, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"explain", "--json"}, c.args...)
			code, stdout, stderr := polRun(t, files, "", args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s\n%s", code, stdout, stderr)
			}
			o := polDecode(t, stdout)
			if o.Error == nil {
				t.Fatalf("no error object: %s", stdout)
			}
			e := o.Error
			if e.File != c.file || (c.line != 0 && (e.Line != c.line || e.Col != c.col)) || (c.path != "" && e.Path != c.path) || !strings.Contains(e.Message+stderr, c.contains) {
				t.Fatalf("error %+v\nstderr: %s", *e, stderr)
			}
			if stderr == "" {
				t.Fatal("stderr is empty; want the error in words")
			}
		})
	}
}

func TestExplainText(t *testing.T) {
	code, stdout, _ := polRun(t, map[string]string{"role.json": polRole, "s.json": polSession}, "",
		"explain", "--action", "oss:PutObject", "--resource", polObj+"dst/a", "--identity-policy", "role.json", "--session-policy", "s.json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(stdout, "\n")
	if lines[0] != "ImplicitDeny (decided by session)" {
		t.Fatalf("first line %q", lines[0])
	}
	for _, want := range []string{"session   NoMatch", "identity  Allow", "role.json Statement[0] (line 4): Allow"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("missing %q in\n%s", want, stdout)
		}
	}
}
