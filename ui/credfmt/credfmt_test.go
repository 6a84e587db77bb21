package credfmt

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func creds() model.Credentials {
	return model.Credentials{
		AccessKeyID:     "STS.NUgYrLnoC37mZZCNnAbez2",
		AccessKeySecret: "sec'ret\\with$odd`chars",
		SecurityToken:   "CAIS+token/with=chars'and\"quotes",
		Expiration:      time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC),
		RoleARN:         "acs:ram::1234567890123456:role/ramosstest",
		AssumedRoleARN:  "acs:ram::1234567890123456:role/ramosstest/alice",
		AssumedRoleID:   "300000000000000000:alice",
		Region:          "cn-shanghai",
	}
}

func TestFormatKinds(t *testing.T) {
	c := creds()
	tests := []struct {
		kind string
		want []string
	}{
		{"env", []string{"export ALIBABA_CLOUD_ACCESS_KEY_ID='STS.NUgYrLnoC37mZZCNnAbez2'", "export OSS_SESSION_TOKEN='CAIS+token/with=chars'\\''and\"quotes'", "# expires 2026-11-27T04:00:00Z"}},
		{"fish", []string{"set -gx ALIBABA_CLOUD_ACCESS_KEY_SECRET 'sec\\'ret\\\\with$odd`chars'", "# expires 2026-11-27T04:00:00Z"}},
		{"powershell", []string{"$Env:OSS_ACCESS_KEY_ID = 'STS.NUgYrLnoC37mZZCNnAbez2'", "$Env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'sec''ret\\with$odd`chars'"}},
		{"json", []string{`"AccessKeyId": "STS.NUgYrLnoC37mZZCNnAbez2"`, `"Expiration": "2026-11-27T04:00:00Z"`, `"Region": "cn-shanghai"`, `"Arn": "acs:ram::1234567890123456:role/ramosstest/alice"`}},
		{"ossutil", []string{"[Credentials]", "endpoint=oss-cn-shanghai.aliyuncs.com", "stsToken=CAIS+token", "region=cn-shanghai", "signVersion=v4"}},
		{"aliyun-cli", []string{"aliyun configure set --profile 'stsdeck' --mode StsToken --region 'cn-shanghai'", "--sts-token 'CAIS+token"}},
		{"config-json", []string{`"mode": "StsToken"`, `"current": "stsdeck"`, `"sts_token": "CAIS+token/with=chars'and\"quotes"`}},
		{"external", []string{`{"mode":"StsToken","access_key_id":"STS.NUgYrLnoC37mZZCNnAbez2"`, `"sts_token":"CAIS+token/with=chars'and\"quotes"`, `"expiration":"2026-11-27T04:00:00Z"}`}},
		{"external-profile", []string{"aliyun configure set --profile 'stsdeck' --mode External --region 'cn-shanghai' --process-command 'stsdeck issue --role '\\''acs:ram::1234567890123456:role/ramosstest'\\'' --format external'"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			out, err := Format(tt.kind, c, Options{})
			if err != nil {
				t.Fatalf("Format(%s): %v", tt.kind, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("Format(%s) lacks %q:\n%s", tt.kind, w, out)
				}
			}
			if Describe(tt.kind) == "" {
				t.Errorf("Describe(%s) empty", tt.kind)
			}
		})
	}
	if len(tests) != len(Kinds) {
		t.Errorf("tested %d kinds, Kinds has %d", len(tests), len(Kinds))
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct {
		name string
		kind string
		c    model.Credentials
		o    Options
		want string
	}{
		{"unknown kind", "yaml", creds(), Options{}, `unknown credential format "yaml"`},
		{"no token", "env", model.Credentials{AccessKeyID: "a", AccessKeySecret: "b"}, Options{}, "credentials incomplete"},
		{"existing not an object", "config-json", creds(), Options{Existing: []byte("[1,2]")}, "not a JSON object"},
		{"profiles not a list", "config-json", creds(), Options{Existing: []byte(`{"profiles":{}}`)}, `"profiles" is not a list`},
		{"newline in endpoint", "ossutil", creds(), Options{Endpoint: "a\nb"}, "line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Format(tt.kind, tt.c, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), creds().AccessKeySecret) || strings.Contains(err.Error(), creds().SecurityToken) {
				t.Fatalf("error leaks a secret: %v", err)
			}
		})
	}
}

// TestEnvEvalsInShells runs the env output through real shells and reads the variables back.
func TestEnvEvalsInShells(t *testing.T) {
	c := creds()
	out, err := Format("env", c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"sh", "dash", "bash"} {
		t.Run(sh, func(t *testing.T) {
			path, err := exec.LookPath(sh)
			if err != nil {
				t.Skipf("%s not installed", sh)
			}
			script := out + `printf '%s\n%s\n%s\n' "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$OSS_SESSION_TOKEN" "$OSS_ACCESS_KEY_ID"`
			got, err := exec.Command(path, "-c", script).Output()
			if err != nil {
				t.Fatalf("%s: %v", sh, err)
			}
			want := c.AccessKeySecret + "\n" + c.SecurityToken + "\n" + c.AccessKeyID + "\n"
			if string(got) != want {
				t.Fatalf("%s read back %q, want %q", sh, got, want)
			}
		})
	}
}

func TestConfigJSONMerge(t *testing.T) {
	existing := `{"current":"work","profiles":[{"name":"work","mode":"AK","access_key_id":"LTAIxxx","access_key_secret":"s","region_id":"cn-beijing"},
{"name":"stsdeck","mode":"StsToken","output_format":"table","sts_token":"old"}],"meta_path":"/x","extra":42}`
	out, err := Format("config-json", creds(), Options{Existing: []byte(existing), ProfileName: "stsdeck"})
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Current  string           `json:"current"`
		MetaPath string           `json:"meta_path"`
		Extra    int              `json:"extra"`
		Profiles []map[string]any `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if cfg.Current != "work" || cfg.MetaPath != "/x" || cfg.Extra != 42 {
		t.Errorf("top-level fields not kept: %+v", cfg)
	}
	if len(cfg.Profiles) != 2 {
		t.Fatalf("profiles = %d, want 2 (replace, not append)", len(cfg.Profiles))
	}
	if cfg.Profiles[0]["access_key_id"] != "LTAIxxx" || cfg.Profiles[0]["region_id"] != "cn-beijing" {
		t.Errorf("other profile changed: %v", cfg.Profiles[0])
	}
	p := cfg.Profiles[1]
	if p["sts_token"] != creds().SecurityToken || p["mode"] != "StsToken" || p["output_format"] != "table" || p["region_id"] != "cn-shanghai" {
		t.Errorf("merged profile wrong: %v", p)
	}
}

func TestRegionAndEndpointOverride(t *testing.T) {
	out, err := Format("ossutil", creds(), Options{Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:9000"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "endpoint=http://127.0.0.1:9000\n") || !strings.Contains(out, "region=cn-hangzhou\n") {
		t.Fatalf("override ignored:\n%s", out)
	}
}
