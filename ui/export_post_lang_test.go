package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/postform"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The console's upload page (export post-form-html) has its title and button in the
// operator's language, as `stsdeck presign --post` does; English is HTML() byte for byte
// and the fields are the same in both.
func TestRenderPostLabels(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	r := postform.Request{Endpoint: "http://127.0.0.1:9", Region: "cn-hangzhou", Bucket: "b", Prefix: "up/",
		Expires: time.Hour, AccessKeyID: "STS.id", Secret: "s3cret", SecurityToken: "tok", Now: now}
	en, err := renderPost(postHTML, r, postLabels(i18n.New(i18n.EN)))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := postform.Build(r)
	if en != f.HTML() {
		t.Errorf("English page differs from HTML()")
	}
	zh, err := renderPost(postHTML, r, postLabels(i18n.New(i18n.ZH)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"上传到 OSS", "上传", `lang="zh`} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese page lacks %q", want)
		}
	}
	for _, fld := range []string{`name="policy"`, `name="x-oss-signature"`, `name="key"`} {
		if strings.Count(zh, fld) != strings.Count(en, fld) {
			t.Errorf("field %s differs between the pages", fld)
		}
	}
	if strings.Contains(zh, "s3cret") {
		t.Error("the secret is in the page")
	}
}

// The probe grid's predicted column says the verdict and the deciding layer as one phrase in
// the operator's language; English is as before ("Allow (session)").
func TestProbePredictedZH(t *testing.T) {
	r := model.ProbeResult{Op: "put", Scope: "inside", Predicted: VerdictDeny, PredictedLayer: "session"}
	en := NewStyles(true)
	if line, _ := newProbeGrid(en).rowView(r, 16, false); !strings.Contains(line, "Deny (session)") {
		t.Errorf("English row %q", line)
	}
	zh := NewStyles(true)
	zh.T = i18n.New(i18n.ZH)
	line, _ := newProbeGrid(zh).rowView(r, 16, false)
	if !strings.Contains(line, "拒绝（会话）") || strings.Contains(line, "session") {
		t.Errorf("Chinese row %q", line)
	}
}
