package faceengine

import (
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
)

// manifestFile is the face-api weights manifest inside a model directory (a
// TensorFlow.js weights manifest); the binary shards it names sit next to it.
// landmarkManifest, tinyManifest and ssdManifest (ssd.go) are those of the
// landmark network, the tiny face detector and SsdMobilenetv1, and
// cascadeFile is pigo's face cascade, all always loaded from the embedded
// model.
const (
	manifestFile     = "face_recognition_model-weights_manifest.json"
	landmarkManifest = "face_landmark_68_model-weights_manifest.json"
	tinyManifest     = "tiny_face_detector_model-weights_manifest.json"
	cascadeFile      = "pigo_facefinder"
)

// embeddedModel holds the pinned face-api weights (5.6 MB of them
// SsdMobilenetv1's) and pigo's face cascade
// (model/README.md says where they come from); New loads them when given no model directory.
//
//go:embed model/face_recognition_model-weights_manifest.json model/face_recognition_model.bin
//go:embed model/face_landmark_68_model-weights_manifest.json model/face_landmark_68_model.bin
//go:embed model/tiny_face_detector_model-weights_manifest.json model/tiny_face_detector_model.bin
//go:embed model/ssd_mobilenetv1_model-weights_manifest.json model/ssd_mobilenetv1_model.bin
//go:embed model/pigo_facefinder
var embeddedModel embed.FS

// modelFS returns the file system New loads the weights from: the embedded
// model for "", else the directory modelDir.
func modelFS(modelDir string) fs.FS {
	if modelDir == "" {
		sub, err := fs.Sub(embeddedModel, "model")
		if err != nil {
			panic(err) // "model" is a valid path: cannot happen
		}
		return sub
	}
	return os.DirFS(modelDir)
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

// loadWeights reads the manifest in fsys and returns every tensor by name.
// Quantized tensors (uint8 or uint16) are expanded as TensorFlow.js does:
// value = float32(q·scale + min); quantized int32 tensors likewise,
// unrounded (no network here reads them).
func loadWeights(fsys fs.FS, manifestFile string) (map[string]tensor, error) {
	raw, err := fs.ReadFile(fsys, manifestFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("faceengine: the model directory has no %s (omit the directory to use the embedded model): %w", manifestFile, err)
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
			b, err := fs.ReadFile(fsys, p)
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
	// int32 tensors (SsdMobilenetv1's shape constants, which no network
	// here reads) are accepted when quantized, as every one of them is.
	if w.DType != "float32" && (w.DType != "int32" || w.Quantization == nil) {
		return tensor{}, 0, fmt.Errorf("faceengine: tensor %s: dtype %q (unquantized, for int32) not supported", w.Name, w.DType)
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
