// Package oss is stsdeck's adapter over the official OSS SDK v2
// (github.com/aliyun/alibabacloud-oss-go-sdk-v2, imported as ossdk): test uploads, reads,
// listings, deletes, presigned URLs and the probe, always with temporary credentials, and OSS
// errors decoded into *model.APIError with what their EC means. The same code talks to the cloud
// and to the embedded sandbox over loopback.
package oss

import (
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	osscred "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/transport"

	"github.com/stsdeck/stsdeck/model"
)

// Defaults for uploads.
const (
	DefaultPartSize  = 8 << 20  // 8 MiB parts
	DefaultParallel  = 4        // parts in flight
	DefaultThreshold = 16 << 20 // multipart above 16 MiB
)

// Config configures a Service.
type Config struct {
	Region string // default cn-hangzhou; also the V4 signing region
	// Endpoint overrides oss-<region>.aliyuncs.com (https). IP and localhost endpoints use
	// path-style addressing.
	Endpoint model.Endpoint
	// Upload tuning; zero = the defaults above.
	PartSize  int64
	Parallel  int
	Threshold int64
	// SignatureV1 signs with OSS V1 instead of V4.
	SignatureV1 bool
	// HTTPClient replaces the SDK's transport (tests); nil = the SDK's own.
	HTTPClient *http.Client
	// Now is the local clock; nil = time.Now.
	Now func() time.Time
}

// Service makes Clients bound to credentials.
type Service struct {
	cfg Config

	once   sync.Once
	client *http.Client
}

// httpClient is the SDK's own transport (timeouts, no redirects) with large socket buffers:
// net/http writes a request body through a 4 KiB buffer by default, one write(2) per 4 KiB,
// which costs more CPU than the upload's checksums. Shared by every Client of the Service.
func (s *Service) httpClient() *http.Client {
	s.once.Do(func() {
		s.client = transport.NewHttpClient(&transport.Config{}, func(t *http.Transport) {
			t.WriteBufferSize = 256 << 10
			t.ReadBufferSize = 256 << 10
			t.MaxIdleConnsPerHost = 2 * max(s.cfg.Parallel, DefaultParallel)
		})
	})
	return s.client
}

// NewService returns a Service; it contacts nothing.
func NewService(cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "cn-hangzhou"
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = DefaultThreshold
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Region is the service's region.
func (s *Service) Region() string { return s.cfg.Region }

// Endpoint is the OSS endpoint URL in use.
func (s *Service) Endpoint() string {
	if !s.cfg.Endpoint.IsZero() {
		return s.cfg.Endpoint.URL()
	}
	return "https://oss-" + s.cfg.Region + ".aliyuncs.com"
}

// Client is OSS seen through one set of credentials. Safe for concurrent use.
type Client struct {
	svc   *Service
	sdk   *ossdk.Client
	token string
}

// With returns a Client acting with the given credentials.
func (s *Service) With(c model.Credentials) *Client {
	// NewConfig, not LoadDefaultConfig: OSS_SDK_LOG_LEVEL must not make the SDK log signed requests.
	cfg := ossdk.NewConfig().
		WithCredentialsProvider(osscred.NewStaticCredentialsProvider(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)).
		WithRegion(s.cfg.Region).
		WithEndpoint(s.Endpoint()).
		WithUserAgent("stsdeck")
	if !s.cfg.Endpoint.IsZero() && s.cfg.Endpoint.Loopback() {
		cfg = cfg.WithUsePathStyle(true)
	}
	if s.cfg.SignatureV1 {
		cfg = cfg.WithSignatureVersion(ossdk.SignatureVersionV1)
	}
	if s.cfg.HTTPClient != nil {
		cfg = cfg.WithHttpClient(s.cfg.HTTPClient)
	} else {
		cfg = cfg.WithHttpClient(s.httpClient())
	}
	return &Client{svc: s, sdk: ossdk.NewClient(cfg), token: c.SecurityToken}
}

// SDK exposes the underlying SDK client (benchmarks compare against it).
func (c *Client) SDK() *ossdk.Client { return c.sdk }

func (c *Client) fail(op string, err error) error { return decodeError(op, err, c.token) }

// Put uploads size bytes from body: one PutObject up to the threshold, else a parallel multipart
// upload through the SDK's Uploader. CRC-64 is checked on both paths; progress reports bytes done
// and elapsed time; cancelling ctx stops the upload, and a multipart upload is then aborted on
// the server with a fresh context (Client.abort): the SDK's own abort uses the cancelled one.
// A cancel that lands while InitiateMultipartUpload is in flight can still leave an upload the
// client never learnt the id of.
func (c *Client) Put(ctx context.Context, bucket, key string, body io.ReaderAt, size int64, progress func(model.Progress)) (model.ObjectInfo, error) {
	if size < 0 {
		return model.ObjectInfo{}, fmt.Errorf("oss put %s/%s: negative size", bucket, key)
	}
	start := c.svc.cfg.Now()
	var mu sync.Mutex
	var done int64
	report := func(n int64) {
		if progress == nil {
			return
		}
		mu.Lock()
		if n > done {
			done = n
		}
		p := model.Progress{Done: done, Total: size, Elapsed: c.svc.cfg.Now().Sub(start)}
		mu.Unlock()
		progress(p)
	}
	report(0)
	req := &ossdk.PutObjectRequest{
		Bucket:     ossdk.Ptr(bucket),
		Key:        ossdk.Ptr(key),
		ProgressFn: func(_, transferred, _ int64) { report(transferred) },
	}
	info := model.ObjectInfo{Bucket: bucket, Key: key, Size: size}
	if size <= c.svc.cfg.Threshold {
		req.Body = io.NewSectionReader(body, 0, size)
		res, err := c.sdk.PutObject(ctx, req)
		if err != nil {
			return info, c.fail("PutObject", err)
		}
		info.ETag = ossdk.ToString(res.ETag)
		info.CRC64 = ossdk.ToString(res.HashCRC64)
		info.RequestID = res.Headers.Get("x-oss-request-id")
		report(size)
		return info, nil
	}
	up := ossdk.NewUploader(c.sdk, func(o *ossdk.UploaderOptions) {
		o.PartSize = c.svc.cfg.PartSize
		o.ParallelNum = c.svc.cfg.Parallel
	})
	res, err := up.UploadFrom(ctx, req, io.NewSectionReader(body, 0, size))
	if err != nil {
		// The SDK aborts a failed upload with the request's context: when that context was
		// cancelled the abort never reaches the server and the uploaded parts stay there (and
		// are billed). Abort it again with a fresh, short-lived context.
		ferr := c.fail("MultipartUpload", err)
		var ue *ossdk.UploadError
		if ctx.Err() != nil && errors.As(err, &ue) && ue.UploadId != "" {
			if aerr := c.abort(ctx, bucket, key, ue.UploadId); aerr != nil {
				ferr = fmt.Errorf("%w; aborting multipart upload %s failed, its parts stay on the server: %v", ferr, ue.UploadId, aerr)
			}
		}
		return info, ferr
	}
	info.ETag = ossdk.ToString(res.ETag)
	info.CRC64 = ossdk.ToString(res.HashCRC64)
	info.RequestID = res.Headers.Get("x-oss-request-id")
	report(size)
	return info, nil
}

// AbortTimeout bounds the abort of a cancelled multipart upload.
const AbortTimeout = 10 * time.Second

// abort aborts a multipart upload with a context that outlives ctx's cancellation (bounded by
// AbortTimeout). A NoSuchUpload answer means there is nothing left to abort.
func (c *Client) abort(ctx context.Context, bucket, key, uploadID string) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), AbortTimeout)
	defer cancel()
	_, err := c.sdk.AbortMultipartUpload(actx, &ossdk.AbortMultipartUploadRequest{
		Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(uploadID),
	})
	if err == nil {
		return nil
	}
	err = c.fail("AbortMultipartUpload", err)
	var ae *model.APIError
	if errors.As(err, &ae) && ae.Code == "NoSuchUpload" {
		return nil
	}
	return err
}

// PutFile uploads a local file.
func (c *Client) PutFile(ctx context.Context, bucket, key, path string, progress func(model.Progress)) (model.ObjectInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return model.ObjectInfo{}, fmt.Errorf("upload: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return model.ObjectInfo{}, fmt.Errorf("upload: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return model.ObjectInfo{}, fmt.Errorf("upload: %s is not a regular file", path)
	}
	return c.Put(ctx, bucket, key, f, fi.Size(), progress)
}

// Get downloads an object into w and verifies it: the byte count against Content-Length and the
// CRC-64 of what arrived against x-oss-hash-crc64ecma when the server sends one.
func (c *Client) Get(ctx context.Context, bucket, key string, w io.Writer) (model.ObjectInfo, error) {
	res, err := c.sdk.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key)})
	if err != nil {
		return model.ObjectInfo{Bucket: bucket, Key: key}, c.fail("GetObject", err)
	}
	defer res.Body.Close()
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	n, err := io.Copy(io.MultiWriter(w, h), res.Body)
	info := model.ObjectInfo{
		Bucket: bucket, Key: key, Size: n, ETag: ossdk.ToString(res.ETag), CRC64: ossdk.ToString(res.HashCRC64),
		ContentType: ossdk.ToString(res.ContentType), RequestID: res.Headers.Get("x-oss-request-id"),
	}
	if res.LastModified != nil {
		info.LastModified = *res.LastModified
	}
	if err != nil {
		return info, fmt.Errorf("oss GetObject %s/%s: reading the body: %w", bucket, key, err)
	}
	if res.ContentLength >= 0 && n != res.ContentLength {
		return info, fmt.Errorf("oss GetObject %s/%s: got %d bytes, Content-Length said %d", bucket, key, n, res.ContentLength)
	}
	if info.CRC64 != "" {
		if got := strconv.FormatUint(h.Sum64(), 10); got != info.CRC64 {
			return info, fmt.Errorf("oss GetObject %s/%s: CRC-64 mismatch: computed %s, server says %s", bucket, key, got, info.CRC64)
		}
	}
	return info, nil
}

// Head returns an object's metadata.
func (c *Client) Head(ctx context.Context, bucket, key string) (model.ObjectInfo, error) {
	res, err := c.sdk.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key)})
	if err != nil {
		return model.ObjectInfo{Bucket: bucket, Key: key}, c.fail("HeadObject", err)
	}
	info := model.ObjectInfo{
		Bucket: bucket, Key: key, Size: res.ContentLength, ETag: ossdk.ToString(res.ETag), CRC64: ossdk.ToString(res.HashCRC64),
		ContentType: ossdk.ToString(res.ContentType), RequestID: res.Headers.Get("x-oss-request-id"),
	}
	if res.LastModified != nil {
		info.LastModified = *res.LastModified
	}
	return info, nil
}

// Delete removes an object (deleting a missing key succeeds, as in OSS).
func (c *Client) Delete(ctx context.Context, bucket, key string) error {
	_, err := c.sdk.DeleteObject(ctx, &ossdk.DeleteObjectRequest{Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key)})
	if err != nil {
		return c.fail("DeleteObject", err)
	}
	return nil
}

// List returns up to max objects under prefix (ListObjectsV2, following continuation tokens).
func (c *Client) List(ctx context.Context, bucket, prefix string, max int) ([]model.ObjectInfo, error) {
	if max <= 0 {
		max = 1000
	}
	var out []model.ObjectInfo
	var token *string
	for len(out) < max {
		page := int32(max - len(out))
		if page > 1000 {
			page = 1000
		}
		res, err := c.sdk.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{
			Bucket: ossdk.Ptr(bucket), Prefix: ossdk.Ptr(prefix), MaxKeys: page, ContinuationToken: token,
		})
		if err != nil {
			return out, c.fail("ListObjectsV2", err)
		}
		for _, o := range res.Contents {
			info := model.ObjectInfo{Bucket: bucket, Key: ossdk.ToString(o.Key), Size: o.Size, ETag: ossdk.ToString(o.ETag)}
			if o.LastModified != nil {
				info.LastModified = *o.LastModified
			}
			out = append(out, info)
		}
		if !res.IsTruncated || res.NextContinuationToken == nil || *res.NextContinuationToken == "" {
			break
		}
		token = res.NextContinuationToken
	}
	return out, nil
}

// MaxPresign is the longest validity the SDK signs.
const MaxPresign = 7 * 24 * time.Hour

// Presign returns a presigned GET or PUT URL valid for expires (at most 7 days).
func (c *Client) Presign(ctx context.Context, method, bucket, key string, expires time.Duration) (string, error) {
	if expires <= 0 || expires > MaxPresign {
		return "", fmt.Errorf("presign: expiry %s out of range (1s to 168h)", expires)
	}
	var req any
	switch strings.ToUpper(method) {
	case "GET", "":
		req = &ossdk.GetObjectRequest{Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key)}
	case "PUT":
		req = &ossdk.PutObjectRequest{Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key)}
	default:
		return "", fmt.Errorf("presign: method %q: want GET or PUT", method)
	}
	res, err := c.sdk.Presign(ctx, req, ossdk.PresignExpires(expires))
	if err != nil {
		return "", c.fail("Presign", err)
	}
	return res.URL, nil
}

// Generated is a deterministic pseudo-random test object of a given size, readable at any
// offset without holding it in memory (for test uploads and benchmarks).
type Generated struct {
	Seed uint64
	N    int64
}

// ReadAt implements io.ReaderAt: byte i is a function of (Seed, i).
func (g Generated) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.N {
		return 0, io.EOF
	}
	n := len(p)
	if rem := g.N - off; int64(n) > rem {
		n = int(rem)
	}
	for i := 0; i < n; {
		pos := off + int64(i)
		word := splitmix(g.Seed ^ uint64(pos>>3))
		for j := int(pos & 7); j < 8 && i < n; j++ {
			p[i] = byte(word >> (8 * j))
			i++
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Bytes returns the whole generated object (small sizes only).
func (g Generated) Bytes() []byte {
	b := make([]byte, g.N)
	g.ReadAt(b, 0)
	return b
}

// crcOf returns the CRC-64/XZ of b in OSS's decimal form.
func crcOf(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)), 10)
}

// BucketPolicy reads a bucket's policy: (document, true) when it has one, ("", false) when OSS
// says it has none (NoSuchBucketPolicy); an error otherwise (typically 403: not readable with
// these credentials).
func (c *Client) BucketPolicy(ctx context.Context, bucket string) (string, bool, error) {
	res, err := c.sdk.GetBucketPolicy(ctx, &ossdk.GetBucketPolicyRequest{Bucket: ossdk.Ptr(bucket)})
	if err != nil {
		err = c.fail("GetBucketPolicy", err)
		if ae, ok := err.(*model.APIError); ok && ae.Code == "NoSuchBucketPolicy" {
			return "", false, nil
		}
		return "", false, err
	}
	return res.Body, true, nil
}
