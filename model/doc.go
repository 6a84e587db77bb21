// Package model holds stsdeck's domain values: roles, credentials, issue requests,
// API errors, audit records, decision traces and clocks. Standard library only.
package model
