package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

// The preview's computation is tested in model/flow (preview_test.go); these tests drive the
// Policy screen's bucket layer and grid.

const readWriteDoc = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`

func role(docs ...string) *model.Role {
	r := &model.Role{Name: "R", ARN: "acs:ram::" + cAccount + ":role/r", Policies: []model.AttachedPolicy{}}
	for i, d := range docs {
		r.Policies = append(r.Policies, model.AttachedPolicy{Name: "P" + string(rune('0'+i)), Type: "Custom", Document: d})
	}
	return r
}

// bucketObjects is an ObjectService whose clients can read one bucket policy (or fail).
type bucketObjects struct {
	doc   string
	found bool
	err   error
}

type bucketClient struct {
	ObjectClient // the rest is not used by the Policy screen
	o            bucketObjects
}

func (b bucketObjects) With(model.Credentials) ObjectClient { return bucketClient{o: b} }
func (c bucketClient) BucketPolicy(_ context.Context, bucket string) (string, bool, error) {
	return c.o.doc, c.o.found, c.o.err
}

func TestPolicyBucketLayer(t *testing.T) {
	t.Parallel()
	denyDelete := `{"Version":"1","Statement":[{"Effect":"Deny","Principal":["*"],"Action":"oss:DeleteObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	allowGet := `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	tests := []struct {
		name    string
		objects bucketObjects
		role    *model.Role
		want    []string // "op scope verdict layer"
		note    string
	}{
		{"explicit deny in the bucket policy", bucketObjects{doc: denyDelete, found: true}, role(readWriteDoc),
			[]string{"delete inside Deny bucket", "put inside Allow role"}, "✓ read (1 statement), in the preview"},
		{"bucket policy allows what the role does not", bucketObjects{doc: allowGet, found: true}, role(),
			[]string{"get inside Allow bucket", "put inside Deny role"}, "in the preview"},
		{"no bucket policy", bucketObjects{}, role(readWriteDoc), []string{"delete inside Allow role"}, "bucket policy: none"},
		{"not readable", bucketObjects{err: &model.APIError{Service: "oss", StatusCode: 403, Code: "AccessDenied"}}, role(readWriteDoc),
			[]string{"delete inside Allow role"}, "? not readable (AccessDenied) — not in the preview"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc := cDemoServices(cDemoRoles())
			svc.Objects = tt.objects
			svc.Current = func(context.Context) (model.Credentials, error) { return model.Credentials{AccessKeyID: "LTAI"}, nil }
			d := newTestApp(t, svc)
			d.send(RoleSelectedMsg{Role: *tt.role})
			d.send(SwitchScreenMsg{To: ScreenPolicy})
			p := d.app().Screen(ScreenPolicy).(*PolicyScreen)
			d.keys("b", "ctrl+u")
			d.typeText("examplebucket")
			d.keys("enter")
			d.typeText("src/")
			d.keys("enter")
			for _, w := range tt.want {
				f := strings.Fields(w)
				c := cell(p, f[0], f[1])
				if c.Verdict != f[2] || c.Layer != f[3] {
					t.Errorf("%s %s = %s by %s (%s), want %s by %s", f[0], f[1], c.Verdict, c.Layer, c.Reason, f[2], f[3])
				}
			}
			if v := d.view(); !strings.Contains(v, tt.note) {
				t.Errorf("view lacks %q:\n%s", tt.note, v)
			}
		})
	}
}

func TestPolicyPreviewBucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mode   string
		want   []string
		reject []string
	}{
		{"sandbox preloads the classic bucket", "sandbox", []string{"Preview examplebucket · role RamOssTest", "whole bucket (no prefix)"}, []string{"outside dst/", "set a bucket"}},
		{"live without a bucket says so", "live", []string{"set a bucket (b)"}, []string{"outside dst/", "whole bucket", "? unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc := cDemoServices(cDemoRoles())
			svc.Mode = tt.mode
			if tt.mode == "live" {
				svc.Sandbox = nil
			}
			d := newTestApp(t, svc)
			d.keys("enter") // RamOssTest (assumable: first)
			v := d.view()
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("view lacks %q:\n%s", w, v)
				}
			}
			for _, w := range tt.reject {
				if strings.Contains(v, w) {
					t.Errorf("view shows %q:\n%s", w, v)
				}
			}
			// With a prefix, both columns.
			d.keys("b", "ctrl+u")
			d.typeText("examplebucket")
			d.keys("enter")
			d.typeText("src/")
			d.keys("enter")
			if v := d.view(); !strings.Contains(v, "inside src/") || !strings.Contains(v, "outside dst/") {
				t.Errorf("no inside/outside columns with a prefix:\n%s", v)
			}
		})
	}
}
