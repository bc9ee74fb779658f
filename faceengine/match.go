package faceengine

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Descriptor is a 128-D face descriptor as the network outputs it (not
// normalized; dlib's are close to unit length). Compare descriptors with
// Distance.
type Descriptor [DescriptorSize]float32

// SameFaceDistance is dlib's decision threshold: descriptors of one person
// are usually closer than 0.6 (dlib's dnn_face_recognition_ex.cpp and its
// 99.38% LFW accuracy use it). Similarity maps it to 80, the default
// FaceMatchThreshold of Rekognition's SearchFacesByImage.
const SameFaceDistance = 0.6

// Similarity curve: S(d) = 100 / (1 + (d/similarityMid)^similaritySlope),
// with similarityMid = 0.6·4^(1/8) ≈ 0.7135 so that S(0.6) = 80.
const similaritySlope = 8

var similarityMid = SameFaceDistance * math.Pow(4, 1.0/similaritySlope)

// Distance returns the Euclidean distance between two descriptors, the
// measure face-api and dlib compare with SameFaceDistance.
func Distance(a, b Descriptor) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// Similarity maps a descriptor distance to a Rekognition-style similarity
// in 0–100: S(d) = 100 / (1 + (d/0.7135)^8). It decreases strictly from 100
// at d = 0, is 80 at SameFaceDistance (0.6), about 99.7 at 0.34, 51 at
// 0.71 and 6 at 1.0, and tends to 0. Negative or NaN distances give 100 and
// NaN respectively.
func Similarity(distance float64) float64 {
	if distance <= 0 {
		return 100
	}
	return 100 / (1 + math.Pow(distance/similarityMid, similaritySlope))
}

// MaxDistance is the inverse of Similarity: the largest distance whose
// similarity is at least similarity. It is 0 for 100 or more and +Inf for
// 0 or less; MaxDistance(80) = SameFaceDistance.
func MaxDistance(similarity float64) float64 {
	switch {
	case similarity >= 100:
		return 0
	case similarity <= 0:
		return math.Inf(1)
	}
	return similarityMid * math.Pow(100/similarity-1, 1.0/similaritySlope)
}

// Match is one Gallery search result.
type Match struct {
	ID         string  // the id given to Gallery.Add
	Similarity float64 // Similarity(Distance)
	Distance   float64 // Euclidean distance to the query
}

// Gallery is an in-memory set of descriptors searched by brute force, meant
// for up to about 10⁵ faces (a search over 10⁵ is one 10⁵×128
// matrix–vector product). Descriptors are kept as float32 in one row-major
// matrix. The zero value is an empty gallery; it is safe for concurrent
// use.
type Gallery struct {
	mu    sync.RWMutex
	ids   []string
	index map[string]int
	rows  []float32 // len(ids)·DescriptorSize
	norms []float64 // squared Euclidean norm of each row
}

// Add stores d under id, replacing any descriptor already stored under it.
func (g *Gallery) Add(id string, d Descriptor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.index == nil {
		g.index = make(map[string]int)
	}
	i, ok := g.index[id]
	if !ok {
		i = len(g.ids)
		g.index[id] = i
		g.ids = append(g.ids, id)
		g.rows = append(g.rows, d[:]...)
		g.norms = append(g.norms, 0)
	}
	copy(g.rows[i*DescriptorSize:], d[:])
	g.norms[i] = sqNorm(d[:])
}

// Remove deletes the descriptor stored under id and reports whether there
// was one.
func (g *Gallery) Remove(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i, ok := g.index[id]
	if !ok {
		return false
	}
	last := len(g.ids) - 1
	if i != last { // move the last row into the hole
		g.ids[i] = g.ids[last]
		g.index[g.ids[i]] = i
		copy(g.rows[i*DescriptorSize:(i+1)*DescriptorSize], g.rows[last*DescriptorSize:])
		g.norms[i] = g.norms[last]
	}
	delete(g.index, id)
	g.ids = g.ids[:last]
	g.rows = g.rows[:last*DescriptorSize]
	g.norms = g.norms[:last]
	return true
}

// Len returns the number of stored descriptors.
func (g *Gallery) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.ids)
}

// Search returns the stored descriptors whose similarity to d is at least
// minSimilarity (0–100; see Similarity), most similar first (ties by ID),
// at most maxResults of them, or all when maxResults ≤ 0. Distances come
// from ‖a‖² + ‖b‖² − 2a·b with one float32 matrix–vector product, so they
// may differ from Distance by about 10⁻⁶ (10⁻³ for near-identical pairs).
func (g *Gallery) Search(d Descriptor, maxResults int, minSimilarity float64) []Match {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := len(g.ids)
	if n == 0 {
		return nil
	}
	dots := make([]float32, n)
	blas32.Gemv(blas.NoTrans, 1,
		blas32.General{Rows: n, Cols: DescriptorSize, Stride: DescriptorSize, Data: g.rows},
		blas32.Vector{N: DescriptorSize, Inc: 1, Data: d[:]}, 0,
		blas32.Vector{N: n, Inc: 1, Data: dots})
	qn := sqNorm(d[:])
	limit := MaxDistance(minSimilarity)
	limit2 := limit * limit
	var out []Match
	for i, dot := range dots {
		d2 := max(g.norms[i]+qn-2*float64(dot), 0)
		if d2 <= limit2 {
			out = append(out, Match{ID: g.ids[i], Distance: math.Sqrt(d2)})
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID))
	})
	if maxResults > 0 && len(out) > maxResults {
		out = out[:maxResults]
	}
	for i := range out {
		out[i].Similarity = Similarity(out[i].Distance)
	}
	return out
}

func sqNorm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return s
}
