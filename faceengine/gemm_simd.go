//go:build goexperiment.simd && amd64 && !go1.27

package faceengine

import (
	"simd/archsimd"
	"sync"
)

// This file is built with GOEXPERIMENT=simd on amd64 (Go 1.26's
// experimental simd/archsimd package, whose API may change: the !go1.27
// constraint keeps later Go releases building, on gonum, until the kernel
// is checked there; BenchmarkGemm's names say which kernel ran). With AVX2
// and FMA, the networks' matrix products run on an 8-lane fused
// multiply-add kernel, about three times gonum's float32 BLAS (SSE) on the
// engine's shapes (BenchmarkGemm); without them (or with
// GODEBUG=cpu.avx2=off, as make test runs it too), on gonum.

// useAVX2 reports whether this CPU has the instructions the kernel uses.
var useAVX2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// gemmKernel names the matrix-product path of this build, for benchmarks.
var gemmKernel = "gonum"

func init() {
	if useAVX2 {
		gemmKernel = "avx2-fma"
	}
}

// Blocking of the product: C is computed in tiles of gemmRows×gemmCols
// (12 eight-lane vectors; Go's register allocator keeps most of them in
// registers and reloads a few from the stack in the inner loop; 4×16
// measured 10–25% slower, 6×16 with separate multiplies and adds 15%),
// over slices of gemmDepth values of k, so that the packed slice of B
// (gemmDepth×16 float32, 16 KiB) stays in the L1 cache while every row of
// A passes.
const (
	gemmRows  = 6
	gemmCols  = 16
	gemmDepth = 256
)

// gemmScratch holds gemm's packed panel of B, a tile of C and the last
// rows of A. It comes from a pool, on the heap, where its 22.4 KiB fall in
// Go's 24 KiB size class and so are 64-byte aligned, so that the kernel's
// 32-byte loads never straddle a cache line; as a stack array, the same
// code ran between one and three times slower from one build to the next.
type gemmScratch struct {
	panel [gemmDepth * gemmCols]float32
	tile  [gemmRows * gemmCols]float32
	aTail [gemmRows * gemmDepth]float32
}

var gemmScratchPool = sync.Pool{New: func() any { return new(gemmScratch) }}

// gemm adds A·B to C, row-major float32 matrices of m×k, k×n and m×n (m,
// n and k at least 1). The sums run in k order with fused multiply-adds,
// so results differ from a float64 sum by float32 rounding only
// (TestGemm).
func gemm(m, n, k int, a, b, c []float32) {
	if !useAVX2 {
		gemmBLAS(m, n, k, a, b, c)
		return
	}
	gemmAVX2(m, n, k, a, c, func(p []float32, k0, kn, j, nw int) []float32 {
		packPanel(p, b, n, k0, kn, j, nw)
		return p
	})
}

// newWeights returns the k×n matrix b for gemmWeights: with AVX2, packed
// once into the kernel's panels (the slices of gemmDepth rows one after
// the other, each as its panels of 16 columns, kn rows of 16 values, zero
// beyond n), so that no product packs it again.
func newWeights(k, n int, b []float32) weights {
	if !useAVX2 {
		return newWeightsBLAS(k, n, b)
	}
	defer archsimd.ClearAVXUpperBits() // as gemmAVX2 does
	npad := (n + gemmCols - 1) / gemmCols * gemmCols
	packed := make([]float32, k*npad)
	for k0 := 0; k0 < k; k0 += gemmDepth {
		kn := min(gemmDepth, k-k0)
		for j := 0; j < n; j += gemmCols {
			packPanel(packed[k0*npad+j*kn:][:kn*gemmCols], b, n, k0, kn, j, min(gemmCols, n-j))
		}
	}
	return weights{k: k, n: n, data: packed, packed: true}
}

// gemmWeights adds A·W to C: A is m×w.k, C m×w.n, row-major.
func gemmWeights(m int, a []float32, w weights, c []float32) {
	if !w.packed {
		gemmWeightsBLAS(m, a, w, c)
		return
	}
	npad := (w.n + gemmCols - 1) / gemmCols * gemmCols
	gemmAVX2(m, w.n, w.k, a, c, func(_ []float32, k0, kn, j, _ int) []float32 {
		return w.data[k0*npad+j*kn:][:kn*gemmCols]
	})
}

// packPanel writes B's rows k0…k0+kn−1, columns j…j+nw−1 (b is k×n) into
// p as kn rows of 16 values; what it leaves beyond nw only reaches columns
// of a tile that are not copied back to C.
func packPanel(p, b []float32, n, k0, kn, j, nw int) {
	for kk := range kn {
		row, src := p[kk*gemmCols:][:gemmCols], b[(k0+kk)*n+j:]
		if nw == gemmCols {
			archsimd.LoadFloat32x8Slice(src).StoreSlice(row)
			archsimd.LoadFloat32x8Slice(src[8:]).StoreSlice(row[8:])
			continue
		}
		copy(row, src[:nw]) // the columns beyond nw are never copied back to C
	}
}

// gemmAVX2 adds A·B to C (m×k, k×n, m×n) with kernel6x16, tile by tile;
// panelOf returns B's rows k0…k0+kn−1, columns j…j+nw−1, packed as
// packPanel packs them (into scratch, gemmDepth×16 values, or from
// elsewhere).
func gemmAVX2(m, n, k int, a, c []float32, panelOf func(scratch []float32, k0, kn, j, nw int) []float32) {
	// Leave the upper halves of the vector registers clear, as the SSE
	// code that runs next (Go's own float code, gonum) expects: dirty
	// upper bits make every later SSE instruction wait on them.
	defer archsimd.ClearAVXUpperBits()
	sc := gemmScratchPool.Get().(*gemmScratch)
	defer gemmScratchPool.Put(sc)
	tile, aTail := &sc.tile, &sc.aTail
	for k0 := 0; k0 < k; k0 += gemmDepth {
		kn := min(gemmDepth, k-k0)
		// The last rows of A when m is not a multiple of gemmRows; the
		// rows after them only reach rows of a tile that are not copied
		// back to C.
		tail := m - m%gemmRows
		for r := range m - tail {
			copy(aTail[r*kn:][:kn], a[(tail+r)*k+k0:][:kn])
		}
		for j := 0; j < n; j += gemmCols {
			nw := min(gemmCols, n-j)
			p := panelOf(sc.panel[:kn*gemmCols], k0, kn, j, nw)
			for i := 0; i < m; i += gemmRows {
				rows := min(gemmRows, m-i)
				ap, lda := a[i*k+k0:], k
				if rows < gemmRows {
					ap, lda = aTail[:], kn
				}
				if rows == gemmRows && nw == gemmCols {
					kernel6x16(kn, ap, lda, p, c[i*n+j:], n)
					continue
				}
				// A partial tile of C goes through a full-size copy.
				for r := range rows {
					copy(tile[r*gemmCols:][:nw], c[(i+r)*n+j:][:nw])
				}
				kernel6x16(kn, ap, lda, p, tile[:], gemmCols)
				for r := range rows {
					copy(c[(i+r)*n+j:][:nw], tile[r*gemmCols:][:nw])
				}
			}
		}
	}
}

// kernel6x16 adds the product of 6 rows of A (kn values each, lda apart)
// and a packed panel p of B (kn rows of 16) to a 6×16 tile of C (rows ldc
// apart), keeping the tile in vector variables for the whole sum.
func kernel6x16(kn int, a []float32, lda int, p, c []float32, ldc int) {
	a0, a1, a2, a3, a4, a5 := a[:kn], a[lda:][:kn], a[2*lda:][:kn], a[3*lda:][:kn], a[4*lda:][:kn], a[5*lda:][:kn]
	load := func(r int) (archsimd.Float32x8, archsimd.Float32x8) {
		row := c[r*ldc:][:16]
		return archsimd.LoadFloat32x8Slice(row), archsimd.LoadFloat32x8Slice(row[8:])
	}
	c00, c01 := load(0)
	c10, c11 := load(1)
	c20, c21 := load(2)
	c30, c31 := load(3)
	c40, c41 := load(4)
	c50, c51 := load(5)
	p = p[:kn*16]
	for kk := range kn {
		q := p[kk*16:][:16]
		b0 := archsimd.LoadFloat32x8Slice(q)
		b1 := archsimd.LoadFloat32x8Slice(q[8:])
		// One row of A at a time: its value times both halves of B's row.
		x := archsimd.BroadcastFloat32x8(a0[kk])
		c00, c01 = x.MulAdd(b0, c00), x.MulAdd(b1, c01)
		x = archsimd.BroadcastFloat32x8(a1[kk])
		c10, c11 = x.MulAdd(b0, c10), x.MulAdd(b1, c11)
		x = archsimd.BroadcastFloat32x8(a2[kk])
		c20, c21 = x.MulAdd(b0, c20), x.MulAdd(b1, c21)
		x = archsimd.BroadcastFloat32x8(a3[kk])
		c30, c31 = x.MulAdd(b0, c30), x.MulAdd(b1, c31)
		x = archsimd.BroadcastFloat32x8(a4[kk])
		c40, c41 = x.MulAdd(b0, c40), x.MulAdd(b1, c41)
		x = archsimd.BroadcastFloat32x8(a5[kk])
		c50, c51 = x.MulAdd(b0, c50), x.MulAdd(b1, c51)
	}
	store := func(r int, lo, hi archsimd.Float32x8) {
		row := c[r*ldc:][:16]
		lo.StoreSlice(row)
		hi.StoreSlice(row[8:])
	}
	store(0, c00, c01)
	store(1, c10, c11)
	store(2, c20, c21)
	store(3, c30, c31)
	store(4, c40, c41)
	store(5, c50, c51)
}
