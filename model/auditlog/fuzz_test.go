package auditlog

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzList: any file content lists without error or panic; every line is either a record or a
// warning, and appending afterwards always yields a readable record.
func FuzzList(f *testing.F) {
	f.Add([]byte(`{"id":"a","access_key_id":"STS.x"}` + "\n" + `{"id":"b"`))
	f.Add([]byte("\n\n{}\n[1,2]\nnot json"))
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), content, 0o600); err != nil {
			t.Fatal(err)
		}
		l := Open(dir)
		recs, _, err := l.List()
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(rec("STS.fuzz", "r")); err != nil {
			t.Fatal(err)
		}
		after, _, err := l.List()
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(recs)+1 || after[len(after)-1].AccessKeyID != "STS.fuzz" {
			t.Fatalf("the appended record is not readable: %d before, %d after", len(recs), len(after))
		}
	})
}
