package faceengine

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemmBLAS is gemm through gonum's float32 BLAS (SSE kernels): the path of
// every build but GOEXPERIMENT=simd on amd64 with AVX2 and FMA. m, n and k
// are at least 1.
func gemmBLAS(m, n, k int, a, b, c []float32) {
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas32.General{Rows: k, Cols: n, Stride: n, Data: b},
		1, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

// weights is a constant k×n matrix, the right factor of gemmWeights (a
// layer's filters), laid out once by newWeights for this build's kernel:
// transposed for gonum (newWeightsBLAS), or packed into the AVX2 kernel's
// panels (packed set).
type weights struct {
	k, n   int
	data   []float32
	packed bool
}

// newWeightsBLAS lays b (k×n) out for gemmWeightsBLAS: transposed, because
// gonum's product with a transposed B (dot products) is the faster of its
// two on the descriptor network's shapes (about 31 against 37–47 ms per
// descriptor, BenchmarkDescriptor under varying load).
func newWeightsBLAS(k, n int, b []float32) weights {
	return weights{k: k, n: n, data: transposed(b, k, n)}
}

// gemmWeightsBLAS is gemmWeights through gonum's BLAS.
func gemmWeightsBLAS(m int, a []float32, w weights, c []float32) {
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: m, Cols: w.k, Stride: w.k, Data: a},
		blas32.General{Rows: w.n, Cols: w.k, Stride: w.k, Data: w.data},
		1, blas32.General{Rows: m, Cols: w.n, Stride: w.n, Data: c})
}

// transposed returns the transpose of the rows×cols row-major matrix m.
func transposed(m []float32, rows, cols int) []float32 {
	t := make([]float32, len(m))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = m[r*cols+c]
		}
	}
	return t
}
