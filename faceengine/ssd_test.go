package faceengine

import (
	"fmt"
	"math"
	"testing"
)

// TestSSDPriors checks that the priors ssdNet.detect lays out, centred on
// the cells of each predictor's map, are the 5118 priors face-api stores
// for its 512×512 input (Output/extra_dim), so that the same network can
// run on smaller inputs (ssdScore).
func TestSSDPriors(t *testing.T) {
	ws, err := loadWeights(modelFS(""), ssdManifest)
	if err != nil {
		t.Fatal(err)
	}
	n, err := newSSDNet(ws)
	if err != nil {
		t.Fatal(err)
	}
	stored := ws["Output/extra_dim"].data
	i, maxDiff := 0, 0.0
	for l, g := range ssdGrid {
		for cell := range g * g {
			for _, a := range n.anchors[l] {
				cy, cx := priorCentre(cell, g, g)
				h, w := float64(a[0]), float64(a[1])
				for j, v := range [4]float64{cy - h/2, cx - w/2, cy + h/2, cx + w/2} {
					maxDiff = max(maxDiff, math.Abs(v-float64(stored[4*i+j])))
				}
				i++
			}
		}
	}
	if i != ssdPriors || maxDiff > 1e-6 {
		t.Errorf("%d priors laid out, differing from the stored ones by up to %.2g; want %d within 1e-6", i, maxDiff, ssdPriors)
	}
}

// BenchmarkSSD times SsdMobilenetv1 on obama_1.jpg scaled to face-api's
// 512×512 input and to the 96×96 of ssdScore's look.
func BenchmarkSSD(b *testing.B) {
	e := testEngine(b)
	for _, size := range []int{ssdInputSize, ssdLookSize} {
		in, _ := tinyInput(loadPhoto(b, "obama_1.jpg"), size)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			for b.Loop() {
				e.ssd.detect(in, 0)
			}
		})
	}
}
