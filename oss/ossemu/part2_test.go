package ossemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"hash/crc64"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"testing"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func randBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func crcOf(b []byte) string { return strconv.FormatUint(crc64.Checksum(b, crcTable), 10) }

func TestCRC64Combine(t *testing.T) {
	data := randBytes(300001, 1)
	for _, split := range []int{0, 1, 7, 100000, 299999, 300001} {
		t.Run(strconv.Itoa(split), func(t *testing.T) {
			a, b := data[:split], data[split:]
			got := crc64Combine(crc64.Checksum(a, crcTable), crc64.Checksum(b, crcTable), int64(len(b)))
			if want := crc64.Checksum(data, crcTable); got != want {
				t.Fatalf("combine %d != %d", got, want)
			}
		})
	}
}

func getAll(t testing.TB, c *ossdk.Client, bucket, key string) ([]byte, *ossdk.GetObjectResult) {
	t.Helper()
	g, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: ossdk.Ptr(bucket), Key: ossdk.Ptr(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Body.Close()
	b, err := io.ReadAll(g.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, g
}

func TestSDKMultipart(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	bk := ossdk.Ptr("examplebucket")
	initiate := func(t *testing.T, key string) string {
		t.Helper()
		r, err := c.InitiateMultipartUpload(ctx, &ossdk.InitiateMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), ContentType: ossdk.Ptr("application/x-test"),
			Metadata: map[string]string{"origin": "mp"}})
		if err != nil {
			t.Fatal(err)
		}
		return ossdk.ToString(r.UploadId)
	}
	upload := func(t *testing.T, key, id string, n int32, data []byte) *ossdk.UploadPartResult {
		t.Helper()
		r, err := c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id), PartNumber: n, Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("manual", func(t *testing.T) {
		key := "mp/manual.bin"
		id := initiate(t, key)
		p1, p2, p3 := randBytes(150<<10, 2), randBytes(120<<10, 3), randBytes(1000, 4)
		r2 := upload(t, key, id, 2, p2)
		upload(t, key, id, 1, randBytes(100<<10, 9)) // replaced by the next upload of part 1
		r1 := upload(t, key, id, 1, p1)
		r3 := upload(t, key, id, 3, p3)
		if ossdk.ToString(r3.HashCRC64) != crcOf(p3) {
			t.Fatalf("part crc %s", ossdk.ToString(r3.HashCRC64))
		}
		lp, err := c.ListParts(ctx, &ossdk.ListPartsRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id), MaxParts: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(lp.Parts) != 2 || !lp.IsTruncated || lp.NextPartNumberMarker != 2 || lp.Parts[0].Size != int64(len(p1)) || ossdk.ToString(lp.Parts[1].HashCRC64) != crcOf(p2) {
			t.Fatalf("list parts %+v", lp)
		}
		lu, err := c.ListMultipartUploads(ctx, &ossdk.ListMultipartUploadsRequest{Bucket: bk, Prefix: ossdk.Ptr("mp/")})
		if err != nil || len(lu.Uploads) != 1 || ossdk.ToString(lu.Uploads[0].UploadId) != id {
			t.Fatalf("list uploads %v %+v", err, lu)
		}
		done, err := c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id),
			CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: []ossdk.UploadPart{{PartNumber: 1, ETag: r1.ETag}, {PartNumber: 2, ETag: r2.ETag}, {PartNumber: 3, ETag: r3.ETag}}}})
		if err != nil {
			t.Fatal(err)
		}
		all := append(append(append([]byte{}, p1...), p2...), p3...)
		if ossdk.ToString(done.HashCRC64) != crcOf(all) || !strings.HasSuffix(ossdk.ToString(done.ETag), `-3"`) || ossdk.ToString(done.Key) != key {
			t.Fatalf("complete: crc %s etag %s key %s", ossdk.ToString(done.HashCRC64), ossdk.ToString(done.ETag), ossdk.ToString(done.Key))
		}
		got, g := getAll(t, c, "examplebucket", key)
		if !bytes.Equal(got, all) || ossdk.ToString(g.ObjectType) != "Multipart" || g.Metadata["origin"] != "mp" || ossdk.ToString(g.ContentType) != "application/x-test" {
			t.Fatalf("read back %d bytes, type %s meta %v", len(got), ossdk.ToString(g.ObjectType), g.Metadata)
		}
		// A range across the part boundary.
		rg, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Range: ossdk.Ptr("bytes=153590-153610")})
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(rg.Body)
		rg.Body.Close()
		if !bytes.Equal(rb, all[153590:153611]) {
			t.Fatal("range across parts differs")
		}
		// The upload is gone.
		_, err = c.ListParts(ctx, &ossdk.ListPartsRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id)})
		wantErr(t, err, 404, "NoSuchUpload", "0042-00000002")
	})
	t.Run("complete-all", func(t *testing.T) {
		key := "mp/all.bin"
		id := initiate(t, key)
		p1, p2 := randBytes(100<<10, 5), randBytes(10, 6)
		upload(t, key, id, 1, p1)
		upload(t, key, id, 2, p2)
		done, err := c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id), CompleteAll: ossdk.Ptr("yes")})
		if err != nil {
			t.Fatal(err)
		}
		if ossdk.ToString(done.HashCRC64) != crcOf(append(p1, p2...)) {
			t.Fatal("crc")
		}
	})
	t.Run("errors", func(t *testing.T) {
		key := "mp/err.bin"
		id := initiate(t, key)
		small := upload(t, key, id, 1, randBytes(1000, 7))
		big := upload(t, key, id, 2, randBytes(100<<10, 8))
		complete := func(parts ...ossdk.UploadPart) error {
			_, err := c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id),
				CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: parts}})
			return err
		}
		// The SDK sorts parts itself, so order is checked with a raw body below.
		wantErr(t, complete(ossdk.UploadPart{PartNumber: 1, ETag: small.ETag}, ossdk.UploadPart{PartNumber: 2, ETag: big.ETag}), 400, "EntityTooSmall", "")
		wantErr(t, complete(ossdk.UploadPart{PartNumber: 2, ETag: ossdk.Ptr(`"00000000000000000000000000000000"`)}), 400, "InvalidPart", "")
		wantErr(t, complete(ossdk.UploadPart{PartNumber: 3, ETag: big.ETag}), 400, "InvalidPart", "")
		_, err := c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id), CompleteAll: ossdk.Ptr("yes"),
			CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: []ossdk.UploadPart{{PartNumber: 2, ETag: big.ETag}}}})
		wantErr(t, err, 400, "InvalidArgument", "0042-00000216")
		_, err = c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bk, Key: ossdk.Ptr("mp/other"), UploadId: ossdk.Ptr(id), PartNumber: 1, Body: strings.NewReader("x")})
		wantErr(t, err, 404, "NoSuchUpload", "")
		_, err = c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id), PartNumber: 10001, Body: strings.NewReader("x")})
		wantErr(t, err, 400, "InvalidArgument", "")
		// A single small part is fine: the last part may be small.
		if err := complete(ossdk.UploadPart{PartNumber: 2, ETag: big.ETag}); err != nil {
			t.Fatal(err)
		}
		// x-oss-forbid-overwrite on an existing key: refused, and the upload is still there.
		id3 := initiate(t, key)
		p := upload(t, key, id3, 1, []byte("x"))
		_, err = c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id3), ForbidOverwrite: ossdk.Ptr("true"),
			CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: []ossdk.UploadPart{{PartNumber: 1, ETag: p.ETag}}}})
		wantErr(t, err, 409, "FileAlreadyExists", "")
		if _, err := c.AbortMultipartUpload(ctx, &ossdk.AbortMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id3)}); err != nil {
			t.Fatal(err)
		}
		id2 := initiate(t, key)
		if _, err := c.AbortMultipartUpload(ctx, &ossdk.AbortMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id2)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.AbortMultipartUpload(ctx, &ossdk.AbortMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id2)})
		wantErr(t, err, 404, "NoSuchUpload", "")
	})
	t.Run("raw-order", func(t *testing.T) {
		key := "mp/order.bin"
		id := initiate(t, key)
		r1 := upload(t, key, id, 1, randBytes(100<<10, 10))
		r2 := upload(t, key, id, 2, randBytes(100<<10, 11))
		body := "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>" + ossdk.ToString(r2.ETag) + "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>" + ossdk.ToString(r1.ETag) + "</ETag></Part></CompleteMultipartUpload>"
		status, resp := e.rawSigned(t, "POST", "/examplebucket/"+key, "uploadId="+id, body)
		if status != 400 || !strings.Contains(resp, "<Code>InvalidPartOrder</Code>") {
			t.Fatalf("%d %s", status, resp)
		}
		status, resp = e.rawSigned(t, "POST", "/examplebucket/"+key, "uploadId="+id, "<CompleteMultipartUpload><Part>")
		if status != 400 || !strings.Contains(resp, "<Code>MalformedXML</Code>") {
			t.Fatalf("%d %s", status, resp)
		}
	})
	t.Run("uploader", func(t *testing.T) {
		data := randBytes(3<<20+12345, 12)
		up := c.NewUploader(func(o *ossdk.UploaderOptions) { o.PartSize = 512 << 10; o.ParallelNum = 4 })
		res, err := up.UploadFrom(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("mp/uploader.bin")}, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err) // the uploader also checks the combined CRC64 of the Complete answer
		}
		if ossdk.ToString(res.HashCRC64) != crcOf(data) {
			t.Fatal("crc")
		}
		got, _ := getAll(t, c, "examplebucket", "mp/uploader.bin")
		if !bytes.Equal(got, data) {
			t.Fatal("content differs")
		}
	})
}

// rawSigned sends a V1-signed request as LTAI5tExampleUser (for bodies the SDK will not send).
func (e *env) rawSigned(t testing.TB, method, path, rawQuery, body string) (int, string) {
	t.Helper()
	b, k, _ := ParseAddress("127.0.0.1", path)
	date := e.wall.Now().UTC().Format(http.TimeFormat)
	h := http.Header{}
	h.Set("Date", date)
	sum := md5.Sum([]byte(body))
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	h.Set("Content-Type", "application/xml")
	sig := v1Sign("ExampleSecret123", V1StringToSign(&SigRequest{Method: method, Bucket: b, Key: k, RawQuery: rawQuery, Header: h}, date))
	u := e.hs["cn-hangzhou"].URL + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header = h
	req.Header.Set("Authorization", "OSS LTAI5tExampleUser:"+sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(rb)
}

func TestSDKCopyDeleteListV1(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	bk := ossdk.Ptr("examplebucket")
	if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("src/a.txt"), Body: strings.NewReader("copy me"), Metadata: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	t.Run("copy", func(t *testing.T) {
		r, err := c.CopyObject(ctx, &ossdk.CopyObjectRequest{Bucket: bk, Key: ossdk.Ptr("dst/a copy.txt"), SourceKey: ossdk.Ptr("src/a.txt")})
		if err != nil {
			t.Fatal(err)
		}
		got, g := getAll(t, c, "examplebucket", "dst/a copy.txt")
		if string(got) != "copy me" || g.Metadata["k"] != "v" || ossdk.ToString(r.ETag) != ossdk.ToString(g.ETag) {
			t.Fatalf("%q %v", got, g.Metadata)
		}
		_, err = c.CopyObject(ctx, &ossdk.CopyObjectRequest{Bucket: bk, Key: ossdk.Ptr("dst/b"), SourceKey: ossdk.Ptr("src/missing")})
		wantErr(t, err, 404, "NoSuchKey", "")
		// The partner token may put into src/ but not read: copying src/a.txt to src/b is denied on the source.
		sts := e.client("cn-hangzhou", "STS.capture", "capturesecret", "CAIScapture")
		_, err = sts.CopyObject(ctx, &ossdk.CopyObjectRequest{Bucket: bk, Key: ossdk.Ptr("src/b"), SourceKey: ossdk.Ptr("src/a.txt")})
		se := wantErr(t, err, 403, "AccessDenied", "0003-00000301")
		if x := parseErrorBody(t, se); x.AccessDeniedDetail.AuthAction != "oss:GetObject" {
			t.Fatalf("%+v", x)
		}
	})
	t.Run("delete-multiple", func(t *testing.T) {
		for _, k := range []string{"del/1", "del/2", "del/3 +"} {
			c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr(k), Body: strings.NewReader("x")})
		}
		r, err := c.DeleteMultipleObjects(ctx, &ossdk.DeleteMultipleObjectsRequest{Bucket: bk, Objects: []ossdk.DeleteObject{{Key: ossdk.Ptr("del/1")}, {Key: ossdk.Ptr("del/3 +")}, {Key: ossdk.Ptr("del/none")}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.DeletedObjects) != 3 || ossdk.ToString(r.DeletedObjects[1].Key) != "del/3 +" {
			t.Fatalf("%+v", r.DeletedObjects)
		}
		r, err = c.DeleteMultipleObjects(ctx, &ossdk.DeleteMultipleObjectsRequest{Bucket: bk, Quiet: true, Objects: []ossdk.DeleteObject{{Key: ossdk.Ptr("del/2")}}})
		if err != nil || len(r.DeletedObjects) != 0 {
			t.Fatalf("quiet: %v %+v", err, r)
		}
		lr, _ := c.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: bk, Prefix: ossdk.Ptr("del/")})
		if len(lr.Contents) != 0 {
			t.Fatalf("left: %+v", lr.Contents)
		}
		deny := e.client("cn-hangzhou", "LTAIdeny", "denysecret", "")
		_, err = deny.DeleteMultipleObjects(ctx, &ossdk.DeleteMultipleObjectsRequest{Bucket: bk, Objects: []ossdk.DeleteObject{{Key: ossdk.Ptr("src/a.txt")}}})
		wantErr(t, err, 403, "AccessDenied", "0003-00000204")
		status, resp := e.rawSigned(t, "POST", "/examplebucket/", "delete", "<Remove><Object><Key>x</Key></Object></Remove>")
		if status != 400 || !strings.Contains(resp, "the root node is not named Delete.") {
			t.Fatalf("%d %s", status, resp)
		}
	})
	t.Run("list-v1", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("v1/" + strconv.Itoa(i)), Body: strings.NewReader("x")})
		}
		p := c.NewListObjectsPaginator(&ossdk.ListObjectsRequest{Bucket: bk, Prefix: ossdk.Ptr("v1/"), MaxKeys: 2})
		var keys []string
		for p.HasNext() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				keys = append(keys, ossdk.ToString(o.Key))
			}
		}
		if strings.Join(keys, ",") != "v1/0,v1/1,v1/2,v1/3,v1/4" {
			t.Fatal(keys)
		}
	})
}

func TestSDKBucketPolicyAPI(t *testing.T) {
	seed := `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:examplebucket/seed/*"]}]}`
	buckets := []Bucket{{Name: "examplebucket", Region: "cn-hangzhou", Policy: seed}}
	e := newEnv(t, buckets...)
	c := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	bk := ossdk.Ptr("examplebucket")
	g, err := c.GetBucketPolicy(ctx, &ossdk.GetBucketPolicyRequest{Bucket: bk})
	if err != nil || g.Body != seed {
		t.Fatalf("%v %+v", err, g)
	}
	bad := "{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Effect\": \"allow\", \"Principal\": [\"*\"], \"Action\": [\"oss:GetObject\"], \"Resource\": [\"acs:oss:*:*:examplebucket/*\"]}]\n}"
	_, err = c.PutBucketPolicy(ctx, &ossdk.PutBucketPolicyRequest{Bucket: bk, Body: strings.NewReader(bad)})
	se := wantErr(t, err, 400, "MalformedPolicy", "")
	if !strings.Contains(se.Message, "line 3") || !strings.Contains(se.Message, "Effect") {
		t.Fatalf("not positioned: %s", se.Message)
	}
	good := `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:examplebucket/pub/*"]}]}`
	if _, err := c.PutBucketPolicy(ctx, &ossdk.PutBucketPolicyRequest{Bucket: bk, Body: strings.NewReader(good)}); err != nil {
		t.Fatal(err)
	}
	c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("pub/x"), Body: strings.NewReader("pub")})
	anon := func() int {
		resp, err := http.Get(e.hs["cn-hangzhou"].URL + "/examplebucket/pub/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if anon() != 200 {
		t.Fatal("new policy not applied")
	}
	// Restart on the same data dir with the same seed: the stored policy wins.
	e.srv.Close()
	for _, hs := range e.hs {
		hs.Close()
	}
	e.start(buckets)
	c = e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	g, err = c.GetBucketPolicy(ctx, &ossdk.GetBucketPolicyRequest{Bucket: bk})
	if err != nil || g.Body != good || anon() != 200 {
		t.Fatalf("after restart: %v %+v", err, g)
	}
	if _, err := c.DeleteBucketPolicy(ctx, &ossdk.DeleteBucketPolicyRequest{Bucket: bk}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketPolicy(ctx, &ossdk.GetBucketPolicyRequest{Bucket: bk})
	wantErr(t, err, 404, "NoSuchBucketPolicy", "")
	if anon() != 403 {
		t.Fatal("deleted policy still applies")
	}
	e.start(buckets)
	if anon() != 403 {
		t.Fatal("deleted policy came back after restart")
	}
	// A user without oss:PutBucketPolicy is refused.
	np := e.client("cn-hangzhou", "LTAInoperm", "nopermsecret", "")
	_, err = np.PutBucketPolicy(ctx, &ossdk.PutBucketPolicyRequest{Bucket: bk, Body: strings.NewReader(good)})
	wantErr(t, err, 403, "AccessDenied", "")
}

func TestSDKExistenceHelpers(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("here"), Body: strings.NewReader("x")})
	for _, tc := range []struct {
		name string
		f    func() (bool, error)
		want bool
	}{
		{"object-present", func() (bool, error) { return c.IsObjectExist(ctx, "examplebucket", "here") }, true},
		{"object-absent", func() (bool, error) { return c.IsObjectExist(ctx, "examplebucket", "absent") }, false},
		{"bucket-present", func() (bool, error) { return c.IsBucketExist(ctx, "examplebucket") }, true},
		{"bucket-absent", func() (bool, error) { return c.IsBucketExist(ctx, "nobucket") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f()
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
	acl, err := c.GetObjectAcl(ctx, &ossdk.GetObjectAclRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("here")})
	if err != nil || ossdk.ToString(acl.ACL) != "default" {
		t.Fatalf("%v %+v", err, acl)
	}
}

func TestConditionalGet(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	bk := ossdk.Ptr("examplebucket")
	put, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("c"), Body: strings.NewReader("conditional")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: bk, Key: ossdk.Ptr("c"), IfMatch: ossdk.Ptr(`"0000"`)})
	wantErr(t, err, 412, "PreconditionFailed", "")
	g, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: bk, Key: ossdk.Ptr("c"), IfMatch: put.ETag})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	_, err = c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: bk, Key: ossdk.Ptr("c"), IfNoneMatch: put.ETag})
	if se := serviceErr(t, err); se.StatusCode != 304 {
		t.Fatalf("If-None-Match on the current ETag: %d", se.StatusCode)
	}
}

func TestSDKUploadPartCopy(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	bk := ossdk.Ptr("examplebucket")
	src := randBytes(300<<10, 40)
	if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("src.bin"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	init, err := c.InitiateMultipartUpload(ctx, &ossdk.InitiateMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr("dst.bin")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []ossdk.UploadPart
	for i, rng := range []string{"bytes=0-153599", "bytes=153600-307199"} {
		r, err := c.UploadPartCopy(ctx, &ossdk.UploadPartCopyRequest{Bucket: bk, Key: ossdk.Ptr("dst.bin"), UploadId: init.UploadId, PartNumber: int32(i + 1),
			SourceKey: ossdk.Ptr("src.bin"), Range: ossdk.Ptr(rng)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, ossdk.UploadPart{PartNumber: int32(i + 1), ETag: r.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr("dst.bin"), UploadId: init.UploadId,
		CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	got, _ := getAll(t, c, "examplebucket", "dst.bin")
	if !bytes.Equal(got, src) {
		t.Fatal("copied parts differ from the source")
	}
	_, err = c.UploadPartCopy(ctx, &ossdk.UploadPartCopyRequest{Bucket: bk, Key: ossdk.Ptr("dst.bin"), UploadId: init.UploadId, PartNumber: 1, SourceKey: ossdk.Ptr("src.bin")})
	wantErr(t, err, 404, "NoSuchUpload", "")
}
