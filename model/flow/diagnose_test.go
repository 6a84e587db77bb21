package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// ossXML is an OSS error body as the sandbox (and OSS) writes it.
func ossXML(code, msg, ec string, extra string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>` + code + `</Code>
  <Message>` + msg + `</Message>
  <RequestId>6643A1B2C3D4E5F601234567</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>` + extra + `
  <EC>` + ec + `</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=` + ec + `</RecommendDoc>
</Error>
`
}

func popJSON(code, msg string) string {
	return `{"RequestId":"9FEC8583-7C6B-4446-7719-B6676953D9BE","HostId":"sts.aliyuncs.com","Code":"` + code + `","Message":"` + msg +
		`","Recommend":"https://api.aliyun.com/troubleshoot?q=` + code + `&product=Sts&requestId=9FEC8583"}`
}

// TestErrorTable: every row is explained from an error carrying it, offline.
func TestErrorTable(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range ErrorTable {
		key := e.EC + "/" + e.Code + "/" + e.Service
		name := e.EC
		if name == "" {
			name = e.Service + " " + e.Code
		}
		t.Run(name, func(t *testing.T) {
			if seen[key] {
				t.Fatalf("duplicate row %s", key)
			}
			seen[key] = true
			if e.Meaning == "" || e.Remedy == "" || e.Layer == "" {
				t.Fatalf("row %+v lacks words", e)
			}
			var in string
			switch {
			case e.EC != "":
				in = ossXML(e.Code, "x", e.EC, "")
			case e.Service == "oss":
				in = "oss: service returned error: StatusCode=403, ErrorCode=" + e.Code + ", ErrorMessage=\"x\", RequestId=6643A1B2C3D4E5F601234567"
			default:
				in = popJSON(e.Code, "x")
			}
			r, err := DetectError([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			d := Diagnose(context.Background(), r, DiagnosePorts{})
			if d.Meaning != e.Meaning || d.Code != e.Code || d.EC != e.EC {
				t.Fatalf("diagnosis %+v", d)
			}
			if e.Layer != "unknown" && d.Layer != e.Layer {
				t.Fatalf("layer %s, want %s", d.Layer, e.Layer)
			}
			if !strings.Contains(d.Explanation, e.Meaning) || d.RequestID == "" {
				t.Fatalf("explanation %q", d.Explanation)
			}
		})
	}
}

// The non-policy failures the issue names, by their real texts.
func TestDiagnoseNonPolicy(t *testing.T) {
	tests := []struct{ name, in, layer, want string }{
		{"expired token (OSS)", ossXML("SecurityTokenExpired", "The security token you provided has expired.", "0002-00000007", ""), "none", "expired"},
		{"expired token (STS caller)", popJSON("InvalidSecurityToken.Expired", "Specified SecurityToken is expired."), "none", "expired"},
		{"truncated token", ossXML("InvalidSecurityToken", "The security token you provided is invalid.", "0002-00000006", ""), "none", "truncated"},
		{"wrong region endpoint", ossXML("AccessDenied", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.", "0003-00001403",
			"\n  <Bucket>beijingbucket</Bucket>\n  <Endpoint>oss-cn-beijing.aliyuncs.com</Endpoint>"), "none", "wrong region"},
		{"no such bucket", ossXML("NoSuchBucket", "The specified bucket does not exist.", "0015-00000101", "\n  <BucketName>nobucket</BucketName>"), "none", "does not exist"},
		{"skewed clock", ossXML("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", "0002-00000504", ""), "none", "skewed clock"},
		{"anonymous access", ossXML("AccessDenied", "Anonymous access is forbidden for this operation.", "0003-00001201", ""), "acl", "anonymous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DetectError([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			d := Diagnose(context.Background(), r, DiagnosePorts{})
			if d.Layer != tt.layer || !strings.Contains(d.Explanation, tt.want) {
				t.Fatalf("layer %s, explanation %q", d.Layer, d.Explanation)
			}
			if tt.name == "wrong region endpoint" && (r.Endpoint != "oss-cn-beijing.aliyuncs.com" || len(d.Notes) == 0) {
				t.Fatalf("endpoint %q notes %v", r.Endpoint, d.Notes)
			}
		})
	}
}

const sampleEncoded = "AQEAAAAAZBgxr0U1MjA1NTM1LUM4BBktMzE5RS1CODgxLUU1QTI0RDNFQTM1"

// TestDetectForms: every accepted form, as the tools print it.
func TestDetectForms(t *testing.T) {
	deniedXML := ossXML("AccessDenied", "Access denied by authorizer's policy.", "0003-00000301",
		"\n  <AccessDeniedDetail>\n    <PolicyType>SessionPolicy</PolicyType>\n    <AuthPrincipalDisplayName>RamOssTest/partner</AuthPrincipalDisplayName>\n    <AuthAction>oss:GetObject</AuthAction>\n    <EncodedDiagnosticMessage>"+sampleEncoded+"</EncodedDiagnosticMessage>\n  </AccessDeniedDetail>")
	tests := []struct {
		name, in            string
		input, code, ec, rq string
		encoded             bool
		ak                  string
	}{
		{"OSS XML", deniedXML, InputOSSXML, "AccessDenied", "0003-00000301", "6643A1B2C3D4E5F601234567", true, ""},
		{"OSS XML with OSSAccessKeyId", ossXML("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", "0002-00000040",
			"\n  <OSSAccessKeyId>STS.NUgYrLnoC37mZZCNnAbez2</OSSAccessKeyId>\n  <StringToSign>GET\n\n\n1\nx-oss-security-token:CAISsecret\n/examplebucket/a</StringToSign>"),
			InputOSSXML, "SignatureDoesNotMatch", "0002-00000040", "6643A1B2C3D4E5F601234567", false, "STS.NUgYrLnoC37mZZCNnAbez2"},
		{"STS JSON", popJSON("NoPermission", "No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole or the specified role does not trust you"),
			InputOpenAPIJSON, "NoPermission", "", "9FEC8583-7C6B-4446-7719-B6676953D9BE", false, ""},
		{"STS XML", `<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>9FEC8583</RequestId><HostId>sts.aliyuncs.com</HostId><Code>InvalidSecurityToken.Expired</Code><Message>Specified SecurityToken is expired.</Message><Recommend>https://api.aliyun.com/troubleshoot?q=InvalidSecurityToken.Expired&amp;product=Sts</Recommend></Error>`,
			InputOpenAPIXML, "InvalidSecurityToken.Expired", "", "9FEC8583", false, ""},
		{"OSS JSON", `{"Error":{"Code":"NoSuchBucket","Message":"The specified bucket does not exist.","RequestId":"5C3D9175B6FC201293AD4890","HostId":"x.oss-cn-hangzhou.aliyuncs.com","BucketName":"x","EC":"0015-00000101"}}`,
			InputOpenAPIJSON, "NoSuchBucket", "0015-00000101", "5C3D9175B6FC201293AD4890", false, ""},
		{"OSS SDK v2 error text", "operation error GetObject: Error returned by Service. \nHttp Status Code: 403. \nError Code: AccessDenied. \nRequest Id: 6643A1B2C3D4E5F601234567. \nMessage: Access denied by authorizer's policy..\nEC: 0003-00000301.\nTimestamp: 2026-01-02 03:04:05 +0000 UTC.\nRequest Endpoint: GET http://127.0.0.1:4040/examplebucket/dst/a.txt.",
			InputText, "AccessDenied", "0003-00000301", "6643A1B2C3D4E5F601234567", false, ""},
		{"ossutil / SDK v1 text", `Error: oss: service returned error: StatusCode=403, ErrorCode=AccessDenied, ErrorMessage="Access denied by authorizer's policy.", RequestId=6643A1B2C3D4E5F601234567, Ec=0003-00000301, File=dst/a.txt`,
			InputText, "AccessDenied", "0003-00000301", "6643A1B2C3D4E5F601234567", false, ""},
		{"issue's example", `oss: service returned error: StatusCode=403, ErrorCode=AccessDenied, RequestId=6643A1B2C3D4E5F601234567, EC=0003-00000301`,
			InputText, "AccessDenied", "0003-00000301", "6643A1B2C3D4E5F601234567", false, ""},
		{"darabonba SDKError", "SDKError:\n   StatusCode: 403\n   Code: NoPermission\n   Message: code: 403, You are not authorized to do this action. You should be authorized by RAM. request id: 9FEC8583-7C6B-4446-7719-B6676953D9BE\n   Data: " +
			`{"AccessDeniedDetail":{"AuthAction":"sts:AssumeRole","EncodedDiagnosticMessage":"` + sampleEncoded + `","NoPermissionType":"ImplicitDeny","PolicyType":"AccountLevelIdentityBasedPolicy"},"Code":"NoPermission","HostId":"sts.aliyuncs.com","Message":"You are not authorized to do this action. You should be authorized by RAM.","Recommend":"https://api.aliyun.com/troubleshoot?q=NoPermission&product=Sts","RequestId":"9FEC8583-7C6B-4446-7719-B6676953D9BE","statusCode":403}` + "\n",
			InputText, "NoPermission", "", "9FEC8583-7C6B-4446-7719-B6676953D9BE", true, ""},
		{"aliyun CLI", "ERROR: SDK.ServerError\nErrorCode: NoPermission\nRecommend: https://api.aliyun.com/troubleshoot?q=NoPermission&product=Sts\nRequestId: 9FEC8583-7C6B-4446-7719-B6676953D9BE\nMessage: You are not authorized to do this action. You should be authorized by RAM.",
			InputText, "NoPermission", "", "9FEC8583-7C6B-4446-7719-B6676953D9BE", false, ""},
		{"curl of a presigned URL", "$ curl -i 'http://examplebucket.oss-cn-hangzhou.aliyuncs.com/dst/a.txt?OSSAccessKeyId=STS.NUgYrLnoC37mZZCNnAbez2&Expires=1700000000&Signature=abc%3D&security-token=CAISsecret'\nHTTP/1.1 403 Forbidden\n\n" + deniedXML,
			InputText, "AccessDenied", "0003-00000301", "6643A1B2C3D4E5F601234567", true, "STS.NUgYrLnoC37mZZCNnAbez2"},
		{"V4 presigned URL", "GET http://127.0.0.1:1/examplebucket/dst/a.txt?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=STS.NUgYrLnoC37mZZCNnAbez2%2F20260101%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-signature=ab\n" + deniedXML,
			InputText, "AccessDenied", "0003-00000301", "6643A1B2C3D4E5F601234567", true, "STS.NUgYrLnoC37mZZCNnAbez2"},
		{"bare EC", "  0003-00000301\n", InputEC, "AccessDenied", "0003-00000301", "", false, ""},
		{"bare EncodedDiagnosticMessage", sampleEncoded + "\n", InputEncoded, "", "", "", true, ""},
		{"bare code", "SecurityTokenExpired", InputText, "SecurityTokenExpired", "", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DetectError([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			d := Diagnose(context.Background(), r, DiagnosePorts{})
			if r.Input != tt.input || d.Code != tt.code || r.EC != tt.ec || r.RequestID != tt.rq || (r.Encoded() != "") != tt.encoded || r.AccessKeyID != tt.ak {
				t.Fatalf("report %+v, diagnosis code %q", r, d.Code)
			}
			out, _ := json.Marshal(d)
			if strings.Contains(string(out), "CAISsecret") || strings.Contains(d.Explanation, "CAISsecret") {
				t.Fatalf("a security token reached the output: %s", out)
			}
			if tt.encoded && (d.Decoded || !strings.Contains(d.DecodeError, "not connected")) {
				t.Fatalf("offline decode: %+v", d)
			}
		})
	}
}

func TestDetectRefuses(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"blank", " \n\t ", "empty"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", "binary"},
		{"invalid UTF-8", "Code: \xff\xfe", "binary"},
		{"truncated XML", ossXML("AccessDenied", "x", "0003-00000301", "")[:120], "truncated"},
		{"XML not an error", `<ListBucketResult><Name>b</Name></ListBucketResult>`, "not <Error>"},
		{"XML error without code", `<Error><Message>m</Message></Error>`, "no <Code>"},
		{"truncated JSON", `{"RequestId":"1","Code":"NoPerm`, "truncated"},
		{"JSON not an error", `{"RequestId":"1","AssumedRoleUser":{}}`, "no Code"},
		{"too large", strings.Repeat("a", MaxErrorInput+1), "larger than"},
		{"prose", "the upload did not work, please help", "no error found"},
		{"a code word in prose", "the code: foo was wrong", "no error found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DetectError([]byte(tt.in))
			var ne *NotAnError
			if !errors.As(err, &ne) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// diagDecoder answers DecodeDiagnosticMessage with a fixed message (or error).
type diagDecoder struct {
	m   model.DiagnosticMessage
	err error
}

func (f diagDecoder) DecodeDiagnosticMessage(context.Context, string) (model.DiagnosticMessage, error) {
	return f.m, f.err
}

type diagAudit []model.AuditRecord

func (a diagAudit) Append(model.AuditRecord) error               { return nil }
func (a diagAudit) List() ([]model.AuditRecord, []string, error) { return a, nil, nil }

type diagRoles map[string]model.Role

func (f diagRoles) ListRoles(context.Context) ([]model.Role, error) { return nil, nil }
func (f diagRoles) GetRole(_ context.Context, arn string) (model.Role, error) {
	if r, ok := f[arn]; ok {
		return r, nil
	}
	return model.Role{}, fmt.Errorf("no role %s", arn)
}

const uploadOnly = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:examplebucket/src/*"]}]}`

func uploadOnlyPorts(decoded model.DiagnosticMessage) DiagnosePorts {
	arn := "acs:ram::1234567890123456:role/ramosstest"
	return DiagnosePorts{
		Decoder: diagDecoder{m: decoded},
		Audit: diagAudit{{ID: "r1", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RoleARN: arn, SessionName: "partner",
			AccessKeyID: "STS.NUgYrLnoC37mZZCNnAbez2", SessionPolicy: uploadOnly}},
		Roles: diagRoles{arn: {Name: "RamOssTest", ARN: arn, Policies: []model.AttachedPolicy{{Name: "OssReadWritePolicy", Type: "Custom",
			Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`}}}},
		AccountID: "1234567890123456", Region: "cn-hangzhou",
	}
}

func TestDiagnoseSessionDenial(t *testing.T) {
	res := "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/a.txt"
	dm := model.DiagnosticMessage{AuthAction: "oss:GetObject", AuthResource: res, NoPermissionPolicyType: "SessionPolicy",
		AuthPrincipal: &model.DiagnosticPrincipal{AuthPrincipalDisplayName: "RamOssTest:partner", AuthPrincipalType: "AssumedRoleUser", AuthPrincipalOwnerID: "1234567890123456"}}
	r, err := DetectError([]byte(ossXML("AccessDenied", "Access denied by authorizer's policy.", "0003-00000301",
		"<AccessDeniedDetail><EncodedDiagnosticMessage>"+sampleEncoded+"</EncodedDiagnosticMessage></AccessDeniedDetail>")))
	if err != nil {
		t.Fatal(err)
	}
	d := Diagnose(context.Background(), r, uploadOnlyPorts(dm))
	if !d.Decoded || d.Layer != "session" || d.Action != "oss:GetObject" || d.Resource != res || d.Principal != "RamOssTest/partner" ||
		d.Audit == nil || d.Audit.AccessKeyID != "STS.NUgYrLnoC37mZZCNnAbez2" || d.Statement != nil {
		t.Fatalf("%+v", d)
	}
	f := d.Fix
	if f == nil || f.Layer != "session" || f.Change != "add" || !f.Verified || f.Statement.Action[0] != "oss:GetObject" || f.Statement.Resource[0] != res {
		t.Fatalf("fix %+v", f)
	}
	// The fixed policy allows the same GET and still denies dst/.
	fixed, err := policy.Parse("fixed", []byte(f.Policy), policy.KindSession)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]policy.Decision{"src/a.txt": policy.DecisionAllow, "dst/a.txt": policy.DecisionImplicitDeny} {
		got := policy.Evaluate(&policy.Request{Action: "oss:GetObject", Resource: "acs:oss:cn-hangzhou:1234567890123456:examplebucket/" + key}, policy.Layers{Session: fixed, Identity: []*policy.Policy{}})
		_ = got
		ex := Explain(ExplainInput{Action: "oss:GetObject", Resource: "acs:oss:cn-hangzhou:1234567890123456:examplebucket/" + key, Session: fixed,
			Identity: CompileIdentity(&model.Role{Policies: []model.AttachedPolicy{{Name: "rw", Document: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]}`}}}).Policies})
		if ex.Decision != want {
			t.Errorf("%s: %s, want %s", key, ex.Decision, want)
		}
	}
	if !strings.Contains(d.Explanation, "session policy") || !strings.Contains(d.Explanation, "STS.NUgYrLnoC37mZZCNnAbez2") {
		t.Fatalf("explanation %q", d.Explanation)
	}
}

func TestDiagnoseExplicitDenyNamesStatement(t *testing.T) {
	res := "acs:oss:cn-hangzhou:1234567890123456:examplebucket/src/a.txt"
	p := uploadOnlyPorts(model.DiagnosticMessage{AuthAction: "oss:DeleteObject", AuthResource: res, ExplicitDeny: true, NoPermissionPolicyType: "SessionPolicy",
		AuthPrincipal: &model.DiagnosticPrincipal{AuthPrincipalDisplayName: "RamOssTest:partner", AuthPrincipalType: "AssumedRoleUser"}})
	rec := p.Audit.(diagAudit)
	rec[0].SessionPolicy = "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"oss:*\", \"Resource\": \"*\"},\n    {\"Effect\": \"Deny\", \"Action\": \"oss:DeleteObject\", \"Resource\": \"*\"}\n  ]\n}"
	d := Diagnose(context.Background(), &ErrorReport{Input: InputEncoded, Detail: &model.AccessDeniedDetail{EncodedDiagnosticMessage: sampleEncoded}}, p)
	if d.Layer != "session" || d.Statement == nil || d.Statement.Index != 1 || d.Statement.Line != 5 || d.Fix == nil || d.Fix.Change != "remove" || !d.Fix.Verified {
		t.Fatalf("%+v fix %+v", d, d.Fix)
	}
}

func TestDiagnoseDecodeRefused(t *testing.T) {
	p := DiagnosePorts{Decoder: diagDecoder{err: &model.APIError{Service: "ram", Code: "NoPermission", Message: "You are not authorized to do this action. You should be authorized by RAM."}}}
	d := Diagnose(context.Background(), &ErrorReport{Input: InputEncoded, Detail: &model.AccessDeniedDetail{EncodedDiagnosticMessage: sampleEncoded}}, p)
	if d.Decoded || !strings.Contains(d.DecodeError, "NoPermission") || !strings.Contains(d.Explanation, "not decoded") {
		t.Fatalf("%+v", d)
	}
}

func FuzzDetectError(f *testing.F) {
	for _, s := range []string{
		ossXML("AccessDenied", "Access denied by authorizer's policy.", "0003-00000301", "<AccessDeniedDetail><EncodedDiagnosticMessage>"+sampleEncoded+"</EncodedDiagnosticMessage></AccessDeniedDetail>"),
		popJSON("NoPermission", "x"), "0003-00000301", sampleEncoded, "SDKError:\n   Code: X\n   Data: {\"Code\":\"NoPermission\"}",
		`oss: service returned error: StatusCode=403, ErrorCode=AccessDenied, RequestId=1, EC=0003-00000301`, "OSSAccessKeyId=STS.abcdefghijkl&", "{", "<Error>", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := DetectError(in)
		if err != nil {
			var ne *NotAnError
			if !errors.As(err, &ne) || ne.Reason == "" {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if r.Code == "" && r.EC == "" && r.Encoded() == "" {
			t.Fatalf("a report without code, EC or message: %+v", r)
		}
		switch r.Input {
		case InputOSSXML, InputOpenAPIJSON, InputOpenAPIXML, InputText, InputEC, InputEncoded:
		default:
			t.Fatalf("input %q", r.Input)
		}
		d := Diagnose(context.Background(), r, DiagnosePorts{})
		if d.Explanation == "" || d.Layer == "" {
			t.Fatalf("diagnosis %+v", d)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
	})
}
