package faceengine

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
)

// manifestFile is the face-api weights manifest inside a model directory (a
// TensorFlow.js weights manifest); the binary shards it names sit next to it.
const manifestFile = "face_recognition_model-weights_manifest.json"

// modelSubdir is where `npm ci` puts the face-api model files, relative to
// the repository root (package.json pins @vladmandic/face-api@1.7.15).
const modelSubdir = "node_modules/@vladmandic/face-api/model"

// DefaultModelDir returns the face-api model directory: the first
// node_modules/@vladmandic/face-api/model that holds the recognition model
// manifest (face_recognition_model-weights_manifest.json), looking
// in the working directory and then in each of its parents. The error, when
// there is none, names the directories searched and says to run `npm ci`.
func DefaultModelDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("faceengine: locate model directory: %w", err)
	}
	for dir := wd; ; {
		cand := filepath.Join(dir, filepath.FromSlash(modelSubdir))
		if _, err := os.Stat(filepath.Join(cand, manifestFile)); err == nil {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("faceengine: no %s/%s in %s or any parent directory; run `npm ci` in the repository root (it installs @vladmandic/face-api) or pass the model directory explicitly",
		modelSubdir, manifestFile, wd)
}

// manifestGroup is one entry of a TensorFlow.js weights manifest: the shard
// files, concatenated in order, hold the listed tensors back to back.
type manifestGroup struct {
	Paths   []string         `json:"paths"`
	Weights []manifestWeight `json:"weights"`
}

type manifestWeight struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	DType        string `json:"dtype"`
	Quantization *struct {
		DType string  `json:"dtype"`
		Scale float64 `json:"scale"`
		Min   float64 `json:"min"`
	} `json:"quantization"`
}

// tensor is a dequantized weight tensor in row-major order.
type tensor struct {
	shape []int
	data  []float32
}

// loadWeights reads the manifest in dir and returns every tensor by name.
// Quantized tensors (uint8 or uint16) are expanded as TensorFlow.js does:
// value = float32(q·scale + min).
func loadWeights(dir string) (map[string]tensor, error) {
	raw, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("faceengine: model directory %q has no %s (run `npm ci` in the repository root): %w", dir, manifestFile, err)
		}
		return nil, fmt.Errorf("faceengine: read weights manifest: %w", err)
	}
	var groups []manifestGroup
	if err := json.Unmarshal(raw, &groups); err != nil {
		return nil, fmt.Errorf("faceengine: parse %s: %w", manifestFile, err)
	}
	out := make(map[string]tensor)
	for _, g := range groups {
		var buf []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				return nil, fmt.Errorf("faceengine: read weights shard: %w", err)
			}
			buf = append(buf, b...)
		}
		for _, w := range g.Weights {
			t, n, err := decodeTensor(w, buf)
			if err != nil {
				return nil, err
			}
			out[w.Name] = t
			buf = buf[n:]
		}
		if len(buf) != 0 {
			return nil, fmt.Errorf("faceengine: %d unused bytes after the tensors of %v", len(buf), g.Paths)
		}
	}
	return out, nil
}

// decodeTensor decodes w from the front of buf and returns it with the number
// of bytes it used.
func decodeTensor(w manifestWeight, buf []byte) (tensor, int, error) {
	if w.DType != "float32" {
		return tensor{}, 0, fmt.Errorf("faceengine: tensor %s: dtype %q not supported", w.Name, w.DType)
	}
	n := 1
	for _, d := range w.Shape {
		n *= d
	}
	width := 4
	if q := w.Quantization; q != nil {
		switch q.DType {
		case "uint8":
			width = 1
		case "uint16":
			width = 2
		default:
			return tensor{}, 0, fmt.Errorf("faceengine: tensor %s: quantization %q not supported", w.Name, q.DType)
		}
	}
	if len(buf) < n*width {
		return tensor{}, 0, fmt.Errorf("faceengine: tensor %s needs %d bytes, weights file has %d left", w.Name, n*width, len(buf))
	}
	data := make([]float32, n)
	for i := range data {
		switch width {
		case 1:
			data[i] = float32(float64(buf[i])*w.Quantization.Scale + w.Quantization.Min)
		case 2:
			q := binary.LittleEndian.Uint16(buf[2*i:])
			data[i] = float32(float64(q)*w.Quantization.Scale + w.Quantization.Min)
		default:
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
	}
	return tensor{shape: w.Shape, data: data}, n * width, nil
}
