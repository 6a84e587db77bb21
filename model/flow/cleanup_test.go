package flow

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func TestLeftoverKind(t *testing.T) {
	for _, tc := range []struct{ prefix, key, want string }{
		{"src/", "src/.stsdeck-probe-0123456789abcdef", LeftoverProbe},
		{"src/", "src/stsdeck-test-20260301-100405.txt", LeftoverUpload},
		{"src/", "src/stsdeck-test.txt", LeftoverUpload},
		{"src/", "src/report.pdf", ""},
		{"src/", "src/.stsdeck-probe-notes", ""},             // not a probe key
		{"src/", "src/sub/.stsdeck-probe-0123abcd", ""},      // below the prefix
		{"src/", "dst/.stsdeck-probe-0123abcd", ""},          // another prefix
		{"src/", "src/stsdeck-test-backup.tar", ""},          // not a test upload
		{"src", "src.stsdeck-probe-0123abcd", LeftoverProbe}, // a prefix without /
	} {
		if got := LeftoverKind(tc.prefix, tc.key); got != tc.want {
			t.Errorf("LeftoverKind(%q, %q) = %q, want %q", tc.prefix, tc.key, got, tc.want)
		}
	}
}

type cleanupOSS struct {
	keys    []string
	denied  map[string]bool
	deleted []string
}

func (c *cleanupOSS) List(_ context.Context, _, prefix string, _ int) ([]model.ObjectInfo, error) {
	var out []model.ObjectInfo
	for _, k := range c.keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, model.ObjectInfo{Key: k, Size: 10})
		}
	}
	return out, nil
}
func (c *cleanupOSS) Delete(_ context.Context, _, key string) error {
	if c.denied[key] {
		return &model.APIError{Code: "AccessDenied", Message: "denied", RequestID: "R1"}
	}
	c.deleted = append(c.deleted, key)
	return nil
}
func (c *cleanupOSS) Put(context.Context, string, string, io.ReaderAt, int64, func(model.Progress)) (model.ObjectInfo, error) {
	return model.ObjectInfo{}, errors.New("no")
}
func (c *cleanupOSS) Head(context.Context, string, string) (model.ObjectInfo, error) {
	return model.ObjectInfo{}, errors.New("no")
}
func (c *cleanupOSS) Probe(context.Context, model.ProbeSpec) (model.ProbeReport, error) {
	return model.ProbeReport{}, errors.New("no")
}
func (c *cleanupOSS) Presign(context.Context, string, string, string, time.Duration) (string, error) {
	return "", errors.New("no")
}

func TestCleanup(t *testing.T) {
	oss := &cleanupOSS{keys: []string{"src/.stsdeck-probe-00aa", "src/stsdeck-test.txt", "src/keep.csv", "src/.stsdeck-probe-11bb", "dst/.stsdeck-probe-22cc"},
		denied: map[string]bool{"src/.stsdeck-probe-11bb": true}}
	rep, err := Cleanup(context.Background(), oss, "b", []string{"src/"}, true)
	if err != nil || len(rep.Removed) != 3 || len(oss.deleted) != 0 || rep.Kept != 1 {
		t.Fatalf("dry run %+v %v deleted %v", rep, err, oss.deleted)
	}
	rep, err = Cleanup(context.Background(), oss, "b", []string{"src/", "dst/", "src/"}, false)
	if err != nil || len(rep.Removed) != 3 || len(rep.Failed) != 1 || rep.Failed[0].RequestID != "R1" || rep.Kept != 1 ||
		strings.Join(oss.deleted, ",") != "src/.stsdeck-probe-00aa,src/stsdeck-test.txt,dst/.stsdeck-probe-22cc" {
		t.Fatalf("%+v %v deleted %v", rep, err, oss.deleted)
	}
}
