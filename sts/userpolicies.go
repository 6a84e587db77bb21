package sts

import (
	"context"
	"fmt"
	"strings"

	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/model"
)

// UserPolicies returns the policies attached directly to a RAM user (RAM ListPoliciesForUser),
// each document loaded where RAM lets the caller read it (else Document stays ""). Policies the
// user gets through its groups are not listed. The console's readiness check uses it to see
// whether the caller may call sts:AssumeRole (guide step 1.2).
func (c *Client) UserPolicies(ctx context.Context, userName string) ([]model.AttachedPolicy, error) {
	name := strings.TrimSpace(userName)
	if name == "" {
		return nil, fmt.Errorf("user: empty name")
	}
	resp, err := do(ctx, c.ramLock, func() (*ramclient.ListPoliciesForUserResponse, error) {
		return c.ram.ListPoliciesForUserWithOptions(&ramclient.ListPoliciesForUserRequest{UserName: tea.String(name)}, c.runtime())
	})
	if err != nil {
		return nil, decodeError("ram", "ListPoliciesForUser", err, c.callerToken())
	}
	out := []model.AttachedPolicy{}
	if resp != nil && resp.Body != nil && resp.Body.Policies != nil {
		for _, p := range resp.Body.Policies.Policy {
			if p == nil {
				continue
			}
			ap := model.AttachedPolicy{
				Name:           tea.StringValue(p.PolicyName),
				Type:           tea.StringValue(p.PolicyType),
				Description:    tea.StringValue(p.Description),
				DefaultVersion: tea.StringValue(p.DefaultVersion),
			}
			ap.Document = c.policyDocument(ctx, ap)
			out = append(out, ap)
		}
	}
	return out, nil
}
