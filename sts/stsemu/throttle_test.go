package stsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/model"
)

// Over the account's AssumeRole rate the SDK gets the cloud's Throttling.User (400) and its
// throttling error; the quota refills on the wall clock. Other actions are not counted.
func TestAssumeRoleThrottling(t *testing.T) {
	wall := &settableClock{}
	now := time.Now()
	wall.Set(now)
	s, err := New(Config{DataDir: t.TempDir(), Seed: testSeed(t), WallClock: wall, AuthClock: model.NewOffsetClock(wall, 0), AssumeRoleRate: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	host := startHTTP(t, &testServer{Server: s, wall: wall}, false)
	c := newSTS(t, host, "http", issuerKeys)
	for i := 0; i < 5; i++ {
		if _, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: fmt.Sprintf("t-%d", i)}); err != nil {
			t.Fatalf("call %d within the rate: %v", i, err)
		}
	}
	if _, err := c.GetCallerIdentity(); err != nil {
		t.Fatalf("GetCallerIdentity is not throttled: %v", err)
	}
	_, err = assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: "t-over"})
	status, code, msg := sdkErr(t, err)
	if status != 400 || code != "Throttling.User" || msg == "" {
		t.Fatalf("over the rate: %d %s %q", status, code, msg)
	}
	var se *tea.SDKError
	errors.As(err, &se)
	var body map[string]any
	json.Unmarshal([]byte(tea.StringValue(se.Data)), &body)
	if body["HostId"] != "sts.aliyuncs.com" || body["Message"] != "Request was denied due to user flow control." {
		t.Errorf("body %v", body)
	}
	wall.Set(now.Add(time.Second))
	if _, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: "t-later"}); err != nil {
		t.Fatalf("a second later: %v", err)
	}
}

// The package default has no limit: a burst far over the cloud's rate on a frozen clock passes.
func TestAssumeRoleNoLimitByDefault(t *testing.T) {
	ts := newTestServer(t)
	ts.wall.Set(time.Now())
	c := newSTS(t, startHTTP(t, ts, false), "http", issuerKeys)
	for i := 0; i < DefaultAssumeRoleRate+20; i++ {
		if _, err := assume(c, assumeArgs{arn: arnPrefix + "RamOssTest", session: fmt.Sprintf("n-%d", i)}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}
