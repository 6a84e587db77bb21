package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// stmt wraps statement JSON into a policy document on one line.
func doc(stmts string) string { return `{"Version":"1","Statement":[` + stmts + `]}` }

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		kind Kind
		src  string
		want string // the exact error text
	}{
		{"empty", KindIdentity, "", `line 1, col 1: empty document: want a JSON object {"Version": "1", "Statement": [...]}`},
		{"not an object", KindIdentity, `[]`, `line 1, col 1: want a JSON object {"Version": "1", "Statement": [...]}, got a list`},
		{"trailing comma in object", KindIdentity, "{\"Version\":\"1\",\n\"Statement\":[],\n}", `line 2, col 15: trailing comma before "}"`},
		{"trailing comma in list", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:GetObject",],"Resource":"*"}`), `line 1, col 72: Statement[0].Action: trailing comma before "]"`},
		{"duplicate key", KindIdentity, doc("{\"Effect\":\"Allow\",\n\"Effect\":\"Deny\",\"Action\":\"oss:GetObject\",\"Resource\":\"*\"}"), `line 2, col 1: Statement[0].Effect: duplicate key "Effect" (first at line 1, col 30)`},
		{"wrong type action", KindIdentity, doc(`{"Effect":"Allow","Action":5,"Resource":"*"}`), `line 1, col 56: Statement[0].Action: want a string or a list of strings, got a number`},
		{"wrong type in list", KindIdentity, doc(`{"Effect":"Allow","Action":["oss:GetObject",true],"Resource":"*"}`), `line 1, col 73: Statement[0].Action[1]: want a string (action), got a boolean`},
		{"wrong type statement", KindIdentity, `{"Version":"1","Statement":"x"}`, `line 1, col 28: Statement: want a list of statements, got a string`},
		{"wrong type version", KindIdentity, `{"Version":1,"Statement":[]}`, `line 1, col 12: Version: want the string "1", got a number`},
		{"unknown element", KindIdentity, doc(`{"Effect":"Allow","Actions":"oss:GetObject","Resource":"*"}`), `line 1, col 47: Statement[0].Actions: unknown element "Actions" (did you mean "Action"?)`},
		{"unknown top element", KindIdentity, `{"Version":"1","Statement":[],"Id":"x"}`, `line 1, col 31: Id: unknown element "Id"; want one of Version, Statement`},
		{"lower-case effect", KindIdentity, doc(`{"Effect":"allow","Action":"oss:GetObject","Resource":"*"}`), `line 1, col 39: Statement[0].Effect: want "Allow" or "Deny", got "allow"`},
		{"version 2", KindIdentity, `{"Version":"2","Statement":[]}`, `line 1, col 12: Version: want "1", got "2"`},
		{"version missing", KindIdentity, `{"Statement":[]}`, `line 1, col 1: Version: missing; want "Version": "1"`},
		{"statement missing", KindIdentity, `{"Version":"1"}`, `line 1, col 1: Statement: missing; want "Statement": [ {...} ]`},
		{"both action and notaction", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","NotAction":"oss:PutObject","Resource":"*"}`), `line 1, col 72: Statement[0].NotAction: a statement takes Action or NotAction, not both`},
		{"neither action nor notaction", KindIdentity, doc(`{"Effect":"Allow","Resource":"*"}`), `line 1, col 29: Statement[0].Action: missing; a statement needs "Action" (or "NotAction")`},
		{"resource missing", KindSession, doc(`{"Effect":"Allow","Action":"oss:GetObject"}`), `line 1, col 29: Statement[0].Resource: missing; a session policy statement needs "Resource"`},
		{"notresource", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","NotResource":"*"}`), `line 1, col 72: Statement[0].NotResource: NotResource is not supported by RAM; list the resources under "Resource"`},
		{"principal in identity", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Principal":"*"}`), `line 1, col 87: Statement[0].Principal: Principal is not allowed in an identity policy (only in bucket and trust policies)`},
		{"principal in session", KindSession, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Principal":"*"}`), `line 1, col 87: Statement[0].Principal: Principal is not allowed in a session policy (only in bucket and trust policies)`},
		{"principal missing in bucket", KindBucket, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}`), `line 1, col 29: Statement[0].Principal: missing; a bucket policy statement needs "Principal"`},
		{"principal missing in trust", KindTrust, doc(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), `line 1, col 29: Statement[0].Principal: missing; a trust policy statement needs "Principal"`},
		{"unknown principal element", KindTrust, doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Ram":"*"}}`), `line 1, col 86: Statement[0].Principal.Ram: unknown element "Ram" (did you mean "RAM"?)`},
		{"unknown operator", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"StringEqual":{"acs:UserAgent":"x"}}}`), `line 1, col 100: Statement[0].Condition.StringEqual: unknown condition operator "StringEqual" (did you mean "StringEquals"?)`},
		{"bad date", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"tomorrow"}}}`), `line 1, col 134: Statement[0].Condition.DateLessThan.acs:CurrentTime: want an ISO 8601 date such as "2026-01-02T15:04:05Z", got "tomorrow"`},
		{"bad ip", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","10.0.0.300"]}}}`), `line 1, col 142: Statement[0].Condition.IpAddress.acs:SourceIp[1]: want an IP address or CIDR block such as "10.0.0.0/8", got "10.0.0.300"`},
		{"bad bool", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"yes"}}}`), `line 1, col 130: Statement[0].Condition.Bool.acs:SecureTransport: want true or false, got "yes"`},
		{"bad number", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:ListObjects","Resource":"*","Condition":{"NumericLessThan":{"oss:MaxKeys":"ten"}}}`), `line 1, col 135: Statement[0].Condition.NumericLessThan.oss:MaxKeys: want a number, got "ten"`},
		{"condition value object", KindIdentity, doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Condition":{"StringEquals":{"acs:UserAgent":{}}}}`), `line 1, col 132: Statement[0].Condition.StringEquals.acs:UserAgent: want a value or a list of values, got an object`},
		{"empty action list", KindIdentity, doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), `line 1, col 56: Statement[0].Action: empty list: want at least one action`},
		{"single quotes", KindIdentity, `{'Version':'1'}`, `line 1, col 2: keys take double quotes ("), not single quotes`},
		{"bare word", KindIdentity, `{"Version":"1","Statement":[{"Effect":Allow}]}`, `line 1, col 39: Statement[0].Effect: invalid value "Allow": strings need double quotes`},
		{"missing comma", KindIdentity, "{\"Version\":\"1\"\n \"Statement\":[]}", `line 2, col 2: missing "," between object members`},
		{"unclosed object", KindIdentity, "{\"Version\":\"1\",\n\"Statement\":[", `line 2, col 13: Statement: unexpected end of input: the list opened here is not closed with "]"`},
		{"unclosed string", KindIdentity, `{"Version":"1`, `line 1, col 12: Version: unexpected end of input: the string opened here is not closed`},
		{"comment", KindIdentity, "{\n// hi\n}", `line 2, col 1: comments are not allowed in JSON`},
		{"garbage after", KindIdentity, `{"Version":"1","Statement":[]} x`, `line 1, col 32: unexpected character 'x' after the end of the document`},
		{"bom", KindIdentity, "\xef\xbb\xbf{}", `line 1, col 1: the document starts with a byte order mark (BOM); save it as UTF-8 without BOM`},
		{"leading zero", KindIdentity, `{"Version":01}`, `line 1, col 13: Version: numbers may not have leading zeros; quote it if it is an id: "0…"`},
		{"bad escape", KindIdentity, `{"Version":"\x"}`, `line 1, col 14: Version: invalid escape \x in a string`},
		{"invalid utf8", KindIdentity, "{\"Version\":\"\xff\"}", `line 1, col 13: Version: invalid UTF-8 in a string`},
		{"deep nesting", KindIdentity, strings.Repeat("[", 100000), `line 1, col 17: [0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 16 levels; a policy needs at most 6`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse("p", []byte(c.src), c.kind)
			if err == nil {
				t.Fatalf("no error; policy %+v", p)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want *ParseError, got %T", err)
			}
			if err.Error() != c.want {
				t.Fatalf("\ngot  %s\nwant %s", err.Error(), c.want)
			}
			_, fs := Validate("p", []byte(c.src), c.kind)
			if !HasErrors(fs) || fs[0].Severity != SeverityError || fs[0].Message != pe.Message {
				t.Fatalf("Validate disagrees: %+v", fs)
			}
		})
	}
}

func TestValidateCollectsEveryError(t *testing.T) {
	src := "{\"Version\":\"2\",\"Statement\":[\n{\"Effect\":\"allow\",\"Action\":\"oss:GetObject\",\"Resource\":\"*\",},\n{\"Effect\":\"Deny\",\"Effect\":\"Deny\",\"Resource\":\"*\"}]}"
	p, fs := Validate("p", []byte(src), KindIdentity)
	if p != nil {
		t.Fatal("want nil policy")
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Path+": "+f.Message)
	}
	for _, w := range []string{`Version: want "1", got "2"`, `Statement[0].Effect: want "Allow" or "Deny", got "allow"`, `Statement[0]: trailing comma before "}"`,
		`Statement[1].Effect: duplicate key "Effect" (first at line 3, col 2)`, `Statement[1].Action: missing; a statement needs "Action" (or "NotAction")`} {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if sevRank(a.Severity) > sevRank(b.Severity) || a.Severity == b.Severity && (a.Line > b.Line || a.Line == b.Line && a.Col > b.Col) {
			t.Fatalf("findings not ordered: %+v before %+v", a, b)
		}
	}
}

func TestSizeLimits(t *testing.T) {
	bases := map[Kind]string{
		KindSession:  doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}`),
		KindIdentity: doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}`),
		KindBucket:   doc(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Principal":"*"}`),
		KindTrust:    doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::1234567890123456:root"}}`),
	}
	pad := func(k Kind, n int) string {
		base := bases[k]
		return base[:1] + strings.Repeat(" ", n-len(base)) + base[1:]
	}
	cases := []struct {
		name     string
		kind     Kind
		size     int
		ok       bool
		minifyOK bool
	}{
		{"session 2048", KindSession, 2048, true, false},
		{"session 2049", KindSession, 2049, false, true},
		{"identity 6144", KindIdentity, 6144, true, false},
		{"identity 6145", KindIdentity, 6145, false, true},
		{"trust 6145", KindTrust, 6145, false, true},
		{"bucket 16384", KindBucket, 16384, true, false},
		{"bucket 16385", KindBucket, 16385, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := pad(c.kind, c.size)
			if len(src) != c.size {
				t.Fatalf("test doc is %d bytes", len(src))
			}
			p, fs := Validate("p", []byte(src), c.kind)
			if (p != nil) != c.ok {
				t.Fatalf("ok=%v, findings %+v", p != nil, fs)
			}
			hasMinify := false
			for _, f := range fs {
				if f.Severity == SeveritySuggestion && strings.Contains(f.Message, "minified") {
					hasMinify = true
					if _, err := Parse("m", []byte(f.Fix), c.kind); err != nil {
						t.Fatalf("minified fix does not parse: %v", err)
					}
				}
			}
			if hasMinify != c.minifyOK {
				t.Fatalf("minify suggestion %v, want %v: %+v", hasMinify, c.minifyOK, fs)
			}
		})
	}
}

func TestRobustness(t *testing.T) {
	var many strings.Builder
	many.WriteString(`{"Version":"1","Statement":[`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			many.WriteByte(',')
		}
		many.WriteString(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}`)
	}
	many.WriteString(`]}`)
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"10k statements", many.String(), "10000 statements; at most 1000 are accepted"},
		{"huge document", `{"Version":"1","Statement":[],"x":"` + strings.Repeat("a", MaxDocumentBytes) + `"}`, "bytes; the largest accepted is 1048576"},
		{"deep objects", strings.Repeat(`{"a":`, 50000), "nested deeper than 16 levels"},
		{"many values", `{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*","Action":[` + strings.Repeat(`"a",`, 200000) + `"a"]}]}`, "more than 100000 values"},
		{"many unknown keys", `{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*","Action":"oss:GetObject",` + manyKeys(50000) + `}]}`, "may have at most 6144"},
		{"many unknown actions and resources", `{"Version":"1","Statement":[{"Effect":"Allow","Action":[` + manyStrings("oss:Frob", 20000) + `],"Resource":[` + manyStrings("acs:oss:*:*:b", 20000) + `]}]}`, "may have at most 6144"},
		{"long string", `{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*","Action":"` + strings.Repeat("x", 900000) + `"}]}`, "may have at most 6144"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, fs := Validate("p", []byte(c.src), KindIdentity)
			if p != nil {
				t.Fatal("accepted")
			}
			for _, f := range fs {
				if f.Severity == SeverityError && strings.Contains(f.Message, c.want) {
					return
				}
			}
			t.Fatalf("no error containing %q in %+v", c.want, fs)
		})
	}
}

func TestParseKeepsStructure(t *testing.T) {
	src := `{
  "Version": "1",
  "Statement": [
    {
      "Sid": "ignored",
      "Effect": "Allow",
      "NotAction": "oss:DeleteObject",
      "Resource": "acs:oss:*:*:b/*",
      "Condition": {"StringLike": {"oss:Prefix": ["a/*", "b/*"]}, "Bool": {"acs:SecureTransport": true}}
    },
    {"Effect": "Deny", "Action": ["oss:PutObject"], "Resource": ["acs:oss:*:*:b/x"]}
  ]
}`
	p := mustParse(t, "n", src, KindIdentity)
	if p.Name != "n" || p.Kind != KindIdentity || p.Version != "1" || p.Size != len(src) || len(p.Statement) != 2 {
		t.Fatalf("%+v", p)
	}
	s0, s1 := p.Statement[0], p.Statement[1]
	if s0.Index != 0 || s0.Line != 4 || s0.Col != 5 || s0.Effect != Allow || len(s0.NotAction) != 1 || s0.Action != nil || len(s0.Condition) != 2 {
		t.Fatalf("s0 %+v", s0)
	}
	if c := s0.Condition[0]; c.Operator != "StringLike" || c.Key != "oss:Prefix" || strings.Join(c.Values, ",") != "a/*,b/*" {
		t.Fatalf("cond %+v", c)
	}
	if c := s0.Condition[1]; c.Operator != "Bool" || c.Values[0] != "true" {
		t.Fatalf("cond %+v", c)
	}
	if s1.Index != 1 || s1.Line != 11 || s1.Effect != Deny || s1.Resource[0] != "acs:oss:*:*:b/x" {
		t.Fatalf("s1 %+v", s1)
	}
	// Round trip through JSON().
	q := mustParse(t, "n", string(p.JSON()), KindIdentity)
	if !sameStatements(p, q) {
		t.Fatalf("round trip differs:\n%s", p.JSON())
	}
}

func TestErrorCodes(t *testing.T) {
	big := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:b/` + strings.Repeat("x", 2100) + `"}]}`
	cases := []struct {
		name string
		src  string
		code string
	}{
		{"syntax", `{"Version":"1","Statement":[],}`, CodeSyntax},
		{"duplicate", `{"Version":"1","Version":"1","Statement":[]}`, CodeSyntax},
		{"grammar", doc(`{"Effect":"allow","Action":"oss:GetObject","Resource":"*"}`), CodeGrammar},
		{"size", big, CodeSize},
		{"huge", strings.Repeat(" ", MaxDocumentBytes+1), CodeSize},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("p", []byte(c.src), KindSession)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Code != c.code {
				t.Fatalf("got %#v, want code %q", err, c.code)
			}
		})
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return b.String()
}

func manyStrings(prefix string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s%d"`, prefix, i)
	}
	return b.String()
}
