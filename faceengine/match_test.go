package faceengine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

func TestSimilarityMapping(t *testing.T) {
	if s := Similarity(SameFaceDistance); math.Abs(s-80) > 1e-9 {
		t.Errorf("Similarity(0.6) = %v, want 80", s)
	}
	if d := MaxDistance(80); math.Abs(d-SameFaceDistance) > 1e-12 {
		t.Errorf("MaxDistance(80) = %v, want 0.6", d)
	}
	if Similarity(0) != 100 || Similarity(-1) != 100 || MaxDistance(100) != 0 || MaxDistance(120) != 0 || !math.IsInf(MaxDistance(0), 1) {
		t.Error("endpoints wrong")
	}
	prev := 100.0
	for d := 0.01; d < 2; d += 0.01 {
		s := Similarity(d)
		if s >= prev || s <= 0 {
			t.Fatalf("Similarity(%.2f) = %v after %v: not strictly decreasing in (0, 100)", d, s, prev)
		}
		// Near d = 0, S rounds to 100 and its inverse is ill-conditioned.
		if back := MaxDistance(s); d >= 0.1 && math.Abs(back-d) > 1e-9 {
			t.Fatalf("MaxDistance(Similarity(%.2f)) = %v", d, back)
		}
		prev = s
	}
}

// descriptorAt returns a unit descriptor at the given distance from base's
// direction: base·cos θ + orthogonal·sin θ for a chord of length dist.
func descriptorAt(base, orthogonal Descriptor, dist float64) Descriptor {
	theta := 2 * math.Asin(dist/2)
	var d Descriptor
	for i := range d {
		d[i] = float32(float64(base[i])*math.Cos(theta) + float64(orthogonal[i])*math.Sin(theta))
	}
	return d
}

func unitAxis(i int) Descriptor {
	var d Descriptor
	d[i] = 1
	return d
}

func TestGallerySearch(t *testing.T) {
	q := unitAxis(0)
	var g Gallery
	if g.Len() != 0 || g.Search(q, 5, 0) != nil {
		t.Fatal("zero Gallery not empty")
	}
	g.Add("far", descriptorAt(q, unitAxis(1), 0.9))
	g.Add("near", descriptorAt(q, unitAxis(2), 0.3))
	g.Add("mid", descriptorAt(q, unitAxis(3), 0.5))
	g.Add("same", q)
	if g.Len() != 4 {
		t.Fatalf("Len = %d, want 4", g.Len())
	}
	check := func(name string, got []Match, ids ...string) {
		t.Helper()
		if len(got) != len(ids) {
			t.Fatalf("%s: %+v, want %v", name, got, ids)
		}
		for i, m := range got {
			if m.ID != ids[i] {
				t.Fatalf("%s: %+v, want %v", name, got, ids)
			}
			if math.Abs(m.Similarity-Similarity(m.Distance)) > 1e-12 {
				t.Errorf("%s: %s similarity %v for distance %v", name, m.ID, m.Similarity, m.Distance)
			}
		}
	}
	all := g.Search(q, 0, 0)
	check("all", all, "same", "near", "mid", "far")
	for i, want := range []float64{0, 0.3, 0.5, 0.9} {
		if math.Abs(all[i].Distance-want) > 2e-3 {
			t.Errorf("%s: distance %v, want %v", all[i].ID, all[i].Distance, want)
		}
	}
	check("threshold 80", g.Search(q, 0, 80), "same", "near", "mid")
	check("threshold at distance 0.55", g.Search(q, 0, Similarity(0.55)), "same", "near", "mid")
	check("max 2", g.Search(q, 2, 0), "same", "near")

	// Replacing keeps one entry; removing a middle one keeps the rest.
	g.Add("far", descriptorAt(q, unitAxis(1), 0.1))
	check("replaced", g.Search(q, 0, 0), "same", "far", "near", "mid")
	if !g.Remove("same") || g.Remove("same") || g.Remove("unknown") {
		t.Error("Remove results wrong")
	}
	check("removed", g.Search(q, 0, 0), "far", "near", "mid")
	if g.Len() != 3 {
		t.Errorf("Len = %d, want 3", g.Len())
	}
	for _, id := range []string{"near", "far", "mid"} {
		g.Remove(id)
	}
	if g.Len() != 0 || g.Search(q, 0, 0) != nil {
		t.Error("gallery not empty after removing everything")
	}
}

func TestGallerySearchTiesByID(t *testing.T) {
	var g Gallery
	for _, id := range []string{"c", "a", "b"} {
		g.Add(id, unitAxis(1))
	}
	got := g.Search(unitAxis(1), 0, 0)
	if len(got) != 3 || got[0].ID != "a" || got[1].ID != "b" || got[2].ID != "c" {
		t.Errorf("ties not ordered by ID: %+v", got)
	}
}

func TestGalleryConcurrent(t *testing.T) {
	var g Gallery
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("%d-%d", w, i)
				g.Add(id, unitAxis(i%DescriptorSize))
				g.Search(unitAxis(i%DescriptorSize), 3, 50)
				if i%2 == 0 {
					g.Remove(id)
				}
			}
		})
	}
	wg.Wait()
	if g.Len() != 400 {
		t.Errorf("Len = %d, want 400", g.Len())
	}
}

// randomDescriptors returns n random unit descriptors, seeded.
func randomDescriptors(n int) []Descriptor {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Descriptor, n)
	for i := range out {
		var s float64
		for j := range out[i] {
			v := rng.NormFloat64()
			out[i][j] = float32(v)
			s += v * v
		}
		for j := range out[i] {
			out[i][j] /= float32(math.Sqrt(s))
		}
	}
	return out
}

func TestGalleryDistanceMatchesDistance(t *testing.T) {
	ds := randomDescriptors(50)
	var g Gallery
	for i, d := range ds {
		g.Add(fmt.Sprint(i), d)
	}
	for _, m := range g.Search(ds[0], 0, 0) {
		var i int
		fmt.Sscan(m.ID, &i)
		if want := Distance(ds[0], ds[i]); math.Abs(m.Distance-want) > 1e-3 {
			t.Errorf("%s: gallery distance %v, Distance %v", m.ID, m.Distance, want)
		}
	}
}

func BenchmarkGallerySearch100k(b *testing.B) {
	ds := randomDescriptors(100_001)
	var g Gallery
	for i, d := range ds[1:] {
		g.Add(fmt.Sprint(i), d)
	}
	b.ReportAllocs()
	for b.Loop() {
		g.Search(ds[0], 10, 80)
	}
}
