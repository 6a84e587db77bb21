// Package postform builds a browser upload form for OSS PostObject ("client direct upload"):
// a V4-signed POST policy that limits the key prefix, the size and the content type, signed
// with temporary credentials, as HTML and as a field set. Stdlib only; both faces (stsdeck
// presign --post, the console's export list) call Build.
package postform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime"
	"net"
	"net/url"
	"strings"
	"time"
)

// MaxSize is OSS's limit on one PostObject upload (5 GiB).
const MaxSize = 5 << 30

// MaxExpires is the longest validity: OSS refuses a V4 form whose x-oss-date is more than 7
// days old.
const MaxExpires = 7 * 24 * time.Hour

// Request describes the form.
type Request struct {
	// Endpoint is the OSS endpoint URL ("" = https://oss-<Region>.aliyuncs.com). IP and
	// localhost endpoints get a path-style action (…/bucket/), others the bucket host.
	Endpoint string
	Region   string // the V4 signing region (required)
	Bucket   string
	Prefix   string // keys must start with it; the form's key is Prefix + ${filename}
	// MaxSize bounds the file (0 = MaxSize); MinSize is the smallest accepted.
	MinSize, MaxSize int64
	// ContentType limits the file's type: "" any, "image/" (ending in /) any of that family,
	// else exactly that type (the form then carries it).
	ContentType string
	Expires     time.Duration // from Now; also capped by Expiration
	// The temporary credentials. Secret signs the policy and never appears in the form.
	AccessKeyID, Secret, SecurityToken string
	Expiration                         time.Time // the token's; zero = none
	Now                                time.Time
}

// Field is one form field, in the order the form must send it.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Form is a ready-to-post form: POST Fields (in order) then the file as the last field, named
// "file", as multipart/form-data to Action.
type Form struct {
	Action     string          `json:"action"`
	Method     string          `json:"method"`
	Enctype    string          `json:"enctype"`
	Fields     []Field         `json:"fields"`
	Expiration time.Time       `json:"expiration"`
	Policy     json.RawMessage `json:"policy"` // the decoded policy, for reading
}

// Build signs the form.
func Build(r Request) (*Form, error) {
	switch {
	case r.Bucket == "":
		return nil, errors.New("postform: no bucket")
	case r.Region == "":
		return nil, errors.New("postform: no region to sign for")
	case r.AccessKeyID == "" || r.Secret == "":
		return nil, errors.New("postform: no credentials")
	case r.Expires <= 0 || r.Expires > MaxExpires:
		return nil, fmt.Errorf("postform: validity %s out of range (1s to 168h)", r.Expires)
	case r.MaxSize < 0 || r.MaxSize > MaxSize:
		return nil, fmt.Errorf("postform: max size %d out of range (1 to %d bytes)", r.MaxSize, int64(MaxSize))
	case r.MinSize < 0 || r.MaxSize > 0 && r.MinSize > r.MaxSize:
		return nil, fmt.Errorf("postform: min size %d is above the max size %d", r.MinSize, r.MaxSize)
	case strings.HasPrefix(r.Prefix, "/") || strings.HasPrefix(r.Prefix, `\`):
		return nil, errors.New("postform: the key prefix must not start with / or \\")
	case strings.ContainsAny(r.ContentType, "\r\n"):
		return nil, errors.New("postform: bad content type")
	}
	action, err := actionURL(r.Endpoint, r.Region, r.Bucket)
	if err != nil {
		return nil, err
	}
	now := r.Now.UTC()
	exp := now.Add(r.Expires)
	if !r.Expiration.IsZero() && r.Expiration.Before(exp) {
		exp = r.Expiration.UTC() // a form outlives its token by nothing
	}
	if !exp.After(now) {
		return nil, errors.New("postform: the token has expired")
	}
	max := r.MaxSize
	if max == 0 {
		max = MaxSize
	}
	day, date := now.Format("20060102"), now.Format("20060102T150405Z")
	cred := r.AccessKeyID + "/" + day + "/" + r.Region + "/oss/aliyun_v4_request"
	conds := []any{
		map[string]string{"bucket": r.Bucket},
		[]any{"starts-with", "$key", r.Prefix},
		[]any{"content-length-range", r.MinSize, max},
		[]any{"eq", "$success_action_status", "200"},
		map[string]string{"x-oss-signature-version": "OSS4-HMAC-SHA256"},
		map[string]string{"x-oss-credential": cred},
		map[string]string{"x-oss-date": date},
	}
	exact := r.ContentType != "" && !strings.HasSuffix(r.ContentType, "/")
	switch {
	case exact:
		conds = append(conds, []any{"eq", "$content-type", r.ContentType})
	case r.ContentType != "":
		conds = append(conds, []any{"starts-with", "$content-type", r.ContentType})
	}
	pol, err := json.Marshal(map[string]any{"expiration": exp.Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString(pol)
	f := &Form{Action: action, Method: "POST", Enctype: "multipart/form-data", Expiration: exp, Policy: pol}
	add := func(n, v string) { f.Fields = append(f.Fields, Field{n, v}) }
	add("key", r.Prefix+"${filename}")
	add("success_action_status", "200")
	if exact {
		add("Content-Type", r.ContentType)
	}
	add("policy", b64)
	add("x-oss-signature-version", "OSS4-HMAC-SHA256")
	add("x-oss-credential", cred)
	add("x-oss-date", date)
	if r.SecurityToken != "" {
		add("x-oss-security-token", r.SecurityToken)
	}
	add("x-oss-signature", sign(r.Secret, day, r.Region, b64))
	return f, nil
}

// sign is hex(HMAC-SHA256(SigningKey, policy)) with the V4 signing key of day and region.
func sign(secret, day, region, policy string) string {
	k := mac([]byte("aliyun_v4"+secret), day)
	k = mac(k, region)
	k = mac(k, "oss")
	k = mac(k, "aliyun_v4_request")
	return hex.EncodeToString(mac(k, policy))
}

func mac(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// actionURL is where the form posts: the bucket host, or …/bucket/ on an IP or localhost
// endpoint (the sandbox).
func actionURL(endpoint, region, bucket string) (string, error) {
	if endpoint == "" {
		endpoint = "https://oss-" + region + ".aliyuncs.com"
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("postform: endpoint %q: want http(s)://host[:port]", endpoint)
	}
	host := u.Hostname()
	if host == "localhost" || net.ParseIP(host) != nil {
		return u.Scheme + "://" + u.Host + "/" + bucket + "/", nil
	}
	return u.Scheme + "://" + bucket + "." + u.Host + "/", nil
}

// HTML is a standalone page with the form: the fields hidden, a file chooser and a submit
// button. It carries the security token (as a presigned URL does), never the secret.
func (f *Form) HTML() string { return f.HTMLWith(Labels{}) }

// Labels are the page's visible words in the reader's language ("" = English); the fields,
// the action and everything OSS reads stay the same.
type Labels struct {
	Lang   string // the html element's lang attribute (zh-CN); "" = none
	Title  string // default "Upload to OSS"
	Submit string // the button; default "Upload"
}

// HTMLWith is HTML with the page's visible words from l.
func (f *Form) HTMLWith(l Labels) string {
	if l.Title == "" {
		l.Title = "Upload to OSS"
	}
	if l.Submit == "" {
		l.Submit = "Upload"
	}
	var b strings.Builder
	e := html.EscapeString
	if l.Lang != "" {
		fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n", e(l.Lang))
	} else {
		b.WriteString("<!DOCTYPE html>\n<html>\n")
	}
	fmt.Fprintf(&b, "<head><meta charset=\"utf-8\"><title>%s</title></head>\n<body>\n", e(l.Title))
	fmt.Fprintf(&b, "<!-- valid until %s -->\n", f.Expiration.Format(time.RFC3339))
	fmt.Fprintf(&b, "<form action=\"%s\" method=\"post\" enctype=\"multipart/form-data\">\n", e(f.Action))
	for _, fl := range f.Fields {
		fmt.Fprintf(&b, "  <input type=\"hidden\" name=\"%s\" value=\"%s\">\n", e(fl.Name), e(fl.Value))
	}
	fmt.Fprintf(&b, "  <input type=\"file\" name=\"file\">\n  <input type=\"submit\" value=\"%s\">\n</form>\n</body>\n</html>\n", e(l.Submit))
	return b.String()
}

// CheckContentType accepts what Request.ContentType may be: "" (any), a type (image/png) or a
// family ending in / (image/).
func CheckContentType(ct string) error {
	if ct == "" {
		return nil
	}
	bad := fmt.Errorf("%q: want a type (image/png) or a family ending in / (image/)", ct)
	if strings.HasSuffix(ct, "/") {
		if _, _, err := mime.ParseMediaType(ct + "x"); err != nil || strings.Count(ct, "/") != 1 {
			return bad
		}
		return nil
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || !strings.Contains(mt, "/") {
		return bad
	}
	return nil
}
