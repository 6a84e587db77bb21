package sts_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/sts"
	"github.com/stsdeck/stsdeck/sts/stsemu"
)

// Everything here goes through the real STS and RAM SDKs to the in-process STS + RAM emulator
// over loopback.

// testSandbox is the STS half of a sandbox, described as the ready file would describe it.
type testSandbox struct {
	Info model.SandboxInfo
	run  *stsemu.Running
}

type sandboxOpts struct {
	SeedFile  string      // "" = the built-in account
	WallClock model.Clock // nil = the system clock
}

func startSandbox(t *testing.T, o sandboxOpts) *testSandbox {
	t.Helper()
	seed, err := stsemu.LoadSeed(o.SeedFile)
	if err != nil {
		t.Fatal(err)
	}
	run, err := stsemu.Start(stsemu.Config{DataDir: t.TempDir(), Seed: seed, WallClock: o.WallClock}, "", nil)
	if err != nil {
		t.Fatalf("stsemu.Start: %v", err)
	}
	t.Cleanup(func() { run.Close() })
	info := model.SandboxInfo{Region: seed.Region, AccountID: seed.AccountID, STSEndpoint: run.URL, RAMEndpoint: run.URL}
	for _, u := range run.Authority().Users() {
		info.Users = append(info.Users, model.SandboxUser{Name: u.Name, Kind: u.Kind, AccessKeyID: u.AccessKeyID, AccessKeySecret: u.AccessKeySecret})
	}
	for _, ro := range run.Authority().Roles() {
		info.Roles = append(info.Roles, model.SandboxRole{Name: ro.Name, ARN: ro.ARN, MaxSessionDuration: ro.MaxSessionDuration})
	}
	return &testSandbox{Info: info, run: run}
}

func (r *testSandbox) Control() (*sts.Control, error) { return sts.NewControl(r.Info) }

func clientAs(t *testing.T, r *testSandbox, user string) *sts.Client {
	t.Helper()
	u, ok := r.Info.User(user)
	if !ok {
		t.Fatalf("no sandbox user %q", user)
	}
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(u.AccessKeyID).WithAccessKeySecret(u.AccessKeySecret).Build()
	if err != nil {
		t.Fatal(err)
	}
	return clientWith(t, r, p)
}

func clientWith(t *testing.T, r *testSandbox, p providers.CredentialsProvider) *sts.Client {
	t.Helper()
	stsEP, err := model.ParseEndpoint("sts", r.Info.STSEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	ramEP, err := model.ParseEndpoint("ram", r.Info.RAMEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sts.New(sts.Config{Credentials: p, Region: r.Info.Region, STSEndpoint: stsEP, RAMEndpoint: ramEP, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func roleARN(r *testSandbox, name string) string {
	return issuereq.RoleARN(r.Info.AccountID, name)
}

func TestSandboxWhoamiAndRoles(t *testing.T) {
	r := startSandbox(t, sandboxOpts{})
	ctx := context.Background()
	c := clientAs(t, r, "sts-issuer")
	who, err := c.Whoami(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if who.AccountID != r.Info.AccountID || !strings.HasSuffix(who.ARN, ":user/sts-issuer") || who.IdentityType != "RAMUser" {
		t.Errorf("Whoami = %+v", who)
	}
	roles, err := c.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != len(r.Info.Roles) {
		t.Errorf("ListRoles gave %d roles, the sandbox has %d", len(roles), len(r.Info.Roles))
	}
	byName := map[string]model.Role{}
	for _, ro := range roles {
		byName[ro.Name] = ro
	}
	if ro := byName["OssReadWrite"]; ro.MaxSessionDuration != 12*time.Hour || ro.Source != "ram" || ro.ARN == "" {
		t.Errorf("OssReadWrite = %+v", ro)
	}
	if got := c.RoleMax(byName["RamOssTest"].ARN); got != time.Hour {
		t.Errorf("RoleMax learned %s, want 1h", got)
	}

	t.Run("role details by name and by ARN", func(t *testing.T) {
		for _, ref := range []string{"RamOssTest", roleARN(r, "ramosstest")} {
			ro, err := c.GetRole(ctx, ref)
			if err != nil {
				t.Fatalf("GetRole(%s): %v", ref, err)
			}
			if !strings.Contains(ro.TrustPolicy, "sts:AssumeRole") || len(ro.Policies) != 1 || ro.Policies[0].Name != "RamTestPolicy" ||
				!strings.Contains(ro.Policies[0].Document, "oss:PutObject") {
				t.Errorf("GetRole(%s) = %+v", ref, ro)
			}
		}
	})

	t.Run("listing denied names the service and hints", func(t *testing.T) {
		_, err := clientAs(t, r, "sts-only").ListRoles(ctx)
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Service != "ram" || ae.Code != "NoPermission" || ae.StatusCode != 403 || ae.RequestID == "" || !strings.Contains(ae.Hint, "ram:ListRoles") {
			t.Fatalf("err %v (%+v)", err, ae)
		}
	})

	t.Run("unknown role", func(t *testing.T) {
		_, err := c.GetRole(ctx, "NoSuchRole")
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Code != "EntityNotExist.Role" {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSandboxListRolesPages(t *testing.T) {
	// A seed with 230 roles: ListRoles must follow three pages of 100.
	var b strings.Builder
	b.WriteString("account_id: \"1234567890123456\"\nregion: cn-hangzhou\npolicies:\n  - name: AliyunSTSAssumeRoleAccess\n    type: System\n    document: '{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}'\n")
	b.WriteString("  - name: AliyunRAMReadOnlyAccess\n    type: System\n    document: '{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ram:Get*\",\"ram:List*\"],\"Resource\":\"*\"}]}'\n")
	b.WriteString("users:\n  - name: sts-issuer\n    kind: user\n    policies: [AliyunSTSAssumeRoleAccess, AliyunRAMReadOnlyAccess]\nroles:\n")
	for i := 0; i < 230; i++ {
		fmt.Fprintf(&b, "  - name: Role%03d\n", i)
	}
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seed, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startSandbox(t, sandboxOpts{SeedFile: seed})
	roles, err := clientAs(t, r, "sts-issuer").ListRoles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ro := range roles {
		if seen[ro.Name] {
			t.Errorf("role %s listed twice", ro.Name)
		}
		seen[ro.Name] = true
	}
	if len(seen) != 230 {
		t.Fatalf("listed %d distinct roles, want 230", len(seen))
	}
}

func TestSandboxAssumeRole(t *testing.T) {
	r := startSandbox(t, sandboxOpts{})
	ctx := context.Background()
	issuer := clientAs(t, r, "sts-issuer")
	sessionPolicy := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
	tests := []struct {
		name    string
		client  *sts.Client
		req     model.IssueRequest
		code    string // "" = success
		hint    string
		notHint string
		invalid bool // refused client-side
	}{
		{name: "classic scenario", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "partner-b", Duration: 15 * time.Minute, Policy: sessionPolicy}},
		{name: "role name case-insensitive", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "ramosstest"), SessionName: "lower"}},
		{name: "12h role", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "OssReadWrite"), SessionName: "long", Duration: 12 * time.Hour}},
		{name: "external id given", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "PartnerWithExternalId"), SessionName: "pb", ExternalID: "partner-b-7f3c"}},
		{name: "external id missing", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "PartnerWithExternalId"), SessionName: "pb"}, code: "NoPermission",
			hint: "The role PartnerWithExternalId trusts you only with an external id (its trust policy has an sts:ExternalId condition): pass"},
		{name: "external id wrong", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "PartnerWithExternalId"), SessionName: "pb", ExternalID: "partner-b-0000"}, code: "NoPermission",
			hint: "trusts you only with a specific external id"},
		{name: "external id missing, trust policy not readable", client: clientAs(t, r, "sts-only"), req: model.IssueRequest{RoleARN: roleARN(r, "PartnerWithExternalId"), SessionName: "pb"}, code: "NoPermission",
			hint: "trust policy", notHint: "external id"},
		{name: "trusted only by ECS", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "EcsOnly"), SessionName: "pb"}, code: "NoPermission", hint: "trust policy", notHint: "external id"},
		{name: "user without AssumeRole", client: clientAs(t, r, "no-sts-user"), req: model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "pb"}, code: "NoPermission"},
		{name: "root refused", client: clientAs(t, r, "root"), req: model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "pb"}, code: "NoPermission", hint: "root AccessKey"},
		{name: "no such role", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "Ghost"), SessionName: "pb"}, code: "EntityNotExist.Role"},
		{name: "duration over role max answered by server", client: clientAs(t, r, "sts-only"), req: model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "pb", Duration: 2 * time.Hour}, code: "InvalidParameter.DurationSeconds", hint: "maximum session duration"},
		{name: "duration over learned max refused before sending", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "pb", Duration: 2 * time.Hour}, invalid: true},
		{name: "bad session name refused before sending", client: issuer, req: model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "a*b"}, invalid: true},
	}
	if _, err := issuer.ListRoles(ctx); err != nil { // teaches the issuer every role's max session
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now()
			cr, err := tc.client.AssumeRole(ctx, tc.req)
			if tc.invalid {
				var ie *issuereq.InvalidRequestError
				if !errors.As(err, &ie) {
					t.Fatalf("want InvalidRequestError, got %v", err)
				}
				return
			}
			if tc.code != "" {
				var ae *model.APIError
				if !errors.As(err, &ae) || ae.Code != tc.code || ae.RequestID == "" || ae.Service != "sts" {
					t.Fatalf("want %s, got %v", tc.code, err)
				}
				if tc.hint != "" && !strings.Contains(ae.Hint, tc.hint) {
					t.Errorf("hint %q lacks %q", ae.Hint, tc.hint)
				}
				if tc.notHint != "" && strings.Contains(ae.Hint, tc.notHint) {
					t.Errorf("hint %q says %q", ae.Hint, tc.notHint)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(cr.AccessKeyID, "STS.") || cr.AccessKeySecret == "" || cr.SecurityToken == "" || cr.RequestID == "" {
				t.Errorf("credentials %v", cr)
			}
			want := tc.req.Duration
			if want == 0 {
				want = time.Hour
			}
			if d := cr.Expiration.Sub(before); d < want-5*time.Second || d > want+5*time.Second {
				t.Errorf("expires in %s, want %s", d, want)
			}
			if !strings.HasSuffix(cr.AssumedRoleARN, "/"+tc.req.SessionName) || cr.ServerClockOffset != 0 {
				t.Errorf("AssumedRoleARN %q offset %s", cr.AssumedRoleARN, cr.ServerClockOffset)
			}
			// The token works: its own identity is the assumed role.
			p, _ := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(cr.AccessKeyID).WithAccessKeySecret(cr.AccessKeySecret).WithSecurityToken(cr.SecurityToken).Build()
			who, err := clientWith(t, r, p).Whoami(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if who.IdentityType != "AssumedRoleUser" || who.ARN != cr.AssumedRoleARN {
				t.Errorf("token's Whoami = %+v", who)
			}
		})
	}
}

func TestSandboxSkewedServerClock(t *testing.T) {
	skew := 7 * time.Minute
	r := startSandbox(t, sandboxOpts{WallClock: model.ClockFunc(func() time.Time { return time.Now().Add(skew) })})
	cr, err := clientAs(t, r, "sts-issuer").AssumeRole(context.Background(), model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "skew"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cr.ServerClockOffset - skew; d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("ServerClockOffset %s, want about %s", cr.ServerClockOffset, skew)
	}
	// The countdown is right on the skewed laptop: about an hour left, not an hour and 7 minutes.
	if left := cr.Remaining(time.Now()); left < 59*time.Minute || left > 61*time.Minute {
		t.Errorf("Remaining %s, want about 1h", left)
	}
}

func TestSandboxExpiredCallerToken(t *testing.T) {
	r := startSandbox(t, sandboxOpts{})
	ctx := context.Background()
	cr, err := clientAs(t, r, "sts-issuer").AssumeRole(ctx, model.IssueRequest{RoleARN: roleARN(r, "OssReadWrite"), SessionName: "chain", Duration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := r.Control()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.Advance(ctx, 20*time.Minute); err != nil {
		t.Fatal(err)
	}
	p, _ := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(cr.AccessKeyID).WithAccessKeySecret(cr.AccessKeySecret).WithSecurityToken(cr.SecurityToken).Build()
	_, err = clientWith(t, r, p).Whoami(ctx)
	var ae *model.APIError
	if !errors.As(err, &ae) || !strings.HasPrefix(ae.Code, "InvalidSecurityToken") {
		t.Fatalf("want InvalidSecurityToken.*, got %v", err)
	}
	if strings.Contains(ae.Error(), cr.SecurityToken) || strings.Contains(ae.Error(), cr.AccessKeySecret) {
		t.Error("the error leaks the token or secret")
	}
	if ae.Hint == "" {
		t.Error("no hint")
	}
}

// The console asks STS and RAM at once; the SDK shares one http.Client per host, so the adapter
// serialises per host. Run with -race.
func TestSandboxConcurrentCalls(t *testing.T) {
	r := startSandbox(t, sandboxOpts{})
	c := clientAs(t, r, "sts-issuer")
	ctx := context.Background()
	errs := make(chan error, 30)
	for i := 0; i < 10; i++ {
		go func() { _, err := c.Whoami(ctx); errs <- err }()
		go func() { _, err := c.ListRoles(ctx); errs <- err }()
		go func() {
			_, err := c.AssumeRole(ctx, model.IssueRequest{RoleARN: roleARN(r, "RamOssTest"), SessionName: "concurrent"})
			errs <- err
		}()
	}
	for i := 0; i < 30; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	r := startSandbox(t, sandboxOpts{})
	c := clientAs(t, r, "sts-issuer")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Whoami(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
