package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// fakeSTS records the role requests it gets and answers each with a fresh token that expires
// an hour after its clock.
type fakeSTS struct {
	mu    sync.Mutex
	calls []RoleRequest
	now   func() time.Time
	err   error
}

func (f *fakeSTS) assume(_ context.Context, r RoleRequest) (model.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r)
	if f.err != nil {
		return model.Credentials{}, f.err
	}
	n := len(f.calls)
	return model.Credentials{AccessKeyID: fmt.Sprintf("STS.hop%d", n), AccessKeySecret: fmt.Sprintf("hopsecret%d", n), SecurityToken: fmt.Sprintf("hoptoken%d", n),
		Expiration: f.now().Add(time.Hour).UTC(), RoleARN: r.Issue.RoleARN}, nil
}

func (f *fakeSTS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// profilesHome writes profiles (each a JSON object) into <home>/.aliyun/config.json with
// current = the first one, and returns home.
func profilesHome(t *testing.T, profiles ...map[string]any) string {
	t.Helper()
	home := t.TempDir()
	b, err := json.Marshal(map[string]any{"current": profiles[0]["name"], "profiles": profiles})
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(home, ".aliyun", "config.json"), string(b))
	return home
}

var sandboxEP = model.Endpoint{Scheme: "http", Host: "127.0.0.1", Port: 9}

func TestRoleProfilesAssumeAtTheConfiguredEndpoint(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	home := profilesHome(t,
		map[string]any{"name": "ram", "mode": "RamRoleArn", "access_key_id": "LTAIbase", "access_key_secret": "basesecret",
			"ram_role_arn": "acs:ram::1234567890123456:role/RamOssTest", "ram_session_name": "dev-session", "expired_seconds": 1800,
			"external_id": "ext-1", "policy": `{"Version":"1","Statement":[]}`, "sts_region": "cn-shanghai", "region_id": "cn-beijing"},
		map[string]any{"name": "base", "mode": "AK", "access_key_id": "LTAIbase", "access_key_secret": "basesecret"},
		map[string]any{"name": "gateway", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": "acs:ram::1234567890123456:role/PartnerGateway", "ram_session_name": "gw"},
		map[string]any{"name": "upload", "mode": "ChainableRamRoleArn", "source_profile": "gateway", "ram_role_arn": "acs:ram::1234567890123456:role/PartnerUpload", "ram_session_name": "up", "region_id": "cn-hangzhou"},
	)
	env := mapEnv(map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})

	t.Run("RamRoleArn", func(t *testing.T) {
		f := &fakeSTS{now: clock}
		s, err := Resolve(context.Background(), Options{Profile: "ram", Getenv: env, STSEndpoint: sandboxEP, AssumeRole: f.assume, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if s.AccessKeyID != "STS.hop1" || !s.Temporary || s.Region != "cn-beijing" {
			t.Errorf("source %+v", s)
		}
		for _, want := range []string{`aliyun CLI profile "ram"`, "RamRoleArn: assumes acs:ram::1234567890123456:role/RamOssTest at http://127.0.0.1:9 with its own key LTAIbase"} {
			if !strings.Contains(s.Name, want) {
				t.Errorf("Name %q lacks %q", s.Name, want)
			}
		}
		if f.count() != 1 {
			t.Fatalf("%d AssumeRole calls", f.count())
		}
		r := f.calls[0]
		want := model.IssueRequest{RoleARN: "acs:ram::1234567890123456:role/RamOssTest", SessionName: "dev-session", Duration: 30 * time.Minute,
			ExternalID: "ext-1", Policy: `{"Version":"1","Statement":[]}`}
		if r.Issue != want || r.Endpoint != sandboxEP || r.Region != "cn-shanghai" || r.Source.AccessKeyID != "LTAIbase" || r.Source.AccessKeySecret != "basesecret" || r.Source.SecurityToken != "" {
			t.Errorf("request %+v", r)
		}
		// Cached until 180 s before expiry, then assumed again.
		now = now.Add(time.Hour - refreshBefore - time.Second)
		if cc, err := s.Provider.GetCredentials(); err != nil || cc.AccessKeyId != "STS.hop1" || f.count() != 1 {
			t.Errorf("before the margin: %v %v, %d calls", cc, err, f.count())
		}
		now = now.Add(2 * time.Second)
		if cc, err := s.Provider.GetCredentials(); err != nil || cc.AccessKeyId != "STS.hop2" || f.count() != 2 {
			t.Errorf("inside the margin: %v %v, %d calls", cc, err, f.count())
		}
	})

	t.Run("ChainableRamRoleArn over two hops", func(t *testing.T) {
		f := &fakeSTS{now: clock}
		s, err := Resolve(context.Background(), Options{Profile: "upload", Getenv: env, STSEndpoint: sandboxEP, AssumeRole: f.assume, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if f.count() != 2 || s.AccessKeyID != "STS.hop2" {
			t.Fatalf("%d calls, key %s", f.count(), s.AccessKeyID)
		}
		gw, up := f.calls[0], f.calls[1]
		if gw.Issue.RoleARN != "acs:ram::1234567890123456:role/PartnerGateway" || gw.Source.AccessKeyID != "LTAIbase" || gw.Endpoint != sandboxEP {
			t.Errorf("first hop %+v", gw)
		}
		if up.Issue.RoleARN != "acs:ram::1234567890123456:role/PartnerUpload" || up.Source.AccessKeyID != "STS.hop1" || up.Source.SecurityToken != "hoptoken1" || up.Endpoint != sandboxEP {
			t.Errorf("second hop %+v", up)
		}
		if !strings.Contains(s.Name, `source_profile "gateway" (ChainableRamRoleArn: assumes acs:ram::1234567890123456:role/PartnerGateway at http://127.0.0.1:9 with source_profile "base" (AK))`) {
			t.Errorf("Name %q", s.Name)
		}
	})

	t.Run("no endpoint configured: the region's", func(t *testing.T) {
		f := &fakeSTS{now: clock}
		s, err := Resolve(context.Background(), Options{Profile: "ram", Getenv: env, AssumeRole: f.assume, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if !f.calls[0].Endpoint.IsZero() || !strings.Contains(s.Name, "at https://sts.cn-shanghai.aliyuncs.com") {
			t.Errorf("endpoint %+v name %q", f.calls[0].Endpoint, s.Name)
		}
	})

	t.Run("concurrent callers share one renewal", func(t *testing.T) {
		f := &fakeSTS{now: func() time.Time { return time.Now() }}
		s, err := Resolve(context.Background(), Options{Profile: "ram", Getenv: env, STSEndpoint: sandboxEP, AssumeRole: f.assume})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if cc, err := s.Provider.GetCredentials(); err != nil || cc.SecurityToken == "" {
					t.Errorf("%v %v", cc, err)
				}
			}()
		}
		wg.Wait()
		if f.count() != 1 {
			t.Errorf("%d AssumeRole calls, want 1", f.count())
		}
	})
}

func TestProfileFailuresNameTheModeAndWhy(t *testing.T) {
	long := "NoPermission: You are not authorized to do this action. You should be authorized by RAM. " +
		"The role acs:ram::1234567890123456:role/PartnerUpload trusts only the sessions of acs:ram::1234567890123456:role/PartnerGateway " +
		"[RequestId 5F7D0E44-1C0B-4A4E-9F3E-0123456789AB] — the end of the message"
	okURI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/secret-path-0123" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"Code":"NotFound","Message":"no such path"}`)
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId":"STS.uri","AccessKeySecret":"urisecret","SecurityToken":"uritoken","Expiration":"%s"}`,
			time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	}))
	defer okURI.Close()
	home := profilesHome(t,
		map[string]any{"name": "ram", "mode": "RamRoleArn", "access_key_id": "LTAIbase", "access_key_secret": "basesecret", "ram_role_arn": "acs:ram::1234567890123456:role/PartnerUpload"},
		map[string]any{"name": "norole", "mode": "RamRoleArn", "access_key_id": "LTAIbase", "access_key_secret": "basesecret"},
		map[string]any{"name": "nokey", "mode": "RamRoleArn", "ram_role_arn": "acs:ram::1:role/x"},
		map[string]any{"name": "cycle-a", "mode": "ChainableRamRoleArn", "source_profile": "cycle-b", "ram_role_arn": "acs:ram::1:role/a"},
		map[string]any{"name": "cycle-b", "mode": "ChainableRamRoleArn", "source_profile": "cycle-a", "ram_role_arn": "acs:ram::1:role/b"},
		map[string]any{"name": "badsource", "mode": "ChainableRamRoleArn", "source_profile": "ghost", "ram_role_arn": "acs:ram::1:role/a"},
		map[string]any{"name": "chain-denied", "mode": "ChainableRamRoleArn", "source_profile": "ram", "ram_role_arn": "acs:ram::1:role/a"},
		map[string]any{"name": "uri", "mode": "CredentialsURI", "credentials_uri": okURI.URL + "/secret-path-0123"},
		map[string]any{"name": "uri-wrong", "mode": "CredentialsURI", "credentials_uri": okURI.URL + "/wrong-secret-4567"},
		map[string]any{"name": "uri-env", "mode": "CredentialsURI"},
		map[string]any{"name": "uri-none", "mode": "CredentialsURI"},
		map[string]any{"name": "oidc", "mode": "OIDC", "oidc_provider_arn": "acs:ram::1:oidc-provider/p", "oidc_token_file": "/nonexistent", "ram_role_arn": "acs:ram::1:role/x"},
		map[string]any{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRole"},
		map[string]any{"name": "rsa", "mode": "RsaKeyPair", "private_key": "k", "key_pair_name": "n"},
		map[string]any{"name": "weird", "mode": "Kerberos"},
		map[string]any{"name": "inferred", "access_key_id": "LTAIinf", "access_key_secret": "infsecret"},
		map[string]any{"name": "sts", "mode": "StsToken", "access_key_id": "STS.static", "access_key_secret": "s", "sts_token": "tok"},
		map[string]any{"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://signin.example.invalid/device/login"},
	)
	base := map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return mapEnv(m)
	}
	denied := &fakeSTS{now: time.Now, err: errors.New(long)}
	tests := []struct {
		profile string
		getenv  func(string) string
		assume  AssumeRoleFunc
		wantAK  string
		want    []string // substrings of the error (or of Name when wantAK is set)
		absent  []string
	}{
		{profile: "ram", assume: denied.assume, want: []string{`aliyun CLI profile "ram" (mode RamRoleArn,`, "failed: AssumeRole acs:ram::1234567890123456:role/PartnerUpload at http://127.0.0.1:9: " + long}},
		{profile: "ram", want: []string{"mode RamRoleArn", "no STS adapter"}},
		{profile: "norole", want: []string{`"norole" (mode RamRoleArn`, "ram_role_arn is empty"}},
		{profile: "nokey", want: []string{"access_key_id or access_key_secret is empty"}},
		{profile: "cycle-a", want: []string{`"cycle-a" (mode ChainableRamRoleArn`, "makes a cycle (cycle-a → cycle-b → cycle-a)"}},
		{profile: "badsource", want: []string{"mode ChainableRamRoleArn", `source_profile: no profile "ghost"`}},
		{profile: "chain-denied", assume: denied.assume, want: []string{`"chain-denied" (mode ChainableRamRoleArn`, "its source credentials:", `aliyun CLI profile "ram" (mode RamRoleArn`, "the end of the message"}},
		{profile: "uri", wantAK: "STS.uri", want: []string{"CredentialsURI " + okURI.URL + "/…"}, absent: []string{"secret-path"}},
		{profile: "uri-wrong", want: []string{"mode CredentialsURI", okURI.URL + "/…", "no such path"}, absent: []string{"wrong-secret"}},
		{profile: "uri-env", getenv: env("ALIBABA_CLOUD_CREDENTIALS_URI", okURI.URL+"/secret-path-0123"), wantAK: "STS.uri"},
		{profile: "uri-none", want: []string{"mode CredentialsURI", "credentials_uri is empty and ALIBABA_CLOUD_CREDENTIALS_URI is not set"}},
		{profile: "oidc", want: []string{"mode OIDC", "plain http", "https only"}},
		{profile: "ecs", want: []string{"mode EcsRamRole", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"}},
		{profile: "rsa", want: []string{"mode RsaKeyPair", "deprecated"}},
		{profile: "weird", want: []string{`unknown mode "Kerberos"`, "ChainableRamRoleArn"}},
		{profile: "inferred", wantAK: "LTAIinf", want: []string{"AK (inferred)"}},
		{profile: "sts", wantAK: "STS.static", want: []string{"StsToken"}},
		{profile: "sso", want: []string{"mode CloudSSO", "CloudSSO access token is empty or expired"}},
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			getenv := tc.getenv
			if getenv == nil {
				getenv = env()
			}
			s, err := Resolve(context.Background(), Options{Profile: tc.profile, Getenv: getenv, STSEndpoint: sandboxEP, AssumeRole: tc.assume})
			if tc.wantAK != "" {
				if err != nil {
					t.Fatal(err)
				}
				if s.AccessKeyID != tc.wantAK {
					t.Errorf("key %s, want %s", s.AccessKeyID, tc.wantAK)
				}
				for _, w := range tc.want {
					if !strings.Contains(s.Name, w) {
						t.Errorf("Name %q lacks %q", s.Name, w)
					}
				}
				for _, a := range tc.absent {
					if strings.Contains(s.Name, a) || strings.Contains(strings.Join(s.Looked, "\n"), a) {
						t.Errorf("Name/Looked shows %q: %q %v", a, s.Name, s.Looked)
					}
				}
				return
			}
			var pe *ProfileError
			if !errors.As(err, &pe) {
				t.Fatalf("want a *ProfileError, got %T %v", err, err)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			for _, a := range append(tc.absent, "basesecret") {
				if strings.Contains(msg, a) {
					t.Errorf("error shows %q:\n%s", a, msg)
				}
			}
		})
	}

	t.Run("default chain: the failure leads the message", func(t *testing.T) {
		_, err := Resolve(context.Background(), Options{Getenv: env("ALIBABA_CLOUD_PROFILE", "ram"), STSEndpoint: sandboxEP, AssumeRole: denied.assume})
		var nf *NotFoundError
		if !errors.As(err, &nf) || len(nf.Failed) != 1 {
			t.Fatalf("want a *NotFoundError with one failure, got %v", err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, `no usable Alibaba Cloud credentials: aliyun CLI profile "ram" (mode RamRoleArn`) || !strings.Contains(msg, "the end of the message") || !strings.Contains(msg, "looked in:") {
			t.Errorf("message:\n%s", msg)
		}
	})
}

// A ram_role_arn section of the credentials file goes through the same AssumeRole.
func TestIniRamRoleArnAssumesAtTheConfiguredEndpoint(t *testing.T) {
	home := t.TempDir()
	write(t, filepath.Join(home, ".alibabacloud", "credentials"), "[default]\ntype = ram_role_arn\naccess_key_id = LTAIini\naccess_key_secret = inisecret\nrole_arn = acs:ram::1234567890123456:role/RamOssTest\nrole_session_name = ini\n")
	f := &fakeSTS{now: time.Now}
	s, err := Resolve(context.Background(), Options{Getenv: mapEnv(map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}),
		STSEndpoint: sandboxEP, AssumeRole: f.assume})
	if err != nil {
		t.Fatal(err)
	}
	if f.count() != 1 || f.calls[0].Endpoint != sandboxEP || f.calls[0].Source.AccessKeyID != "LTAIini" || f.calls[0].Issue.SessionName != "ini" || !s.Temporary {
		t.Errorf("calls %+v source %+v", f.calls, s)
	}
	if !strings.Contains(s.Name, "ram_role_arn: assumes acs:ram::1234567890123456:role/RamOssTest at http://127.0.0.1:9") {
		t.Errorf("Name %q", s.Name)
	}
}

// The environment's credentials URI is shown without its path (stsdeck serve's secret).
func TestEnvCredentialsURIRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, `{"Code":"Gone","Message":"past --until"}`)
	}))
	defer srv.Close()
	u := srv.URL + "/0123456789abcdef0123456789abcdef"
	_, err := Resolve(context.Background(), Options{Getenv: mapEnv(map[string]string{"HOME": t.TempDir(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", "ALIBABA_CLOUD_CREDENTIALS_URI": u})})
	if err == nil || strings.Contains(err.Error(), "0123456789abcdef") || !strings.Contains(err.Error(), "past --until") || !strings.Contains(err.Error(), srv.URL+"/…") {
		t.Fatalf("err %v", err)
	}
}

func TestRedactURI(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/abc": "http://127.0.0.1:8080/…",
		"http://127.0.0.1:8080/":    "http://127.0.0.1:8080",
		"https://h?token=x":         "https://h/…",
		"not a url":                 "(a credentials URI that is not a URL)",
	} {
		if got := RedactURI(in); got != want {
			t.Errorf("RedactURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// External profiles go through credentials-go, which runs the process command and writes what
// it fetched back into config.json (in this test's temporary HOME).
func TestExternalProfileWritesBack(t *testing.T) {
	home := t.TempDir()
	script := filepath.Join(home, "ext.sh")
	write(t, script, "#!/bin/sh\necho '{\"mode\":\"StsToken\",\"access_key_id\":\"STS.ext\",\"access_key_secret\":\"extsecret\",\"sts_token\":\"exttoken\",\"expiration\":\"2099-01-01T00:00:00Z\"}'\n")
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(home, ".aliyun", "config.json")
	b, _ := json.Marshal(map[string]any{"current": "ext", "profiles": []map[string]any{
		{"name": "ext", "mode": "External", "process_command": script, "region_id": "cn-hangzhou"},
		{"name": "uri", "mode": "CredentialsURI", "credentials_uri": "http://127.0.0.1:1/x"},
	}})
	write(t, cfg, string(b))
	s, err := Resolve(context.Background(), Options{Getenv: mapEnv(map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})})
	if err != nil {
		t.Fatal(err)
	}
	if s.AccessKeyID != "STS.ext" || !s.Temporary || !strings.Contains(s.Name, `"ext" (External`) {
		t.Errorf("source %+v", s)
	}
	data, _ := os.ReadFile(cfg)
	if !strings.Contains(string(data), "STS.ext") {
		t.Errorf("config.json was not written back:\n%s", data)
	}
	if fi, err := os.Stat(cfg); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode %v %v", fi, err)
	}
	// credentials-go rewrites the file with only the fields it knows: another profile's
	// credentials_uri is gone (the README warns). If this starts failing, credentials-go keeps
	// unknown fields now: update the README.
	if strings.Contains(string(data), "credentials_uri") {
		t.Errorf("credentials-go kept credentials_uri; the README's warning is out of date:\n%s", data)
	}
}
