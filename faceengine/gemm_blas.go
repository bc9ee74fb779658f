//go:build !(goexperiment.simd && amd64 && !go1.27)

package faceengine

// gemm adds A·B to C, row-major float32 matrices of m×k, k×n and m×n (m,
// n and k at least 1). Builds without GOEXPERIMENT=simd (see gemm_simd.go)
// use gonum's BLAS.
func gemm(m, n, k int, a, b, c []float32) { gemmBLAS(m, n, k, a, b, c) }

// gemmKernel names the matrix-product path of this build, for benchmarks.
const gemmKernel = "gonum"

// newWeights returns the k×n matrix b laid out for gemmWeights.
func newWeights(k, n int, b []float32) weights { return newWeightsBLAS(k, n, b) }

// gemmWeights adds A·W to C: A is m×w.k, C m×w.n, row-major.
func gemmWeights(m int, a []float32, w weights, c []float32) { gemmWeightsBLAS(m, a, w, c) }
