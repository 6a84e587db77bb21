package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRolesFilterAndTrust(t *testing.T) {
	w, _, _ := rolesWorld(t)
	r := w.must("roles", "--filter", "OSS")
	if strings.Contains(r.stdout, "EcsOnly") || strings.Contains(r.stdout, "PartnerWithExternalId") {
		t.Errorf("the filter let through roles without OSS in name, ARN or description:\n%s", r.stdout)
	}
	for _, want := range []string{"CAN YOU ASSUME IT", "TRUSTED BY", "RamOssTest", "OssReadWrite", "✓ yes", "any RAM identity of account 1234567890123456"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("roles --filter OSS lacks %q:\n%s", want, r.stdout)
		}
	}
	r = w.must("roles", "--json")
	var roles []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &roles); err != nil || len(roles) != 4 {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	got := map[string]string{}
	for _, ro := range roles {
		got[ro["name"].(string)] = ro["can_assume"].(string)
	}
	if got["EcsOnly"] != "deny" || got["RamOssTest"] != "ok" || got["PartnerWithExternalId"] != "warn" {
		t.Errorf("can_assume %v", got)
	}
	if by := roles[0]["trusted_by"].([]any); len(by) != 1 || by[0] != "the ECS service" {
		t.Errorf("EcsOnly trusted_by %v", by)
	}
	r = w.must("roles", "--role", "EcsOnly")
	if !strings.Contains(r.stdout, "Can you assume it  ✗ no: does not trust user/u") || !strings.Contains(r.stdout, "Trusted by    the ECS service") {
		t.Errorf("roles --role EcsOnly:\n%s", r.stdout)
	}
	r = w.must("roles", "--filter", "nothing-like-this")
	if !strings.Contains(r.stderr, `no role matches "nothing-like-this"`) {
		t.Errorf("empty filter result:\n%s", r.stderr)
	}
}
