package faceengine

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemmBLAS is gemm through gonum's float32 BLAS (SSE kernels): the path of
// every build but GOEXPERIMENT=simd on amd64 with AVX2 and FMA.
func gemmBLAS(m, n, k int, a, b, c []float32) {
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas32.General{Rows: k, Cols: n, Stride: n, Data: b},
		1, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

// weights is a constant k×n matrix, the right factor of gemmWeights (a
// layer's filters), laid out once by newWeights for this build's kernel:
// transposed for gonum (newWeightsBLAS), packed into the AVX2 kernel's
// panels otherwise.
type weights struct {
	k, n int
	data []float32
}

// newWeightsBLAS lays b (k×n) out for gemmWeightsBLAS: transposed, because
// gonum's product with a transposed B (dot products) is the faster of its
// two on the descriptor network's shapes (31 against 37 ms per
// descriptor, BenchmarkDescriptor).
func newWeightsBLAS(k, n int, b []float32) weights { return weights{k, n, transposed(b, k, n)} }

// gemmWeightsBLAS is gemmWeights through gonum's BLAS.
func gemmWeightsBLAS(m int, a []float32, w weights, c []float32) {
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: m, Cols: w.k, Stride: w.k, Data: a},
		blas32.General{Rows: w.n, Cols: w.k, Stride: w.k, Data: w.data},
		1, blas32.General{Rows: m, Cols: w.n, Stride: w.n, Data: c})
}
