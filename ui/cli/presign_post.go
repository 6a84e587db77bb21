package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/postform"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// postFlags are presign's --post flags: a browser upload form (OSS PostObject with a signed
// POST policy) instead of a URL.
type postFlags struct {
	post                 bool
	maxSize, contentType string
}

func (p *postFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&p.post, "post", false, "make a browser upload form (HTML; with --json its field set) for oss://bucket/prefix/ instead of a URL:\n"+ // i18n:ok (translated by printFlags)
		"a signed POST policy that limits the key prefix, the size and the content type") // i18n:ok
	fs.StringVar(&p.maxSize, "max-size", "", "--post: largest file `N` the form accepts (1024, 10MiB, 1GiB; default 5GiB, the OSS limit)")
	fs.StringVar(&p.contentType, "content-type", "", "--post: the file's content `TYPE`: exact (image/png) or a family ending in / (image/); default any")
}

func (p *postFlags) limits() bool { return p.maxSize != "" || p.contentType != "" }

// runPresignPost is `stsdeck presign --post`: same token handling as presign (a fresh token
// with --role, else the exported one), same expiry rule (never beyond the token).
func runPresignPost(ctx context.Context, env *Env, c *cmdFlags, t *tokenFlags, p *postFlags, pos []string, expires string, clamp, asJSON bool) int {
	if len(pos) != 1 {
		return c.bad("--post: want exactly one oss://bucket/prefix/")
	}
	rest, ok := strings.CutPrefix(pos[0], "oss://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return c.bad("--post: %q: want oss://bucket/prefix/ (the prefix may be empty: oss://bucket/)", pos[0])
	}
	if strings.HasPrefix(prefix, "/") {
		return c.bad("--post: %q: the key prefix must not start with /", pos[0])
	}
	if t.bucket == "" {
		t.bucket = bucket // for --template
	}
	if t.prefix == "" {
		t.prefix = prefix
	}
	var max int64
	if p.maxSize != "" {
		n, err := parseSize(p.maxSize)
		if err != nil || n <= 0 || n > postform.MaxSize {
			return c.bad("--max-size %q: want a size from 1 byte to 5GiB", p.maxSize)
		}
		max = n
	}
	if err := postform.CheckContentType(p.contentType); err != nil {
		return c.bad("--content-type %v", err)
	}
	exp, err := parseDuration(expires)
	if err != nil || exp <= 0 || exp > postform.MaxExpires {
		return c.bad("--expires %q: want a duration from 1s to 168h", expires)
	}
	explicit := false
	c.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "expires" })
	if t.role != "" && explicit && !clamp {
		life := issuereq.DefaultDuration
		if d, err := parseDuration(t.duration); err == nil && d > 0 {
			life = d
		}
		if exp > life+presignSlack {
			return c.bad("--expires %s: beyond the token's lifetime of %s (the form would stop working then); nothing issued: shorten --expires, raise --duration, or pass --clamp", exp, life)
		}
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	tok, code := c.temporary(ctx, svc, t)
	if code >= 0 {
		return code
	}
	if left := tok.creds.Remaining(env.Now()); !tok.creds.Expiration.IsZero() && exp > left+presignSlack {
		if left < time.Second {
			return c.bad("the token has expired (%s); nothing signed", tok.creds.Expiration.UTC().Format(time.RFC3339))
		}
		if explicit && !clamp {
			return c.bad("--expires %s: beyond the token's expiry in %s (the form would stop working then); nothing signed: shorten --expires or pass --clamp", exp, left.Round(time.Second))
		}
		exp = left.Truncate(time.Second)
		env.tr().F(env.Stderr, "stsdeck presign: the form's validity is clamped to %s, what the token has left\n", exp)
	}
	region := svc.Region
	if region == "" {
		region = tok.creds.Region
	}
	form, err := postform.Build(postform.Request{Endpoint: svc.OSSEndpoint, Region: region, Bucket: bucket, Prefix: prefix, MaxSize: max,
		ContentType: p.contentType, Expires: exp, AccessKeyID: tok.creds.AccessKeyID, Secret: tok.creds.AccessKeySecret,
		SecurityToken: tok.creds.SecurityToken, Expiration: tok.creds.Expiration, Now: env.Now()})
	if err != nil {
		return c.bad("%s", env.tr().Domain(strings.TrimPrefix(err.Error(), "postform: "))) // i18n:ok
	}
	if asJSON {
		writeJSON(env.Stdout, struct {
			*postform.Form
			Bucket string `json:"bucket"`
			Prefix string `json:"prefix"`
			File   string `json:"file_field"`
			Mode   string `json:"mode"`
		}{form, bucket, prefix, "file", svc.Mode})
	} else {
		fmt.Fprint(env.Stdout, form.HTMLWith(postLabels(env.tr())))
	}
	if e, ok := svc.Sandbox.(ephemeralSandbox); ok && e.Ephemeral() {
		env.tr().F(env.Stderr, "stsdeck presign: warning: the form posts to a throw-away sandbox (%s) that stopped when this command ended; it only works while a sandbox is running: start `stsdeck sandbox` in another terminal, then presign again (--sandbox commands use it)\n", svc.OSSEndpoint)
	}
	return ExitOK
}

// postLabels are the upload page's visible words in tr's language (English: the page as before).
func postLabels(tr *i18n.T) postform.Labels {
	if tr.Lang() == i18n.EN {
		return postform.Labels{}
	}
	return postform.Labels{Lang: string(tr.Lang()), Title: tr.S("Upload to OSS"), Submit: tr.S("Upload")}
}
