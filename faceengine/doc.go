// Package faceengine is a local face engine: it finds faces in JPEG or PNG
// photos, aligns each one, computes a 128-D descriptor with dlib's ResNet
// face model, and matches descriptors. It backs the offline service
// (package offline) and must never be linked into the Lambda binaries (a
// construct test checks it). It is public, with its weights embedded, so
// that any Go program can use it after `go get`, with no other download.
//
// Pipeline:
//
//   - Decode (internal/imageio's decoder, shared with the service's search
//     of every face) decodes the bytes and applies the JPEG EXIF
//     orientation.
//   - Engine.Detect runs pigo's face cascade (embedded from pigo v1.4.6),
//     merges overlapping boxes, and finds both pupils with pico's pupil
//     cascade. Only upright, roughly frontal faces are found: profiles and
//     strongly tilted heads are an accepted limitation.
//   - Engine.Descriptor warps the face onto a 150×150 chip with the eyes
//     where dlib's get_face_chip_details(shape, 150, 0.25) puts them, and
//     runs dlib's face recognition ResNet (dlib reports 99.38% on LFW) in
//     pure Go with gonum, from the weights face-api 1.7.15 ships, embedded
//     in this package (model/README.md; New("") loads them).
//   - Distance, Similarity and Gallery compare descriptors: a distance
//     under SameFaceDistance (0.6) means the same person, and Similarity
//     maps it to 80, Rekognition's default FaceMatchThreshold.
//
// testdata/golden holds aligned chips and the descriptors face-api itself
// computes for them (testdata/golden/golden.mjs); the tests check the Go
// network against them.
package faceengine
