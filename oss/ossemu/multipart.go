package ossemu

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Part rules as OSS states them.
const (
	maxParts     = 10000
	minPartSize  = 100 << 10
	maxPartSize  = 5 << 30
	maxXMLBody   = 2 << 20 // bounded memory for Complete / Delete bodies
	maxListParts = 1000
)

func (s *Server) initiateUpload(c *call) *ossError {
	enc, e := encodingType(c)
	if e != nil {
		return e
	}
	attrs := attrsFrom(c.r.Header)
	if e := checkMeta(attrs); e != nil {
		return e
	}
	u, err := s.store.CreateUpload(c.r.Context(), c.bucket, c.key, attrs)
	if err != nil {
		return storeErr(err, c)
	}
	type result struct {
		XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		UploadId     string   `xml:"UploadId"`
		EncodingType string   `xml:"EncodingType,omitempty"`
	}
	res := result{Bucket: c.bucket, Key: urlEnc(c.key, enc), UploadId: u.ID}
	if enc {
		res.EncodingType = "url"
	}
	return writeXML(c, http.StatusOK, res)
}

func encodingType(c *call) (bool, *ossError) {
	switch v := c.query.Get("encoding-type"); v {
	case "":
		return false, nil
	case "url":
		return true, nil
	default:
		return false, apiErr("InvalidArgument", "The encoding-type must be url.", field{"ArgumentName", "encoding-type"}, field{"ArgumentValue", v}).check("request", "bad encoding-type")
	}
}

// upload returns the upload named by ?uploadId, which must belong to the request's key.
func (s *Server) upload(c *call) (*Upload, *ossError) {
	id := c.query.Get("uploadId")
	u, err := s.store.GetUpload(c.r.Context(), c.bucket, id)
	if err != nil {
		return nil, storeErr(err, c)
	}
	if u.Key != c.key {
		return nil, apiErr("NoSuchUpload", "", field{"UploadId", id}).check("upload", "upload "+id+" belongs to another key")
	}
	return u, nil
}

func (s *Server) uploadPart(c *call) *ossError {
	pn := c.query.Get("partNumber")
	n, err := strconv.Atoi(pn)
	if err != nil || n < 1 || n > maxParts {
		return apiErr("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive.", field{"ArgumentName", "partNumber"}, field{"ArgumentValue", pn}).
			check("request", "partNumber out of range")
	}
	if _, e := s.upload(c); e != nil {
		return e
	}
	if c.r.ContentLength > maxPartSize {
		return apiErr("EntityTooLarge", "", field{"MaxSizeAllowed", strconv.Itoa(maxPartSize)}).check("object", "part larger than 5 GiB")
	}
	want, e := contentMD5(c.r.Header)
	if e != nil {
		return e
	}
	r := c.r
	p, err := s.store.PutPart(r.Context(), c.bucket, c.query.Get("uploadId"), n, r.Body, func(p *Part) error {
		if r.ContentLength >= 0 && p.Size != r.ContentLength {
			return io.ErrUnexpectedEOF
		}
		if want != nil && !equalBytes(want, p.MD5) {
			return apiErr("BadDigest", "").check("object", "Content-MD5 does not match the part; nothing was stored")
		}
		return nil
	})
	if err != nil {
		return storeErr(err, c)
	}
	h := c.w.Header()
	h.Set("ETag", p.ETag)
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(p.MD5))
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(p.CRC64, 10))
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// completeBody is the CompleteMultipartUpload request body.
type completeBody struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber string `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type partSpec struct {
	Number int
	ETag   string
}

// parseCompleteBody parses and checks a CompleteMultipartUpload body (order, numbers).
func parseCompleteBody(data []byte) ([]partSpec, *ossError) {
	var b completeBody
	if err := xml.Unmarshal(data, &b); err != nil {
		return nil, apiErr("MalformedXML", "", field{"ErrorDetail", xmlErrDetail(err)}).check("request", "CompleteMultipartUpload body is not valid XML")
	}
	if len(b.Parts) == 0 {
		return nil, apiErr("MalformedXML", "", field{"ErrorDetail", "the part list is empty."}).check("request", "no parts listed")
	}
	if len(b.Parts) > maxParts {
		return nil, apiErr("InvalidArgument", "The number of parts must not exceed 10000.").check("request", "too many parts")
	}
	out := make([]partSpec, len(b.Parts))
	for i, p := range b.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil || n < 1 || n > maxParts {
			return nil, apiErr("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive.", field{"ArgumentName", "PartNumber"}, field{"ArgumentValue", p.PartNumber}).
				check("request", fmt.Sprintf("Part[%d].PartNumber invalid", i))
		}
		if i > 0 && n <= out[i-1].Number {
			return nil, apiErr("InvalidPartOrder", "").check("request", fmt.Sprintf("part %d listed after part %d", n, out[i-1].Number))
		}
		out[i] = partSpec{Number: n, ETag: normETag(p.ETag)}
	}
	return out, nil
}

func xmlErrDetail(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("line %d: %s", se.Line, se.Msg)
	}
	return err.Error()
}

func normETag(s string) string {
	return strings.ToUpper(strings.Trim(strings.TrimSpace(s), `"`))
}

func readBounded(r io.Reader, max int64) ([]byte, *ossError) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, apiErr("InvalidArgument", "The request body was incomplete.").check("request", "body read failed")
	}
	if int64(len(data)) > max {
		return nil, apiErr("InvalidArgument", fmt.Sprintf("The request body must not exceed %d bytes.", max)).check("request", "body too large")
	}
	return data, nil
}

func (s *Server) completeUpload(c *call) *ossError {
	enc, e := encodingType(c)
	if e != nil {
		return e
	}
	u, e := s.upload(c)
	if e != nil {
		return e
	}
	body, e := readBounded(c.r.Body, maxXMLBody)
	if e != nil {
		return e
	}
	if want, e := contentMD5(c.r.Header); e != nil {
		return e
	} else if want != nil {
		sum := md5.Sum(body)
		if !equalBytes(want, sum[:]) {
			return apiErr("BadDigest", "").check("request", "Content-MD5 does not match the Complete body")
		}
	}
	stored, err := s.store.Parts(c.r.Context(), c.bucket, u.ID)
	if err != nil {
		return storeErr(err, c)
	}
	completeAll := strings.EqualFold(c.r.Header.Get("x-oss-complete-all"), "yes")
	var chosen []*Part
	if completeAll {
		if len(body) > 0 {
			return apiErr("InvalidArgument", "Should not speficy both complete all header and http body.").withEC("0042-00000216").
				check("request", "x-oss-complete-all together with a part list")
		}
		if len(stored) == 0 {
			return apiErr("InvalidArgument", "The upload has no parts.").check("request", "x-oss-complete-all on an upload without parts")
		}
		chosen = stored
	} else {
		specs, e := parseCompleteBody(body)
		if e != nil {
			return e
		}
		byNum := make(map[int]*Part, len(stored))
		for _, p := range stored {
			byNum[p.Number] = p
		}
		for _, sp := range specs {
			p := byNum[sp.Number]
			if p == nil || normETag(p.ETag) != sp.ETag {
				return apiErr("InvalidPart", "", field{"PartNumber", strconv.Itoa(sp.Number)}, field{"ETag", sp.ETag}).
					check("request", fmt.Sprintf("part %d was not uploaded or its ETag differs", sp.Number))
			}
			chosen = append(chosen, p)
		}
	}
	for i, p := range chosen[:len(chosen)-1] {
		if p.Size < minPartSize {
			return apiErr("EntityTooSmall", "", field{"MinSizeAllowed", strconv.Itoa(minPartSize)}, field{"ProposedSize", strconv.FormatInt(p.Size, 10)},
				field{"PartNumber", strconv.Itoa(p.Number)}).check("request", fmt.Sprintf("part %d (#%d in the list) is %d bytes, under 100 KiB and not the last", p.Number, i+1, p.Size))
		}
	}
	etag, crc := multipartSums(chosen)
	noOverwrite := strings.EqualFold(c.r.Header.Get("x-oss-forbid-overwrite"), "true")
	o, err := s.store.CompleteUpload(c.r.Context(), c.bucket, u.ID, chosen, etag, crc, noOverwrite)
	if err != nil {
		return storeErr(err, c)
	}
	type result struct {
		XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
		EncodingType string   `xml:"EncodingType,omitempty"`
		Location     string   `xml:"Location"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		ETag         string   `xml:"ETag"`
	}
	scheme := "http"
	if s.cfg.TLS || c.r.TLS != nil {
		scheme = "https"
	}
	res := result{Location: scheme + "://" + c.bucket + ".oss-" + c.bs.region + ".aliyuncs.com/" + uriEscape(c.key, true),
		Bucket: c.bucket, Key: urlEnc(c.key, enc), ETag: o.ETag}
	if enc {
		res.EncodingType = "url"
	}
	c.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	return writeXML(c, http.StatusOK, res)
}

// multipartSums returns the multipart ETag and the whole-object CRC64. OSS's multipart ETag
// format is not documented (protocol.md §8.5); the S3 form is used: quoted upper-case MD5 of
// the concatenated binary part MD5s, "-", part count.
func multipartSums(parts []*Part) (string, uint64) {
	h := md5.New()
	var crc uint64
	for i, p := range parts {
		h.Write(p.MD5)
		if i == 0 {
			crc = p.CRC64
		} else {
			crc = crc64Combine(crc, p.CRC64, p.Size)
		}
	}
	return `"` + strings.ToUpper(hex.EncodeToString(h.Sum(nil))) + "-" + strconv.Itoa(len(parts)) + `"`, crc
}

// crc64Combine returns the CRC-64/XZ of A+B from crc(A), crc(B) and len(B) (zlib's
// crc32_combine method with 64-bit GF(2) matrices).
func crc64Combine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [64]uint64
	odd[0] = 0xC96C5795D7870F42 // reflected ECMA-182 polynomial
	row := uint64(1)
	for n := 1; n < 64; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd)
	gf2Square(&odd, &even)
	for {
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[64]uint64) {
	for n := 0; n < 64; n++ {
		square[n] = gf2Times(mat, mat[n])
	}
}

func (s *Server) abortUpload(c *call) *ossError {
	if _, e := s.upload(c); e != nil {
		return e
	}
	if err := s.store.AbortUpload(c.r.Context(), c.bucket, c.query.Get("uploadId")); err != nil {
		return storeErr(err, c)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listParts(c *call) *ossError {
	enc, e := encodingType(c)
	if e != nil {
		return e
	}
	u, e := s.upload(c)
	if e != nil {
		return e
	}
	max := maxListParts
	if v := c.query.Get("max-parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListParts {
			return apiErr("InvalidArgument", "max-parts must be an integer from 1 to 1000.", field{"ArgumentName", "max-parts"}, field{"ArgumentValue", v}).check("request", "bad max-parts")
		}
		max = n
	}
	marker := 0
	if v := c.query.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return apiErr("InvalidArgument", "part-number-marker must be a non-negative integer.", field{"ArgumentName", "part-number-marker"}, field{"ArgumentValue", v}).check("request", "bad part-number-marker")
		}
		marker = n
	}
	parts, err := s.store.Parts(c.r.Context(), c.bucket, u.ID)
	if err != nil {
		return storeErr(err, c)
	}
	type partXML struct {
		PartNumber    int    `xml:"PartNumber"`
		LastModified  string `xml:"LastModified"`
		ETag          string `xml:"ETag"`
		HashCrc64ecma string `xml:"HashCrc64ecma"`
		Size          int64  `xml:"Size"`
	}
	type result struct {
		XMLName              xml.Name  `xml:"ListPartsResult"`
		EncodingType         string    `xml:"EncodingType,omitempty"`
		Bucket               string    `xml:"Bucket"`
		Key                  string    `xml:"Key"`
		UploadId             string    `xml:"UploadId"`
		PartNumberMarker     int       `xml:"PartNumberMarker"`
		NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
		MaxParts             int       `xml:"MaxParts"`
		IsTruncated          bool      `xml:"IsTruncated"`
		StorageClass         string    `xml:"StorageClass"`
		Parts                []partXML `xml:"Part"`
	}
	res := result{Bucket: c.bucket, Key: urlEnc(c.key, enc), UploadId: u.ID, PartNumberMarker: marker, MaxParts: max, StorageClass: "Standard"}
	if enc {
		res.EncodingType = "url"
	}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(res.Parts) == max {
			res.IsTruncated = true
			break
		}
		res.Parts = append(res.Parts, partXML{PartNumber: p.Number, LastModified: isoTime(p.LastModified), ETag: p.ETag,
			HashCrc64ecma: strconv.FormatUint(p.CRC64, 10), Size: p.Size})
		res.NextPartNumberMarker = p.Number
	}
	return writeXML(c, http.StatusOK, res)
}

func (s *Server) listUploads(c *call) *ossError {
	enc, e := encodingType(c)
	if e != nil {
		return e
	}
	q := c.query
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	max := 1000
	if v := q.Get("max-uploads"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return apiErr("InvalidArgument", "max-uploads must be an integer from 1 to 1000.", field{"ArgumentName", "max-uploads"}, field{"ArgumentValue", v}).check("request", "bad max-uploads")
		}
		max = n
	}
	ups, err := s.store.Uploads(c.r.Context(), c.bucket)
	if err != nil {
		return storeErr(err, c)
	}
	type upXML struct {
		Key          string `xml:"Key"`
		UploadId     string `xml:"UploadId"`
		StorageClass string `xml:"StorageClass"`
		Initiated    string `xml:"Initiated"`
	}
	type result struct {
		XMLName            xml.Name    `xml:"ListMultipartUploadsResult"`
		EncodingType       string      `xml:"EncodingType,omitempty"`
		Bucket             string      `xml:"Bucket"`
		KeyMarker          string      `xml:"KeyMarker"`
		UploadIdMarker     string      `xml:"UploadIdMarker"`
		NextKeyMarker      string      `xml:"NextKeyMarker"`
		NextUploadIdMarker string      `xml:"NextUploadIdMarker"`
		Delimiter          string      `xml:"Delimiter"`
		Prefix             string      `xml:"Prefix"`
		MaxUploads         int         `xml:"MaxUploads"`
		IsTruncated        bool        `xml:"IsTruncated"`
		Uploads            []upXML     `xml:"Upload"`
		CommonPrefixes     []xmlPrefix `xml:"CommonPrefixes"`
	}
	res := result{Bucket: c.bucket, KeyMarker: urlEnc(keyMarker, enc), UploadIdMarker: idMarker, Delimiter: urlEnc(delimiter, enc),
		Prefix: urlEnc(prefix, enc), MaxUploads: max}
	if enc {
		res.EncodingType = "url"
	}
	seenCP := map[string]bool{}
	count := 0
	// Uploads are sorted by (key, upload id), the order the markers use.
	idx := sort.Search(len(ups), func(i int) bool { return ups[i].Key >= keyMarker })
	for i := idx; i < len(ups); i++ {
		u := ups[i]
		if !strings.HasPrefix(u.Key, prefix) {
			continue
		}
		if keyMarker != "" && (u.Key < keyMarker || (u.Key == keyMarker && (idMarker == "" || u.ID <= idMarker))) {
			continue
		}
		if delimiter != "" {
			if j := strings.Index(u.Key[len(prefix):], delimiter); j >= 0 {
				cp := u.Key[:len(prefix)+j+len(delimiter)]
				if seenCP[cp] {
					continue
				}
				if count == max {
					res.IsTruncated = true
					break
				}
				seenCP[cp] = true
				res.CommonPrefixes = append(res.CommonPrefixes, xmlPrefix{Prefix: urlEnc(cp, enc)})
				count++
				continue
			}
		}
		if count == max {
			res.IsTruncated = true
			break
		}
		res.Uploads = append(res.Uploads, upXML{Key: urlEnc(u.Key, enc), UploadId: u.ID, StorageClass: "Standard", Initiated: isoTime(u.Initiated)})
		res.NextKeyMarker, res.NextUploadIdMarker = urlEnc(u.Key, enc), u.ID
		count++
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIdMarker = "", ""
	}
	return writeXML(c, http.StatusOK, res)
}
