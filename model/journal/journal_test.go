package journal

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func rec(i int) model.DecisionRecord {
	return model.DecisionRecord{Time: time.Unix(1700000000, 0).UTC(), Service: "oss", RequestID: fmt.Sprintf("REQ%06d", i), Operation: "PutObject",
		Principal: model.DecisionPrincipal{Type: "role", ARN: "acs:ram::1234567890123456:assumed-role/OssReadWrite/rec", Session: "rec", AccessKeyID: "STS.abc"},
		Action:    "oss:PutObject", Resource: fmt.Sprintf("acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/%d", i),
		Context:  map[string][]string{"acs:SourceIp": {"127.0.0.1"}, "acs:UserAgent": {strings.Repeat("u", i%300)}},
		Decision: "Allow", DecidedBy: "identity", Layers: map[string]string{"session": "Allow", "identity": "Allow"}}
}

func TestConcurrentLinesStayWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			w.Record(rec(i))
		}()
	}
	close(start)
	wg.Wait()
	w.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	seqs, ids := map[uint64]bool{}, map[string]bool{}
	for i, l := range lines {
		var r model.DecisionRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d is not whole JSON: %v: %.80q", i+1, err, l)
		}
		seqs[r.Seq], ids[r.RequestID] = true, true
	}
	if len(seqs) != n || len(ids) != n {
		t.Errorf("%d distinct seqs, %d distinct requests, want %d each", len(seqs), len(ids), n)
	}
	for s := uint64(1); s <= n; s++ {
		if !seqs[s] {
			t.Fatalf("seq %d missing", s)
		}
	}
}

func TestTornTailIsCutAndNumberingContinues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	w, _ := Open(path, Options{})
	for i := range 3 {
		w.Record(rec(i))
	}
	w.Close()
	// The process died inside the fourth line's write.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":4,"time":"2023-11-14T22:13:20Z","service":"os`)
	f.Close()
	recs, warns, err := ReadFile(path)
	if err != nil || len(recs) != 3 || len(warns) != 1 || !strings.Contains(warns[0], "torn") {
		t.Fatalf("read: %d records, warnings %q, err %v", len(recs), warns, err)
	}
	os.Chmod(path, 0o644)
	w, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Record(rec(9))
	w.Close()
	recs, warns, _ = ReadFile(path)
	if len(recs) != 4 || len(warns) != 0 || recs[3].Seq != 4 || recs[3].RequestID != "REQ000009" {
		t.Fatalf("after reopen: %+v %q", recs, warns)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("reopen left mode %v", fi.Mode().Perm())
	}
}

func TestRotationBoundsTheFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	w, _ := Open(path, Options{MaxBytes: 4 << 10, Keep: 2})
	for i := range 200 {
		w.Record(rec(i))
	}
	w.Close()
	files := Files(path)
	if len(files) != 3 {
		t.Fatalf("files %v, want FILE.2 FILE.1 FILE", files)
	}
	for _, f := range files {
		fi, _ := os.Stat(f)
		if fi.Size() > 4<<10 {
			t.Errorf("%s is %d bytes, over the bound", f, fi.Size())
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f, fi.Mode().Perm())
		}
	}
	recs, warns, err := ReadFile(path)
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Seq != recs[i-1].Seq+1 {
			t.Fatalf("seq %d after %d", recs[i].Seq, recs[i-1].Seq)
		}
	}
	if recs[len(recs)-1].Seq != 200 {
		t.Errorf("last seq %d", recs[len(recs)-1].Seq)
	}
	// A restart right after a rotation continues the numbering.
	os.Rename(path, path+".x")
	os.WriteFile(path, nil, 0o600)
	os.Rename(path+".x", path+".1")
	w, _ = Open(path, Options{MaxBytes: 4 << 10, Keep: 2})
	w.Record(rec(1))
	w.Close()
	recs, _, _ = ReadFile(path)
	if recs[len(recs)-1].Seq != 201 {
		t.Errorf("seq after restart %d, want 201", recs[len(recs)-1].Seq)
	}
}

func TestSincePages(t *testing.T) {
	w, _ := Open(filepath.Join(t.TempDir(), "j"), Options{Memory: 8})
	defer w.Close()
	if p := w.Since(0, 0); len(p.Records) != 0 || p.Next != 0 {
		t.Fatalf("empty: %+v", p)
	}
	for i := range 5 {
		w.Record(rec(i))
	}
	p := w.Since(0, 2)
	if len(p.Records) != 2 || p.Records[0].Seq != 1 || p.Next != 2 {
		t.Fatalf("first page %+v", p)
	}
	p = w.Since(p.Next, 0)
	if len(p.Records) != 3 || p.Next != 5 {
		t.Fatalf("second page %+v", p)
	}
	for i := range 10 {
		w.Record(rec(i))
	}
	p = w.Since(5, 0)
	if p.Missed != 2 || len(p.Records) != 8 || p.Records[0].Seq != 8 || p.Next != 15 {
		t.Fatalf("after wrap: missed %d, %d records, next %d", p.Missed, len(p.Records), p.Next)
	}
	if p = w.Since(99, 0); p.Next != 15 {
		t.Fatalf("since beyond the end: %+v", p)
	}
}

func TestLongValuesAreBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	w, _ := Open(path, Options{})
	r := rec(1)
	r.Context = map[string][]string{"acs:UserAgent": {strings.Repeat("é", 2000)}}
	w.Record(r)
	w.Close()
	recs, _, _ := ReadFile(path)
	if ua := recs[0].Context["acs:UserAgent"][0]; len(ua) > MaxValueBytes || !strings.HasPrefix(ua, "éé") {
		t.Fatalf("user agent %d bytes", len(ua))
	}
}

// TestKillNineLosesAtMostTheLineInFlight runs a writer in a child process, kills it with
// SIGKILL while it writes, and checks that every record the child had finished writing is in
// the file, whole.
func TestKillNineLosesAtMostTheLineInFlight(t *testing.T) {
	if os.Getenv("JOURNAL_CHILD") != "" {
		return
	}
	path := filepath.Join(t.TempDir(), "j.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalChild$")
	cmd.Env = append(os.Environ(), "JOURNAL_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	acked := uint64(0)
	for sc.Scan() {
		n, err := strconv.ParseUint(strings.TrimSpace(sc.Text()), 10, 64)
		if err != nil {
			continue
		}
		acked = n
		if acked >= 2000 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if acked < 2000 {
		t.Fatalf("child acknowledged only %d records", acked)
	}
	recs, warns, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 1 {
		t.Fatalf("more than the last line lost: %q", warns)
	}
	if uint64(len(recs)) < acked {
		t.Fatalf("%d records in the file, the child had written %d", len(recs), acked)
	}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
	}
	// The next writer repairs the tail and continues.
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Record(rec(1))
	w.Close()
	recs2, warns2, _ := ReadFile(path)
	if len(warns2) != 0 || recs2[len(recs2)-1].Seq != uint64(len(recs)+1) {
		t.Fatalf("after reopen: %d records, last seq %d, warnings %q", len(recs2), recs2[len(recs2)-1].Seq, warns2)
	}
}

// TestJournalChild is the child of TestKillNineLosesAtMostTheLineInFlight: it writes records
// until killed, printing each finished Seq.
func TestJournalChild(t *testing.T) {
	path := os.Getenv("JOURNAL_CHILD")
	if path == "" {
		t.Skip("child process only")
	}
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; ; i++ {
		w.Record(rec(i))
		fmt.Println(i)
	}
}

// BenchmarkRecord: one record appended to the file (marshal + one write under the lock).
func BenchmarkRecord(b *testing.B) {
	w, err := Open(filepath.Join(b.TempDir(), "j"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r := rec(7)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Record(r)
		}
	})
}

func TestEncodingMatchesEncodingJSON(t *testing.T) {
	cases := []model.DecisionRecord{rec(0), rec(42), {}, {
		Time: time.Date(2024, 2, 3, 4, 5, 6, 789, time.FixedZone("x", 3600)), Service: "sts", Action: "sts:AssumeRole",
		Resource: "acs:ram::1:role/a\"b\\c<d>&e\u2028\x01\xff", Context: map[string][]string{"z": nil, "a": {}, "oss:Prefix": {"ünï/\t*?"}},
		Layers: map[string]string{"trust": "Allow", "identity": "Deny", "owner": "NoMatch", "zzz": "x"}, Statement: &model.TraceStatement{Layer: "trust", Policy: "p", Index: 2, Line: 9, Effect: "Allow"},
		HadSessionPolicy: true, Principal: model.DecisionPrincipal{Type: "user", Name: "日本"}, Decision: "ExplicitDeny", DecidedBy: "identity"}}
	for i, r := range cases {
		r.Seq = uint64(i + 1)
		want, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		got := appendRecord(nil, r.Seq, &r)
		if string(got) != string(want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
