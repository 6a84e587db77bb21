package issuereq

import (
	"strings"
	"testing"
	"time"
)

func TestRegionProblem(t *testing.T) {
	for _, ok := range []string{"cn-hangzhou", "ap-southeast-1", "cn-shanghai-finance-1", "cn-north-2-gov-1", "us-west-1", "eu-central-1", "cn-hongkong"} {
		if p := RegionProblem(ok); p != "" {
			t.Errorf("RegionProblem(%q) = %q, want accepted", ok, p)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"a b", "' ' at position 2"},
		{"", "empty"},
		{"CN-Hangzhou", "'C' at position 1"},
		{"hangzhou", "not a region id"},
		{"cn--hangzhou", "empty part"},
		{"cn-hangzhou-", "empty part"},
		{"1cn-hangzhou", "start with letters"},
		{"oss-cn-hangzhou", `the region id is "cn-hangzhou"`},
		{"cn-hangzhou/../x", "'/'"},
		{strings.Repeat("a-", 40), "at most 64"},
	} {
		if p := RegionProblem(tc.in); !strings.Contains(p, tc.want) {
			t.Errorf("RegionProblem(%q) = %q, want it to say %q", tc.in, p, tc.want)
		}
	}
}

func TestDefaultSessionNameUniqueAndValid(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 4, 5, 0, time.FixedZone("x", 3600))
	seen := map[string]bool{}
	for i := 0; i < 6; i++ {
		n := DefaultSessionName(now)
		if p := SessionNameProblem(n); p != "" {
			t.Fatalf("%q: %s", n, p)
		}
		if !strings.HasPrefix(n, "stsdeck-20260301-090405-") || len(n) != 28 {
			t.Fatalf("name %q", n)
		}
		seen[n] = true
	}
	// Six names in one second (the report); 4 hex digits make a repeat among six
	// unlikely (p < 3e-4) — allow one collision so the test never flakes.
	if len(seen) < 5 {
		t.Errorf("six names in one second, only %d distinct: %v", len(seen), seen)
	}
}
