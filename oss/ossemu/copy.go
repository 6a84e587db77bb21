package ossemu

// CopyObject and UploadPartCopy: resolving, authorizing and opening the copy source, then
// writing its data (or a range of it) as the destination object or part.

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// openCopySource resolves x-oss-copy-source (/bucket/key, URL-encoded) in the request's region,
// checks oss:GetObject on it and opens it. The destination's oss:PutObject was checked by the
// router.
func (s *Server) openCopySource(c *call) (*ObjectReader, *ossError) {
	src := c.r.Header.Get("x-oss-copy-source")
	// Query-unescaped: the OSS Go SDK v1 sends url.QueryEscape(key) ('+' for a space), the v2
	// SDK escapes '+' as %2B, so both decode to their key.
	raw, err := url.QueryUnescape(src)
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
