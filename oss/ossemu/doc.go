// Package ossemu is the sandbox OSS server: the object API of Alibaba Cloud OSS over a local disk
// store, answering the official SDKs as oss-<region>.aliyuncs.com would.
//
// Request path (one router, server.go): addressing (ParseAddress: virtual-hosted unless the host
// is an IP, localhost or oss-<region>[-internal].aliyuncs.com) → operation (route) → bucket
// exists and belongs to this listener's region → authentication (sign.go: V1 and V4, header or
// presigned, pure functions, ±15 min skew on the wall clock, constant-time compare; credentials
// from the Authenticator) → authorization (policy engine over the session, identity and
// bucket-policy layers; implicit denials fall through to a private ACL) → handler → OSS's error
// XML (errors.go, one table) → decision trace kept in a ring and served at /-/trace/<RequestId>.
//
// Storage (store.go, the Store interface; Config.Store injects one, else New opens the disk
// store, disk_*.go): each bucket has a commit journal (journal.go) whose
// records are the only commit points; objects up to 64 KiB live inside their record, larger ones
// in a data file (or, after CompleteMultipartUpload, a directory of hard-linked parts: no data
// is copied twice) fsynced before their record is written. Writers are atomic and durable
// before they answer; a crash leaves every object absent or whole; start-up cuts a torn journal
// tail and removes data no record refers to. A large body is read into two reused 1 MiB buffers
// while the previous one is written and hashed (MD5; CRC-64 by carry-less multiplication,
// crc64_amd64.s) on separate goroutines; its writeback is started every 8 MiB so that the final
// fsync is short, and the data a new version replaces is unlinked in the background.
//
// Start (listen.go) serves one listener per region. Credentials come through the Authenticator
// this package declares (the STS half's authority satisfies it; main.go wires them), and the
// authorization clock is the *model.OffsetClock both halves share. This package imports no
// stsdeck package outside model/….
package ossemu
