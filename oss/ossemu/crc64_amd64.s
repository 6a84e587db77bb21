//go:build amd64 && !purego

#include "textflag.h"

// func crc64Fold(s uint64, p []byte, k *[2]uint64) (lo, hi uint64)
// One 128-bit accumulator: X = next16 ^ clmul(X.lo, k[0]) ^ clmul(X.hi, k[1]).
TEXT ·crc64Fold(SB), NOSPLIT, $0-56
	MOVQ s+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX
	MOVOU (DX), X2
	MOVOU (SI), X0
	MOVQ AX, X1
	PXOR X1, X0
	ADDQ $16, SI
	SUBQ $16, CX

loop:
	CMPQ CX, $16
	JB   done
	MOVOU X0, X1
	PCLMULQDQ $0x00, X2, X0
	PCLMULQDQ $0x11, X2, X1
	PXOR X1, X0
	MOVOU (SI), X3
	PXOR X3, X0
	ADDQ $16, SI
	SUBQ $16, CX
	JMP  loop

done:
	MOVQ X0, lo+40(FP)
	PEXTRQ $1, X0, AX
	MOVQ AX, hi+48(FP)
	RET
