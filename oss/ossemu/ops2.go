package ossemu

import (
	"crypto/md5"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

// openCopySource resolves x-oss-copy-source (/bucket/key, URL-encoded) in the request's region,
// checks oss:GetObject on it and opens it. The destination's oss:PutObject was checked by the
// router.
func (s *Server) openCopySource(c *call) (*ObjectReader, *ossError) {
	src := c.r.Header.Get("x-oss-copy-source")
	raw, err := url.PathUnescape(src)
	if err != nil {
		return nil, apiErr("InvalidArgument", "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.", field{"ArgumentName", "x-oss-copy-source"}, field{"ArgumentValue", src}).check("request", "bad x-oss-copy-source encoding")
	}
	sb, sk, ok := strings.Cut(strings.TrimPrefix(raw, "/"), "/")
	if !ok || sb == "" || sk == "" {
		return nil, apiErr("InvalidArgument", "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.", field{"ArgumentName", "x-oss-copy-source"}, field{"ArgumentValue", src}).check("request", "x-oss-copy-source without bucket and key")
	}
	sbs := s.buckets[sb]
	if sbs == nil {
		return nil, apiErr("NoSuchBucket", "", field{"BucketName", sb}).check("bucket", "copy source bucket "+sb+" does not exist")
	}
	if sbs.region != c.bs.region {
		return nil, apiErr("InvalidArgument", "Cross-region copy is not supported: the source bucket must be in the destination's region.", field{"ArgumentName", "x-oss-copy-source"}).check("request", "source bucket in "+sbs.region)
	}
	if e := validKey(sk); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(c, sbs, "oss:GetObject", sk, true, nil); e != nil {
		return nil, e
	}
	// Record the destination in the trace again (the source check overwrote it).
	c.trace.Action, c.trace.Resource = "oss:PutObject", s.resourceARN(c.bs, c.key, true)
	rd, err := s.store.Open(c.r.Context(), sb, sk)
	if err != nil {
		if err == ErrNotFound {
			return nil, apiErr("NoSuchKey", "", field{"Key", sk}).check("object", "copy source "+sk+" does not exist")
		}
		return nil, storeErr(err, c)
	}
	if v := c.r.Header.Get("x-oss-copy-source-if-match"); v != "" && normETag(v) != normETag(rd.ETag) {
		rd.Close()
		return nil, apiErr("PreconditionFailed", "", field{"Condition", "x-oss-copy-source-if-match"}).check("object", "copy source ETag differs")
	}
	if v := c.r.Header.Get("x-oss-copy-source-if-none-match"); v != "" && normETag(v) == normETag(rd.ETag) {
		rd.Close()
		return nil, apiErr("PreconditionFailed", "", field{"Condition", "x-oss-copy-source-if-none-match"}).check("object", "copy source ETag matches")
	}
	return rd, nil
}

// uploadPartCopy: a part taken from (a range of) an existing object.
func (s *Server) uploadPartCopy(c *call) *ossError {
	pn := c.query.Get("partNumber")
	n, err := strconv.Atoi(pn)
	if err != nil || n < 1 || n > maxParts {
		return apiErr("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive.", field{"ArgumentName", "partNumber"}, field{"ArgumentValue", pn}).
			check("request", "partNumber out of range")
	}
	if _, e := s.upload(c); e != nil {
		return e
	}
	rd, e := s.openCopySource(c)
	if e != nil {
		return e
	}
	defer rd.Close()
	start, length := int64(0), rd.Size
	if rng := c.r.Header.Get("x-oss-copy-source-range"); rng != "" {
		st, l, ok := ParseRange(rng, rd.Size)
		if !ok {
			return apiErr("InvalidArgument", "The x-oss-copy-source-range is not valid for the source object.", field{"ArgumentName", "x-oss-copy-source-range"}, field{"ArgumentValue", rng}).
				check("request", "bad copy source range")
		}
		start, length = st, l
	}
	if length > maxPartSize {
		return apiErr("EntityTooLarge", "").check("request", "copied part larger than 5 GiB")
	}
	p, err := s.store.PutPart(c.r.Context(), c.bucket, c.query.Get("uploadId"), n, io.NewSectionReader(rd, start, length), nil)
	if err != nil {
		return storeErr(err, c)
	}
	type result struct {
		XMLName      xml.Name `xml:"CopyPartResult"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}
	c.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(p.CRC64, 10))
	return writeXML(c, http.StatusOK, result{LastModified: isoTime(p.LastModified), ETag: p.ETag})
}

// copyObject copies a whole object (CopyObject).
func (s *Server) copyObject(c *call) *ossError {
	rd, e := s.openCopySource(c)
	if e != nil {
		return e
	}
	defer rd.Close()
	var attrs Attrs
	switch d := strings.ToUpper(c.r.Header.Get("x-oss-metadata-directive")); d {
	case "", "COPY":
		attrs = rd.Object.Attrs
	case "REPLACE":
		attrs = attrsFrom(c.r.Header)
		if e := checkMeta(attrs); e != nil {
			return e
		}
	default:
		return apiErr("InvalidArgument", "x-oss-metadata-directive must be COPY or REPLACE.", field{"ArgumentName", "x-oss-metadata-directive"}, field{"ArgumentValue", d}).check("request", "bad metadata directive")
	}
	attrs.NoOverwrite = strings.EqualFold(c.r.Header.Get("x-oss-forbid-overwrite"), "true")
	attrs.MaxSize = maxPutSize
	o, err := s.store.Put(c.r.Context(), c.bucket, c.key, io.NewSectionReader(rd, 0, rd.Size), attrs, nil)
	if err != nil {
		return storeErr(err, c)
	}
	type result struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		ETag         string   `xml:"ETag"`
		LastModified string   `xml:"LastModified"`
	}
	c.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	return writeXML(c, http.StatusOK, result{ETag: o.ETag, LastModified: isoTime(o.LastModified)})
}

type deleteBody struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   string   `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

// parseDeleteBody parses a DeleteMultipleObjects body.
func parseDeleteBody(data []byte) (keys []string, quiet bool, e *ossError) {
	var b deleteBody
	if err := xml.Unmarshal(data, &b); err != nil {
		if strings.Contains(err.Error(), "expected element type <Delete>") {
			return nil, false, apiErr("MalformedXML", "", field{"ErrorDetail", "the root node is not named Delete."}).check("request", "Delete body root element")
		}
		return nil, false, apiErr("MalformedXML", "", field{"ErrorDetail", xmlErrDetail(err)}).check("request", "Delete body is not valid XML")
	}
	switch strings.ToLower(strings.TrimSpace(b.Quiet)) {
	case "", "false":
	case "true":
		quiet = true
	default:
		return nil, false, apiErr("MalformedXML", "", field{"ErrorDetail", "Quiet must be true or false."}).check("request", "bad Quiet")
	}
	if len(b.Objects) == 0 || len(b.Objects) > 1000 {
		return nil, false, apiErr("MalformedXML", "", field{"ErrorDetail", "the number of objects must be 1 to 1000."}).check("request", "object count")
	}
	for i, o := range b.Objects {
		if e := validKey(o.Key); e != nil || o.Key == "" {
			return nil, false, apiErr("InvalidArgument", "Object["+strconv.Itoa(i)+"].Key is not a valid object name.").check("request", "bad key in Delete body")
		}
		keys = append(keys, o.Key)
	}
	return keys, quiet, nil
}

func (s *Server) deleteMultiple(c *call) *ossError {
	enc, e := encodingType(c)
	if e != nil {
		return e
	}
	body, e := readBounded(c.r.Body, maxXMLBody)
	if e != nil {
		return e
	}
	want, e := contentMD5(c.r.Header)
	if e != nil {
		return e
	}
	if want == nil {
		return apiErr("InvalidDigest", "Content-MD5 is required for DeleteMultipleObjects.").check("request", "no Content-MD5")
	}
	if sum := md5.Sum(body); !equalBytes(want, sum[:]) {
		return apiErr("BadDigest", "").check("request", "Content-MD5 does not match the Delete body")
	}
	keys, quiet, e := parseDeleteBody(body)
	if e != nil {
		return e
	}
	for _, k := range keys {
		if e := s.authorize(c, "oss:DeleteObject", k, true, nil); e != nil {
			if e.Detail != nil && e.Detail.NoPermissionType == string(policy.DecisionExplicitDeny) {
				e.EC = "0003-00000204" // explicit Deny on a batch operation (protocol.md §6.6)
			}
			return e
		}
	}
	type deleted struct {
		Key string `xml:"Key"`
	}
	type result struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}
	var res result
	if enc {
		res.EncodingType = "url"
	}
	for _, k := range keys {
		if err := s.store.Delete(c.r.Context(), c.bucket, k); err != nil {
			return storeErr(err, c)
		}
		if !quiet {
			res.Deleted = append(res.Deleted, deleted{Key: urlEnc(k, enc)})
		}
	}
	return writeXML(c, http.StatusOK, res)
}

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
