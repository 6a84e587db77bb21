package i18n

import "testing"

// The from-journal lines and errors, journal read warnings, serve's ended window, explain
// --error's "no error found", the probe's bucket-policy note and the credential source text
// (svc.Where, parts joined by "; ") are Chinese through the domain patterns.
func TestDomainLeftoversZH(t *testing.T) {
	tr := New(ZH)
	for en, want := range map[string]string{
		"no journaled request matches: no request of session \"s1\" on bucket b among 3 records":                                                                                                                   "没有匹配的已记录请求：3 条记录中没有会话 \"s1\" 对 Bucket b 的请求",
		"#3 oss:GetObject on acs:oss:*:1:b/k: explicitly denied by the identity layer; a session policy cannot grant it":                                                                                           "#3 对 acs:oss:*:1:b/k 的 oss:GetObject：被权限策略层显式拒绝；会话策略无法授权该操作",
		"note: #3 oss:GetObject on acs:oss:*:1:b/k: explicitly denied by the identity layer; a session policy cannot grant it":                                                                                     "注意：#3 对 acs:oss:*:1:b/k 的 oss:GetObject：被权限策略层显式拒绝；会话策略无法授权该操作",
		"minified: object actions widened to their whole bucket (<bucket>/*): the shared prefixes did not fit":                                                                                                     "已压缩：对象操作已放宽到整个 Bucket（<bucket>/*）：共用前缀仍超出上限",
		"wildcard acs:oss:*:*:b/x* (oss:GetObject) covers 9 keys: \"x1\", \"x2\" … and 7 more":                                                                                                                     "通配符 acs:oss:*:*:b/x*（oss:GetObject）覆盖 9 个对象：\"x1\", \"x2\" … 另有 7 个",
		"the generated policy is 3000 bytes even with every object action widened to its bucket; over the session-policy limit of 2048":                                                                            "即使把每个对象操作都放宽到整个 Bucket，生成的策略仍有 3000 字节，超过会话策略 2048 的上限",
		"j.jsonl:4: torn last line skipped (the writer stopped inside it)":                                                                                                                                         "j.jsonl:4：最后一行不完整，已跳过（写入方在写这一行时停止）",
		"no token to serve: the serve window (--until) has ended":                                                                                                                                                  "没有可提供的令牌：服务时段（--until）已结束",
		"no error found: the text has no error code, EC or EncodedDiagnosticMessage (paste the error body or the tool's whole message)":                                                                            "未找到错误：文本中没有错误码、EC 或 EncodedDiagnosticMessage（请粘贴错误响应体或工具输出的完整消息）",
		"bucket policy not readable with this token: assumed none":                                                                                                                                                 "该令牌无法读取 Bucket 策略：按没有 Bucket 策略处理",
		"embedded sandbox (no credentials found, already running) as RAM user u, data /d":                                                                                                                          "内置沙箱（未找到凭证，已在运行），RAM 用户 u，数据目录 /d",
		"embedded sandbox (--sandbox) as RAM user u, data /d; looked in: environment ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET: not set; ECS instance metadata (100.100.100.200): disabled by X": "内置沙箱（--sandbox），RAM 用户 u，数据目录 /d；查找过：环境变量 ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET：未设置；ECS 实例元数据（100.100.100.200）：已被 X 禁用",
		"OSS commands use the exported temporary credentials STS.a (environment ALIBABA_CLOUD_*)":                                                                                                                  "OSS 命令使用已导出的临时访问凭证 STS.a（环境变量 ALIBABA_CLOUD_*）",
		"environment variables (STS token)":           "环境变量（STS 安全令牌）",
		"credentials file /h/c: no section [default]": "凭证文件 /h/c：没有 [default] 节",
	} {
		if got := tr.Domain(en); got != want {
			t.Errorf("Domain(%q)\n = %q\nwant %q", en, got, want)
		}
	}
}
