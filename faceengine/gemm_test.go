package faceengine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmShapes are (m, n, k) of the engine's matrix products: the
// descriptor network's 3×3 convolutions at 32, 64, 128 and 256 channels,
// the tiny detector's widest pointwise convolution, and a band of its
// first convolution on a 416-pixel input (k = 27, which gemmBLAS
// multiplies row by row).
var gemmShapes = [][3]int{{1369, 32, 288}, {361, 64, 576}, {100, 128, 1152}, {25, 256, 2304}, {512, 169, 256}, {16, 3312, 27}}

func randomFloats(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	return v
}

// gemmProduct is one way the engine multiplies: mul returns a function
// that sets C to A·B (m×k, k×n, m×n), after laying B out as the networks
// do once when they load, where it needs to.
type gemmProduct struct {
	name string
	mul  func(m, n, k int, a, b, c []float32) func()
}

// gemmKernel names the library gemm uses on this machine.
func gemmKernel() string {
	if useVek {
		return "vek"
	}
	return "gonum"
}

// gemmProducts are gemm and gemmWeights as this machine runs them, then
// gonum's two (run by the others), named apart only when this machine
// uses vek.
func gemmProducts() []gemmProduct {
	products := []gemmProduct{
		{"gemm/" + gemmKernel(), func(m, n, k int, a, b, c []float32) func() {
			return func() { gemm(m, n, k, a, b, c) }
		}},
		{"weights/" + gemmKernel(), func(m, n, k int, a, b, c []float32) func() {
			w := newWeights(k, n, b)
			return func() { gemmWeights(m, a, w, c) }
		}},
	}
	if !useVek {
		return products
	}
	return append(products,
		gemmProduct{"gemm/gonum", func(m, n, k int, a, b, c []float32) func() {
			return func() { gemmBLAS(m, n, k, a, b, c) }
		}},
		gemmProduct{"weights/gonum", func(m, n, k int, a, b, c []float32) func() {
			w := newWeightsBLAS(k, n, b)
			return func() { gemmWeights(m, a, w, c) }
		}})
}

// TestGemm checks every product of gemmProducts against float64 sums, on
// the engine's shapes and on edge shapes that leave partial tiles in every
// direction (rows, columns, both) and slices of k. C starts with other
// values, which must be overwritten, and has spare capacity after it, as
// the networks' outputs do, filled with a sentinel that must stay.
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := append([][3]int{{1, 1, 1}, {5, 15, 3}, {7, 17, 257}, {13, 33, 600}, {6, 16, 256}, {12, 20, 300}, {18, 8, 5}},
		gemmShapes...)
	const spare, sentinel = 64, float32(-12345)
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		a, b, c0 := randomFloats(r, m*k), randomFloats(r, k*n), randomFloats(r, m*n)
		want := make([]float64, m*n)
		for i := range m {
			for j := range n {
				var sum float64
				for kk := range k {
					sum += float64(a[i*k+kk]) * float64(b[kk*n+j])
				}
				want[i*n+j] = sum
			}
		}
		for _, p := range gemmProducts() {
			buf := make([]float32, m*n+spare)
			copy(buf, c0)
			for i := m * n; i < len(buf); i++ {
				buf[i] = sentinel
			}
			c := buf[:m*n]
			p.mul(m, n, k, a, b, c)()
			for i, w := range want {
				// float32 sums of k products of values in [-1, 1].
				if d := math.Abs(float64(c[i]) - w); d > 1e-6*float64(k)+1e-6 {
					t.Fatalf("%s, %dx%dx%d: C[%d] = %g, want %g", p.name, m, n, k, i, c[i], w)
				}
			}
			for i, v := range buf[m*n:] {
				if v != sentinel {
					t.Fatalf("%s, %dx%dx%d: wrote %g %d values past C", p.name, m, n, k, v, i)
				}
			}
		}
	}
}

// BenchmarkGemm measures the products of gemmProducts on the engine's
// shapes, in GFLOPS (2·m·n·k per product):
//
//	go test -run '^$' -bench Gemm -cpu 1 ./faceengine
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range gemmShapes {
		m, n, k := s[0], s[1], s[2]
		x, y, z := randomFloats(r, m*k), randomFloats(r, k*n), randomFloats(r, m*n)
		for _, p := range gemmProducts() {
			b.Run(fmt.Sprintf("%s/%dx%dx%d", p.name, m, n, k), func(b *testing.B) {
				reportCPU(b, p.mul(m, n, k, x, y, z))
				b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
