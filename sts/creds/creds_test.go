package creds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

const cliConfigJSON = `{"current":"dev","profiles":[
 {"name":"dev","mode":"AK","access_key_id":"LTAIdev","access_key_secret":"devsecret","region_id":"cn-shanghai"},
 {"name":"tmp","mode":"StsToken","access_key_id":"STS.tmp","access_key_secret":"tmpsecret","sts_token":"tok","region_id":"cn-beijing"}
],"meta_path":""}`

const iniFile = `[default]
type = access_key
access_key_id = LTAIini
access_key_secret = inisecret

[other]
type = access_key
access_key_id = LTAIother
access_key_secret = othersecret

[weird]
type = rsa_key_pair
`

func TestResolveChain(t *testing.T) {
	home := t.TempDir()
	write(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
	write(t, filepath.Join(home, ".alibabacloud", "credentials"), iniFile)
	emptyHome := t.TempDir()
	base := map[string]string{"ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name      string
		env       map[string]string
		profile   string
		wantAK    string
		wantName  string
		wantReg   string
		temporary bool
		notFound  []string // substrings of Looked when nothing is found
		errSubstr string
	}{
		{name: "env wins over files", env: with("HOME", home, "ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "envsecret"), wantAK: "LTAIenv", wantName: "environment variables"},
		{name: "env with token is temporary", env: with("HOME", emptyHome, "ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.x", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s", "ALIBABA_CLOUD_SECURITY_TOKEN", "t"), wantAK: "STS.x", wantName: "environment variables (STS token)", temporary: true},
		{name: "cli current profile", env: with("HOME", home), wantAK: "LTAIdev", wantName: `aliyun CLI profile "dev"`, wantReg: "cn-shanghai"},
		{name: "ALIBABA_CLOUD_PROFILE picks cli profile", env: with("HOME", home, "ALIBABA_CLOUD_PROFILE", "tmp"), wantAK: "STS.tmp", wantName: `"tmp" (StsToken`, wantReg: "cn-beijing", temporary: true},
		{name: "--profile picks cli profile", env: with("HOME", home), profile: "tmp", wantAK: "STS.tmp", wantReg: "cn-beijing", temporary: true},
		{name: "--profile falls to ini section", env: with("HOME", home), profile: "other", wantAK: "LTAIother", wantName: "[other]"},
		{name: "--profile unknown anywhere", env: with("HOME", home), profile: "nope", notFound: []string{`no profile "nope" (profiles: dev, tmp)`, "no section [nope]"}},
		{name: "cli disabled falls to ini", env: with("HOME", home, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"), wantAK: "LTAIini", wantName: "[default]"},
		{name: "ini unsupported type reported", env: with("HOME", home, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true", "ALIBABA_CLOUD_PROFILE", "weird"), notFound: []string{`type "rsa_key_pair"`}},
		{name: "config file env var", env: with("HOME", emptyHome, "ALIBABA_CLOUD_CONFIG_FILE", filepath.Join(home, ".aliyun", "config.json")), wantAK: "LTAIdev", wantReg: "cn-shanghai"},
		{name: "half-set env is reported", env: with("HOME", emptyHome, "ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIx"), notFound: []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"}},
		{name: "nothing found lists every place", env: with("HOME", emptyHome), notFound: []string{
			"environment ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET: not set",
			filepath.Join(emptyHome, ".aliyun", "config.json") + ": not found",
			filepath.Join(emptyHome, ".alibabacloud", "credentials") + ": not found",
			"ECS instance metadata (100.100.100.200): disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED",
			"ALIBABA_CLOUD_CREDENTIALS_URI: not set",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Resolve(context.Background(), Options{Profile: tc.profile, Getenv: mapEnv(tc.env)})
			if tc.notFound != nil {
				var nf *NotFoundError
				if !errors.As(err, &nf) {
					t.Fatalf("want *NotFoundError, got %v (source %+v)", err, s)
				}
				msg := nf.Error()
				for _, want := range tc.notFound {
					if !strings.Contains(msg, want) {
						t.Errorf("where-I-looked lacks %q:\n%s", want, msg)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			cc, err := s.Provider.GetCredentials()
			if err != nil {
				t.Fatal(err)
			}
			if cc.AccessKeyId != tc.wantAK || s.AccessKeyID != tc.wantAK {
				t.Errorf("AccessKeyId %q (source says %q), want %q", cc.AccessKeyId, s.AccessKeyID, tc.wantAK)
			}
			if !strings.Contains(s.Name, tc.wantName) {
				t.Errorf("Name %q lacks %q", s.Name, tc.wantName)
			}
			if s.Region != tc.wantReg || s.Temporary != tc.temporary {
				t.Errorf("Region %q Temporary %v, want %q %v", s.Region, s.Temporary, tc.wantReg, tc.temporary)
			}
			if len(s.Looked) == 0 || !strings.HasSuffix(s.Looked[len(s.Looked)-1], ": found") {
				t.Errorf("Looked = %v, want the last entry to be the source found", s.Looked)
			}
			for _, l := range s.Looked {
				for _, secret := range []string{"envsecret", "devsecret", "tmpsecret", "inisecret"} {
					if strings.Contains(l, secret) {
						t.Errorf("Looked leaks a secret: %q", l)
					}
				}
			}
		})
	}
}

func TestResolveAsyncHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Either the cancellation or the empty walk answers first; both are errors, never a source.
	r := <-ResolveAsync(ctx, Options{Getenv: mapEnv(map[string]string{"HOME": t.TempDir(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})})
	if r.Err == nil || r.Source != nil {
		t.Fatalf("want an error, got source %+v", r.Source)
	}
}
