package ui

import "github.com/stsdeck/stsdeck/model/service"

// The console reaches the world only through the ports in model/service (shared with the
// commands in ui/cli); these names keep the screens' code short.
type (
	Services       = service.Services
	Identity       = service.Identity
	RoleSource     = service.RoleSource
	TokenIssuer    = service.TokenIssuer
	ObjectService  = service.ObjectService
	ObjectClient   = service.ObjectClient
	AuditLog       = service.AuditLog
	SandboxControl = service.SandboxControl
)
