package policy

import (
	"strings"
	"testing"
	"time"
)

// The benchmark scenario: a 10-statement role policy plus a session policy with one
// condition, compiled once, deciding an upload from a partner's address.
const benchRole = `{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:ListObjects", "oss:GetBucketInfo"], "Resource": "acs:oss:*:*:examplebucket"},
    {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:examplebucket/public/*"},
    {"Effect": "Allow", "Action": ["oss:GetObject", "oss:GetObjectAcl"], "Resource": "acs:oss:*:*:examplebucket/reports/*"},
    {"Effect": "Deny", "Action": "oss:DeleteObject", "Resource": "acs:oss:*:*:examplebucket/*"},
    {"Effect": "Allow", "Action": "oss:PutObjectTagging", "Resource": "acs:oss:*:*:otherbucket/*"},
    {"Effect": "Allow", "Action": ["oss:ListParts", "oss:AbortMultipartUpload"], "Resource": "acs:oss:*:*:examplebucket/src/*"},
    {"Effect": "Deny", "Action": "oss:*", "Resource": "acs:oss:*:*:examplebucket/private/*"},
    {"Effect": "Allow", "Action": "oss:Get*", "Resource": "acs:oss:*:*:logs/*/2026/*"},
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "acs:ram::1234567890123456:role/RamOssTest"},
    {"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:examplebucket/*"}
  ]
}`

const benchSession = `{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:PutObject", "oss:GetObject"], "Resource": "acs:oss:*:*:examplebucket/src/*",
     "Condition": {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}}
  ]
}`

func benchSetup(tb testing.TB) (*Request, Layers) {
	role := mustParse(tb, "role", benchRole, KindIdentity)
	sess := mustParse(tb, "session", benchSession, KindSession)
	req := &Request{
		Action:   "oss:PutObject",
		Resource: "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/2026/11/27/upload.bin",
		Context:  map[string][]string{KeySourceIP: {"10.1.2.3"}, KeySecureTransport: {"true"}},
	}
	return req, Layers{Identity: []*Policy{role}, Session: sess}
}

// baselineActions is the trivial loop the benchmark is compared with: compare the request
// action against the ten statements' first actions, case-insensitively.
var baselineActions = []string{"oss:ListObjects", "oss:GetObject", "oss:GetObject", "oss:DeleteObject", "oss:PutObjectTagging",
	"oss:ListParts", "oss:*", "oss:Get*", "sts:AssumeRole", "oss:PutObject"}

var sink int

func baselineLoop(b *testing.B) {
	act := "oss:PutObject"
	for i := 0; i < b.N; i++ {
		n := 0
		for _, a := range baselineActions {
			if strings.EqualFold(a, act) {
				n++
			}
		}
		sink += n
	}
}

// reportVsBaseline reports the benchmark's ns/op as a multiple of the baseline loop, timed
// right after the benchmark in the same process so both see the same machine load.
// (testing.Benchmark cannot run inside a benchmark, so the loop is timed directly.)
func reportVsBaseline(b *testing.B) {
	if b.N <= 1 {
		return
	}
	act := "oss:PutObject"
	n, start := 0, time.Now()
	for time.Since(start) < 50*time.Millisecond {
		for k := 0; k < 1000; k++ {
			for _, a := range baselineActions {
				if strings.EqualFold(a, act) {
					sink++
				}
			}
		}
		n += 1000
	}
	baselineNs := float64(time.Since(start).Nanoseconds()) / float64(n)
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(ns/baselineNs, "x-baseline")
}

func BenchmarkBaselineStringCompare(b *testing.B) {
	b.ReportAllocs()
	baselineLoop(b)
}

func BenchmarkEvaluateInto(b *testing.B) {
	req, layers := benchSetup(b)
	var r Result
	EvaluateInto(&r, req, layers) // grow dst once
	if r.Decision != DecisionAllow || len(r.Statements) != 2 {
		b.Fatalf("scenario broken: %+v", r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		EvaluateInto(&r, req, layers)
	}
	b.StopTimer()
	reportVsBaseline(b)
}

func BenchmarkEvaluate(b *testing.B) {
	req, layers := benchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Evaluate(req, layers)
	}
	b.StopTimer()
	reportVsBaseline(b)
}

func BenchmarkParseRolePolicy(b *testing.B) {
	src := []byte(benchRole)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("role", src, KindIdentity); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportVsBaseline(b)
}

// TestEvaluateIntoZeroAllocs pins the sandbox's hot path: no allocation per decision once
// dst has grown (allocation counts, not timing).
func TestEvaluateIntoZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	req, layers := benchSetup(t)
	cases := []struct {
		name string
		req  Request
	}{
		{"allow", *req},
		{"deny private", Request{Action: "oss:GetObject", Resource: "acs:oss:*:1:examplebucket/private/x", Context: req.Context}},
		{"indeterminate", Request{Action: "oss:PutObject", Resource: req.Resource}},
		{"no match", Request{Action: "oss:PutBucketAcl", Resource: "acs:oss:*:1:examplebucket"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r Result
			EvaluateInto(&r, &c.req, layers)
			if n := testing.AllocsPerRun(100, func() { EvaluateInto(&r, &c.req, layers) }); n != 0 {
				t.Fatalf("%v allocations per decision", n)
			}
		})
	}
}
