package ossemu

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/stsdeck/stsdeck/model"
	decjournal "github.com/stsdeck/stsdeck/model/journal"
)

type memJournal struct {
	mu   sync.Mutex
	recs []model.DecisionRecord
}

func (m *memJournal) Record(r model.DecisionRecord) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
}

// withJournal restarts e's server with j wired in.
func withJournal(e *env, j DecisionJournal) {
	srv, err := New(Config{DataDir: filepath.Join(e.dir, "j"), AccountID: testAccount, Buckets: []Bucket{{Name: "examplebucket", Region: "cn-hangzhou"}},
		Auth: e.auth, WallClock: e.wall, AuthClock: e.authCk, Journal: j})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler("cn-hangzhou"))
	e.t.Cleanup(hs.Close)
	e.hs["cn-hangzhou"] = hs
}

func TestJournalRecordsEachDecision(t *testing.T) {
	e := newEnv(t)
	j := &memJournal{}
	withJournal(e, j)
	c := e.client("cn-hangzhou", "STS.capture", "capturesecret", "CAIScapture")
	b := ossdk.Ptr("examplebucket")
	if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: b, Key: ossdk.Ptr("src/a.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: b, Key: ossdk.Ptr("other/a.txt"), Body: strings.NewReader("x")})
	wantErr(t, err, 403, "AccessDenied", "0003-00000301")
	_, err = c.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: b, Prefix: ossdk.Ptr("src/"), Delimiter: ossdk.Ptr("/")})
	wantErr(t, err, 403, "AccessDenied", "")
	root := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	if _, err := root.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: b, Key: ossdk.Ptr("src/a.txt")}); err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.recs) != 4 {
		t.Fatalf("%d records, want 4: %+v", len(j.recs), j.recs)
	}
	put, denied, list, owner := j.recs[0], j.recs[1], j.recs[2], j.recs[3]
	if put.Action != "oss:PutObject" || put.Resource != "acs:oss:cn-hangzhou:"+testAccount+":examplebucket/src/a.txt" || put.Decision != "Allow" ||
		put.Principal.Session != "partner-b" || put.Principal.AccessKeyID != "STS.capture" || put.Statement == nil || put.Statement.Layer != "identity" ||
		!put.HadSessionPolicy || put.Operation != "PutObject" || put.RequestID == "" || put.Layers["session"] != "Allow" {
		t.Errorf("put record %+v", put)
	}
	if denied.Decision != "ImplicitDeny" || denied.DecidedBy != "session" || denied.Statement != nil {
		t.Errorf("denied record %+v", denied)
	}
	if list.Action != "oss:ListObjects" || list.Context["oss:Prefix"][0] != "src/" || list.Context["oss:Delimiter"][0] != "/" ||
		list.Resource != "acs:oss:cn-hangzhou:"+testAccount+":examplebucket" {
		t.Errorf("list record %+v", list)
	}
	if owner.DecidedBy != "owner" || owner.Principal.Type != "root" {
		t.Errorf("owner record %+v", owner)
	}
	for _, r := range j.recs {
		for _, v := range []string{"capturesecret", "CAIScapture", "rootsecret"} {
			if strings.Contains(r.Principal.ARN+r.Principal.AccessKeyID+r.Resource, v) {
				t.Errorf("record carries a secret: %+v", r)
			}
		}
	}
}

// BenchmarkJournalCost: HeadObject (the cheapest authorized request: no body, no disk write)
// from 8 concurrent SDK clients against the sandbox without a journal and with the file
// journal, interleaved rounds in the same run. Target ratio (with/without) ≤ 1.1.
func BenchmarkJournalCost(b *testing.B) {
	e := newEnv(b)
	plainHS := e.hs["cn-hangzhou"]
	w, err := decjournal.Open(filepath.Join(b.TempDir(), "journal.jsonl"), decjournal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	withJournal(e, w)
	jHS := e.hs["cn-hangzhou"]
	mk := func(url string) []*ossdk.Client {
		cs := make([]*ossdk.Client, 8)
		for i := range cs {
			cs[i] = e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "", func(c *ossdk.Config) { c.WithEndpoint(url) })
		}
		return cs
	}
	for _, c := range []*ossdk.Client{mk(plainHS.URL)[0], mk(jHS.URL)[0]} {
		if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("bench/k"), Body: bytes.NewReader([]byte("x"))}); err != nil {
			b.Fatal(err)
		}
	}
	heads := func(cs []*ossdk.Client, n int) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Value
		start := time.Now()
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(n) {
					if _, err := c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("bench/k")}); err != nil {
						failed.Store(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := failed.Load(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	plainC, jC := mk(plainHS.URL), mk(jHS.URL)
	heads(plainC, 200)
	heads(jC, 200)
	// Interleaved rounds (the order alternating), so that load from elsewhere on the machine
	// hits both sides alike; the ratio reported is the median of the rounds' ratios.
	const rounds = 32
	per := b.N * 50
	var base, with time.Duration
	var ratios []float64
	b.ResetTimer()
	for r := range rounds {
		var p, q time.Duration
		if r%2 == 0 {
			p = heads(plainC, per)
			q = heads(jC, per)
		} else {
			q = heads(jC, per)
			p = heads(plainC, per)
		}
		base, with = base+p, with+q
		ratios = append(ratios, q.Seconds()/p.Seconds())
	}
	b.StopTimer()
	sort.Float64s(ratios)
	n := float64(per * rounds)
	b.ReportMetric(float64(base.Nanoseconds())/n, "plain-ns/req")
	b.ReportMetric(float64(with.Nanoseconds())/n, "journal-ns/req")
	b.ReportMetric((ratios[rounds/2-1]+ratios[rounds/2])/2, "ratio-median")
}
