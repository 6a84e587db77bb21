// Package flow holds the use cases both faces (ui, ui/cli) share: issue+audit, probe+prediction,
// trust, explain, preview; written against the ports in model/service, stdlib only.
package flow
