package ossemu

// AppendObject: POST /key?append&position=N. Authorized as oss:PutObject (protocol.md §3.4,
// as the cloud does); answers x-oss-next-append-position and the whole object's
// x-oss-hash-crc64ecma.

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
)

func (s *Server) appendObject(c *call) *ossError {
	r := c.r
	if !c.query.Has("position") {
		// EC from the cloud's page for a missing position (0016-00000501); code and message picked.
		return apiErr("InvalidArgument", "Missing position parameter.", field{"ArgumentName", "position"}, field{"ArgumentValue", ""}).
			withEC("0016-00000501").check("request", "AppendObject without ?position=")
	}
	ps := c.query.Get("position")
	position, err := strconv.ParseInt(ps, 10, 64)
	if err != nil || position < 0 || len(ps) > 19 || ps != strconv.FormatInt(position, 10) {
		// EC from the cloud's page for an invalid position (0016-00000502); message picked.
		return apiErr("InvalidArgument", "Position is invalid.", field{"ArgumentName", "position"}, field{"ArgumentValue", ps}).
			withEC("0016-00000502").check("request", "position is not a non-negative integer")
	}
	if r.ContentLength > maxPutSize || position > maxPutSize || r.ContentLength > maxPutSize-position {
		return apiErr("EntityTooLarge", "", field{"MaxSizeAllowed", strconv.Itoa(maxPutSize)}).check("object", "an appendable object is limited to 5 GiB")
	}
	want, e := contentMD5(r.Header)
	if e != nil {
		return e
	}
	attrs := attrsFrom(r.Header)
	if e := checkMeta(attrs); e != nil {
		return e
	}
	attrs.NoOverwrite = false
	attrs.MaxSize = maxPutSize
	o, err := s.store.Append(r.Context(), c.bucket, c.key, position, r.Body, attrs, func(o *Object, n int64, sum []byte) error {
		if r.ContentLength >= 0 && n != r.ContentLength {
			return io.ErrUnexpectedEOF
		}
		if want != nil && !equalBytes(want, sum) {
			return apiErr("BadDigest", "", field{"ExpectedMD5", base64.StdEncoding.EncodeToString(want)},
				field{"CalculatedMD5", base64.StdEncoding.EncodeToString(sum)}).check("object", "Content-MD5 does not match the appended bytes; nothing was appended")
		}
		return nil
	})
	var pe *PositionError
	switch {
	case errors.As(err, &pe):
		h := c.w.Header()
		h.Set("x-oss-next-append-position", strconv.FormatInt(pe.Next, 10))
		if pe.HasCRC {
			h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(pe.CRC64, 10))
		}
		return apiErr("PositionNotEqualToLength", "").
			check("object", "position "+ps+" is not the object's length "+strconv.FormatInt(pe.Next, 10)+" (or another append to it is in flight)")
	case errors.Is(err, ErrNotAppendable):
		return apiErr("ObjectNotAppendable", "").check("object", c.key+" was not made by AppendObject (Normal or Multipart): it cannot be appended to")
	case errors.Is(err, ErrEntityTooLarge):
		return apiErr("EntityTooLarge", "", field{"MaxSizeAllowed", strconv.Itoa(maxPutSize)}).check("object", "an appendable object is limited to 5 GiB")
	case err != nil:
		return storeErr(err, c)
	}
	h := c.w.Header()
	h.Set("x-oss-next-append-position", strconv.FormatInt(o.Size, 10))
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	h.Set("ETag", o.ETag)
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}
