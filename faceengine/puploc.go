package faceengine

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// pupilCascade evaluates pico's pupil-localisation cascade (the cascade/puploc
// file shipped with pigo; method: N. Markuš et al., "Eye pupil localization
// with an ensemble of randomized trees", Pattern Recognition 47(2), 2014).
// Each stage is an ensemble of binary trees whose nodes compare two pixels at
// offsets relative to the current estimate; the leaves vote a shift of the
// estimate in units of its scale, and the scale shrinks after every stage.
//
// pigo v1.4.6 has its own evaluator (PuplocCascade.RunDetector), but it draws
// its random perturbations from the global math/rand source, which Go seeds
// randomly since Go 1.20 and which rand.Seed no longer reseeds since Go 1.24
// (GODEBUG randseednop=1 is the default). Its eye positions therefore change
// from run to run. This evaluator reads the same file and draws its
// perturbations from a local PCG source with a fixed seed, so a given image
// always yields the same eyes, whatever the other goroutines do.
type pupilCascade struct {
	stages, trees, depth int
	shrink               float64   // scale multiplier applied after each stage
	nodes                []int8    // per tree, 2^depth−1 nodes of 4 codes: Δrow1, Δcol1, Δrow2, Δcol2 in 1/256 of the scale
	leaves               []float32 // per tree, 2^depth leaves of 2 values: Δrow, Δcol in units of the scale
}

// parsePupilCascade reads the binary layout of the puploc file: four
// little-endian 32-bit words (stages, float32 scale multiplier, trees per
// stage, tree depth), then for every tree its node codes (int8) and its leaf
// predictions (float32 pairs).
func parsePupilCascade(b []byte) (*pupilCascade, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("faceengine: pupil cascade: %d bytes, too short", len(b))
	}
	le := binary.LittleEndian
	p := &pupilCascade{
		stages: int(le.Uint32(b[0:])),
		shrink: float64(math.Float32frombits(le.Uint32(b[4:]))),
		trees:  int(le.Uint32(b[8:])),
		depth:  int(le.Uint32(b[12:])),
	}
	if p.depth < 1 || p.depth > 16 {
		return nil, fmt.Errorf("faceengine: pupil cascade: tree depth %d out of range", p.depth)
	}
	leaves := 1 << p.depth
	nodeBytes, leafBytes := 4*(leaves-1), 8*leaves
	ntrees := p.stages * p.trees
	if len(b) != 16+ntrees*(nodeBytes+leafBytes) {
		return nil, fmt.Errorf("faceengine: pupil cascade: %d bytes, want %d", len(b), 16+ntrees*(nodeBytes+leafBytes))
	}
	p.nodes = make([]int8, 0, ntrees*nodeBytes)
	p.leaves = make([]float32, 0, ntrees*2*leaves)
	for t, at := 0, 16; t < ntrees; t++ {
		for _, c := range b[at : at+nodeBytes] {
			p.nodes = append(p.nodes, int8(c))
		}
		at += nodeBytes
		for i := 0; i < leafBytes; i += 4 {
			p.leaves = append(p.leaves, math.Float32frombits(le.Uint32(b[at+i:])))
		}
		at += leafBytes
	}
	return p, nil
}

// grayImage is an 8-bit luma raster, row-major, w·h bytes.
type grayImage struct {
	w, h int
	pix  []uint8
}

func (g *grayImage) at(row, col float64) uint8 {
	r := min(max(int(math.Floor(row)), 0), g.h-1)
	c := min(max(int(math.Floor(col)), 0), g.w-1)
	return g.pix[r*g.w+c]
}

// regress runs the cascade once from the estimate (row, col, scale), all in
// pixels, and returns the refined estimate.
func (p *pupilCascade) regress(g *grayImage, row, col, scale float64) (float64, float64, float64) {
	leaves := 1 << p.depth
	tree := 0
	for range p.stages {
		var dr, dc float64
		for range p.trees {
			nodes := p.nodes[tree*4*(leaves-1):]
			i := 0
			for range p.depth {
				n := nodes[4*i:]
				a := g.at(row+float64(n[0])*scale/256, col+float64(n[1])*scale/256)
				b := g.at(row+float64(n[2])*scale/256, col+float64(n[3])*scale/256)
				i = 2*i + 1
				if a > b {
					i++
				}
			}
			leaf := p.leaves[2*(tree*leaves+i-(leaves-1)):]
			dr += float64(leaf[0])
			dc += float64(leaf[1])
			tree++
		}
		row += dr * scale
		col += dc * scale
		scale *= p.shrink
	}
	return row, col, scale
}

// Perturbation settings of pigo's command-line tool and of pico's puploc
// sample: 63 runs from starts jittered by up to ±7.5% of the scale in
// position and by 0.925–1.075× in scale; the answer is the per-coordinate
// median.
const (
	pupilRuns      = 63
	pupilJitterPos = 0.15
	pupilJitterMin = 0.925
	pupilJitterLen = 0.15
)

// pupilSeed seeds the PCG source of each locate call (any constant works;
// one per call makes results independent of call order).
const pupilSeed = 0x5eed_f00d

// locate returns the pupil near (row, col), searching at the given scale
// (pixels), as the median of pupilRuns jittered cascade runs.
func (p *pupilCascade) locate(g *grayImage, row, col, scale float64) (float64, float64) {
	rng := rand.New(rand.NewPCG(pupilSeed, pupilSeed))
	rows := make([]float64, pupilRuns)
	cols := make([]float64, pupilRuns)
	for i := range pupilRuns {
		r := row + scale*pupilJitterPos*(0.5-rng.Float64())
		c := col + scale*pupilJitterPos*(0.5-rng.Float64())
		s := scale * (pupilJitterMin + pupilJitterLen*rng.Float64())
		rows[i], cols[i], _ = p.regress(g, r, c, s)
	}
	slices.Sort(rows)
	slices.Sort(cols)
	return rows[pupilRuns/2], cols[pupilRuns/2]
}
