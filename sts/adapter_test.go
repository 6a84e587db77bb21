package sts

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

const callerToken = "CAIS+tok/en=secretpart"

func cannedClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ep, err := model.ParseEndpoint("--sts-endpoint", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId("STS.caller").WithAccessKeySecret("callersecret").WithSecurityToken(callerToken).Build()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Credentials: p, STSEndpoint: ep, RAMEndpoint: ep, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func goodReq() model.IssueRequest {
	return model.IssueRequest{RoleARN: "acs:ram::1234567890123456:role/RamOssTest", SessionName: "partner-b", Duration: time.Hour}
}

// The real SDK against canned answers: each documented error decodes into an APIError with a hint.
func TestAssumeRoleErrorsDecoded(t *testing.T) {
	tests := []struct {
		name, code, message string
		status              int
		hint                string
	}{
		{"root refused", "NoPermission", "Roles may not be assumed by root accounts.", 403, "root AccessKey"},
		{"no sts permission", "NoPermission", "You are not authorized to do this action. You should be authorized by RAM.", 403, "AliyunSTSAssumeRoleAccess"},
		{"untrusted", "NoPermission", "No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole or the specified role does not trust you", 403, "trust policy"},
		{"duration", "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr.", 400, "maximum session duration"},
		{"policy size", "InvalidParameter.PolicySize", "The size of Policy must be smaller than 2048 bytes.", 400, "2,048 bytes"},
		{"no role", "EntityNotExist.Role", "The specified Role not exists .", 404, "No role of that name"},
		{"skew", "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400, "clock"},
		{"signature echoes token", "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DSTS.caller%26SecurityToken%3DCAIS%252Btok%252Fen%253Dsecretpart%26Version%3D2015-04-01", 400, "AccessKeySecret does not match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cannedClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				json.NewEncoder(w).Encode(map[string]string{"RequestId": "REQ-1", "HostId": "sts.aliyuncs.com", "Code": tc.code, "Message": tc.message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + tc.code})
			})
			_, err := c.AssumeRole(context.Background(), goodReq())
			var ae *model.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("want *model.APIError, got %T %v", err, err)
			}
			if ae.Service != "sts" || ae.Operation != "AssumeRole" || ae.StatusCode != tc.status || ae.Code != tc.code || ae.RequestID != "REQ-1" || ae.HostID != "sts.aliyuncs.com" || !strings.HasPrefix(ae.Recommend, "https://api.aliyun.com/troubleshoot") {
				t.Errorf("decoded %+v", ae)
			}
			if !strings.Contains(ae.Hint, tc.hint) {
				t.Errorf("hint %q lacks %q", ae.Hint, tc.hint)
			}
			for _, leak := range []string{"secretpart", "CAIS", "callersecret"} {
				if strings.Contains(ae.Error(), leak) || strings.Contains(ae.Message, leak) {
					t.Errorf("error leaks %q: %s", leak, ae.Message)
				}
			}
		})
	}
}

func TestAssumeRoleSuccessAndClockOffset(t *testing.T) {
	serverSkew := 95 * time.Second
	var got map[string]string
	c := cannedClient(t, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = map[string]string{}
		for k := range r.Form {
			got[k] = r.Form.Get(k)
		}
		w.Header().Set("Date", time.Now().Add(serverSkew).UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		io := `{"RequestId":"R2","AssumedRoleUser":{"Arn":"acs:ram::1234567890123456:role/ramosstest/partner-b","AssumedRoleId":"3:partner-b"},` +
			`"Credentials":{"AccessKeyId":"STS.new","AccessKeySecret":"newsecret","SecurityToken":"newtoken","Expiration":"2026-11-27T05:00:00Z"}}`
		w.Write([]byte(io))
	})
	req := goodReq()
	req.ExternalID = "partner-b-7f3c"
	req.Duration = 20 * time.Minute
	cr, err := c.AssumeRole(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got["Action"] != "AssumeRole" || got["RoleArn"] != req.RoleARN || got["RoleSessionName"] != "partner-b" || got["DurationSeconds"] != "1200" || got["ExternalId"] != "partner-b-7f3c" || got["SecurityToken"] != callerToken {
		t.Errorf("request params %v", got)
	}
	if _, ok := got["Policy"]; ok {
		t.Error("Policy sent although none was given")
	}
	want := model.Credentials{AccessKeyID: "STS.new", AccessKeySecret: "newsecret", SecurityToken: "newtoken", RoleARN: req.RoleARN,
		AssumedRoleARN: "acs:ram::1234567890123456:role/ramosstest/partner-b", AssumedRoleID: "3:partner-b", RequestID: "R2", Region: "cn-hangzhou",
		Expiration: time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)}
	if cr.AccessKeyID != want.AccessKeyID || cr.AccessKeySecret != want.AccessKeySecret || cr.SecurityToken != want.SecurityToken ||
		cr.RoleARN != want.RoleARN || cr.AssumedRoleARN != want.AssumedRoleARN || cr.AssumedRoleID != want.AssumedRoleID ||
		cr.RequestID != want.RequestID || cr.Region != want.Region || !cr.Expiration.Equal(want.Expiration) {
		t.Errorf("credentials %+v", cr)
	}
	if d := cr.ServerClockOffset - serverSkew; d < -2*time.Second || d > 2*time.Second {
		t.Errorf("ServerClockOffset %s, want about %s", cr.ServerClockOffset, serverSkew)
	}
}

func TestClockOffset(t *testing.T) {
	recv := time.Date(2026, 11, 27, 3, 0, 0, 300e6, time.UTC)
	tests := []struct {
		name, date string
		want       time.Duration
	}{
		{"missing", "", 0},
		{"garbage", "yesterday", 0},
		{"same second is noise", "Fri, 27 Nov 2026 03:00:00 GMT", 0},
		{"one second behind is noise", "Fri, 27 Nov 2026 02:59:59 GMT", 0},
		{"five minutes ahead", "Fri, 27 Nov 2026 03:05:00 GMT", 5 * time.Minute},
		{"ten seconds behind", "Fri, 27 Nov 2026 02:59:50 GMT", -10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClockOffset(tc.date, recv); got != tc.want {
				t.Errorf("ClockOffset(%q) = %s, want %s", tc.date, got, tc.want)
			}
		})
	}
}

// Validation failures never reach the server.
func TestAssumeRoleValidatesFirst(t *testing.T) {
	called := false
	c := cannedClient(t, func(w http.ResponseWriter, r *http.Request) { called = true; w.WriteHeader(500) })
	r := goodReq()
	r.SessionName = "x"
	_, err := c.AssumeRole(context.Background(), r)
	var ie *issuereq.InvalidRequestError
	if !errors.As(err, &ie) || called {
		t.Fatalf("err %v, server called %v", err, called)
	}
}

func TestNetworkErrorRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // connection refused from now on
	ep, _ := model.ParseEndpoint("--sts-endpoint", url)
	p, _ := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId("STS.caller").WithAccessKeySecret("callersecret").WithSecurityToken(callerToken).Build()
	c, err := New(Config{Credentials: p, STSEndpoint: ep, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Whoami(context.Background())
	if err == nil {
		t.Fatal("want an error")
	}
	for _, leak := range []string{"secretpart", "Signature=", "SecurityToken="} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error leaks %q: %v", leak, err)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ name, in, token, want string }{
		{"known token plain", "token CAIS+x/y= here", "CAIS+x/y=", "token [redacted] here"},
		{"rpc string to sign", "to sign is:POST&%2F&SecurityToken%3DABC%252Fdef%26Timestamp%3D1", "", "to sign is:POST&%2F&SecurityToken%3D[redacted]%26Timestamp%3D1"},
		{"acs3 header line", "x-acs-security-token:ABCDEF\nx-acs-version:1", "", "x-acs-security-token:[redacted]\nx-acs-version:1"},
		{"url query", `Post "http://127.0.0.1:1/?AccessKeyId=a&Signature=s": refused`, "", `Post "http://127.0.0.1:1/?[query redacted]": refused`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in, tc.token); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
