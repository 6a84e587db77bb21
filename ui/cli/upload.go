package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// upload: a file (or a generated test object) to OSS with temporary credentials; progress on
// stderr, the result on stdout.
//
//	stsdeck upload FILE oss://bucket/key [--role R ...] [--json]
//	stsdeck upload --generate 64MiB oss://bucket/key ...
func runUpload(ctx context.Context, env *Env) int {
	c := newCmd(env, "upload", env.tr().S("FILE oss://bucket/key [--role NAME|ARN] [--json]  |  --generate SIZE oss://bucket/key"))
	var t tokenFlags
	t.register(c.FlagSet, true)
	generate := c.String("generate", "", "upload a generated test object of `SIZE` (e.g. 64MiB) instead of a file")
	asJSON := c.Bool("json", false, "print the result as JSON")
	quiet := c.Bool("quiet", false, "no progress on stderr")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	var file, dest string
	switch {
	case *generate != "" && len(pos) == 1:
		dest = pos[0]
	case *generate == "" && len(pos) == 2:
		file, dest = pos[0], pos[1]
	default:
		return c.bad("want FILE oss://bucket/key (or --generate SIZE oss://bucket/key)")
	}
	bucket, key, err := parseOSSURL(dest)
	if err != nil {
		return c.bad("%v", err)
	}
	if t.bucket == "" {
		t.bucket = bucket // for --template
	}
	var body io.ReaderAt
	var size int64
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return c.bad("%v", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return c.bad("%s is not a regular file", file)
		}
		body, size = f, fi.Size()
	} else {
		n, err := parseSize(*generate)
		if err != nil {
			return c.bad("--generate: %v", err)
		}
		body, size = generated{seed: uint64(env.Now().UnixNano()), n: n}, n
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
	var progress func(model.Progress)
	var mu sync.Mutex
	last := time.Time{}
	if !*quiet {
		progress = func(p model.Progress) {
			mu.Lock()
			defer mu.Unlock()
			now := time.Now()
			if p.Done < p.Total && now.Sub(last) < 200*time.Millisecond {
				return
			}
			last = now
			pct := 100.0
			if p.Total > 0 {
				pct = 100 * float64(p.Done) / float64(p.Total)
			}
			fmt.Fprintf(env.Stderr, "\r  %s / %s  %5.1f%%  %s/s   ", model.HumanBytes(float64(p.Done)), model.HumanBytes(float64(p.Total)), pct, model.HumanBytes(p.Rate()))
		}
	}
	start := time.Now()
	info, err := svc.Objects.With(tok.creds).Put(ctx, bucket, key, body, size, progress)
	if progress != nil {
		fmt.Fprintln(env.Stderr)
	}
	if err != nil {
		return c.fail(err)
	}
	el := time.Since(start)
	rate := 0.0
	if el > 0 {
		rate = float64(size) / el.Seconds()
	}
	if *asJSON {
		writeJSON(env.Stdout, map[string]any{
			"bucket": bucket, "key": key, "size": size, "etag": info.ETag, "crc64": info.CRC64,
			"request_id": info.RequestID, "elapsed_ms": el.Milliseconds(), "bytes_per_second": int64(rate),
		})
		return ExitOK
	}
	env.tr().F(env.Stdout, "uploaded oss://%s/%s: %d bytes in %s (%s/s), ETag %s, CRC-64 %s, RequestId %s\n",
		bucket, key, size, el.Round(time.Millisecond), model.HumanBytes(rate), info.ETag, info.CRC64, info.RequestID)
	return ExitOK
}

// generated is a deterministic pseudo-random object readable at any offset (no memory held).
type generated struct {
	seed uint64
	n    int64
}

func (g generated) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.n {
		return 0, io.EOF
	}
	n := len(p)
	if rem := g.n - off; int64(n) > rem {
		n = int(rem)
	}
	for i := 0; i < n; i++ {
		x := g.seed ^ uint64(off+int64(i))*0x9e3779b97f4a7c15
		x ^= x >> 29
		p[i] = byte(x)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
