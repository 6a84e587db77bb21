package ossemu

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	levelService = iota
	levelBucket
	levelObject
)

// maxPutSize is OSS's single-PUT limit.
const maxPutSize = 5 << 30

type opSpec struct {
	name   string
	action string // "" = the handler authorizes itself
	level  int
	list   bool // carries oss:Prefix / oss:Delimiter
	run    func(s *Server, c *call) *ossError
}

// route picks the operation: one table, by level, method and sub-resource.
func route(c *call) opSpec {
	q := c.query
	m := c.r.Method
	switch {
	case c.bucket == "":
		if m == http.MethodGet {
			return opSpec{"ListBuckets", "oss:ListBuckets", levelService, false, (*Server).listBuckets}
		}
	case !c.hasKey:
		switch m {
		case http.MethodGet:
			switch {
			case q.Has("location"):
				return opSpec{"GetBucketLocation", "oss:GetBucketLocation", levelBucket, false, (*Server).getBucketLocation}
			case q.Has("bucketInfo"):
				return opSpec{"GetBucketInfo", "oss:GetBucketInfo", levelBucket, false, (*Server).getBucketInfo}
			case q.Has("acl"):
				return opSpec{"GetBucketAcl", "oss:GetBucketAcl", levelBucket, false, (*Server).getBucketAcl}
			case q.Has("policy"):
				return opSpec{"GetBucketPolicy", "oss:GetBucketPolicy", levelBucket, false, (*Server).getBucketPolicy}
			case q.Has("uploads"):
				return opSpec{"ListMultipartUploads", "oss:ListMultipartUploads", levelBucket, false, (*Server).listUploads}
			case q.Get("list-type") == "2":
				return opSpec{"ListObjectsV2", "oss:ListObjects", levelBucket, true, (*Server).listObjectsV2}
			case len(q) == 0 || onlyListParams(q):
				return opSpec{"ListObjects", "oss:ListObjects", levelBucket, true, (*Server).listObjectsV1}
			}
		case http.MethodPut:
			if q.Has("policy") {
				return opSpec{"PutBucketPolicy", "oss:PutBucketPolicy", levelBucket, false, (*Server).putBucketPolicy}
			}
		case http.MethodDelete:
			if q.Has("policy") {
				return opSpec{"DeleteBucketPolicy", "oss:DeleteBucketPolicy", levelBucket, false, (*Server).deleteBucketPolicy}
			}
		case http.MethodPost:
			if q.Has("delete") {
				return opSpec{"DeleteMultipleObjects", "", levelObject, false, (*Server).deleteMultiple}
			}
			if isPostForm(c.r) {
				return opSpec{"PostObject", "", levelObject, false, (*Server).postObject} // authorizes itself (form fields)
			}
		}
	default:
		switch m {
		case http.MethodPut:
			switch {
			case q.Has("partNumber") && q.Has("uploadId"):
				if c.r.Header.Get("x-oss-copy-source") != "" {
					return opSpec{"UploadPartCopy", "oss:PutObject", levelObject, false, (*Server).uploadPartCopy}
				}
				return opSpec{"UploadPart", "oss:PutObject", levelObject, false, (*Server).uploadPart}
			case c.r.Header.Get("x-oss-copy-source") != "":
				return opSpec{"CopyObject", "oss:PutObject", levelObject, false, (*Server).copyObject}
			case len(q) == 0 || onlyAuthParams(q):
				return opSpec{"PutObject", "oss:PutObject", levelObject, false, (*Server).putObject}
			}
		case http.MethodGet:
			switch {
			case q.Has("uploadId"):
				return opSpec{"ListParts", "oss:ListParts", levelObject, false, (*Server).listParts}
			case q.Has("acl"):
				return opSpec{"GetObjectAcl", "oss:GetObjectAcl", levelObject, false, (*Server).getObjectAcl}
			case !hasUnknownSubresource(q):
				return opSpec{"GetObject", "oss:GetObject", levelObject, false, (*Server).getObject}
			}
		case http.MethodHead:
			if q.Has("objectMeta") {
				return opSpec{"GetObjectMeta", "oss:GetObject", levelObject, false, (*Server).getObjectMeta}
			}
			if !hasUnknownSubresource(q) {
				return opSpec{"HeadObject", "oss:GetObject", levelObject, false, (*Server).headObject}
			}
		case http.MethodDelete:
			switch {
			case q.Has("uploadId"):
				return opSpec{"AbortMultipartUpload", "oss:AbortMultipartUpload", levelObject, false, (*Server).abortUpload}
			case len(q) == 0 || onlyAuthParams(q):
				return opSpec{"DeleteObject", "oss:DeleteObject", levelObject, false, (*Server).deleteObject}
			}
		case http.MethodPost:
			switch {
			case q.Has("uploads"):
				return opSpec{"InitiateMultipartUpload", "oss:PutObject", levelObject, false, (*Server).initiateUpload}
			case q.Has("uploadId"):
				return opSpec{"CompleteMultipartUpload", "oss:PutObject", levelObject, false, (*Server).completeUpload}
			case q.Has("append"):
				return opSpec{"AppendObject", "oss:PutObject", levelObject, false, (*Server).appendObject}
			}
		}
	}
	name := m + " " + c.r.URL.Path
	return opSpec{name: "Unsupported " + name}
}

var authParams = map[string]bool{
	"OSSAccessKeyId": true, "Expires": true, "Signature": true, "security-token": true,
	"x-oss-signature-version": true, "x-oss-credential": true, "x-oss-date": true, "x-oss-expires": true,
	"x-oss-signature": true, "x-oss-additional-headers": true, "x-oss-security-token": true,
	"x-oss-access-key-id": true, // V2 signed URLs
}

func onlyAuthParams(q map[string][]string) bool {
	for k := range q {
		if !authParams[k] {
			return false
		}
	}
	return true
}

func onlyListParams(q map[string][]string) bool {
	for k := range q {
		switch k {
		case "prefix", "marker", "delimiter", "max-keys", "encoding-type":
		default:
			if !authParams[k] {
				return false
			}
		}
	}
	return true
}

// hasUnknownSubresource reports sub-resources of GET/HEAD object the sandbox does not serve
// (acl, tagging, symlink, ...); response-* overrides and versionId-free reads are served.
func hasUnknownSubresource(q map[string][]string) bool {
	for k := range q {
		if authParams[k] || strings.HasPrefix(k, "response-") {
			continue
		}
		return true
	}
	return false
}

func storeErr(err error, c *call) *ossError {
	switch {
	case errors.Is(err, ErrNotFound):
		return apiErr("NoSuchKey", "", field{"Key", c.key}).check("object", "no object "+c.key)
	case errors.Is(err, ErrNoSuchUpload):
		return apiErr("NoSuchUpload", "", field{"UploadId", c.query.Get("uploadId")}).check("upload", "no such upload")
	case errors.Is(err, ErrNoSuchBucket):
		return apiErr("NoSuchBucket", "", field{"BucketName", c.bucket}).check("bucket", "no bucket")
	case errors.Is(err, ErrAlreadyExists):
		return apiErr("FileAlreadyExists", "").check("object", "x-oss-forbid-overwrite and the object exists")
	case errors.Is(err, ErrEntityTooLarge):
		return apiErr("EntityTooLarge", "", field{"MaxSizeAllowed", strconv.Itoa(maxPutSize)}).check("object", "body larger than 5 GiB")
	case errors.Is(err, context.Canceled), errors.Is(err, io.ErrUnexpectedEOF):
		return apiErr("InvalidArgument", "The request body was incomplete.").check("object", "client went away or sent fewer bytes than announced; nothing was stored")
	}
	var oe *ossError
	if errors.As(err, &oe) {
		return oe
	}
	// Disk full, permissions, ...: nothing was committed. The detail stays in the trace.
	return apiErr("InternalError", "").check("storage", err.Error())
}

// attrsFrom reads the stored attributes from request headers.
func attrsFrom(h http.Header) Attrs {
	a := Attrs{ContentType: h.Get("Content-Type")}
	if a.ContentType == "" {
		a.ContentType = "application/octet-stream"
	}
	for _, name := range []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Expires"} {
		if v := h.Get(name); v != "" {
			if a.Headers == nil {
				a.Headers = map[string]string{}
			}
			a.Headers[name] = v
		}
	}
	for k, vs := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-meta-") && len(vs) > 0 {
			if a.Meta == nil {
				a.Meta = map[string]string{}
			}
			a.Meta[strings.TrimPrefix(lk, "x-oss-meta-")] = joinTrimmed(vs)
		}
	}
	a.NoOverwrite = strings.EqualFold(h.Get("x-oss-forbid-overwrite"), "true")
	return a
}

// maxUserMeta is OSS's limit on the total size of x-oss-meta-* names and values.
const maxUserMeta = 8 << 10

func checkMeta(a Attrs) *ossError {
	n := 0
	for k, v := range a.Meta {
		n += len("x-oss-meta-") + len(k) + len(v)
	}
	if n > maxUserMeta {
		return apiErr("MetadataTooLarge", "", field{"MaxSizeAllowed", strconv.Itoa(maxUserMeta)}, field{"Size", strconv.Itoa(n)}).
			check("request", "user metadata larger than 8 KiB")
	}
	return nil
}

// contentMD5 decodes the Content-MD5 header: nil when absent.
func contentMD5(h http.Header) ([]byte, *ossError) {
	v := h.Get("Content-MD5")
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != md5.Size {
		return nil, apiErr("InvalidDigest", "").check("object", "Content-MD5 is not the base64 of 16 bytes")
	}
	return b, nil
}

func (s *Server) putObject(c *call) *ossError {
	r := c.r
	if r.ContentLength > maxPutSize {
		return apiErr("EntityTooLarge", "", field{"MaxSizeAllowed", strconv.Itoa(maxPutSize)}).check("object", "Content-Length larger than 5 GiB")
	}
	want, e := contentMD5(r.Header)
	if e != nil {
		return e
	}
	attrs := attrsFrom(r.Header)
	if e := checkMeta(attrs); e != nil {
		return e
	}
	attrs.MaxSize = maxPutSize
	o, err := s.store.Put(r.Context(), c.bucket, c.key, r.Body, attrs, func(o *Object) error {
		if r.ContentLength >= 0 && o.Size != r.ContentLength {
			return io.ErrUnexpectedEOF
		}
		if want != nil && !equalBytes(want, o.MD5) {
			return apiErr("BadDigest", "", field{"ExpectedMD5", base64.StdEncoding.EncodeToString(want)},
				field{"CalculatedMD5", base64.StdEncoding.EncodeToString(o.MD5)}).check("object", "Content-MD5 does not match the body; nothing was stored")
		}
		return nil
	})
	if err != nil {
		return storeErr(err, c)
	}
	h := c.w.Header()
	h.Set("ETag", o.ETag)
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(o.MD5))
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func equalBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// objectHeaders writes the headers Get/HeadObject answer with.
func objectHeaders(h http.Header, o *Object) {
	h.Set("Content-Type", o.ContentType)
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-oss-object-type", o.Type)
	h.Set("x-oss-storage-class", "Standard")
	if o.HasCRC {
		h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	}
	if o.Type == "Appendable" {
		h.Set("x-oss-next-append-position", strconv.FormatInt(o.Size, 10))
	}
	if o.Type == "Normal" && len(o.MD5) == md5.Size {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(o.MD5))
	}
	for k, v := range o.Headers {
		h.Set(k, v)
	}
	for k, v := range o.Meta {
		h.Set("x-oss-meta-"+k, v)
	}
}

var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// preconditions applies If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since:
// 412 PreconditionFailed or 304 Not Modified (written here, no body), as OSS answers them.
func preconditions(c *call, o *Object) (done bool, e *ossError) {
	h := c.r.Header
	etagIs := func(list string) bool {
		for _, v := range strings.Split(list, ",") {
			v = strings.TrimSpace(v)
			if v == "*" || normETag(v) == normETag(o.ETag) {
				return true
			}
		}
		return false
	}
	failed := func(which string) *ossError {
		return apiErr("PreconditionFailed", "", field{"Condition", which}).check("object", which+" does not hold")
	}
	if v := h.Get("If-Match"); v != "" && !etagIs(v) {
		return false, failed("If-Match")
	}
	if v := h.Get("If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && o.LastModified.After(t) {
			return false, failed("If-Unmodified-Since")
		}
	}
	notModified := false
	if v := h.Get("If-None-Match"); v != "" {
		notModified = etagIs(v)
	} else if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !o.LastModified.After(t) {
			notModified = true
		}
	}
	if notModified {
		c.w.Header().Set("ETag", o.ETag)
		c.w.Header().Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
		c.w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	return false, nil
}

func (s *Server) headObject(c *call) *ossError {
	o, err := s.store.Stat(c.r.Context(), c.bucket, c.key)
	if err != nil {
		return storeErr(err, c)
	}
	if done, e := preconditions(c, o); done || e != nil {
		return e
	}
	h := c.w.Header()
	objectHeaders(h, o)
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getObject(c *call) *ossError {
	rd, err := s.store.Open(c.r.Context(), c.bucket, c.key)
	if err != nil {
		return storeErr(err, c)
	}
	defer rd.Close()
	o := rd.Object
	if done, e := preconditions(c, o); done || e != nil {
		return e
	}
	h := c.w.Header()
	objectHeaders(h, o)
	for q, hn := range responseOverrides {
		if v := c.query.Get(q); v != "" {
			h.Set(hn, v)
		}
	}
	start, length, status := int64(0), o.Size, http.StatusOK
	if rng := c.r.Header.Get("Range"); rng != "" {
		st, n, ok := ParseRange(rng, o.Size)
		switch {
		case ok:
			start, length, status = st, n, http.StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(st, 10)+"-"+strconv.FormatInt(st+n-1, 10)+"/"+strconv.FormatInt(o.Size, 10))
		case strings.EqualFold(c.r.Header.Get("x-oss-range-behavior"), "standard"):
			return apiErr("InvalidRange", "", field{"RangeRequested", rng}, field{"ActualObjectSize", strconv.FormatInt(o.Size, 10)}).
				check("object", "unsatisfiable Range with x-oss-range-behavior: standard")
		}
		// Otherwise OSS ignores an invalid range and returns the whole object.
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	c.w.WriteHeader(status)
	io.Copy(c.w, io.NewSectionReader(rd, start, length))
	return nil
}

// ParseRange parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range against size. ok is
// false for anything else (multiple ranges, garbage, unsatisfiable): OSS then serves the
// whole object.
func ParseRange(h string, size int64) (start, length int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	num := func(s string) (int64, bool) {
		if s == "" || len(s) > 19 {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	switch {
	case a == "":
		n, ok := num(b)
		if !ok || n == 0 || size == 0 {
			return 0, 0, false
		}
		if n > size {
			n = size
		}
		return size - n, n, true
	default:
		first, ok := num(a)
		if !ok || first >= size {
			return 0, 0, false
		}
		last := size - 1
		if b != "" {
			l, ok := num(b)
			if !ok || l < first {
				return 0, 0, false
			}
			if l < last {
				last = l
			}
		}
		return first, last - first + 1, true
	}
}

func (s *Server) deleteObject(c *call) *ossError {
	if err := s.store.Delete(c.r.Context(), c.bucket, c.key); err != nil {
		return storeErr(err, c)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- bucket-level ----

func writeXML(c *call, status int, v any) *ossError {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return apiErr("InternalError", "").check("xml", err.Error())
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(b)))
	c.w.WriteHeader(status)
	io.WriteString(c.w, xml.Header)
	c.w.Write(b)
	return nil
}

type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func (s *Server) owner() xmlOwner { return xmlOwner{ID: s.cfg.AccountID, DisplayName: s.cfg.AccountID} }

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) listBuckets(c *call) *ossError {
	type bucketXML struct {
		Name             string `xml:"Name"`
		CreationDate     string `xml:"CreationDate"`
		Location         string `xml:"Location"`
		ExtranetEndpoint string `xml:"ExtranetEndpoint"`
		IntranetEndpoint string `xml:"IntranetEndpoint"`
		Region           string `xml:"Region"`
		StorageClass     string `xml:"StorageClass"`
	}
	type result struct {
		XMLName     xml.Name    `xml:"ListAllMyBucketsResult"`
		Prefix      string      `xml:"Prefix,omitempty"`
		Marker      string      `xml:"Marker,omitempty"`
		MaxKeys     int         `xml:"MaxKeys,omitempty"`
		IsTruncated bool        `xml:"IsTruncated,omitempty"`
		NextMarker  string      `xml:"NextMarker,omitempty"`
		Owner       xmlOwner    `xml:"Owner"`
		Buckets     []bucketXML `xml:"Buckets>Bucket"`
	}
	prefix, marker := c.query.Get("prefix"), c.query.Get("marker")
	max := 1000
	if v := c.query.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return apiErr("InvalidArgument", "max-keys must be an integer from 1 to 1000.", field{"ArgumentName", "max-keys"}, field{"ArgumentValue", v}).check("request", "bad max-keys")
		}
		max = n
	}
	res := result{Prefix: prefix, Marker: marker, Owner: s.owner()}
	if c.query.Has("max-keys") {
		res.MaxKeys = max
	}
	for _, name := range s.names {
		if !strings.HasPrefix(name, prefix) || name <= marker {
			continue
		}
		if len(res.Buckets) == max {
			res.IsTruncated = true
			res.NextMarker = res.Buckets[len(res.Buckets)-1].Name
			break
		}
		b := s.buckets[name]
		res.Buckets = append(res.Buckets, bucketXML{Name: name, CreationDate: isoTime(s.created), Location: "oss-" + b.region,
			ExtranetEndpoint: "oss-" + b.region + ".aliyuncs.com", IntranetEndpoint: "oss-" + b.region + "-internal.aliyuncs.com",
			Region: b.region, StorageClass: "Standard"})
	}
	return writeXML(c, http.StatusOK, res)
}

func (s *Server) getBucketLocation(c *call) *ossError {
	type loc struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		Value   string   `xml:",chardata"`
	}
	return writeXML(c, http.StatusOK, loc{Value: "oss-" + c.bs.region})
}

func (s *Server) getBucketInfo(c *call) *ossError {
	type sse struct {
		SSEAlgorithm string `xml:"SSEAlgorithm"`
	}
	type bucket struct {
		AccessMonitor          string   `xml:"AccessMonitor"`
		CreationDate           string   `xml:"CreationDate"`
		ExtranetEndpoint       string   `xml:"ExtranetEndpoint"`
		IntranetEndpoint       string   `xml:"IntranetEndpoint"`
		Location               string   `xml:"Location"`
		StorageClass           string   `xml:"StorageClass"`
		DataRedundancyType     string   `xml:"DataRedundancyType"`
		TransferAcceleration   string   `xml:"TransferAcceleration"`
		CrossRegionReplication string   `xml:"CrossRegionReplication"`
		Name                   string   `xml:"Name"`
		ResourceGroupId        string   `xml:"ResourceGroupId"`
		Owner                  xmlOwner `xml:"Owner"`
		Grant                  string   `xml:"AccessControlList>Grant"`
		SSE                    sse      `xml:"ServerSideEncryptionRule"`
		Versioning             string   `xml:"Versioning,omitempty"`
		Comment                string   `xml:"Comment"`
	}
	type info struct {
		XMLName xml.Name `xml:"BucketInfo"`
		Bucket  bucket   `xml:"Bucket"`
	}
	r := c.bs.region
	return writeXML(c, http.StatusOK, info{Bucket: bucket{AccessMonitor: "Disabled", CreationDate: isoTime(s.created),
		ExtranetEndpoint: "oss-" + r + ".aliyuncs.com", IntranetEndpoint: "oss-" + r + "-internal.aliyuncs.com",
		Location: "oss-" + r, StorageClass: "Standard", DataRedundancyType: "LRS", TransferAcceleration: "Disabled",
		CrossRegionReplication: "Disabled", Name: c.bucket, Owner: s.owner(), Grant: "private", SSE: sse{SSEAlgorithm: "None"},
		Comment: "stsdeck sandbox"}})
}

func (s *Server) getObjectMeta(c *call) *ossError {
	o, err := s.store.Stat(c.r.Context(), c.bucket, c.key)
	if err != nil {
		return storeErr(err, c)
	}
	h := c.w.Header()
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	if o.HasCRC {
		h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

type aclXML struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   xmlOwner `xml:"Owner"`
	Grant   string   `xml:"AccessControlList>Grant"`
}

// The sandbox's buckets are private and objects inherit ("default"); ACLs cannot be changed.
func (s *Server) getBucketAcl(c *call) *ossError {
	return writeXML(c, http.StatusOK, aclXML{Owner: s.owner(), Grant: "private"})
}

func (s *Server) getObjectAcl(c *call) *ossError {
	if _, err := s.store.Stat(c.r.Context(), c.bucket, c.key); err != nil {
		return storeErr(err, c)
	}
	return writeXML(c, http.StatusOK, aclXML{Owner: s.owner(), Grant: "default"})
}
