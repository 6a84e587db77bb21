package sts

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

// maxPages bounds ListRoles paging (100 roles a page).
const maxPages = 100

// ListRoles lists every role of the account (RAM ListRoles, all pages). When RAM denies the
// listing the error is the *model.APIError (Code NoPermission), for the caller to fall back on.
func (c *Client) ListRoles(ctx context.Context) ([]model.Role, error) {
	var (
		roles  []model.Role
		marker string
	)
	for page := 0; page < maxPages; page++ {
		req := &ramclient.ListRolesRequest{MaxItems: tea.Int32(100)}
		if marker != "" {
			req.Marker = tea.String(marker)
		}
		resp, err := do(ctx, c.ramLock, func() (*ramclient.ListRolesResponse, error) {
			return c.ram.ListRolesWithOptions(req, c.runtime())
		})
		if err != nil {
			return roles, decodeError("ram", "ListRoles", err, c.callerToken())
		}
		if resp == nil || resp.Body == nil {
			return roles, fmt.Errorf("ram ListRoles: empty response")
		}
		b := resp.Body
		if b.Roles != nil {
			for _, r := range b.Roles.Role {
				if r == nil {
					continue
				}
				role := model.Role{
					Name:               tea.StringValue(r.RoleName),
					ARN:                tea.StringValue(r.Arn),
					RoleID:             tea.StringValue(r.RoleId),
					Description:        tea.StringValue(r.Description),
					MaxSessionDuration: time.Duration(tea.Int64Value(r.MaxSessionDuration)) * time.Second,
					CreateDate:         parseRAMTime(tea.StringValue(r.CreateDate)),
					Source:             "ram",
				}
				c.learn(role)
				roles = append(roles, role)
			}
		}
		if !tea.BoolValue(b.IsTruncated) {
			return roles, nil
		}
		next := tea.StringValue(b.Marker)
		if next == "" || next == marker {
			return roles, fmt.Errorf("ram ListRoles: the answer is truncated but gives no new Marker")
		}
		marker = next
	}
	return roles, fmt.Errorf("ram ListRoles: more than %d pages", maxPages)
}

// GetRole returns one role by name or ARN with its trust policy and attached policies; policy
// documents are loaded where RAM lets the caller read them (else Document stays "").
func (c *Client) GetRole(ctx context.Context, nameOrARN string) (model.Role, error) {
	name := strings.TrimSpace(nameOrARN)
	if strings.HasPrefix(name, "acs:") {
		_, n, ok := issuereq.ParseRoleARN(name)
		if !ok {
			return model.Role{}, fmt.Errorf("role %q: not a role ARN (want acs:ram::<account-id>:role/<role-name>)", name)
		}
		name = n
	}
	if name == "" {
		return model.Role{}, fmt.Errorf("role: empty name")
	}
	resp, err := do(ctx, c.ramLock, func() (*ramclient.GetRoleResponse, error) {
		return c.ram.GetRoleWithOptions(&ramclient.GetRoleRequest{RoleName: tea.String(name)}, c.runtime())
	})
	if err != nil {
		return model.Role{}, decodeError("ram", "GetRole", err, c.callerToken())
	}
	if resp == nil || resp.Body == nil || resp.Body.Role == nil {
		return model.Role{}, fmt.Errorf("ram GetRole: the response has no Role")
	}
	r := resp.Body.Role
	role := model.Role{
		Name:               tea.StringValue(r.RoleName),
		ARN:                tea.StringValue(r.Arn),
		RoleID:             tea.StringValue(r.RoleId),
		Description:        tea.StringValue(r.Description),
		MaxSessionDuration: time.Duration(tea.Int64Value(r.MaxSessionDuration)) * time.Second,
		TrustPolicy:        decodeDocument(tea.StringValue(r.AssumeRolePolicyDocument)),
		CreateDate:         parseRAMTime(tea.StringValue(r.CreateDate)),
		Source:             "ram",
	}
	c.learn(role)
	pols, err := do(ctx, c.ramLock, func() (*ramclient.ListPoliciesForRoleResponse, error) {
		return c.ram.ListPoliciesForRoleWithOptions(&ramclient.ListPoliciesForRoleRequest{RoleName: tea.String(role.Name)}, c.runtime())
	})
	if err != nil {
		// The role itself was readable; its attachments are not. Say so with the role.
		return role, decodeError("ram", "ListPoliciesForRole", err, c.callerToken())
	}
	role.Policies = []model.AttachedPolicy{}
	if pols != nil && pols.Body != nil && pols.Body.Policies != nil {
		for _, p := range pols.Body.Policies.Policy {
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
			role.Policies = append(role.Policies, ap)
		}
	}
	return role, nil
}

// policyDocument reads a policy's default version document; "" when RAM does not let us.
func (c *Client) policyDocument(ctx context.Context, ap model.AttachedPolicy) string {
	resp, err := do(ctx, c.ramLock, func() (*ramclient.GetPolicyResponse, error) {
		return c.ram.GetPolicyWithOptions(&ramclient.GetPolicyRequest{PolicyName: tea.String(ap.Name), PolicyType: tea.String(ap.Type)}, c.runtime())
	})
	if err == nil && resp != nil && resp.Body != nil {
		if v := resp.Body.DefaultPolicyVersion; v != nil && tea.StringValue(v.PolicyDocument) != "" {
			return decodeDocument(tea.StringValue(v.PolicyDocument))
		}
		if p := resp.Body.Policy; p != nil && tea.StringValue(p.PolicyDocument) != "" {
			return decodeDocument(tea.StringValue(p.PolicyDocument))
		}
	}
	if ap.DefaultVersion == "" {
		return ""
	}
	v, err := do(ctx, c.ramLock, func() (*ramclient.GetPolicyVersionResponse, error) {
		return c.ram.GetPolicyVersionWithOptions(&ramclient.GetPolicyVersionRequest{
			PolicyName: tea.String(ap.Name), PolicyType: tea.String(ap.Type), VersionId: tea.String(ap.DefaultVersion),
		}, c.runtime())
	})
	if err != nil || v == nil || v.Body == nil || v.Body.PolicyVersion == nil {
		return ""
	}
	return decodeDocument(tea.StringValue(v.Body.PolicyVersion.PolicyDocument))
}

// decodeDocument undoes the URL encoding some RAM answers apply to policy documents.
func decodeDocument(s string) string {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") {
		if d, err := url.QueryUnescape(t); err == nil {
			return d
		}
	}
	return s
}
