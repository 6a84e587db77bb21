package oss_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	osscred "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/oss"
)

// BenchmarkUpload uploads the same file through oss.Client (multipart, parallel parts) and, as
// the baseline, with one single-stream PutObject through the bare SDK (default configuration),
// against the same sandbox
// in the same run, and reports both times and their ratio (baseline / multipart; > 1 = faster).
// Size: $STSDECK_BENCH_MIB (default 1024 = 1 GiB); $STSDECK_BENCH_PART_MIB and
// $STSDECK_BENCH_PARALLEL override the adapter's part size and parallelism for experiments.
//
//	go test -run '^$' -bench BenchmarkUpload -benchtime 1x ./oss/
func BenchmarkUpload(b *testing.B) {
	mib := 1024
	if s := os.Getenv("STSDECK_BENCH_MIB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("STSDECK_BENCH_MIB=%q", s)
		}
		mib = n
	}
	size := int64(mib) << 20
	cfg := oss.Config{} // the adapter's defaults unless tuned for an experiment:
	if n, _ := strconv.Atoi(os.Getenv("STSDECK_BENCH_PART_MIB")); n > 0 {
		cfg.PartSize = int64(n) << 20
	}
	if n, _ := strconv.Atoi(os.Getenv("STSDECK_BENCH_PARALLEL")); n > 0 {
		cfg.Parallel = n
	}
	e := setup(b, cfg)
	cr, err := e.sts.AssumeRole(context.Background(), model.IssueRequest{
		RoleARN: "acs:ram::" + e.r.Info.AccountID + ":role/OssReadWrite", SessionName: "bench", Duration: 12 * time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	// A real file, so both sides read the same bytes from disk.
	path := b.TempDir() + "/upload.bin"
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, io.NewSectionReader(oss.Generated{Seed: 42, N: size}, 0, size)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	client := e.svc.With(cr)
	// The baseline is the bare SDK with its default configuration: same credentials, endpoint,
	// region and addressing; none of the adapter's tuning.
	bare := ossdk.NewClient(ossdk.NewConfig().
		WithCredentialsProvider(osscred.NewStaticCredentialsProvider(cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)).
		WithRegion(e.r.Info.Region).WithEndpoint(e.r.Info.OSSEndpoint).WithUsePathStyle(true))
	ctx := context.Background()
	var multi, single time.Duration
	b.SetBytes(size)
	b.ResetTimer()
	single1 := func(key string) time.Duration {
		fh, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		start := time.Now()
		// Baseline: one PutObject of the whole file with the bare SDK (same credentials, endpoint).
		if _, err := bare.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key), Body: fh}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	multi1 := func(key string) time.Duration {
		start := time.Now()
		if _, err := client.PutFile(ctx, "examplebucket", key, path, nil); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, and delete both objects after each round, so that neither
		// side always meets the other's unflushed writes.
		sk, mk := "bench/single-"+strconv.Itoa(i), "bench/multi-"+strconv.Itoa(i)
		if i%2 == 0 {
			single += single1(sk)
			multi += multi1(mk)
		} else {
			multi += multi1(mk)
			single += single1(sk)
		}
		b.StopTimer()
		client.Delete(ctx, "examplebucket", sk)
		client.Delete(ctx, "examplebucket", mk)
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(single.Nanoseconds())/n, "single-ns/op")
	b.ReportMetric(float64(multi.Nanoseconds())/n, "multipart-ns/op")
	b.ReportMetric(float64(size)/(1<<20)/(single.Seconds()/n), "single-MiB/s")
	b.ReportMetric(float64(size)/(1<<20)/(multi.Seconds()/n), "multipart-MiB/s")
	b.ReportMetric(single.Seconds()/multi.Seconds(), "speedup")
}
