package sandbox

import (
	"context"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// sandboxControl mirrors ui.SandboxControl (package ui is not imported from here: dependency
// direction); Control must satisfy it.
type sandboxControl interface {
	Advance(ctx context.Context, d time.Duration) (time.Duration, error)
	Trace(ctx context.Context, service, requestID string) (*model.Trace, error)
}

var _ sandboxControl = (*Control)(nil)
