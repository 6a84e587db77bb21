package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model/issuereq"
)

// presign: a presigned OSS URL signed with temporary credentials (a fresh token with --role,
// else an STS token from the environment).
//
//	stsdeck presign oss://bucket/key [--method GET|PUT] [--expires 1h] [--clamp] [--role R ...] [--json]
//	stsdeck presign --post oss://bucket/prefix/ [--max-size N] [--content-type T] [--expires 1h] [--json]
func runPresign(ctx context.Context, env *Env) int {
	c := newCmd(env, "presign", "oss://bucket/key [--method GET|PUT] [--expires 1h] [--clamp] [--role NAME|ARN] [--json]\n"+ // i18n:ok
		env.tr().S("  or: stsdeck presign --post oss://bucket/prefix/ [--max-size N] [--content-type T] [--expires 1h] [--clamp] [--role NAME|ARN] [--json]"))
	var t tokenFlags
	t.register(c.FlagSet, true)
	method := c.String("method", "GET", "HTTP `METHOD` the URL allows: GET or PUT")
	expires := c.String("expires", "1h", "URL validity `D`, at most 7 days and never beyond the token's expiry: a longer one is refused\n"+ // i18n:ok (translated by printFlags)
		"(nothing signed) unless --clamp; the default 1h is shortened to what the token has left") // i18n:ok
	clamp := c.Bool("clamp", false, "shorten an --expires beyond the token's expiry to the token's remaining lifetime instead of refusing")
	asJSON := c.Bool("json", false, "print the URL with its method, bucket, key and expiry as JSON")
	var pf postFlags // --post: a browser upload form (presign_post.go)
	pf.register(c.FlagSet)
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if pf.post {
		return runPresignPost(ctx, env, c, &t, &pf, pos, *expires, *clamp, *asJSON)
	}
	if pf.limits() {
		return c.bad("--max-size and --content-type need --post")
	}
	if len(pos) != 1 {
		return c.bad("want exactly one oss://bucket/key")
	}
	bucket, key, err := parseOSSURL(pos[0])
	if err != nil {
		return c.bad("%v", err)
	}
	if t.bucket == "" {
		t.bucket = bucket // for --template
	}
	m := strings.ToUpper(*method)
	if m != "GET" && m != "PUT" {
		return c.bad("--method %q: want GET or PUT", *method)
	}
	exp, err := parseDuration(*expires)
	if err != nil || exp <= 0 || exp > 7*24*time.Hour {
		return c.bad("--expires %q: want a duration from 1s to 168h", *expires)
	}
	explicit := false
	c.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "expires" })
	// A token issued for this URL: its lifetime is known before it is issued.
	if t.role != "" && explicit && !*clamp {
		life := issuereq.DefaultDuration
		if d, err := parseDuration(t.duration); err == nil && d > 0 {
			life = d
		}
		if exp > life+presignSlack {
			return c.bad("--expires %s: beyond the token's lifetime of %s (the URL would stop working then); nothing issued: shorten --expires, raise --duration, or pass --clamp", exp, life)
		}
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	tok, code := c.temporary(ctx, svc, &t)
	if code >= 0 {
		return code
	}
	// The URL never outlives the token (a slack keeps a 1h URL from a fresh 1h token): beyond
	// it, refuse an explicit --expires, or clamp (--clamp, or the default 1h).
	clamped := false
	if left := tok.creds.Remaining(env.Now()); !tok.creds.Expiration.IsZero() && exp > left+presignSlack {
		if left < time.Second {
			return c.bad("the token has expired (%s); nothing signed", tok.creds.Expiration.UTC().Format(time.RFC3339))
		}
		if explicit && !*clamp {
			return c.bad("--expires %s: beyond the token's expiry in %s (the URL would stop working then); nothing signed: shorten --expires or pass --clamp", exp, left.Round(time.Second))
		}
		exp, clamped = left.Truncate(time.Second), true
		env.tr().F(env.Stderr, "stsdeck presign: the URL's validity is clamped to %s, what the token has left\n", exp)
	}
	url, err := svc.Objects.With(tok.creds).Presign(ctx, m, bucket, key, exp)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		out := map[string]any{"url": url, "method": m, "bucket": bucket, "key": key, "expires_in_seconds": int64(exp / time.Second),
			"expires": env.Now().Add(exp).UTC().Format(time.RFC3339), "clamped": clamped, "mode": svc.Mode}
		if !tok.creds.Expiration.IsZero() {
			out["token_expiration"] = tok.creds.Expiration.UTC().Format(time.RFC3339)
		}
		writeJSON(env.Stdout, out)
	} else {
		fmt.Fprintln(env.Stdout, url)
	}
	if e, ok := svc.Sandbox.(ephemeralSandbox); ok && e.Ephemeral() {
		env.tr().F(env.Stderr, "stsdeck presign: warning: the URL points at a throw-away sandbox (%s) that stopped when this command ended; a URL only works while a sandbox is running: start `stsdeck sandbox` in another terminal, then presign again (--sandbox commands use it)\n", svc.OSSEndpoint)
	}
	return ExitOK
}

// presignSlack is how much earlier than the URL the token may expire without a warning.
const presignSlack = 5 * time.Second

// ephemeralSandbox is implemented by the control client of a sandbox started in-process for
// one command (sandbox.Control): it stops when the command ends.
type ephemeralSandbox interface{ Ephemeral() bool }
