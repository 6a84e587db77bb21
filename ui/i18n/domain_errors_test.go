package i18n

import (
	"testing"

	"github.com/stsdeck/stsdeck/model/flow"
)

// Every explanation the error tables give (EC and code meanings, remedies, the expiry
// thresholds) has Chinese in locales/domain.json, so the Explain panel and explain --error say
// them in the operator's language (the cloud's own Message is never passed through Domain).
func TestErrorTablesTranslated(t *testing.T) {
	var texts []string
	for _, e := range flow.ErrorTable {
		texts = append(texts, e.Meaning, e.Remedy, flow.ExplainEC(e.EC, ""), flow.ExplainEC("", e.Code))
	}
	texts = append(texts, flow.ExplainEC("0003-99999999", ""), flow.ExplainEC("0002-99999999", ""), flow.ExpiryThresholdsText)
	zh := New(ZH)
	for _, s := range texts {
		if s == "" {
			continue
		}
		if _, ok := DomainKnown(s); !ok {
			t.Errorf("no domain pattern for %q", s)
			continue
		}
		if got := zh.Domain(s); got == s {
			t.Errorf("%q stays English", s)
		}
	}
	if got := zh.Domain("send the request to oss-cn-shanghai.aliyuncs.com"); got != "将请求发送到 oss-cn-shanghai.aliyuncs.com" {
		t.Errorf("values carried over: %q", got)
	}
}
