package stsemu

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	stsclient "github.com/alibabacloud-go/sts-20150401/v2/client"
)

const cannedAssumeRole = `{"RequestId":"6894B13B-6D71-4EF5-88FA-F32781734A7F","AssumedRoleUser":{"AssumedRoleId":"344584339364951186:bench","Arn":"acs:ram::1234567890123456:role/ramosstest/bench"},"Credentials":{"SecurityToken":"CAIS` +
	`0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789","Expiration":"2035-04-09T11:52:19Z","AccessKeySecret":"wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK1234","AccessKeyId":"STS.L4aBSCSJVMuKg5U1abcdefghi"}}` + "\n"

// runWorkers runs n AssumeRole calls split over 4 workers, each with its own SDK client, and
// returns the elapsed time.
func runWorkers(b *testing.B, host string, n int) time.Duration {
	const workers = 4
	clients := make([]*stsclient.Client, workers)
	for i := range clients {
		clients[i] = newSTSDistinct(b, host, issuerKeys, i)
	}
	// Warm up connections.
	for _, c := range clients {
		if _, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(c *stsclient.Client, k int) {
			defer wg.Done()
			for i := 0; i < k; i++ {
				if _, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: "bench"}); err != nil {
					b.Error(err)
					return
				}
			}
		}(clients[w], n/workers+boolInt(w < n%workers))
	}
	wg.Wait()
	return time.Since(start)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkAssumeRoleRoundTrip measures AssumeRole round trips through the official Go SDK over
// loopback with 4 workers against the sandbox, and the same client against a handler that
// returns a canned AssumeRole body (the ceiling), in the same run. ratio = sandbox throughput /
// ceiling throughput (target ≥ 0.5).
func BenchmarkAssumeRoleRoundTrip(b *testing.B) {
	ts := newTestServer(b)
	sandbox := httptest.NewServer(ts.Handler())
	defer sandbox.Close()
	canned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Write([]byte(cannedAssumeRole))
	}))
	defer canned.Close()
	host := func(u string) string { return strings.TrimPrefix(u, "http://") }

	// Interleave the two in rounds so drift in the shared machine's load hits both alike.
	const rounds = 8
	var tCeil, tSand time.Duration
	b.ResetTimer()
	for r := 0; r < rounds; r++ {
		n := b.N/rounds + boolInt(r < b.N%rounds)
		if n == 0 {
			continue
		}
		tCeil += runWorkers(b, host(canned.URL), n)
		tSand += runWorkers(b, host(sandbox.URL), n)
	}
	b.StopTimer()
	b.ReportMetric(float64(tSand.Nanoseconds())/float64(b.N), "sandbox-ns/op")
	b.ReportMetric(float64(tCeil.Nanoseconds())/float64(b.N), "ceiling-ns/op")
	b.ReportMetric(float64(tCeil)/float64(tSand), "ratio")
}

// BenchmarkHandlerAssumeRole is the server's own cost per AssumeRole (no network, no SDK).
func BenchmarkHandlerAssumeRole(b *testing.B) {
	ts := newTestServer(b)
	h := ts.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ps := []Param{{"AccessKeyId", captureAK}, {"Action", "AssumeRole"}, {"Format", "JSON"}, {"RoleArn", arnPrefix + "RamOssTest"},
			{"RoleSessionName", "bench"}, {"SignatureMethod", "HMAC-SHA1"}, {"SignatureNonce", randomID(16)}, {"SignatureVersion", "1.0"},
			{"Timestamp", time.Now().UTC().Format(isoSecond)}, {"Version", versionSTS}}
		sig := RPCSignature(captureSecret, RPCStringToSign("POST", ps))
		var q strings.Builder
		for _, p := range ps {
			q.WriteString(PercentEncode(p.Key) + "=" + PercentEncode(p.Value) + "&")
		}
		q.WriteString("Signature=" + PercentEncode(sig))
		r := httptest.NewRequest("POST", "/?"+q.String(), nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
	}
}
