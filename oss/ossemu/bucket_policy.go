package ossemu

// GetBucketPolicy, PutBucketPolicy and DeleteBucketPolicy: the policy is validated by the
// engine, persisted by the Store and swapped in memory together.

import (
	"crypto/md5"
	"io"
	"net/http"
	"strconv"

	"github.com/stsdeck/stsdeck/model/policy"
)

// maxBucketPolicy bounds a bucket policy document (OSS allows 16 KB).
const maxBucketPolicy = 16 << 10

func (s *Server) getBucketPolicy(c *call) *ossError {
	_, src := c.bs.bucketPolicy()
	if src == "" {
		return apiErr("NoSuchBucketPolicy", "", field{"BucketName", c.bucket}).check("bucket", "the bucket has no policy")
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(src)))
	c.w.WriteHeader(http.StatusOK)
	io.WriteString(c.w, src)
	return nil
}

func (s *Server) putBucketPolicy(c *call) *ossError {
	body, e := readBounded(c.r.Body, maxBucketPolicy)
	if e != nil {
		return apiErr("InvalidArgument", "The bucket policy must not exceed 16 KB.").check("request", "policy too large")
	}
	if want, e := contentMD5(c.r.Header); e != nil {
		return e
	} else if want != nil {
		if sum := md5.Sum(body); !equalBytes(want, sum[:]) {
			return apiErr("BadDigest", "").check("request", "Content-MD5 does not match the policy")
		}
	}
	p, e := validateBucketPolicy(c.bucket, body)
	if e != nil {
		return e
	}
	c.bs.mu.Lock() // store and memory change together
	defer c.bs.mu.Unlock()
	if err := s.store.SetBucketPolicy(c.r.Context(), c.bucket, string(body)); err != nil {
		return storeErr(err, c)
	}
	c.bs.policy, c.bs.policySrc = p, string(body)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteBucketPolicy(c *call) *ossError {
	c.bs.mu.Lock()
	defer c.bs.mu.Unlock()
	if err := s.store.SetBucketPolicy(c.r.Context(), c.bucket, ""); err != nil {
		return storeErr(err, c)
	}
	c.bs.policy, c.bs.policySrc = nil, ""
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// validateBucketPolicy checks a bucket policy with the engine; errors carry their positions.
func validateBucketPolicy(bucket string, body []byte) (*policy.Policy, *ossError) {
	p, findings := policy.Validate(bucket, body, policy.KindBucket)
	if p == nil {
		msg := describeFindings(findings)
		return nil, apiErr("MalformedPolicy", "Policy is not valid: "+msg, field{"ErrorDetail", msg}).check("bucket-policy", msg)
	}
	return p, nil
}
