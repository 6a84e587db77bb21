package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

// The clean-up use case: remove what stsdeck itself wrote under a prefix — the probe's objects
// and test uploads that a denied delete left behind — with the operator's own credentials
// (the token that wrote them may not delete), saying what was removed. The console's Test
// screen (x) and `stsdeck cleanup` run it. Nothing else is ever touched.

// Names of what stsdeck writes, relative to the prefix (one level: never below it).
const (
	// ProbeKeyMarker starts the probe's keys: <prefix>.stsdeck-probe-<16 hex> (oss.ProbeMarker).
	ProbeKeyMarker = ".stsdeck-probe-"
	// TestUploadName starts the test uploads' keys: <prefix>stsdeck-test-<time>.txt (the console's
	// Test screen) and <prefix>stsdeck-test.txt (the export's presigned URL).
	TestUploadName = "stsdeck-test"
)

// Leftover kinds.
const (
	LeftoverProbe  = "probe"
	LeftoverUpload = "test upload"
)

// LeftoverKind says what stsdeck wrote at key under prefix: LeftoverProbe, LeftoverUpload, or ""
// for anything else (left alone).
func LeftoverKind(prefix, key string) string {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return ""
	}
	switch {
	case strings.HasPrefix(rest, ProbeKeyMarker) && isHex(strings.TrimPrefix(rest, ProbeKeyMarker)):
		return LeftoverProbe
	case strings.HasPrefix(rest, TestUploadName) && strings.HasSuffix(rest, ".txt"):
		return LeftoverUpload
	}
	return ""
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// ObjectLister is implemented by OSS clients that list a prefix (the oss adapter's client does).
type ObjectLister interface {
	List(ctx context.Context, bucket, prefix string, max int) ([]model.ObjectInfo, error)
}

// ErrCannotList is returned when the OSS client cannot list.
var ErrCannotList = errors.New("this OSS client cannot list objects")

// CleanupItem is one leftover found.
type CleanupItem struct {
	Key   string `json:"key"`
	Kind  string `json:"kind"` // LeftoverProbe or LeftoverUpload
	Size  int64  `json:"size"`
	Error string `json:"error,omitempty"` // why it could not be removed
	// RequestID is OSS's id of the refused delete, for the sandbox's trace.
	RequestID string `json:"request_id,omitempty"`
}

// CleanupReport says what a clean-up found and did.
type CleanupReport struct {
	Bucket   string        `json:"bucket"`
	Prefixes []string      `json:"prefixes"`
	DryRun   bool          `json:"dry_run"`
	Removed  []CleanupItem `json:"removed"` // with DryRun: what would be removed
	Failed   []CleanupItem `json:"failed"`
	// Kept counts the other objects under the prefixes, which were not touched.
	Kept int `json:"kept"`
}

// MaxCleanupList bounds the objects listed per prefix.
const MaxCleanupList = 10000

// Cleanup lists each prefix and deletes stsdeck's leftovers there (LeftoverKind), or with dryRun
// only reports them. The error is non-nil when a listing fails (ctx ended, listing refused):
// the report then holds what was done before.
func Cleanup(ctx context.Context, oc service.ObjectClient, bucket string, prefixes []string, dryRun bool) (CleanupReport, error) {
	rep := CleanupReport{Bucket: bucket, Prefixes: prefixes, DryRun: dryRun, Removed: []CleanupItem{}, Failed: []CleanupItem{}}
	if bucket == "" || len(prefixes) == 0 {
		return rep, fmt.Errorf("cleanup: a bucket and a prefix are required")
	}
	ls, ok := oc.(ObjectLister)
	if !ok {
		return rep, ErrCannotList
	}
	seen := map[string]bool{}
	for _, p := range prefixes {
		objs, err := ls.List(ctx, bucket, p, MaxCleanupList)
		if err != nil {
			return rep, fmt.Errorf("listing oss://%s/%s: %w", bucket, p, err)
		}
		for _, o := range objs {
			if seen[o.Key] {
				continue
			}
			seen[o.Key] = true
			kind := LeftoverKind(p, o.Key)
			if kind == "" {
				rep.Kept++
				continue
			}
			it := CleanupItem{Key: o.Key, Kind: kind, Size: o.Size}
			if dryRun {
				rep.Removed = append(rep.Removed, it)
				continue
			}
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			if err := oc.Delete(ctx, bucket, o.Key); err != nil {
				it.Error = err.Error()
				var ae *model.APIError
				if errors.As(err, &ae) {
					it.Error, it.RequestID = ae.Code+": "+ae.Message, ae.RequestID
				}
				rep.Failed = append(rep.Failed, it)
				continue
			}
			rep.Removed = append(rep.Removed, it)
		}
	}
	return rep, nil
}
