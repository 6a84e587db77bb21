package model

// Endpoint is a service URL split into what the SDKs take (model.ParseEndpoint parses the endpoint flags).

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Endpoint is an absolute service URL split into the pieces the SDKs take:
// darabonba (STS, RAM) wants Protocol "HTTP"/"HTTPS" and a host[:port]; the OSS SDK wants a URL.
type Endpoint struct {
	Scheme string // "http" or "https"
	Host   string // host name or IP literal, no brackets, no port
	Port   int    // 0 = the scheme's default
}

// IsZero reports whether the endpoint was not given.
func (e Endpoint) IsZero() bool { return e.Host == "" }

// HostPort returns host[:port], with brackets around an IPv6 literal when a port follows.
func (e Endpoint) HostPort() string {
	if e.Port == 0 {
		if strings.Contains(e.Host, ":") {
			return "[" + e.Host + "]"
		}
		return e.Host
	}
	return net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}

// URL returns scheme://host[:port] with no trailing slash.
func (e Endpoint) URL() string {
	if e.IsZero() {
		return ""
	}
	return e.Scheme + "://" + e.HostPort()
}

// String is URL.
func (e Endpoint) String() string { return e.URL() }

// Protocol returns "HTTP" or "HTTPS", the darabonba openapi Config.Protocol value.
func (e Endpoint) Protocol() string { return strings.ToUpper(e.Scheme) }

// Loopback reports whether the host is an IP literal or localhost: the OSS SDK must use
// path-style addressing there (bucket.127.0.0.1 does not exist).
func (e Endpoint) Loopback() bool {
	h := strings.ToLower(e.Host)
	return net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// ParseEndpoint parses the value of an endpoint flag (flag names the flag for error messages):
// an absolute URL such as http://127.0.0.1:40123, or a bare host[:port] meaning https. A path
// other than "/", a query, a fragment or user info is refused; "" gives the zero Endpoint.
func ParseEndpoint(flag, s string) (Endpoint, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Endpoint{}, nil
	}
	bad := func(why string) (Endpoint, error) {
		return Endpoint{}, fmt.Errorf("%s %q: %s (want a URL such as http://127.0.0.1:40123 or a host name, which means https)", flag, s, why)
	}
	raw := s
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return bad("scheme must be http or https")
	}
	if u.User != nil {
		return bad("user info is not allowed")
	}
	if u.Path != "" && u.Path != "/" {
		return bad("a path is not allowed")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return bad("a query is not allowed")
	}
	if u.Fragment != "" {
		return bad("a fragment is not allowed")
	}
	host := u.Hostname()
	if host == "" {
		return bad("no host")
	}
	if strings.ContainsAny(host, " /\\") {
		return bad("bad host")
	}
	port := 0
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("port must be 1-65535")
		}
		port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return bad("empty port")
	}
	return Endpoint{Scheme: scheme, Host: strings.ToLower(host), Port: port}, nil
}
