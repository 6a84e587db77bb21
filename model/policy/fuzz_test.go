package policy

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzSeeds returns the fixtures: corpus documents, template outputs and the benchmark policies.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, name := range []string{"upload-only", "read-only", "read-write", "list-read", "read-write,no-delete"} {
		s, err := Template(name, "examplebucket", "src/")
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, []byte(s))
	}
	seeds = append(seeds, []byte(benchRole), []byte(benchSession), []byte(rolePolicy), []byte(sessionPolicy),
		[]byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject",],"Resource":"*"}]}`),
		[]byte(`{"Version":"1","Statement":[{"Effect":"allow","Effect":"Deny"}]}`),
		[]byte("{\"Version\":\"\\ud800\\u0041\"}"))
	return seeds
}

var fuzzKinds = []Kind{KindIdentity, KindSession, KindBucket, KindTrust}

// FuzzParse: Parse never panics; Parse and Validate agree; an accepted document prints to a
// form that parses back to the same statements; Minify keeps an accepted document accepted.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		for k := range fuzzKinds {
			f.Add(s, uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, k uint8) {
		kind := fuzzKinds[int(k)%len(fuzzKinds)]
		p, err := Parse("f", src, kind)
		v, fs := Validate("f", src, kind)
		if (p == nil) != (v == nil) || (err == nil) != !HasErrors(fs) {
			t.Fatalf("Parse (err %v) and Validate (%d findings, errors %v) disagree", err, len(fs), HasErrors(fs))
		}
		for _, fd := range fs {
			if fd.Severity == SeverityError && fd.Message == "" {
				t.Fatal("error finding without message")
			}
		}
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		out := p.JSON()
		q, err := Parse("f", out, kind)
		if err != nil {
			// The printed form may only fail on size (it is indented).
			if len(out) <= SizeLimit(kind) {
				t.Fatalf("printed form does not parse: %v\n%s", err, out)
			}
		} else if !sameStatements(p, q) {
			t.Fatalf("round trip differs:\n%s", out)
		}
		m, err := Minify(src)
		if err != nil {
			t.Fatalf("Minify refused an accepted document: %v", err)
		}
		mp, err := Parse("f", m, kind)
		if err != nil {
			t.Fatalf("minified form refused: %v\n%s", err, m)
		}
		if !sameStatements(p, mp) {
			t.Fatal("minified form differs")
		}
	})
}

// FuzzEvaluate: evaluation never panics, is deterministic, reuses dst correctly, and its
// decision follows from its layer outcomes.
func FuzzEvaluate(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)], "oss:PutObject", "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/a.txt", "acs:SourceIp", "10.1.2.3")
		f.Add(s, s, "sts:AssumeRole", "acs:ram::1234567890123456:role/RamOssTest", "sts:ExternalId", "abc-123")
		f.Add(s, seeds[0], "oss:ListObjects", "acs:oss:*:*:examplebucket", "oss:Prefix", "src/")
	}
	f.Fuzz(func(t *testing.T, idSrc, sessSrc []byte, action, resource, key, val string) {
		id, err := Parse("id", idSrc, KindIdentity)
		if err != nil {
			return
		}
		layers := Layers{Identity: []*Policy{id}}
		if s, err := Parse("sess", sessSrc, KindSession); err == nil {
			layers.Session = s
		}
		if b, err := Parse("bucket", idSrc, KindBucket); err == nil {
			layers.Bucket = b
		}
		req := &Request{Action: action, Resource: resource, Context: map[string][]string{key: {val}},
			Principal: Principal{AccountID: "1234567890123456", Type: "role", Name: "RamOssTest", SessionName: "s"}}
		r1 := Evaluate(req, layers)
		var r2 Result
		r2.Statements = append(r2.Statements, Match{Policy: "stale"})
		r2.Indeterminate = append(r2.Indeterminate, "stale")
		EvaluateInto(&r2, req, layers)
		EvaluateInto(&r2, req, layers)
		if len(r2.Statements) == 0 {
			r2.Statements = []Match{}
		}
		if len(r2.Indeterminate) == 0 {
			r2.Indeterminate = []string{}
		}
		if !reflect.DeepEqual(r1, r2) {
			t.Fatalf("Evaluate and EvaluateInto differ:\n%+v\n%+v", r1, r2)
		}
		anyDeny := r1.Session == OutcomeDeny || r1.Identity == OutcomeDeny || r1.Bucket == OutcomeDeny
		allow := !anyDeny && (layers.Session == nil || r1.Session == OutcomeAllow) && (r1.Identity == OutcomeAllow || r1.Bucket == OutcomeAllow)
		switch {
		case anyDeny && r1.Decision != DecisionExplicitDeny,
			allow && r1.Decision != DecisionAllow,
			!anyDeny && !allow && r1.Decision != DecisionImplicitDeny:
			t.Fatalf("decision %s does not follow from %+v", r1.Decision, r1)
		}
		for _, m := range r1.Statements {
			var p *Policy
			switch m.Layer {
			case LayerIdentity:
				p = id
			case LayerSession:
				p = layers.Session
			case LayerBucket:
				p = layers.Bucket
			}
			if p == nil || m.Index < 0 || m.Index >= len(p.Statement) || p.Statement[m.Index].Line != m.Line || p.Statement[m.Index].Effect != m.Effect {
				t.Fatalf("match %+v does not point at a statement", m)
			}
		}
		ar := EvaluateAssumeRole(req.Principal, resource, []*Policy{id}, layers.Bucket, req.Context)
		if ar.Allowed != (ar.Identity.Decision == DecisionAllow && ar.Trust.Decision == DecisionAllow) {
			t.Fatalf("AssumeRole %+v", ar)
		}
	})
}

// FuzzPatternMatch: the segment matcher agrees with the reference glob matcher.
func FuzzPatternMatch(f *testing.F) {
	f.Add("acs:oss:*:*:examplebucket/*", "acs:oss:cn-hangzhou:1:examplebucket/src/a", false)
	f.Add("oss:Get*", "OSS:GETOBJECT", true)
	f.Add("*a*b*a*", "abababa", false)
	f.Add("a*?*b", "aé b", false)
	f.Fuzz(func(t *testing.T, pat, s string, fold bool) {
		if len(pat) > 64 || len(s) > 256 {
			return
		}
		p := compilePattern(pat, fold)
		ref := pat
		if fold {
			ref = toLowerASCII(pat)
		}
		if got, want := p.match(s, fold), globMatch(ref, s, fold); got != want {
			t.Fatalf("pattern %q on %q (fold %v): compiled %v, reference %v", pat, s, fold, got, want)
		}
	})
}
