package ossemu

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

type xmlObject struct {
	Key          string    `xml:"Key"`
	LastModified string    `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
	Type         string    `xml:"Type"`
	Size         int64     `xml:"Size"`
	StorageClass string    `xml:"StorageClass"`
	Owner        *xmlOwner `xml:"Owner,omitempty"`
}

type xmlPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listing is the result of one page of a listing.
type listing struct {
	objects   []*Object
	prefixes  []string
	truncated bool
	next      string // the last key or common prefix returned, when truncated
}

// listPage walks bucket from after (exclusive) and groups by delimiter, up to max entries.
func (s *Server) listPage(c *call, prefix, delimiter, after string, max int) (*listing, *ossError) {
	l := &listing{}
	// A marker that is a common prefix skips every key under it.
	skipUnder := ""
	if delimiter != "" && strings.HasPrefix(after, prefix) {
		rest := after[len(prefix):]
		if i := strings.Index(rest, delimiter); i >= 0 && i+len(delimiter) == len(rest) {
			skipUnder = after
		}
	}
	lastCP := ""
	count := 0
	err := s.store.Walk(c.r.Context(), c.bucket, prefix, after, func(o *Object) bool {
		if skipUnder != "" && strings.HasPrefix(o.Key, skipUnder) {
			return true
		}
		rest := o.Key[len(prefix):]
		if delimiter != "" {
			if i := strings.Index(rest, delimiter); i >= 0 {
				cp := prefix + rest[:i+len(delimiter)]
				if cp == lastCP {
					return true
				}
				if count == max {
					l.truncated = true
					return false
				}
				l.prefixes = append(l.prefixes, cp)
				lastCP, l.next = cp, cp
				count++
				return true
			}
		}
		if count == max {
			l.truncated = true
			return false
		}
		l.objects = append(l.objects, o)
		l.next = o.Key
		count++
		return true
	})
	if err != nil {
		return nil, storeErr(err, c)
	}
	if !l.truncated {
		l.next = ""
	}
	return l, nil
}

func listParams(c *call) (prefix, delimiter string, max int, enc bool, e *ossError) {
	q := c.query
	prefix, delimiter = q.Get("prefix"), q.Get("delimiter")
	max = 100
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return "", "", 0, false, apiErr("InvalidArgument", "max-keys must be an integer from 1 to 1000.",
				field{"ArgumentName", "max-keys"}, field{"ArgumentValue", v}).check("request", "bad max-keys")
		}
		max = n
	}
	switch q.Get("encoding-type") {
	case "":
	case "url":
		enc = true
	default:
		return "", "", 0, false, apiErr("InvalidArgument", "The encoding-type must be url.",
			field{"ArgumentName", "encoding-type"}, field{"ArgumentValue", q.Get("encoding-type")}).check("request", "bad encoding-type")
	}
	if len(prefix) > 1023 {
		return "", "", 0, false, apiErr("InvalidArgument", "The prefix must be shorter than 1024 bytes.", field{"ArgumentName", "prefix"}).check("request", "prefix too long")
	}
	return prefix, delimiter, max, enc, nil
}

// urlEnc encodes for encoding-type=url: the SDK QueryUnescapes, so '+' must be %2B and ' ' %20.
func urlEnc(s string, enc bool) string {
	if !enc {
		return s
	}
	return uriEscape(s, true)
}

func (s *Server) xmlObjects(objs []*Object, enc, owner bool) []xmlObject {
	out := make([]xmlObject, len(objs))
	for i, o := range objs {
		out[i] = xmlObject{Key: urlEnc(o.Key, enc), LastModified: isoTime(o.LastModified), ETag: o.ETag, Type: o.Type, Size: o.Size, StorageClass: "Standard"}
		if owner {
			ow := s.owner()
			out[i].Owner = &ow
		}
	}
	return out
}

func xmlPrefixes(ps []string, enc bool) []xmlPrefix {
	out := make([]xmlPrefix, len(ps))
	for i, p := range ps {
		out[i] = xmlPrefix{Prefix: urlEnc(p, enc)}
	}
	return out
}

func (s *Server) listObjectsV2(c *call) *ossError {
	prefix, delimiter, max, enc, e := listParams(c)
	if e != nil {
		return e
	}
	q := c.query
	startAfter := q.Get("start-after")
	token := q.Get("continuation-token")
	after := startAfter
	if q.Has("continuation-token") {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || token == "" {
			return apiErr("InvalidArgument", "The continuation token provided is incorrect.", field{"ArgumentName", "continuation-token"}, field{"ArgumentValue", token}).
				check("request", "continuation-token not issued by this sandbox")
		}
		if string(b) > after {
			after = string(b)
		}
	}
	l, e := s.listPage(c, prefix, delimiter, after, max)
	if e != nil {
		return e
	}
	type result struct {
		XMLName               xml.Name    `xml:"ListBucketResult"`
		Name                  string      `xml:"Name"`
		Prefix                string      `xml:"Prefix"`
		StartAfter            *string     `xml:"StartAfter,omitempty"`
		ContinuationToken     *string     `xml:"ContinuationToken,omitempty"`
		MaxKeys               int         `xml:"MaxKeys"`
		Delimiter             *string     `xml:"Delimiter,omitempty"`
		EncodingType          *string     `xml:"EncodingType,omitempty"`
		IsTruncated           bool        `xml:"IsTruncated"`
		NextContinuationToken *string     `xml:"NextContinuationToken,omitempty"`
		KeyCount              int         `xml:"KeyCount"`
		Contents              []xmlObject `xml:"Contents"`
		CommonPrefixes        []xmlPrefix `xml:"CommonPrefixes"`
	}
	res := result{Name: c.bucket, Prefix: urlEnc(prefix, enc), MaxKeys: max, IsTruncated: l.truncated,
		KeyCount: len(l.objects) + len(l.prefixes),
		Contents: s.xmlObjects(l.objects, enc, q.Get("fetch-owner") == "true"), CommonPrefixes: xmlPrefixes(l.prefixes, enc)}
	if q.Has("start-after") {
		v := urlEnc(startAfter, enc)
		res.StartAfter = &v
	}
	if q.Has("continuation-token") {
		res.ContinuationToken = &token
	}
	if delimiter != "" {
		v := urlEnc(delimiter, enc)
		res.Delimiter = &v
	}
	if enc {
		v := "url"
		res.EncodingType = &v
	}
	if l.truncated {
		v := base64.RawURLEncoding.EncodeToString([]byte(l.next))
		res.NextContinuationToken = &v
	}
	return writeXML(c, http.StatusOK, res)
}

func (s *Server) listObjectsV1(c *call) *ossError {
	prefix, delimiter, max, enc, e := listParams(c)
	if e != nil {
		return e
	}
	marker := c.query.Get("marker")
	l, e := s.listPage(c, prefix, delimiter, marker, max)
	if e != nil {
		return e
	}
	type result struct {
		XMLName        xml.Name    `xml:"ListBucketResult"`
		Name           string      `xml:"Name"`
		Prefix         string      `xml:"Prefix"`
		Marker         string      `xml:"Marker"`
		MaxKeys        int         `xml:"MaxKeys"`
		Delimiter      string      `xml:"Delimiter"`
		EncodingType   *string     `xml:"EncodingType,omitempty"`
		IsTruncated    bool        `xml:"IsTruncated"`
		NextMarker     *string     `xml:"NextMarker,omitempty"`
		Contents       []xmlObject `xml:"Contents"`
		CommonPrefixes []xmlPrefix `xml:"CommonPrefixes"`
	}
	res := result{Name: c.bucket, Prefix: urlEnc(prefix, enc), Marker: urlEnc(marker, enc), MaxKeys: max,
		Delimiter: urlEnc(delimiter, enc), IsTruncated: l.truncated,
		Contents: s.xmlObjects(l.objects, enc, true), CommonPrefixes: xmlPrefixes(l.prefixes, enc)}
	if enc {
		v := "url"
		res.EncodingType = &v
	}
	if l.truncated {
		v := urlEnc(l.next, enc)
		res.NextMarker = &v
	}
	return writeXML(c, http.StatusOK, res)
}
