package oss

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/stsdeck/stsdeck/model"
)

// Replay makes a tool's calls in order with the client's credentials (stsdeck probe --as):
// one small object per upload (a one-part multipart upload for the multipart calls), so an
// upload-only token leaves behind at most that object. A multipart call after a failed
// InitiateMultipartUpload is not sent (Code "Skipped"). The answers are in the order of ops;
// an error is returned only when ctx ends.
func (c *Client) Replay(ctx context.Context, ops []model.ToolOp) ([]model.ProbeActual, error) {
	out := make([]model.ProbeActual, 0, len(ops))
	uploads := map[string]string{}           // key → upload id
	parts := map[string][]ossdk.UploadPart{} // key → uploaded parts
	body := []byte("stsdeck tool replay\n")
	for _, op := range ops {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("replay: %w", err)
		}
		start := time.Now()
		var err error
		var reqID string
		status := 200
		b, k := ossdk.Ptr(op.Bucket), ossdk.Ptr(op.Key)
		skip := false
		switch op.Op {
		case "ListBuckets":
			var r *ossdk.ListBucketsResult
			if r, err = c.sdk.ListBuckets(ctx, &ossdk.ListBucketsRequest{}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
			}
		case "GetBucketInfo":
			var r *ossdk.GetBucketInfoResult
			if r, err = c.sdk.GetBucketInfo(ctx, &ossdk.GetBucketInfoRequest{Bucket: b}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
			}
		case "GetBucketLocation":
			var r *ossdk.GetBucketLocationResult
			if r, err = c.sdk.GetBucketLocation(ctx, &ossdk.GetBucketLocationRequest{Bucket: b}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
			}
		case "ListObjects":
			req := &ossdk.ListObjectsRequest{Bucket: b, MaxKeys: 10}
			if op.Prefix != "" {
				req.Prefix = ossdk.Ptr(op.Prefix)
			}
			if op.Delimiter != "" {
				req.Delimiter = ossdk.Ptr(op.Delimiter)
			}
			var r *ossdk.ListObjectsResult
			if r, err = c.sdk.ListObjects(ctx, req); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
			}
		case "HeadObject":
			var r *ossdk.HeadObjectResult
			if r, err = c.sdk.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: b, Key: k}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
			}
		case "GetObject":
			var r *ossdk.GetObjectResult
			if r, err = c.sdk.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: b, Key: k}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
				r.Body.Close()
			}
		case "PutObject":
			var r *ossdk.PutObjectResult
			if r, err = c.sdk.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: b, Key: k, Body: bytes.NewReader(body)}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
			}
		case "InitiateMultipartUpload":
			var r *ossdk.InitiateMultipartUploadResult
			if r, err = c.sdk.InitiateMultipartUpload(ctx, &ossdk.InitiateMultipartUploadRequest{Bucket: b, Key: k}); err == nil {
				reqID = r.Headers.Get("x-oss-request-id")
				uploads[op.Key] = ossdk.ToString(r.UploadId)
			}
		case "UploadPart", "ListParts", "CompleteMultipartUpload", "AbortMultipartUpload":
			id, ok := uploads[op.Key]
			if !ok {
				skip = true
				break
			}
			switch op.Op {
			case "UploadPart":
				var r *ossdk.UploadPartResult
				n := int32(len(parts[op.Key]) + 1)
				if r, err = c.sdk.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: b, Key: k, UploadId: ossdk.Ptr(id), PartNumber: n, Body: bytes.NewReader(body)}); err == nil {
					reqID = r.Headers.Get("x-oss-request-id")
					parts[op.Key] = append(parts[op.Key], ossdk.UploadPart{PartNumber: n, ETag: r.ETag})
				}
			case "ListParts":
				var r *ossdk.ListPartsResult
				if r, err = c.sdk.ListParts(ctx, &ossdk.ListPartsRequest{Bucket: b, Key: k, UploadId: ossdk.Ptr(id)}); err == nil {
					reqID = r.Headers.Get("x-oss-request-id")
				}
			case "CompleteMultipartUpload":
				var r *ossdk.CompleteMultipartUploadResult
				if r, err = c.sdk.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: b, Key: k, UploadId: ossdk.Ptr(id),
					CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: parts[op.Key]}}); err == nil {
					reqID = r.Headers.Get("x-oss-request-id")
					delete(uploads, op.Key)
				}
			case "AbortMultipartUpload":
				var r *ossdk.AbortMultipartUploadResult
				if r, err = c.sdk.AbortMultipartUpload(ctx, &ossdk.AbortMultipartUploadRequest{Bucket: b, Key: k, UploadId: ossdk.Ptr(id)}); err == nil {
					reqID = r.Headers.Get("x-oss-request-id")
					status = 204
					delete(uploads, op.Key)
				}
			}
		default:
			err = fmt.Errorf("replay: operation %q is not known", op.Op)
		}
		a := model.ProbeActual{LatencyMS: time.Since(start).Milliseconds(), RequestID: reqID}
		switch {
		case skip:
			a.Code, a.Message = "Skipped", "not sent: no multipart upload was started"
		case err == nil:
			a.Allowed, a.Status = true, status
		default:
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return out, fmt.Errorf("replay: %w", err)
			}
			var ae *model.APIError
			if e := c.fail(op.Op, err); errors.As(e, &ae) {
				a.Status, a.Code, a.EC, a.RequestID, a.Message = ae.StatusCode, ae.Code, ae.EC, ae.RequestID, ae.Message
				a.Allowed = ae.StatusCode != 403 // a 404 (HeadObject of a new key) is an allowed call
			} else {
				a.Code, a.Message = "ClientError", e.Error()
			}
		}
		out = append(out, a)
	}
	for key, id := range uploads { // leave no multipart upload open
		c.sdk.AbortMultipartUpload(context.WithoutCancel(ctx), &ossdk.AbortMultipartUploadRequest{Bucket: ossdk.Ptr(opsBucket(ops)), Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id)})
	}
	return out, nil
}

func opsBucket(ops []model.ToolOp) string {
	for _, o := range ops {
		if o.Bucket != "" {
			return o.Bucket
		}
	}
	return ""
}
