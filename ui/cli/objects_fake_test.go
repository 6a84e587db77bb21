package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

// fakeObjects is an OSS with objects per bucket; each client remembers whose credentials it
// acts with, and may be told to deny deletes.
type fakeObjects struct {
	mu       sync.Mutex
	objects  map[string]map[string]int64 // bucket → key → size
	presigns []fakePresign
	deleted  []string // "ak bucket/key"
	denyDel  map[string]bool
	policies map[string]string // bucket → policy document
}

type fakePresign struct {
	method, bucket, key string
	expires             time.Duration
	ak                  string
}

func newFakeObjects() *fakeObjects {
	return &fakeObjects{objects: map[string]map[string]int64{}, denyDel: map[string]bool{}, policies: map[string]string{}}
}

func (f *fakeObjects) put(bucket string, keys ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.objects[bucket] == nil {
		f.objects[bucket] = map[string]int64{}
	}
	for _, k := range keys {
		f.objects[bucket][k] = int64(len(k))
	}
}

func (f *fakeObjects) keys(bucket string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.objects[bucket] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (f *fakeObjects) With(c model.Credentials) service.ObjectClient { return &fakeObjectClient{f, c} }

type fakeObjectClient struct {
	f *fakeObjects
	c model.Credentials
}

func (o *fakeObjectClient) Put(_ context.Context, bucket, key string, _ io.ReaderAt, size int64, _ func(model.Progress)) (model.ObjectInfo, error) {
	o.f.put(bucket, key)
	return model.ObjectInfo{Bucket: bucket, Key: key, Size: size}, nil
}
func (o *fakeObjectClient) Head(_ context.Context, bucket, key string) (model.ObjectInfo, error) {
	return model.ObjectInfo{Bucket: bucket, Key: key}, nil
}
func (o *fakeObjectClient) Delete(_ context.Context, bucket, key string) error {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	if o.f.denyDel[key] {
		return &model.APIError{Service: "oss", Operation: "DeleteObject", StatusCode: 403, Code: "AccessDenied", Message: "You have no right to access this object because of bucket acl.", RequestID: "REQDEL"}
	}
	delete(o.f.objects[bucket], key)
	o.f.deleted = append(o.f.deleted, o.c.AccessKeyID+" "+bucket+"/"+key)
	return nil
}
func (o *fakeObjectClient) Probe(context.Context, model.ProbeSpec) (model.ProbeReport, error) {
	return model.ProbeReport{}, fmt.Errorf("not faked")
}
func (o *fakeObjectClient) Presign(_ context.Context, method, bucket, key string, expires time.Duration) (string, error) {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	o.f.presigns = append(o.f.presigns, fakePresign{method, bucket, key, expires, o.c.AccessKeyID})
	return fmt.Sprintf("https://%s.oss.example/%s?Expires=%d&OSSAccessKeyId=%s", bucket, key, int64(expires/time.Second), o.c.AccessKeyID), nil
}

// List lists like ListObjectsV2 (flow's ObjectLister).
func (o *fakeObjectClient) List(_ context.Context, bucket, prefix string, max int) ([]model.ObjectInfo, error) {
	var out []model.ObjectInfo
	for _, k := range o.f.keys(bucket) {
		if strings.HasPrefix(k, prefix) && (max <= 0 || len(out) < max) {
			out = append(out, model.ObjectInfo{Bucket: bucket, Key: k, Size: int64(len(k))})
		}
	}
	return out, nil
}

// BucketPolicy reads a bucket's policy (flow.BucketPolicyReader).
func (o *fakeObjectClient) BucketPolicy(_ context.Context, bucket string) (string, bool, error) {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	doc, ok := o.f.policies[bucket]
	return doc, ok, nil
}
