package ossemu

// PostObject: POST / with a multipart/form-data body on the bucket host (browser form upload).
// The form carries the credentials (V1: OSSAccessKeyId, policy, Signature; V4:
// x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-signature; x-oss-security-token
// for STS), the key, object headers and x-oss-meta-*, then the file (fields after it are
// ignored). Checked in the cloud's order as far as its docs tell: form shape, signature,
// policy (grammar, expiration, conditions), then the same layered authorization as PutObject
// (oss:PutObject on the key), then the size against content-length-range while storing.

import (
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Form limits (the cloud's pages 0006-00000110/-112 state them; the value limit, 2 MB, from
// its page on oversize values).
const (
	maxPostFieldName  = 8 << 10
	maxPostFieldValue = 2 << 20
	maxPostFields     = 8 << 20 // all values before the file
	maxPostValidity   = 7 * 24 * time.Hour
)

// isPostForm reports a multipart/form-data body (PostObject's).
func isPostForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func malformedPost(ec, msg, why string) *ossError {
	if msg == "" {
		msg = "The body of your POST request is not well-formed multipart/form-data."
	}
	return apiErr("MalformedPOSTRequest", msg).withEC(ec).check("post-form", why)
}

// postForm is the form up to its file field.
type postForm struct {
	fields map[string]string // lower-case name → first value
	file   *multipart.Part
}

func (f *postForm) get(name string) (string, bool) {
	v, ok := f.fields[strings.ToLower(name)]
	return v, ok
}

// readPostForm reads the fields before the file part and returns with the file part open.
func readPostForm(r *http.Request) (*postForm, *ossError) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, malformedPost("0006-00000101", "", "the body is not multipart/form-data with a boundary: "+err.Error()) // EC picked
	}
	f := &postForm{fields: map[string]string{}}
	total := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			// EC and message picked (the cloud requires the file field).
			return nil, apiErr("InvalidArgument", "The file field is missing: a PostObject form must end with a field named file.", field{"ArgumentName", "file"}).
				withEC("0006-00000102").check("post-form", "no file field in the form")
		}
		if err != nil {
			return nil, malformedPost("0006-00000101", "", "the multipart body is cut or garbled: "+err.Error())
		}
		name := p.FormName()
		if len(name) > maxPostFieldName {
			return nil, malformedPost("0006-00000110", "The name of a form field is longer than 8 KB.", "a form field name over 8 KB")
		}
		if name == "" {
			return nil, malformedPost("0006-00000101", "", "a part without Content-Disposition: form-data; name=…")
		}
		if strings.EqualFold(name, "file") {
			f.file = p
			return f, nil
		}
		v, err := io.ReadAll(io.LimitReader(p, maxPostFieldValue+1))
		if err != nil {
			return nil, malformedPost("0006-00000101", "", "the multipart body is cut or garbled: "+err.Error())
		}
		if len(v) > maxPostFieldValue {
			return nil, malformedPost("0006-00000111", "The value of form field "+strconv.Quote(short(name))+" is larger than 2 MB.", "a form field value over 2 MB") // EC picked
		}
		if total += len(v); total > maxPostFields {
			return nil, malformedPost("0006-00000112", "The form fields before the file field are larger than 8 MB in total.", "form fields over 8 MB before the file")
		}
		ln := strings.ToLower(name)
		if _, dup := f.fields[ln]; !dup { // the first value counts (picked)
			f.fields[ln] = string(v)
		}
	}
}

func postArgErr(name, msg, why string) *ossError {
	// ECs of the form's missing / invalid arguments are not on any page read: picked.
	return apiErr("InvalidArgument", msg, field{"ArgumentName", name}).withEC("0006-00000103").check("post-form", why)
}

func (s *Server) postObject(c *call) *ossError {
	r := c.r
	form, e := readPostForm(r)
	if e != nil {
		return e
	}
	key, ok := form.get("key")
	if !ok {
		return postArgErr("key", "The key field is missing.", "no key field before the file")
	}
	if strings.Contains(key, "${filename}") {
		key = strings.ReplaceAll(key, "${filename}", path.Base(strings.ReplaceAll(form.file.FileName(), `\`, "/")))
	}
	if key == "" {
		return postArgErr("key", "The key field is empty.", "empty key")
	}
	if e := validKey(key); e != nil {
		return e
	}
	c.key = key
	pol, e := s.postAuth(c, form)
	if e != nil {
		return e
	}
	if pol != nil {
		fields := form.fields
		if _, ok := fields["content-type"]; !ok {
			if ct := form.file.Header.Get("Content-Type"); ct != "" {
				// $content-type is the type the object is stored with: the form field, else the
				// file part's own (as a browser sets it). Chosen here; the docs do not say.
				fields = maps.Clone(fields)
				fields["content-type"] = ct
			}
		}
		if e := pol.CheckConditions(&PostRequest{Bucket: c.bucket, Key: key, Fields: fields}); e != nil {
			return e
		}
	}
	if e := s.authorize(c, "oss:PutObject", key, true, nil); e != nil {
		return e
	}
	attrs := postAttrs(form)
	if e := checkMeta(attrs); e != nil {
		return e
	}
	lo, hi := int64(0), int64(maxPutSize)
	if pol != nil {
		if l, h, ok := pol.SizeRange(); ok {
			lo, hi = l, min(h, maxPutSize)
		}
	}
	attrs.MaxSize = hi // (0: not bounded while streaming; the check below refuses)
	o, err := s.store.Put(r.Context(), c.bucket, key, form.file, attrs, func(o *Object) error {
		if o.Size > hi {
			return ErrEntityTooLarge
		}
		if o.Size < lo {
			return apiErr("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.",
				field{"MinSizeAllowed", strconv.FormatInt(lo, 10)}, field{"ProposedSize", strconv.FormatInt(o.Size, 10)}).
				withEC("0006-00000004").check("post-policy", "the file is smaller than the policy's content-length-range")
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrEntityTooLarge):
		return apiErr("EntityTooLarge", "", field{"MaxSizeAllowed", strconv.FormatInt(hi, 10)}).withEC("0006-00000003").
			check("post-policy", "the file is larger than the policy's content-length-range (or 5 GiB)")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, multipart.ErrMessageTooLarge):
		return malformedPost("0006-00000101", "", "the file part ends without its closing boundary; nothing was stored")
	case err != nil:
		var oe *ossError
		if errors.As(err, &oe) {
			return oe
		}
		if strings.Contains(err.Error(), "multipart") {
			return malformedPost("0006-00000101", "", "the file part is garbled: "+err.Error())
		}
		return storeErr(err, c)
	}
	return s.postAnswer(c, form, o)
}

// postAuth verifies the form's signature (V1 or V4) and returns its parsed policy; a form
// without policy and signature is anonymous (nil policy).
func (s *Server) postAuth(c *call, form *postForm) (*PostPolicy, *ossError) {
	now := s.cfg.WallClock.Now()
	polB64, hasPolicy := form.get("policy")
	version, v4 := form.get("x-oss-signature-version")
	ak, hasAK := form.get("OSSAccessKeyId")
	sig, hasSig := form.get("Signature")
	token, _ := form.get("x-oss-security-token")
	var cred PostCredential
	var date time.Time
	switch {
	case v4:
		if version != v4Algorithm {
			return nil, postArgErr("x-oss-signature-version", "x-oss-signature-version must be OSS4-HMAC-SHA256.", "unknown x-oss-signature-version "+quoteShort(version))
		}
		cs, ok := form.get("x-oss-credential")
		if !ok {
			return nil, postCredErr("0002-00000217", "The x-oss-credential field is missing.", "V4 form without x-oss-credential")
		}
		if cred, ok = ParsePostCredential(cs); !ok {
			return nil, postCredErr("0002-00000224", "Invalid credential in x-oss-credential.", "x-oss-credential is not AK/yyyymmdd/region/oss/aliyun_v4_request")
		}
		ds, ok := form.get("x-oss-date")
		if !ok {
			return nil, postArgErr("x-oss-date", "The x-oss-date field is missing.", "V4 form without x-oss-date")
		}
		t, err := time.Parse("20060102T150405Z", ds)
		if err != nil {
			return nil, apiErr("InvalidArgument", "Invalid x-oss-date: want yyyymmddTHHMMSSZ.", field{"ArgumentName", "x-oss-date"}).withEC("0002-00000505").
				check("signature", "x-oss-date "+quoteShort(ds)+" is not ISO 8601 basic")
		}
		date = t
		if e := CheckPostCredential(cred, c.region, date); e != nil {
			return nil, e
		}
		if date.After(now.Add(maxSkew)) {
			return nil, apiErr("RequestTimeTooSkewed", "", field{"RequestTime", ds}, field{"ServerTime", now.UTC().Format("2006-01-02T15:04:05.000Z")},
				field{"MaxAllowedSkewMilliseconds", "900000"}).check("time", "x-oss-date is more than 15 minutes ahead of the server")
		}
		if now.After(date.Add(maxPostValidity)) {
			return nil, apiErr("AccessDenied", "Request has expired.", field{"Expires", date.Add(maxPostValidity).UTC().Format(time.RFC3339)}).
				withEC("0002-00000069").check("time", "x-oss-date is more than 7 days old") // EC picked
		}
		ak = cred.AccessKeyID
		if sig, hasSig = form.get("x-oss-signature"); !hasSig {
			return nil, postArgErr("x-oss-signature", "The x-oss-signature field is missing.", "V4 form without x-oss-signature")
		}
		if !hasPolicy {
			return nil, postArgErr("policy", "The policy field is missing.", "a signed form without policy")
		}
	case !hasPolicy && !hasAK && !hasSig:
		c.trace.Caller = "anonymous"
		return nil, nil
	case !hasPolicy:
		return nil, postArgErr("policy", "The policy field is missing.", "a signed form without policy")
	case !hasAK:
		return nil, postArgErr("OSSAccessKeyId", "The OSSAccessKeyId field is missing.", "a form with policy but without OSSAccessKeyId")
	case !hasSig:
		return nil, postArgErr("Signature", "The Signature field is missing.", "a form with policy but without Signature")
	}
	cr, err := s.cfg.Auth.Credential(c.r.Context(), ak, token)
	if err != nil {
		return nil, credError(err, ak)
	}
	var want, ec string
	if v4 {
		want, ec = PostSignatureV4(cr.Secret, cred.Day, cred.Region, polB64), "0002-00000201"
	} else {
		want, ec = PostSignatureV1(cr.Secret, polB64), "0002-00000040"
	}
	if !equalSig(sig, want) {
		extra := []field{{"OSSAccessKeyId", ak}, {"SignatureProvided", short(sig)}}
		if len(polB64) <= 4096 {
			extra = append(extra, field{"StringToSign", polB64}) // the policy, never a secret
		}
		return nil, apiErr("SignatureDoesNotMatch", "", extra...).withEC(ec).check("signature", "the form's signature is not the policy signed with the access key's secret")
	}
	c.cred = cr
	c.trace.Caller = cr.ARN
	if c.trace.Caller == "" {
		c.trace.Caller = cr.AccessKeyID
	}
	pol, e := ParsePostPolicy(polB64)
	if e != nil {
		return nil, e
	}
	if !now.Before(pol.Expiration) {
		return nil, apiErr("AccessDenied", "Invalid according to Policy: Policy expired.").withEC("0006-00000213").
			check("post-policy", "the policy expired at "+pol.Expiration.Format(time.RFC3339))
	}
	if v4 {
		for _, f := range []string{"x-oss-signature-version", "x-oss-credential", "x-oss-date"} {
			if !pol.Has(f) {
				// The V4 docs require these in the policy; EC and message picked.
				return nil, policyErr("0006-00000225", "A V4 policy must contain the x-oss-signature-version, x-oss-credential and x-oss-date conditions.",
					"the V4 policy has no condition on "+f)
			}
		}
	}
	return pol, nil
}

// postAttrs reads the stored attributes from the form's fields, as attrsFrom does from headers.
func postAttrs(form *postForm) Attrs {
	h := http.Header{}
	for k, v := range form.fields {
		switch {
		case strings.HasPrefix(k, "x-oss-meta-"), k == "content-type", k == "cache-control", k == "content-disposition",
			k == "content-encoding", k == "expires", k == "x-oss-forbid-overwrite":
			h.Set(k, v)
		}
	}
	if h.Get("Content-Type") == "" {
		if ct := form.file.Header.Get("Content-Type"); ct != "" {
			h.Set("Content-Type", ct)
		}
	}
	return attrsFrom(h)
}

// postAnswer answers a stored upload: a 303 to success_action_redirect (with bucket, key and
// etag appended), else success_action_status 200 / 201 (PostResponse XML) / 204 (default,
// also for any other value).
func (s *Server) postAnswer(c *call, form *postForm, o *Object) *ossError {
	h := c.w.Header()
	h.Set("ETag", o.ETag)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	if redirect, ok := form.get("success_action_redirect"); ok && redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			q := u.Query()
			q.Set("bucket", c.bucket)
			q.Set("key", o.Key)
			q.Set("etag", strings.Trim(o.ETag, `"`))
			u.RawQuery = q.Encode()
			h.Set("Location", u.String())
			h.Set("Content-Length", "0")
			c.w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	status, _ := form.get("success_action_status")
	switch status {
	case "200":
		h.Set("Content-Length", "0")
		c.w.WriteHeader(http.StatusOK)
	case "201":
		type postResponse struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Bucket   string   `xml:"Bucket"`
			Location string   `xml:"Location"`
			Key      string   `xml:"Key"`
			ETag     string   `xml:"ETag"`
		}
		loc := "http://" + c.hostID + "/" + escapeKey(o.Key)
		return writeXML(c, http.StatusCreated, postResponse{Bucket: c.bucket, Location: loc, Key: o.Key, ETag: o.ETag})
	default:
		c.w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func escapeKey(k string) string {
	parts := strings.Split(k, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
