package ossemu

import (
	"strings"
	"testing"
)

// The XML and policy bodies a client can send are bounded (maxXMLBody, maxBucketPolicy) before
// they are parsed; the parsers must answer every input with a result or an OSS error.

func FuzzCompleteBody(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"3349DC700140D7F86A0784842780****"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>a</ETag></Part><Part><PartNumber>1</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><CompleteMultipartUpload/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxXMLBody {
			return
		}
		parts, e := parseCompleteBody(data)
		if e != nil {
			if e.Code == "" || e.Status < 400 {
				t.Fatalf("error without code: %+v", e)
			}
			return
		}
		if len(parts) == 0 || len(parts) > maxParts {
			t.Fatalf("accepted %d parts", len(parts))
		}
		for i, p := range parts {
			if p.Number < 1 || p.Number > maxParts || (i > 0 && p.Number <= parts[i-1].Number) {
				t.Fatalf("accepted bad part list %+v", parts)
			}
		}
	})
}

func FuzzDeleteBody(f *testing.F) {
	f.Add([]byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>`))
	f.Add([]byte(`<Delete><Object><Key>../../x</Key></Object><Object><Key></Key></Object></Delete>`))
	f.Add([]byte(`<Remove/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxXMLBody {
			return
		}
		keys, _, e := parseDeleteBody(data)
		if e != nil {
			if e.Code == "" || e.Status < 400 {
				t.Fatalf("error without code: %+v", e)
			}
			return
		}
		if len(keys) == 0 || len(keys) > 1000 {
			t.Fatalf("accepted %d keys", len(keys))
		}
		for _, k := range keys {
			if k == "" || validKey(k) != nil {
				t.Fatalf("accepted key %q", k)
			}
		}
	})
}

func FuzzBucketPolicyBody(f *testing.F) {
	f.Add([]byte(`{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:examplebucket/*"]}]}`))
	f.Add([]byte(`{"Version":"1","Statement":[{"Effect":"allow"}]}`))
	f.Add([]byte(`{"Version":"1","Statement":[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxBucketPolicy {
			return
		}
		p, e := validateBucketPolicy("examplebucket", data)
		if e != nil {
			if e.Code != "MalformedPolicy" || !strings.HasPrefix(e.Message, "Policy is not valid: ") {
				t.Fatalf("unexpected error %+v", e)
			}
			return
		}
		if p == nil {
			t.Fatal("nil policy without error")
		}
	})
}
