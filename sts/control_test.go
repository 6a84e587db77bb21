package sts

import "github.com/stsdeck/stsdeck/model/service"

// Control must satisfy the console's and the commands' port.
var _ service.SandboxControl = (*Control)(nil)
