package sts

import (
	"context"
	"fmt"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/model"
)

// As returns a client with the same region, endpoints, CA and timeouts that signs with the
// given temporary credentials: a role chain's next hop (the previous hop's token assumes the
// next role) or a RamRoleArn profile's source key, against the configured STS endpoint.
func (c *Client) As(cr model.Credentials) (*Client, error) {
	var p providers.CredentialsProvider
	var err error
	if cr.SecurityToken != "" {
		p, err = providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(cr.AccessKeyID).
			WithAccessKeySecret(cr.AccessKeySecret).WithSecurityToken(cr.SecurityToken).Build()
	} else {
		p, err = providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(cr.AccessKeyID).
			WithAccessKeySecret(cr.AccessKeySecret).Build()
	}
	if err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	cfg := c.cfg
	cfg.Credentials = p
	return New(cfg)
}

// Now reads the sandbox's authorization clock (the clock its tokens expire on).
func (c *Control) Now(ctx context.Context) (time.Time, error) {
	st, err := c.Clock(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if st.Now.IsZero() {
		return time.Time{}, fmt.Errorf("sandbox control: the clock answer has no time")
	}
	return st.Now, nil
}
