package faceengine

import (
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// The networks' matrix products (every pointwise and im2col convolution)
// run on vek (github.com/viterin/vek, MIT), whose float32 matrix product
// is AVX2 and FMA assembly, where vek uses it: amd64 with both, but not
// macOS. Elsewhere they run on gonum's float32 BLAS (SSE kernels on
// amd64, plain Go otherwise), faster than vek's plain Go loops. On the
// engine's shapes vek computes 18–39 GFLOPS on one core, gonum 10–17
// (BenchmarkGemm); both give the golden results.

// useVek reports whether vek runs its AVX2 kernels on this machine.
var useVek = vek32.Info().Acceleration

// gemm sets C to A·B, row-major float32 matrices of m×k, k×n and m×n (m,
// n and k at least 1); what C held before is overwritten.
func gemm(m, n, k int, a, b, c []float32) {
	if !useVek {
		gemmBLAS(m, n, k, a, b, c)
		return
	}
	vek32.MatMul_Into(c[:m*n], a[:m*k], b[:k*n], k)
}

// gemmBLAS is gemm through gonum's float32 BLAS. For a thin, wide product
// (k up to axpyMaxK, n at least axpyMinN: the tiny detector's first
// convolution, k = 27 and n = up to 8 rows of 158–414 pixels, and its
// first two pointwise convolutions, k = 16 and 32, n = 103² to 207²
// pixels on a 416-pixel input) it adds k scaled rows of B into each row
// of C (level-1 BLAS on rows of n values), faster there than gonum's Gemm,
// whose blocks of 64 columns make short vectors of such products: the
// 416-pixel pass took 54 ms with Gemm, 43 ms with rows (min of 5
// interleaved runs of BenchmarkTinyDetector with GODEBUG=cpu.avx2=off).
// Narrow thin products (the landmark network's 32-channel pointwise
// convolutions, n = 32) stay on Gemm: with rows BenchmarkLandmarks took
// 13.4 ms against 12.2 on Gemm (min of 5, interleaved).
func gemmBLAS(m, n, k int, a, b, c []float32) {
	if k <= axpyMaxK && n >= axpyMinN {
		for i := range m {
			row := c[i*n:][:n]
			clear(row)
			for l, v := range a[i*k:][:k] {
				axpy(v, b[l*n:][:n], row)
			}
		}
		return
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas32.General{Rows: k, Cols: n, Stride: n, Data: b},
		0, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

// axpyMaxK and axpyMinN bound the products gemmBLAS multiplies row by row
// (see there).
const (
	axpyMaxK = 32
	axpyMinN = 1024
)

// addBias adds bias to each run of len(bias) values of v (the channels of
// each pixel of an HWC feature map).
func addBias(v, bias []float32) {
	for p := 0; p < len(v); p += len(bias) {
		for i, b := range bias {
			v[p+i] += b
		}
	}
}

// weights is a constant k×n matrix, the right factor of gemmWeights (a
// layer's filters), laid out once by newWeights for the library gemm
// uses: as given for vek, transposed for gonum (transposed set).
type weights struct {
	k, n       int
	data       []float32
	transposed bool
}

// newWeights returns the k×n matrix b laid out for gemmWeights (b itself
// for vek: the caller must not change it afterwards).
func newWeights(k, n int, b []float32) weights {
	if useVek {
		return weights{k: k, n: n, data: b}
	}
	return newWeightsBLAS(k, n, b)
}

// newWeightsBLAS lays b out for gonum: transposed, because gonum's product
// with a transposed B (dot products) is the faster of its two on the
// descriptor network's shapes (about 31 against 37–47 ms per descriptor,
// BenchmarkDescriptor under varying load).
func newWeightsBLAS(k, n int, b []float32) weights {
	return weights{k: k, n: n, data: transposed(b, k, n), transposed: true}
}

// gemmWeights sets C to A·W: A is m×w.k, C m×w.n, row-major.
func gemmWeights(m int, a []float32, w weights, c []float32) {
	if !w.transposed {
		gemm(m, w.n, w.k, a, w.data, c)
		return
	}
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: m, Cols: w.k, Stride: w.k, Data: a},
		blas32.General{Rows: w.n, Cols: w.k, Stride: w.k, Data: w.data},
		0, blas32.General{Rows: m, Cols: w.n, Stride: w.n, Data: c})
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
