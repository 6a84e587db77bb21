package policy

import (
	"strings"
	"testing"
)

func TestValidateWarningsAndSuggestions(t *testing.T) {
	type want struct {
		sev      Severity
		path     string
		contains string
		fix      string
	}
	cases := []struct {
		name string
		kind Kind
		src  string
		want []want // every one must be present
		none bool   // no findings at all
	}{
		{"clean", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:PutObject","oss:GetObject"],"Resource":"acs:oss:*:*:examplebucket/src/*"}`), nil, true},
		{"unknown oss action", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObjet","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `unknown action "oss:GetObjet" (did you mean "oss:GetObject"?)`, "oss:GetObject"}}, false},
		{"unknown oss action in list", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:GetObject","oss:ListObject"],"Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action[1]", `did you mean "oss:ListObjects"?`, "oss:ListObjects"}}, false},
		{"sdk operation catalogue", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:PutBucketLifecycle","oss:GetBucketWorm","oss:PutObjectTagging"],"Resource":"*"}`), nil, true},
		{"sts typo", KindIdentity, doc(`{"Effect":"Allow","Action":"sts:AssumeRol","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `did you mean "sts:AssumeRole"?`, "sts:AssumeRole"}}, false},
		{"ram read action known", KindIdentity, doc(`{"Effect":"Allow","Action":["ram:ListRoles","ram:GetPolicyVersion"],"Resource":"*"}`), nil, true},
		{"ram typo", KindIdentity, doc(`{"Effect":"Allow","Action":"ram:ListRole","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `did you mean "ram:ListRoles"?`, "ram:ListRoles"}}, false},
		{"other service", KindIdentity, doc(`{"Effect":"Allow","Action":"ecs:DescribeInstances","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `of service "ecs" is not in stsdeck's catalogue`, ""}}, false},
		{"api name alias", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:HeadObject","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `"oss:HeadObject" is an API name, not a RAM action; it is authorized by oss:GetObject`, "oss:GetObject"}}, false},
		{"no service", KindIdentity, doc(`{"Effect":"Allow","Action":"PutObject","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `not of the form <service>:<action> (did you mean "oss:PutObject"?)`, "oss:PutObject"}}, false},
		{"pattern matching nothing", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:Frobnicate*","Resource":"*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", `matches no known oss action`, ""}}, false},
		{"pattern fine", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:Get*","oss:*Object"],"Resource":"*"}`), nil, true},
		{"bucket action on objects", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:examplebucket/*"}`),
			[]want{{SeverityWarning, "Statement[0].Action", "oss:ListObjects acts on the bucket", ""}}, false},
		{"object action on bucket", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:examplebucket"]}`),
			[]want{{SeverityWarning, "Statement[0].Action[0]", "oss:GetObject acts on objects", ""}}, false},
		{"both levels listed is fine", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:ListObjects","oss:GetObject"],"Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}`), nil, true},
		{"odd arn", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"examplebucket/*"}`),
			[]want{{SeverityWarning, "Statement[0].Resource", `odd ARN "examplebucket/*"`, ""}}, false},
		{"odd arn short", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:examplebucket/*"}`),
			[]want{{SeverityWarning, "Statement[0].Resource", `want acs:<service>:<region>:<account>:<relative-id>`, ""}}, false},
		{"ram arn fine", KindIdentity, doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"acs:ram::1234567890123456:role/RamOssTest"}`), nil, true},
		{"empty statement list", KindIdentity, doc(``),
			[]want{{SeverityWarning, "Statement", "empty statement list", ""}}, false},
		{"unknown condition key", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"IpAddress":{"acs:SourceIP2":"10.0.0.1"}}}`),
			[]want{{SeverityWarning, "Statement[0].Condition.IpAddress.acs:SourceIP2", `unknown condition key "acs:SourceIP2" (did you mean "acs:SourceIp"?)`, "acs:SourceIp"}}, false},
		{"operator type mismatch", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"StringEquals":{"acs:SourceIp":"10.0.0.1"}}}`),
			[]want{{SeverityWarning, "Statement[0].Condition.StringEquals.acs:SourceIp", "StringEquals compares acs:SourceIp as a string, but it is an IP address", ""}}, false},
		{"tag keys known", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"StringEquals":{"oss:ExistingObjectTag/team":"a"}}}`), nil, true},
		{"resource prefix without slash", KindSession, doc(`{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src*"}`),
			[]want{{SeveritySuggestion, "Statement[0].Resource", `prefix "src" has no trailing "/"`, "acs:oss:*:*:examplebucket/src/*"}}, false},
		{"oss:Prefix without slash", KindSession, doc(`{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:examplebucket","Condition":{"StringLike":{"oss:Prefix":["src*"]}}}`),
			[]want{{SeveritySuggestion, "Statement[0].Condition.StringLike.oss:Prefix[0]", `prefix "src" has no trailing "/"`, "src/*"}}, false},
		{"trust action other than AssumeRole", KindTrust, doc(`{"Effect":"Allow","Action":"oss:GetObject","Principal":{"RAM":"acs:ram::1234567890123456:root"}}`),
			[]want{{SeverityWarning, "Statement[0].Action", "only governs sts:AssumeRole", "sts:AssumeRole"}}, false},
		{"trust wildcard fine", KindTrust, doc(`{"Effect":"Allow","Action":"sts:*","Principal":{"RAM":"acs:ram::1234567890123456:root"}}`), nil, true},
		{"sid accepted", KindIdentity, doc(`{"Sid":"x","Effect":"Allow","Action":"oss:GetObject","Resource":"*"}`), nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, fs := Validate("p", []byte(c.src), c.kind)
			if p == nil {
				t.Fatalf("refused: %+v", fs)
			}
			if c.none && len(fs) != 0 {
				t.Fatalf("want no findings, got %+v", fs)
			}
			for _, w := range c.want {
				found := false
				for _, f := range fs {
					if f.Severity == w.sev && f.Path == w.path && strings.Contains(f.Message, w.contains) && f.Fix == w.fix && f.Line > 0 && f.Col > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %+v in %+v", w, fs)
				}
			}
		})
	}
}

// Every catalogue entry is found by exact name and by a near miss.
func TestCatalogue(t *testing.T) {
	names := KnownActions()
	if len(names) < 150 {
		t.Fatalf("catalogue has %d actions", len(names))
	}
	for _, must := range []string{"oss:PutObject", "oss:GetObject", "oss:DeleteObject", "oss:ListObjects", "oss:ListParts", "oss:AbortMultipartUpload",
		"oss:ListBuckets", "oss:GetBucketInfo", "oss:PutBucketPolicy", "oss:GetObjectVersion", "sts:AssumeRole", "ram:ListPoliciesForUser"} {
		if _, ok := catalog[strings.ToLower(must)]; !ok {
			t.Errorf("%s missing from the catalogue", must)
		}
	}
	for _, alias := range []string{"oss:HeadObject", "oss:UploadPart", "oss:ListObjectsV2", "oss:DeleteMultipleObjects", "oss:CopyObject"} {
		if _, ok := catalog[strings.ToLower(alias)]; ok {
			t.Errorf("%s is an API name and must not be a catalogue action", alias)
		}
	}
	levels := map[string]resourceLevel{"oss:PutObject": levelObject, "oss:ListObjects": levelBucket, "oss:ListMultipartUploads": levelBucket, "oss:ListBuckets": levelService, "oss:RestoreObject": levelObject}
	for a, l := range levels {
		if catalog[strings.ToLower(a)].level != l {
			t.Errorf("%s level %d, want %d", a, catalog[strings.ToLower(a)].level, l)
		}
	}
}

func TestClosest(t *testing.T) {
	cases := []struct{ in, want string }{
		{"oss:putobject", "oss:PutObject"},
		{"oss:PutObjects", "oss:PutObject"},
		{"oss:GetObjectAcll", "oss:GetObjectAcl"},
		{"oss:Zzzzzzzzzz", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := closest(c.in, catalogNames, maxEdits(c.in)); got != c.want {
				t.Fatalf("closest(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
