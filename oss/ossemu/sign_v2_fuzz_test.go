package ossemu

import (
	"net/http"
	"testing"
)

// FuzzV2Verifier: the V2 parser and verifier answer every input with a 4xx or a pass; a pass
// means the signature is the recomputed one; a correctly signed request verifies and any change
// of its key, a signed header value or a signed Host makes it fail.
func FuzzV2Verifier(f *testing.F) {
	f.Add("OSS2 AccessKeyId:ak,Signature:c2ln", "", "Sun, 06 Dec 2026 22:13:03 GMT", "src/a b+c.txt", "127.0.0.1:80", "partner-b")
	f.Add("OSS2 AccessKeyId:ak,AdditionalHeaders:host,Signature:c2ln", "acl&uploadId=1&prefix=a%2Fb", "Sun, 06 Dec 2026 22:13:03 GMT", "k", "examplebucket.oss-cn-hangzhou.aliyuncs.com", "")
	f.Add("OSS2 AccessKeyId:ak,AdditionalHeaders:Host;x-oss-meta-f,Signature:c2ln", "list-type=2&max-keys=10", "", "", "h", "v")
	f.Add("", "x-oss-signature-version=OSS2&x-oss-access-key-id=ak&x-oss-expires=1796598783&x-oss-signature=c2ln&security-token=CAIS", "", "k", "127.0.0.1", "")
	f.Add("", "x-oss-signature-version=OSS2&x-oss-access-key-id=ak&x-oss-expires=-1&x-oss-signature=c2ln&x-oss-additional-headers=host", "", "k", "", "")
	f.Add("OSS2 AccessKeyId:,Signature:", "", "", "", "", "")
	f.Add("OSS2 AccessKeyId:ak,AccessKeyId:ak,Signature:x", "a=%zz&=&&b", "Mon, 01 Jan 0001 00:00:00 GMT", "\x00", ":", "\xff")
	f.Fuzz(func(t *testing.T, authz, rawQuery, date, key, host, meta string) {
		h := http.Header{}
		if authz != "" {
			h.Set("Authorization", authz)
		}
		if date != "" {
			h.Set("Date", date)
		}
		if meta != "" {
			h.Set("x-oss-meta-f", meta)
		}
		r := &SigRequest{Method: "PUT", Bucket: "examplebucket", Key: key, RawQuery: rawQuery, Header: h, Host: host}
		a, e := ParseAuth(r)
		if e != nil {
			if e.Code == "" || e.Status < 400 || e.Status >= 500 {
				t.Fatalf("parse error without a 4xx code: %+v", e)
			}
			return
		}
		if a.Kind != AuthV2Header && a.Kind != AuthV2Query {
			return
		}
		if e := VerifySignature(r, a, "sk", "cn-hangzhou"); e == nil {
			if v2Sign("sk", V2StringToSign(r, a)) != a.Signature {
				t.Fatal("V2 accepted a wrong signature")
			}
		} else if e.Code != "SignatureDoesNotMatch" || e.Status != 403 {
			t.Fatalf("mismatch answered %+v", e)
		}
		signed := *a
		signed.Signature = v2Sign("sk", V2StringToSign(r, a))
		if e := verifyV2(r, &signed, "sk"); e != nil {
			t.Fatalf("a correctly signed request fails: %v", e)
		}
		refused := func(what string, r2 *SigRequest) {
			t.Helper()
			if e := verifyV2(r2, &signed, "sk"); e == nil {
				t.Fatalf("changed %s still verifies", what)
			}
		}
		r2 := cloneSig(r)
		r2.Key = key + "x"
		refused("key", r2)
		if meta != "" {
			r3 := cloneSig(r)
			r3.Header.Set("x-oss-meta-f", meta+"x")
			refused("x-oss-meta-f", r3)
		}
		for _, ah := range a.Additional {
			if ah == "host" && host != "" {
				r4 := cloneSig(r)
				r4.Host = host + "x"
				refused("host", r4)
			}
		}
	})
}
