package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model/policy"
)

func TestMeasureCountsCharacters(t *testing.T) {
	// 中 is 3 bytes in UTF-8 and one character: STS counts characters.
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/中/*"}]}`
	sz := MeasureSessionPolicy(doc)
	if sz.N != len([]rune(doc)) || sz.Bytes != len(doc) || sz.Unit != "characters" || sz.Limit != 2048 {
		t.Errorf("measure = %+v", sz)
	}
	// 700 × 中 = 2100 bytes but far fewer characters: accepted (with a warning), as STS does.
	big := strings.Replace(doc, "中", strings.Repeat("中", 700), 1)
	p, fs := policy.Validate("s", []byte(big), policy.KindSession)
	if p == nil {
		t.Fatalf("refused %d characters (%d bytes): %+v", MeasureSessionPolicy(big).N, len(big), fs)
	}
	if len(fs) == 0 || fs[0].Severity != policy.SeverityWarning {
		t.Errorf("no warning about bytes: %+v", fs)
	}
	over := strings.Replace(doc, "中", strings.Repeat("a", 2048), 1)
	if p, _ := policy.Validate("s", []byte(over), policy.KindSession); p != nil {
		t.Errorf("accepted %d characters", MeasureSessionPolicy(over).N)
	}
}

func TestShrinkAdvice(t *testing.T) {
	var stmts []string
	for _, k := range []string{"a", "b", "c"} {
		stmts = append(stmts, `  {"Effect": "Allow", "Action": "oss:GetObject", "Resource": ["acs:oss:*:*:examplebucket/src/`+k+`1/*", "acs:oss:*:*:examplebucket/src/`+k+`2/*", "acs:oss:*:*:examplebucket/src/`+k+`3/*"]}`)
	}
	stmts = append(stmts, `  {"Effect": "Allow", "Action": "oss:PutObject", "Resource": ["acs:oss:*:*:examplebucket/src/a1/*", "acs:oss:*:*:examplebucket/src/a2/*", "acs:oss:*:*:examplebucket/src/a3/*"]}`)
	doc := "{\n \"Version\": \"1\",\n \"Statement\": [\n" + strings.Join(stmts, ",\n") + "\n ]\n}"
	adv := strings.Join(ShrinkAdvice(doc), "\n")
	for _, want := range []string{
		"minify (m): ",
		"merge statements 1 and 4: same effect and resources",
		"merge statements 1, 2 and 3: same effect and actions",
		"Statement 1 lists 3 resources under acs:oss:*:*:examplebucket/src/: one wildcard acs:oss:*:*:examplebucket/src/* covers them",
	} {
		if !strings.Contains(adv, want) {
			t.Errorf("advice lacks %q:\n%s", want, adv)
		}
	}
	if got := ShrinkAdvice(`{"Version":`); len(got) != 1 || !strings.Contains(got[0], "fix the JSON first") {
		t.Errorf("unparsable: %q", got)
	}
}

func TestDescribePolicy(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`,
			"allows PutObject on examplebucket/src/*"},
		{`{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject","oss:ListObjects"],"Resource":["acs:oss:*:*:otherbucket","acs:oss:*:*:otherbucket/*"]},{"Effect":"Deny","Action":"oss:DeleteObject","Resource":"*"}]}`,
			"allows GetObject and ListObjects on bucket otherbucket and every object in otherbucket; denies DeleteObject on anything"},
		{`{"Version":`, ""},
	} {
		if got := DescribePolicy(tc.doc); got != tc.want {
			t.Errorf("DescribePolicy = %q, want %q", got, tc.want)
		}
	}
}

func TestPolicyDiff(t *testing.T) {
	a := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
	b := strings.Replace(a, "src/", "dst/", 1)
	if !SamePolicy(a, "{\n  "+a[1:]) || SamePolicy(a, b) {
		t.Fatal("SamePolicy")
	}
	var minus, plus []string
	for _, l := range PolicyDiff(a, b) {
		switch l.Op {
		case '-':
			minus = append(minus, l.Text)
		case '+':
			plus = append(plus, l.Text)
		}
	}
	if len(minus) != 1 || !strings.Contains(minus[0], "src/") || len(plus) != 1 || !strings.Contains(plus[0], "dst/") {
		t.Errorf("diff: -%q +%q", minus, plus)
	}
}

func TestExpiryStates(t *testing.T) {
	h := time.Hour
	for _, tc := range []struct {
		rem  time.Duration
		want ExpiryLevel
		step time.Duration
	}{
		{h, ExpiryLive, 45 * time.Minute},
		{16 * time.Minute, ExpiryLive, time.Minute},
		{15 * time.Minute, ExpiryWarn, 14 * time.Minute}, // 25% of 1h
		{14 * time.Minute, ExpiryWarn, 13 * time.Minute}, // 23%
		{time.Minute, ExpiryUrgent, time.Minute},
		{0, ExpiryExpired, 0},
	} {
		if got := Expiry(tc.rem, h); got != tc.want {
			t.Errorf("Expiry(%v) = %v, want %v", tc.rem, got, tc.want)
		}
		if got := NextExpiryStep(tc.rem, h); got != tc.step {
			t.Errorf("NextExpiryStep(%v) = %v, want %v", tc.rem, got, tc.step)
		}
	}
	// A 15-minute token warns from 5 minutes (25% would be under it).
	if Expiry(6*time.Minute, 15*time.Minute) != ExpiryLive || Expiry(5*time.Minute, 15*time.Minute) != ExpiryWarn {
		t.Error("5-minute floor")
	}
}
