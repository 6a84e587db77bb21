package ossemu

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// BenchmarkAppend1MiB: AppendObject of 1 MiB chunks (each growing one object) vs PutObject of
// 1 MiB objects, same client, interleaved rounds in the same run. ratio = put time / append
// time (1 = appending costs what a PUT costs).
// Run: go test -run '^$' -bench Append1MiB -benchtime 1x ./oss/ossemu
func BenchmarkAppend1MiB(b *testing.B) {
	e := newEnv(b)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	bk := ossdk.Ptr("examplebucket")
	chunk := randBytes(1<<20, 50)
	const per = 16
	var pos int64
	puts, appends := 0, 0
	put := func() time.Duration {
		start := time.Now()
		for range per {
			puts++
			if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("bench/put/" + strconv.Itoa(puts)), Body: bytes.NewReader(chunk)}); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	app := func() time.Duration {
		start := time.Now()
		for range per {
			appends++
			res, err := c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr("bench/append.log"), Position: ossdk.Ptr(pos), Body: bytes.NewReader(chunk)})
			if err != nil {
				b.Fatal(err)
			}
			pos = res.NextPosition
		}
		return time.Since(start)
	}
	put() // warm up
	app()
	const rounds = 4
	var tp, ta time.Duration
	b.ResetTimer()
	for range b.N * rounds {
		tp += put()
		ta += app()
	}
	b.StopTimer()
	n := float64(b.N * rounds * per)
	b.ReportMetric(float64(tp.Nanoseconds())/n, "put-ns/op")
	b.ReportMetric(float64(ta.Nanoseconds())/n, "append-ns/op")
	b.ReportMetric(tp.Seconds()/ta.Seconds(), "ratio")
}
