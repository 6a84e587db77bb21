package model

import "testing"

func TestHumanBytes(t *testing.T) {
	for _, tc := range []struct {
		n    float64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {3 << 30, "3.0 GiB"}, {1 << 50, "1.0 PiB"}, {1 << 60, "1024.0 PiB"}} {
		if got := HumanBytes(tc.n); got != tc.want {
			t.Errorf("HumanBytes(%v) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
