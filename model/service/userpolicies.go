package service

import (
	"context"

	"github.com/stsdeck/stsdeck/model"
)

// UserPolicySource reads the policies attached directly to a RAM user (RAM ListPoliciesForUser;
// documents loaded where readable, else ""): the Roles screen's readiness checklist asks it
// whether the caller's own policies allow sts:AssumeRole. Refusals are *model.APIError.
type UserPolicySource interface {
	UserPolicies(ctx context.Context, userName string) ([]model.AttachedPolicy, error)
}
