package issuereq

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// RegionProblem says what is wrong with a region id ("cn-hangzhou", "ap-southeast-1",
// "cn-shanghai-finance-1"), "" when it has the form of one. The OSS Go SDK v2 accepts only
// lower-case letters, digits and "-" (alibabacloud-oss-go-sdk-v2 oss/validation.go
// isValidRegion) and STS builds its host from the id (sts.<region>.aliyuncs.com), so a region
// is: lower-case letters, digits and single hyphens between parts, at least two parts, the
// first letters only, at most 64 characters. An OSS-style "oss-cn-hangzhou" is refused with
// the id it means.
func RegionProblem(r string) string {
	if r == "" {
		return "region is empty: want a region id such as cn-hangzhou"
	}
	if len(r) > 64 {
		return fmt.Sprintf("region: %d characters, at most 64", len(r))
	}
	for i, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Sprintf("region %q: %q at position %d is not allowed (a region id is lower-case letters, digits and -, e.g. cn-hangzhou)", r, c, i+1)
		}
	}
	parts := strings.Split(r, "-")
	if len(parts) < 2 {
		return fmt.Sprintf("region %q: not a region id (want parts joined by -, e.g. cn-hangzhou, ap-southeast-1)", r)
	}
	for _, p := range parts {
		if p == "" {
			return fmt.Sprintf("region %q: empty part (a leading, trailing or double -)", r)
		}
	}
	if strings.Trim(parts[0], "abcdefghijklmnopqrstuvwxyz") != "" {
		return fmt.Sprintf("region %q: must start with letters (e.g. cn-hangzhou)", r)
	}
	if parts[0] == "oss" {
		return fmt.Sprintf("region %q: that is OSS's name for the region; the region id is %q", r, strings.TrimPrefix(r, "oss-"))
	}
	return ""
}

// DefaultSessionName is the RoleSessionName stsdeck uses when none is given (the console's
// Issue form and every command): "stsdeck-" + the UTC time to the second + "-" + 4 random hex
// digits, so that tokens issued within one second still carry different names (RAM's audit
// trail and the assumed-role ARN tell them apart). 28 characters, valid for STS (letters,
// digits, - only).
func DefaultSessionName(now time.Time) string {
	var b [2]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return "stsdeck-" + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}
