package ossemu

import (
	"testing"
	"time"
)

// BenchmarkVerifyHeader: V2 and V4 header verification (parse, scope, canonical form, HMAC,
// constant-time compare) against V1 in the same run, on the OSS Go SDK v1 PutObject vectors.
// Interleaved rounds so that load elsewhere hits every scheme alike; reported as ratios.
// Run: go test -run '^$' -bench VerifyHeader ./oss/ossemu
func BenchmarkVerifyHeader(b *testing.B) {
	reqs := map[string]*SigRequest{}
	for _, c := range loadSDKv1Vectors(b) {
		switch c.Client {
		case "sdkv1-v1-put", "sdkv1-v2-put", "sdkv1-v4-put":
			reqs[c.Client[6:8]] = c.sigRequestWithHost(b)
		}
	}
	if len(reqs) != 3 {
		b.Fatalf("vectors: %d", len(reqs))
	}
	run := func(r *SigRequest, n int) time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			a, e := ParseAuth(r)
			if e != nil {
				b.Fatal(e)
			}
			if e := VerifySignature(r, a, "ExampleSecret123", "cn-hangzhou"); e != nil {
				b.Fatal(e)
			}
		}
		return time.Since(start)
	}
	for _, r := range reqs {
		run(r, 100) // warm up
	}
	const rounds = 8
	total := map[string]time.Duration{}
	b.ResetTimer()
	for round := 0; round < rounds; round++ {
		for _, v := range []string{"v1", "v2", "v4"} {
			total[v] += run(reqs[v], b.N)
		}
	}
	b.StopTimer()
	n := float64(rounds * b.N)
	for _, v := range []string{"v1", "v2", "v4"} {
		b.ReportMetric(float64(total[v].Nanoseconds())/n, v+"-ns/verify")
	}
	b.ReportMetric(float64(total["v2"])/float64(total["v1"]), "v2/v1")
	b.ReportMetric(float64(total["v4"])/float64(total["v1"]), "v4/v1")
}
