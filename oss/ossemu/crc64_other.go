//go:build !amd64 || purego

package ossemu

import "hash/crc64"

// crc64Update is crc64.Update(crc, crcTable, p).
func crc64Update(crc uint64, p []byte) uint64 { return crc64.Update(crc, crcTable, p) }
