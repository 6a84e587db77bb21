package sts_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/sts"
)

// IsSandbox tells the sandbox's STS listener from anything else at a loopback address.
func TestControlIsSandbox(t *testing.T) {
	ctx := context.Background()
	sb := startSandbox(t, sandboxOpts{})
	ctl, err := sts.NewControl(model.SandboxInfo{STSEndpoint: sb.Info.STSEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	if !ctl.IsSandbox(ctx) {
		t.Fatal("the sandbox's STS endpoint is not recognised")
	}
	clk, err := ctl.ReadClock(ctx)
	if err != nil || clk.Offset != 0 || clk.Wall.IsZero() || clk.Auth.IsZero() {
		t.Fatalf("clock %+v %v", clk, err)
	}
	if _, err := ctl.Advance(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if clk, _ = ctl.ReadClock(ctx); clk.Offset != 30*time.Minute || clk.Auth.Sub(clk.Wall) < 29*time.Minute {
		t.Fatalf("after advance %+v", clk)
	}
	for name, h := range map[string]http.HandlerFunc{
		"404": http.NotFound,
		"another product": func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"product":"something-else","half":"sts"}`))
		},
		"not json": func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`<html>`)) },
	} {
		srv := httptest.NewServer(h)
		c, _ := sts.NewControl(model.SandboxInfo{STSEndpoint: srv.URL})
		if c.IsSandbox(ctx) {
			t.Errorf("%s: taken for a sandbox", name)
		}
		srv.Close()
	}
	c, _ := sts.NewControl(model.SandboxInfo{STSEndpoint: "http://127.0.0.1:1"})
	if c.IsSandbox(ctx) {
		t.Error("nothing listening: taken for a sandbox")
	}
}
