package ossemu

import (
	"hash/crc64"
	"testing"
)

// TestCRC64MatchesStdlib: the folded CRC-64 equals hash/crc64 (ECMA table, as OSS computes
// x-oss-hash-crc64ecma) for every length around the fold boundaries, from non-zero states,
// unaligned starts, and when written in pieces.
func TestCRC64MatchesStdlib(t *testing.T) {
	data := randBytes(1<<16+123, 77)
	t.Run("lengths", func(t *testing.T) {
		for n := 0; n <= 600; n++ {
			if got, want := crc64Checksum(data[:n]), crc64.Checksum(data[:n], crcTable); got != want {
				t.Fatalf("len %d: got %016x, want %016x", n, got, want)
			}
		}
	})
	t.Run("states and offsets", func(t *testing.T) {
		for _, init := range []uint64{0, 1, 0xFFFFFFFFFFFFFFFF, 0x0123456789ABCDEF} {
			for off := 0; off < 17; off++ {
				for _, n := range []int{63, 64, 65, 1000, 4096, 1<<16 + 100} {
					p := data[off : off+n]
					if got, want := crc64Update(init, p), crc64.Update(init, crcTable, p); got != want {
						t.Fatalf("init %x off %d len %d: got %016x, want %016x", init, off, n, got, want)
					}
				}
			}
		}
	})
	t.Run("pieces", func(t *testing.T) {
		h, ref := newCRC64(), crc64.New(crcTable)
		for i, step := 0, 1; i < len(data); step = step*3 + 1 {
			j := min(i+step, len(data))
			h.Write(data[i:j])
			ref.Write(data[i:j])
			i = j
		}
		if got, want := h.Sum64(), crc64.Checksum(data, crcTable); got != want {
			t.Fatalf("got %016x, want %016x", got, want)
		}
		if got, want := h.Sum([]byte("x")), ref.Sum([]byte("x")); string(got) != string(want) {
			t.Fatalf("Sum: got %x, want %x", got, want)
		}
	})
}

func BenchmarkCRC64(b *testing.B) {
	data := randBytes(1<<20, 78)
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			crc64.Checksum(data, crcTable)
		}
	})
	b.Run("folded", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			crc64Checksum(data)
		}
	})
}
