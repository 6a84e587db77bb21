package sts

import "github.com/stsdeck/stsdeck/model/service"

// Control must satisfy the console's and the commands' port.
var _ service.SandboxControl = (*Control)(nil)

// The sandbox's clocks, for `stsdeck sandbox clock`.
var _ service.SandboxClock = (*Control)(nil)
