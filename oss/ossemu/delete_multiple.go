package ossemu

// DeleteMultipleObjects: the Delete body (Content-MD5 required, 1 to 1000 keys), a
// DeleteObject authorization per key, then the deletes.

import (
	"crypto/md5"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

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
