package service

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"golang.org/x/sync/errgroup"

	"github.com/facerec/facerec-cdk/lambdas/config"
	"github.com/facerec/facerec-cdk/lambdas/imageio"
)

// How SearchAll crops and searches the faces of a photo.
const (
	// searchConcurrency bounds the SearchFacesByImage calls of one
	// SearchAll in flight: 4 stays under the 5 transactions per second
	// that Rekognition's default quotas give SearchFacesByImage in most
	// regions (AWS General Reference, Amazon Rekognition quotas); the
	// SDK retries what is throttled all the same.
	searchConcurrency = 4
	// cropMargin is the margin added on each side of a face's box when it
	// is cropped, as a ratio of the box's width or height: the crop holds
	// the whole head and little of the neighbours.
	cropMargin = 0.5
	// cropQuality is the JPEG quality the crops are encoded with.
	cropQuality = 95
)

// noFaceInCrop is the Reason of a face in whose crop SearchFacesByImage
// found no face.
const noFaceInCrop = "Rekognition found no face to search in this face's crop (it may be blurred, turned away or of too low quality)"

// SearchAll searches every face of image (JPEG or PNG bytes), where Search
// searches only the largest. DetectFaces finds the faces (the 100 largest
// at most, Rekognition's limit); each face is cropped out of the photo and
// searched with SearchFacesByImage, searchConcurrency (4) calls at a time;
// the matches of all faces are joined with their face items in one table
// read, and matches without a face item are left out, as with Search.
//
// Faces come left to right, each with the box DetectFaces gave it (ratios
// of the whole photo) and its confidence. The photo is decoded once with
// imageio.DecodeImage, which applies a JPEG's EXIF orientation, because
// Rekognition's boxes locate faces in the photo so oriented. A crop is the
// face's box with half its width and height added on each side, clipped to
// the photo and, if that leaves less, widened inside the photo to 80×80
// pixels (config.MinImageDimension, Rekognition's smallest image); it is
// sent as a JPEG. A face under 40×40 pixels (config.MinFaceDimension,
// Rekognition's smallest face) is not searched; it, and a face in whose
// crop SearchFacesByImage finds no face, come with a Reason and no
// matches.
//
// Errors: those of Search, and KindTooLarge for a photo over
// imageio.MaxImagePixels or KindUnprocessable for one whose pixels do not
// decode. Any failed AWS call fails the whole search with its mapped error
// (one throttled search of a face gives KindThrottled).
func (s *Service) SearchAll(ctx context.Context, image []byte) (*SearchResult, error) {
	if err := ValidateImage(image, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	detected, err := s.rek.DetectFaces(ctx, &rekognition.DetectFacesInput{Image: &rtypes.Image{Bytes: image}})
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	res := &SearchResult{Faces: make([]SearchedFace, len(detected.FaceDetails))}
	if len(res.Faces) == 0 {
		return res, nil
	}
	photo, err := imageio.DecodeImage(image)
	if err != nil {
		return nil, decodeError(err)
	}
	for i, d := range detected.FaceDetails {
		res.Faces[i] = SearchedFace{BoundingBox: boundingBox(d.BoundingBox), Confidence: float64(aws.ToFloat32(d.Confidence)), Matches: []Match{}}
	}
	slices.SortStableFunc(res.Faces, func(a, b SearchedFace) int {
		return cmp.Or(cmp.Compare(a.BoundingBox.Left, b.BoundingBox.Left), cmp.Compare(a.BoundingBox.Top, b.BoundingBox.Top))
	})

	searches := make([]*rekognition.SearchFacesByImageOutput, len(res.Faces))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(searchConcurrency)
	for i := range res.Faces {
		face := &res.Faces[i]
		size := photo.Rect.Size()
		w, h := face.BoundingBox.Width*float64(size.X), face.BoundingBox.Height*float64(size.Y)
		if w < config.MinFaceDimension || h < config.MinFaceDimension {
			face.Reason = fmt.Sprintf("face too small to search: %dx%d pixels; Rekognition needs at least %dx%d pixels",
				int(w), int(h), config.MinFaceDimension, config.MinFaceDimension)
			continue
		}
		g.Go(func() error {
			crop, err := encodeCrop(photo, cropRect(face.BoundingBox, photo.Rect))
			if err != nil {
				return err
			}
			out, err := s.searchFaces(gctx, crop)
			switch {
			case isNoFace(err):
				face.Reason = noFaceInCrop
			case err != nil:
				return fromAWS("Rekognition", err)
			default:
				searches[i] = out
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	records, err := s.matchRecords(ctx, searches...)
	if err != nil {
		return nil, err
	}
	for i, out := range searches {
		if out != nil {
			res.Faces[i].Matches = s.joinMatches(ctx, out.FaceMatches, records)
		}
	}
	return res, nil
}

// cropRect returns the pixels of bounds to crop for a face at box: the box
// with cropMargin of its size added on each side, clipped to bounds, then
// widened inside bounds to at least config.MinImageDimension each way.
// bounds must start at (0, 0) and be at least that large.
func cropRect(box BoundingBox, bounds image.Rectangle) image.Rectangle {
	w, h := float64(bounds.Dx()), float64(bounds.Dy())
	mx, my := box.Width*cropMargin, box.Height*cropMargin
	r := image.Rect(
		int(math.Floor((box.Left-mx)*w)), int(math.Floor((box.Top-my)*h)),
		int(math.Ceil((box.Left+box.Width+mx)*w)), int(math.Ceil((box.Top+box.Height+my)*h)),
	).Intersect(bounds)
	r.Min.X, r.Max.X = widen(r.Min.X, r.Max.X, bounds.Dx())
	r.Min.Y, r.Max.Y = widen(r.Min.Y, r.Max.Y, bounds.Dy())
	return r
}

// widen returns [lo, hi) widened about its middle to at least
// config.MinImageDimension and shifted to stay within [0, size).
func widen(lo, hi, size int) (int, int) {
	const least = config.MinImageDimension
	if hi-lo >= least {
		return lo, hi
	}
	lo = min(max(lo-(least-(hi-lo))/2, 0), size-least)
	return lo, lo + least
}

// encodeCrop encodes the pixels r of photo as a JPEG.
func encodeCrop(photo *image.RGBA, r image.Rectangle) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo.SubImage(r), &jpeg.Options{Quality: cropQuality}); err != nil {
		return nil, fmt.Errorf("encode the crop of a face: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeError maps an imageio.DecodeImage error to an *Error.
func decodeError(err error) *Error {
	if errors.Is(err, imageio.ErrImageTooLarge) {
		return &Error{Kind: KindTooLarge, Code: CodeImageTooLarge, Err: err,
			Message: fmt.Sprintf("the image has more than %d pixels, the most a search of all faces decodes", imageio.MaxImagePixels)}
	}
	return &Error{Kind: KindUnprocessable, Code: CodeInvalidImage, Message: "the image could not be decoded", Err: err}
}
