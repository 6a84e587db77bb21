package oss

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// ProbeOps are the probed operations, in the order they run in each scope.
var ProbeOps = []string{"put", "head", "get", "list", "delete"}

// ProbeMarker is part of every key the probe writes: <prefix>.stsdeck-probe-<16 hex>.
const ProbeMarker = ".stsdeck-probe-"

// ProbeKey returns a fresh probe key under prefix.
func ProbeKey(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + ProbeMarker + hex.EncodeToString(b[:])
}

// ResolveOutside returns the outside prefix a spec means: spec.Outside, else
// model.OutsidePrefix(spec.Prefix) (the console's rule: "dst/" beside "src/").
func ResolveOutside(spec model.ProbeSpec) string {
	if spec.Outside != "" {
		return spec.Outside
	}
	return model.OutsidePrefix(spec.Prefix)
}

// Probe runs put, head, get, list and delete inside the prefix and then outside it, only ever on
// its own fresh keys. An operation counts as allowed iff OSS did not answer 403 (NoSuchKey on a
// get or head counts as allowed). Objects it wrote but could not delete are listed in
// LeftBehind. Predicted/Agree are left for the caller. The error is non-nil only when the probe
// could not run (bad spec, ctx ended); denials are results, not errors.
func (c *Client) Probe(ctx context.Context, spec model.ProbeSpec) (model.ProbeReport, error) {
	if spec.Bucket == "" {
		return model.ProbeReport{}, fmt.Errorf("probe: no bucket")
	}
	outside := ResolveOutside(spec)
	if outside == spec.Prefix {
		return model.ProbeReport{}, fmt.Errorf("probe: the outside prefix %q equals the inside prefix", outside)
	}
	rep := model.ProbeReport{Bucket: spec.Bucket, Prefix: spec.Prefix, Outside: outside, Results: []model.ProbeResult{}, LeftBehind: []string{}}
	for _, sc := range []struct{ scope, prefix string }{{"inside", spec.Prefix}, {"outside", outside}} {
		key := ProbeKey(sc.prefix)
		content := []byte("stsdeck probe object " + key + "\n")
		written, deleted := false, false
		for _, op := range ProbeOps {
			if err := ctx.Err(); err != nil {
				if written && !deleted {
					rep.LeftBehind = append(rep.LeftBehind, key)
				}
				return rep, fmt.Errorf("probe: %w", err)
			}
			r := model.ProbeResult{Op: op, Scope: sc.scope, Key: key}
			start := time.Now()
			var err error
			var status int
			switch op {
			case "put":
				var info model.ObjectInfo
				info, err = c.Put(ctx, spec.Bucket, key, bytes.NewReader(content), int64(len(content)), nil)
				status, r.Actual.RequestID = 200, info.RequestID
				written = err == nil
			case "head":
				var info model.ObjectInfo
				info, err = c.Head(ctx, spec.Bucket, key)
				status, r.Actual.RequestID = 200, info.RequestID
			case "get":
				var buf bytes.Buffer
				var info model.ObjectInfo
				info, err = c.Get(ctx, spec.Bucket, key, &buf)
				status, r.Actual.RequestID = 200, info.RequestID
				if err == nil && written && !bytes.Equal(buf.Bytes(), content) {
					r.Actual.Code = "ContentMismatch"
				}
			case "list":
				_, err = c.List(ctx, spec.Bucket, sc.prefix, 10)
				status = 200
				r.Key = sc.prefix
			case "delete":
				err = c.Delete(ctx, spec.Bucket, key)
				status = 204
				deleted = err == nil
			}
			r.Actual.LatencyMS = time.Since(start).Milliseconds()
			if err != nil {
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					if written && !deleted {
						rep.LeftBehind = append(rep.LeftBehind, key)
					}
					return rep, fmt.Errorf("probe: %w", err)
				}
				var ae *model.APIError
				if errors.As(err, &ae) {
					r.Actual.Status = ae.StatusCode
					r.Actual.Code = ae.Code
					r.Actual.EC = ae.EC
					r.Actual.RequestID = ae.RequestID
					r.Actual.Message = ae.Message
					r.Actual.Allowed = ae.StatusCode != 403
				} else {
					r.Actual.Code = "ClientError"
					r.Actual.Message = err.Error()
					r.Actual.Allowed = false
				}
			} else {
				r.Actual.Status = status
				r.Actual.Allowed = true
			}
			rep.Results = append(rep.Results, r)
		}
		if written && !deleted {
			rep.LeftBehind = append(rep.LeftBehind, key)
		}
	}
	return rep, nil
}
