package model

import (
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		name, in                 string
		scheme, host, hostport   string
		port                     int
		url, protocol, errSubstr string
		loopback                 bool
	}{
		{name: "http with port", in: "http://127.0.0.1:40123", scheme: "http", host: "127.0.0.1", port: 40123, hostport: "127.0.0.1:40123", url: "http://127.0.0.1:40123", protocol: "HTTP", loopback: true},
		{name: "trailing slash", in: "http://127.0.0.1:40123/", scheme: "http", host: "127.0.0.1", port: 40123, hostport: "127.0.0.1:40123", url: "http://127.0.0.1:40123", protocol: "HTTP", loopback: true},
		{name: "bare host is https", in: "sts.cn-hangzhou.aliyuncs.com", scheme: "https", host: "sts.cn-hangzhou.aliyuncs.com", hostport: "sts.cn-hangzhou.aliyuncs.com", url: "https://sts.cn-hangzhou.aliyuncs.com", protocol: "HTTPS"},
		{name: "bare host with port", in: "localhost:9000", scheme: "https", host: "localhost", port: 9000, hostport: "localhost:9000", url: "https://localhost:9000", protocol: "HTTPS", loopback: true},
		{name: "upper-case scheme and host", in: "HTTPS://OSS-CN-HANGZHOU.aliyuncs.com", scheme: "https", host: "oss-cn-hangzhou.aliyuncs.com", hostport: "oss-cn-hangzhou.aliyuncs.com", url: "https://oss-cn-hangzhou.aliyuncs.com", protocol: "HTTPS"},
		{name: "ipv6", in: "http://[::1]:8080", scheme: "http", host: "::1", port: 8080, hostport: "[::1]:8080", url: "http://[::1]:8080", protocol: "HTTP", loopback: true},
		{name: "empty is zero", in: ""},
		{name: "ftp refused", in: "ftp://host", errSubstr: "scheme must be http or https"},
		{name: "path refused", in: "http://127.0.0.1:1/v1", errSubstr: "a path is not allowed"},
		{name: "query refused", in: "http://127.0.0.1:1/?a=b", errSubstr: "a query is not allowed"},
		{name: "user info refused", in: "http://u:p@127.0.0.1:1", errSubstr: "user info"},
		{name: "port out of range", in: "http://127.0.0.1:70000", errSubstr: "port must be 1-65535"},
		{name: "port zero", in: "http://127.0.0.1:0", errSubstr: "port must be 1-65535"},
		{name: "no host", in: "http://:80", errSubstr: "no host"},
		{name: "empty port", in: "http://127.0.0.1:", errSubstr: "empty port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseEndpoint("--oss-endpoint", tc.in)
			if tc.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSubstr) || !strings.Contains(err.Error(), "--oss-endpoint") {
					t.Fatalf("ParseEndpoint(%q) error = %v, want one naming the flag and containing %q", tc.in, err, tc.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEndpoint(%q): %v", tc.in, err)
			}
			if tc.in == "" {
				if !e.IsZero() || e.URL() != "" {
					t.Fatalf("empty input gave %+v", e)
				}
				return
			}
			if e.Scheme != tc.scheme || e.Host != tc.host || e.Port != tc.port {
				t.Errorf("got %+v, want scheme %s host %s port %d", e, tc.scheme, tc.host, tc.port)
			}
			if e.HostPort() != tc.hostport || e.URL() != tc.url || e.Protocol() != tc.protocol || e.Loopback() != tc.loopback {
				t.Errorf("HostPort %q URL %q Protocol %q Loopback %v; want %q %q %q %v", e.HostPort(), e.URL(), e.Protocol(), e.Loopback(), tc.hostport, tc.url, tc.protocol, tc.loopback)
			}
		})
	}
}
