package model

import (
	"strings"
	"testing"
)

// FuzzParseEndpoint: any flag value either fails with a message naming the flag, or yields an
// endpoint whose URL parses back to the same endpoint.
func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:40123", "sts.aliyuncs.com", "https://[::1]:1/", "ftp://x", "http://a:b@c", "http://h:99999", "  http://H/  ", "http://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEndpoint("--x-endpoint", s)
		if err != nil {
			if !strings.Contains(err.Error(), "--x-endpoint") {
				t.Fatalf("error does not name the flag: %v", err)
			}
			return
		}
		if e.IsZero() {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q gave the zero endpoint", s)
			}
			return
		}
		if e.Scheme != "http" && e.Scheme != "https" || e.Port < 0 || e.Port > 65535 {
			t.Fatalf("%q gave %+v", s, e)
		}
		back, err := ParseEndpoint("--x-endpoint", e.URL())
		if err != nil || back != e {
			t.Fatalf("%q -> %q -> %+v, %v", s, e.URL(), back, err)
		}
	})
}
