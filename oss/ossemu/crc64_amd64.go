//go:build amd64 && !purego

package ossemu

import (
	"hash/crc64"

	"golang.org/x/sys/cpu"
)

var useCLMUL = cpu.X86.HasPCLMULQDQ && cpu.X86.HasSSE41

// foldK folds a 128-bit block forward by 128 bits: the block's first (lower) 64 bits are
// multiplied by x^191 and its second by x^127 (one less than the distances, because a
// reflected carry-less product comes out shifted by one bit).
var foldK = [2]uint64{crcXPow(191), crcXPow(127)}

// crc64Fold folds p (len a multiple of 16, at least 16) into one 128-bit block, starting from
// the internal CRC state s. Implemented in crc64_amd64.s.
//
//go:noescape
func crc64Fold(s uint64, p []byte, k *[2]uint64) (lo, hi uint64)

// crc64Update is crc64.Update(crc, crcTable, p).
func crc64Update(crc uint64, p []byte) uint64 {
	if !useCLMUL || len(p) < 64 {
		return crc64.Update(crc, crcTable, p)
	}
	n := len(p) &^ 15
	lo, hi := crc64Fold(^crc, p[:n], &foldK)
	return crc64Finish(lo, hi, p[n:])
}
