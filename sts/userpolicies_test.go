package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

// UserPolicies over the RAM SDK against the emulator: the caller's own policies with their
// documents, an empty list, a refusal and an unknown user.
func TestSandboxUserPolicies(t *testing.T) {
	r := startSandbox(t, sandboxOpts{})
	ctx := context.Background()
	c := clientAs(t, r, "sts-issuer")
	pols, err := c.UserPolicies(ctx, "sts-issuer")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pols {
		names = append(names, p.Name)
		if p.Document == "" {
			t.Errorf("%s: no document", p.Name)
		}
	}
	if len(pols) == 0 || pols[0].Name != "AliyunSTSAssumeRoleAccess" || pols[0].Type != "System" || !strings.Contains(pols[0].Document, "sts:AssumeRole") {
		t.Errorf("sts-issuer's policies: %v", names)
	}
	if pols, err := c.UserPolicies(ctx, "no-sts-user"); err != nil || pols == nil || len(pols) != 0 {
		t.Errorf("no-sts-user: %v %v (want an empty, non-nil list)", pols, err)
	}
	var ae *model.APIError
	if _, err := clientAs(t, r, "sts-only").UserPolicies(ctx, "sts-only"); !errors.As(err, &ae) || ae.Code != "NoPermission" || ae.Operation != "ListPoliciesForUser" {
		t.Errorf("sts-only reading its own policies: %v", err)
	}
	if _, err := c.UserPolicies(ctx, "nobody"); !errors.As(err, &ae) || ae.Code != "EntityNotExist.User" {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := c.UserPolicies(ctx, " "); err == nil {
		t.Error("an empty name was accepted")
	}
}
