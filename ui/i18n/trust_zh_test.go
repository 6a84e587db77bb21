package i18n

import "testing"

// The trust policy's principals in words (model/flow TrustPrincipals) compose: "never: X",
// "X (when C)"; a {~n} value that is itself domain text is translated by the patterns.
func TestDomainNestedTrustWords(t *testing.T) {
	tr := New(ZH)
	for en, want := range map[string]string{
		"never: RAM user alice of account 123 (when external id abc)": "明确拒绝：账号 123 下的 RAM 用户 alice（条件：外部 ID（external id）为 abc）",
		"the ECS service (when external id x)":                        "ECS 云服务（条件：外部 ID（external id）为 x）",
		"anyone, in any account":                                      "任何人（任意账号）",
		"users of OIDC provider gh (account 1)":                       "OIDC 身份提供商 gh 的用户（账号 1）",
		"audit.jsonl line 3: not a record, skipped":                   "audit.jsonl 第 3 行：不是一条记录，已跳过",
	} {
		if got := tr.Domain(en); got != want {
			t.Errorf("Domain(%q) = %q, want %q", en, got, want)
		}
	}
	if got := New(EN).Domain("never: anyone, in any account"); got != "never: anyone, in any account" {
		t.Errorf("English changed: %q", got)
	}
}
