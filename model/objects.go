package model

import (
	"strings"
	"time"
)

// Progress reports an upload or download in flight.
type Progress struct {
	Done    int64         // bytes transferred
	Total   int64         // bytes in all; -1 unknown
	Elapsed time.Duration // since start
}

// Rate returns bytes per second so far.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// ObjectInfo describes an object as OSS answered.
type ObjectInfo struct {
	Bucket       string
	Key          string
	Size         int64
	ETag         string
	CRC64        string
	ContentType  string
	LastModified time.Time
	RequestID    string
}

// ProbeSpec says what a probe exercises.
type ProbeSpec struct {
	Bucket  string
	Prefix  string // inside the allowed area, e.g. "src/"
	Outside string // a prefix outside it, e.g. "dst/"; "" = derived
}

// OutsidePrefix is the default prefix outside an allowed one, shared by the console's preview and
// probe and by `stsdeck probe`: "dst/" unless the prefix already lies under dst, then "src/" (the
// classic scenario's sibling folders).
func OutsidePrefix(prefix string) string {
	if strings.HasPrefix(prefix, "dst") {
		return "src/"
	}
	return "dst/"
}

// ProbeReport is the outcome of a probe.
type ProbeReport struct {
	Bucket     string        `json:"bucket"`
	Prefix     string        `json:"prefix"`
	Outside    string        `json:"outside"`
	Results    []ProbeResult `json:"results"`
	LeftBehind []string      `json:"left_behind"`
}
