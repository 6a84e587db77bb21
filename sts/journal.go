package sts

import (
	"context"
	"net/http"
	"strconv"

	"github.com/stsdeck/stsdeck/model"
)

// Journal reads the sandbox's decision journal live (GET /-/journal?since=N on the STS
// endpoint): the records after since still held in memory, oldest first; pass the page's Next
// as since to follow it. A sandbox started without a journal answers an error saying so.
func (c *Control) Journal(ctx context.Context, since uint64) (model.JournalPage, error) {
	var p model.JournalPage
	err := c.do(ctx, http.MethodGet, c.STS+"/-/journal?since="+strconv.FormatUint(since, 10), &p)
	return p, err
}
