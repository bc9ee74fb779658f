package faceengine

import (
	"math"
	"testing"
)

// TestSSDPriors checks that the priors ssdNet.detect lays out, centred on
// the cells of each predictor's map, are the 5118 priors face-api stores
// for its 512×512 input (Output/extra_dim), so that the same network can
// run on smaller inputs (anchorScore).
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
				cy, cx := (float64(cell/g)+0.5)/float64(g), (float64(cell%g)+0.5)/float64(g)
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
