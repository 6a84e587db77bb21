package cli

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// presign: a presigned OSS URL signed with temporary credentials (a fresh token with --role,
// else an STS token from the environment).
//
//	stsdeck presign oss://bucket/key [--method GET|PUT] [--expires 1h] [--role R ...]
func runPresign(ctx context.Context, env *Env) int {
	c := newCmd(env, "presign", "oss://bucket/key [--method GET|PUT] [--expires 1h] [--role NAME|ARN]")
	var t tokenFlags
	t.register(c.FlagSet, true)
	method := c.String("method", "GET", "HTTP `METHOD` the URL allows: GET or PUT")
	expires := c.String("expires", "1h", "URL validity `D` (at most 7 days, and never beyond the token's expiry)")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
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
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	tok, code := c.temporary(ctx, svc, &t)
	if code >= 0 {
		return code
	}
	// Warn only when the token ends clearly before the URL would (not for a 1h URL from a
	// fresh 1h token).
	if left := tok.creds.Remaining(env.Now()); !tok.creds.Expiration.IsZero() && exp > left+presignSlack {
		fmt.Fprintf(env.Stderr, "stsdeck presign: warning: the URL is signed for %s but the token expires in %s; it stops working then\n", exp, left.Round(time.Second))
	}
	url, err := svc.Objects.With(tok.creds).Presign(ctx, m, bucket, key, exp)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintln(env.Stdout, url)
	if e, ok := svc.Sandbox.(ephemeralSandbox); ok && e.Ephemeral() {
		fmt.Fprintf(env.Stderr, "stsdeck presign: warning: the URL points at a throw-away sandbox (%s) that stopped when this command ended; "+
			"a URL only works while a sandbox is running: start `stsdeck sandbox` in another terminal, then presign again (--sandbox commands use it)\n", svc.OSSEndpoint)
	}
	return ExitOK
}

// presignSlack is how much earlier than the URL the token may expire without a warning.
const presignSlack = 5 * time.Second

// ephemeralSandbox is implemented by the control client of a sandbox started in-process for
// one command (sandbox.Control): it stops when the command ends.
type ephemeralSandbox interface{ Ephemeral() bool }
