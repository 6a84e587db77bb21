package flow

import (
	"testing"

	"github.com/stsdeck/stsdeck/model/policy"
)

func TestToolsUploadOnly(t *testing.T) {
	sess := `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/src/*"]}]}`
	sp, err := policy.Parse("s", []byte(sess), policy.KindSession)
	if err != nil {
		t.Fatal(err)
	}
	rw, _ := policy.Parse("rw", []byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]}`), policy.KindIdentity)
	for _, tool := range Tools {
		t.Run(tool.Name, func(t *testing.T) {
			if tool.Source == "" || len(tool.Calls) == 0 {
				t.Fatal("a tool without source or calls")
			}
			in := ToolInput{Tool: tool, Bucket: "examplebucket", Prefix: "src/", AccountID: "1234567890123456", Region: "cn-hangzhou",
				Identity: []*policy.Policy{rw}, Session: sp, SessionDoc: sess}
			c := CheckTool(in)
			if c.Works {
				return // upload-only suffices (ossutil-cp, aliyun-oss, the uploader without ListParts are optional)
			}
			// The suggested policy makes it work, and dst/ stays denied.
			fixed, err := policy.Parse("fixed", []byte(c.Suggested), policy.KindSession)
			if err != nil {
				t.Fatalf("suggested %q: %v", c.Suggested, err)
			}
			in.Session = fixed
			if again := CheckTool(in); !again.Works {
				t.Fatalf("still failing with %s: %+v", c.Suggested, again.Steps[again.FirstFailure])
			}
			for _, a := range []string{"oss:GetObject", "oss:PutObject"} {
				if ex := Explain(ExplainInput{Action: a, Resource: "acs:oss:cn-hangzhou:1234567890123456:examplebucket/dst/x", Identity: []*policy.Policy{rw}, Session: fixed}); ex.Decision == policy.DecisionAllow {
					t.Fatalf("%s on dst/ allowed by %s", a, c.Suggested)
				}
			}
			if ex := Explain(ExplainInput{Action: "oss:ListObjects", Resource: "acs:oss:cn-hangzhou:1234567890123456:examplebucket", Context: map[string][]string{policy.KeyPrefix: {"dst/"}},
				Identity: []*policy.Policy{rw}, Session: fixed}); ex.Decision == policy.DecisionAllow {
				t.Fatalf("listing dst/ allowed by %s", c.Suggested)
			}
		})
	}
	ob, _ := LookupTool("ossbrowser")
	c := CheckTool(ToolInput{Tool: ob, Bucket: "examplebucket", Prefix: "src/", Identity: []*policy.Policy{rw}, Session: sp, SessionDoc: sess})
	if c.Works || c.Steps[c.FirstFailure].Op != "ListObjects" || c.Steps[c.FirstFailure].Suggestion.Condition == nil {
		t.Fatalf("ossbrowser with upload-only: %+v", c)
	}
}
