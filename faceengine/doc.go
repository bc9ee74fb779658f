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
//   - Engine.Detect runs face-api's TinyFaceDetector (a Tiny YOLO v2 with
//     separable convolutions, tiny.go) on a 416×416 copy of the image, on
//     two 224×224 copies of it turned by ±45° (for large tilted heads) and
//     on one with the image shrunk to half (for faces filling the frame),
//     and keeps boxes scoring above 0.15 upright (heads tilted by 30–45°
//     score 0.2–0.5) or above 0.5 turned. For faces smaller than those
//     passes see (under about 100–160 pixels in a 1920-pixel photo), pigo's
//     frontal-face cascade scans the full-size luma for faces of 40 pixels
//     (Rekognition's smallest in 1920×1080) and up, and the tiny detector
//     looks again at each of its proposals on a 160×160 square 2.5 times
//     its size and keeps those it scores above one half (MinConfidence;
//     small.go). face-api's FaceLandmark68Net
//     (landmarks.go) finds 68 landmarks in the square around each box,
//     turned as the copy it was found in. Then the detector looks again at
//     each candidate on a 160×160 square twice its size, turned by the
//     Roll of its landmarks so that the head stands upright (a box around
//     the candidate's centre counts when none is centred on it): a face
//     must score above 0.3 there, above one half (MinConfidence 50,
//     face-api's default) in one of the two looks, and have its eye
//     centres at least a fifth of its box apart (a tenth for a head in
//     profile, whose landmarks put the nose beyond the jaw); a weak or
//     tilted one, or one whose box was found around it, takes the box of
//     that upright look and its landmarks are found again there. Two
//     candidates whose eye midpoints nearly coincide are one face.
//     face-api's SsdMobilenetv1 (ssd.go), the detector face-api's own
//     figures come from, gives a second opinion on a 96×96 square twice
//     the box's size: a face of Confidence at most 70 is kept only when it
//     scores above 0.2 there, and a candidate rejected by the second look
//     whose landmarks read as a head in profile is a face when it scores
//     above 0.5 there, upright.
//     Every setting and what it was measured on is in detect.go. The eye
//     centres are the means of the eye points. Images are shrunk by a box
//     filter to under twice the networks' input before the bilinear warp
//     (resample.go). The networks are ported to pure Go (matrix products
//     on vek or gonum, gemm.go) from the weights of face-api 1.7.15,
//     embedded in this package with pigo's cascade.
//   - Engine.Descriptor warps the face onto a 150×150 chip as dlib's
//     get_face_chip_details(shape, 150, 0.25) does: the similarity that
//     best fits the nose, eye and mouth landmarks to dlib's mean face
//     shape (least squares); then it runs dlib's face recognition ResNet
//     (dlib reports 99.38% on LFW) in pure Go, from the weights face-api
//     1.7.15 ships, embedded in this package
//     (model/README.md; New("") loads them).
//   - Distance, Similarity and Gallery compare descriptors: a distance
//     under SameFaceDistance (0.6) means the same person, and Similarity
//     maps it to 80, Rekognition's default FaceMatchThreshold.
//
// testdata/golden holds aligned chips and the descriptors face-api itself
// computes for them, face crops with the landmarks face-api finds in them,
// and detector inputs with the boxes face-api's tiny detector and its
// SsdMobilenetv1 find in them (testdata/golden/golden.mjs); the tests
// check every Go network against them.
//
// Speed: the networks compute in float32, as face-api does. The tiny
// detector works plane by plane (NCHW): its first convolution is a matrix
// product per band of rows (im2col), pooled as it goes, its depthwise
// convolutions run along whole rows as vector operations and its pointwise
// ones are one matrix product per layer; the landmark and descriptor
// networks' convolutions are im2col, in bands of output rows that stay in
// cache, and a matrix product. Matrix products run on vek's AVX2 assembly
// where vek has it (amd64 with AVX2 and FMA, not macOS) and on gonum's
// float32 BLAS elsewhere (gemm.go). Feature maps are reused across calls
// (a sync.Pool). Measured on one core of a shared machine (CPU time per
// call, the benchmarks' cpu-ns/op, median of 5 interleaved runs of
// -bench 'BenchmarkFaces$|Descriptor$|Landmarks' -benchtime 10x -cpu 1):
// on vek, landmarks 10 ms and a descriptor 27 ms per face (31–34 ms on
// gonum), a whole sample photo (Faces) 69–144 ms, 0.22–0.46 of face-api's
// time with its SSD detector (the README's engine section has both
// columns); the small-face pass's cascade 20–75 ms on a 1920-pixel photo
// (BenchmarkSmallFaces).
//
// Memory: the engine works on the image it is given; for large photos,
// decode a scaled copy first (the offline server decodes at most 16
// megapixels and hands the engine a copy of at most 1920×1080's pixel
// count, see package offline).
package faceengine
