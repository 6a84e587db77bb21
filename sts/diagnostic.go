package sts

import (
	"context"
	"fmt"
	"strings"

	ramclient "github.com/alibabacloud-go/ram-20150501/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/model"
)

// DecodeDiagnosticMessage calls RAM DecodeDiagnosticMessage (RAM 2015-05-01): what an
// AccessDeniedDetail's EncodedDiagnosticMessage says — the action, resource, principal, the
// request's conditions, the policy type that denied it and the policies that matched. The
// caller needs ram:DecodeDiagnosticMessage in the message's account; a refusal is an
// *model.APIError.
func (c *Client) DecodeDiagnosticMessage(ctx context.Context, encoded string) (model.DiagnosticMessage, error) {
	encoded = strings.TrimSpace(encoded)
	if encoded == "" {
		return model.DiagnosticMessage{}, fmt.Errorf("ram DecodeDiagnosticMessage: no message to decode")
	}
	req := &ramclient.DecodeDiagnosticMessageRequest{EncodedDiagnosticMessage: tea.String(encoded)}
	resp, err := do(ctx, c.ramLock, func() (*ramclient.DecodeDiagnosticMessageResponse, error) {
		return c.ram.DecodeDiagnosticMessageWithOptions(req, c.runtime())
	})
	if err != nil {
		return model.DiagnosticMessage{}, decodeError("ram", "DecodeDiagnosticMessage", err, c.callerToken())
	}
	if resp == nil || resp.Body == nil || resp.Body.DecodedDiagnosticMessage == nil {
		return model.DiagnosticMessage{}, fmt.Errorf("ram DecodeDiagnosticMessage: empty response")
	}
	return diagnosticFromSDK(resp.Body.DecodedDiagnosticMessage), nil
}

func diagnosticFromSDK(d *ramclient.DecodeDiagnosticMessageResponseBodyDecodedDiagnosticMessage) model.DiagnosticMessage {
	m := model.DiagnosticMessage{
		AuthAction:             tea.StringValue(d.AuthAction),
		AuthResource:           tea.StringValue(d.AuthResource),
		ExplicitDeny:           tea.BoolValue(d.ExplicitDeny),
		NoPermissionPolicyType: tea.StringValue(d.NoPermissionPolicyType),
	}
	if p := d.AuthPrincipal; p != nil {
		m.AuthPrincipal = &model.DiagnosticPrincipal{
			AuthPrincipalDisplayName: tea.StringValue(p.AuthPrincipalDisplayName),
			AuthPrincipalOwnerID:     tea.StringValue(p.AuthPrincipalOwnerId),
			AuthPrincipalType:        tea.StringValue(p.AuthPrincipalType),
		}
	}
	for _, c := range d.AuthConditions {
		if c == nil {
			continue
		}
		m.AuthConditions = append(m.AuthConditions, model.DiagnosticCondition{ConditionKey: tea.StringValue(c.ConditionKey),
			ConditionValues: tea.StringSliceValue(c.ConditionValues)})
	}
	for _, p := range d.MatchedPolicies {
		if p == nil {
			continue
		}
		m.MatchedPolicies = append(m.MatchedPolicies, model.DiagnosticPolicy{
			AttachedEntityType: tea.StringValue(p.AttachedEntityType), AttachedScope: tea.StringValue(p.AttachedScope),
			Effect: tea.StringValue(p.Effect), PolicyIdentifier: tea.StringValue(p.PolicyIdentifier),
			PolicyType: tea.StringValue(p.PolicyType), PolicyVersion: tea.StringValue(p.PolicyVersion)})
	}
	return m
}
