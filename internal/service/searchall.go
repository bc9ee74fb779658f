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
	"golang.org/x/image/draw"
	"golang.org/x/sync/errgroup"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/imageio"
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
	cropQuality = 90
	// maxCropSide is the longest side, in pixels, a crop is sent with;
	// larger crops are scaled down, so that a close-up's crop stays well
	// under Rekognition's 5 MB of inline image bytes: even random noise at
	// 1920×1440 encodes to about 2.1 MB at cropQuality (measured).
	maxCropSide = 1920
)

// noFaceInCrop is the Reason of a face in whose crop SearchFacesByImage
// found no face.
const noFaceInCrop = "Rekognition found no face to search in this face's crop (it may be blurred, turned away or of too low quality)"

// SearchAll searches every face of data (JPEG or PNG bytes), where Search
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
// pixels (contract.MinImageDimension, Rekognition's smallest image); it is
// sent as a JPEG scaled to at most maxCropSide pixels a side. A face under
// 40×40 pixels (contract.MinFaceDimension, Rekognition's smallest face) is
// not searched; it, a face in whose crop SearchFacesByImage finds no face,
// and a face whose crop was searched for a larger neighbour (Rekognition
// searches a crop's largest face) come with a Reason and no matches.
//
// Errors: those of Search; KindTooLarge, before any Rekognition call, for
// a photo of more than Config.MaxDecodedPixels pixels (half the function's
// memory at contract.DecodedPixelBytes a pixel) or imageio.MaxImagePixels;
// KindUnprocessable for one whose pixels do not decode. Any failed AWS call fails the whole search with its mapped error
// (one throttled search of a face gives KindThrottled).
func (s *Service) SearchAll(ctx context.Context, data []byte) (*contract.SearchResult, error) {
	if err := ValidateImage(data, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && s.cfg.MaxDecodedPixels > 0 && cfg.Width*cfg.Height > s.cfg.MaxDecodedPixels {
		return nil, newError(KindTooLarge, contract.CodeImageTooLarge,
			"the photo has %dx%d pixels; a search of all faces decodes at most %d pixels with this function's memory (search without faces=all, or send a smaller photo)",
			cfg.Width, cfg.Height, s.cfg.MaxDecodedPixels)
	}
	detected, err := s.rek.DetectFaces(ctx, &rekognition.DetectFacesInput{Image: &rtypes.Image{Bytes: data}})
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	res := &contract.SearchResult{Faces: make([]contract.SearchedFace, len(detected.FaceDetails))}
	if len(res.Faces) == 0 {
		return res, nil
	}
	photo, err := imageio.DecodeImage(data)
	if err != nil {
		return nil, decodeError(err)
	}
	for i, d := range detected.FaceDetails {
		res.Faces[i] = contract.SearchedFace{BoundingBox: boundingBox(d.BoundingBox), Confidence: float64(aws.ToFloat32(d.Confidence)), Matches: []contract.Match{}, FaceAttributes: attributesOf(&d)}
	}
	slices.SortStableFunc(res.Faces, func(a, b contract.SearchedFace) int {
		return cmp.Or(cmp.Compare(a.BoundingBox.Left, b.BoundingBox.Left), cmp.Compare(a.BoundingBox.Top, b.BoundingBox.Top))
	})

	searches := make([]*rekognition.SearchFacesByImageOutput, len(res.Faces))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(searchConcurrency)
	for i := range res.Faces {
		face := &res.Faces[i]
		size := photo.Rect.Size()
		w, h := face.BoundingBox.Width*float64(size.X), face.BoundingBox.Height*float64(size.Y)
		if w < contract.MinFaceDimension || h < contract.MinFaceDimension {
			face.Reason = fmt.Sprintf("face too small to search: %dx%d pixels; Rekognition needs at least %dx%d pixels",
				int(w), int(h), contract.MinFaceDimension, contract.MinFaceDimension)
			continue
		}
		g.Go(func() error {
			r := cropRect(face.BoundingBox, photo.Rect)
			crop, err := encodeCrop(photo, r)
			if err != nil {
				return err
			}
			out, err := s.searchFaces(gctx, crop)
			switch {
			case isNoFace(err):
				face.Reason = noFaceInCrop
			case err != nil:
				return fromAWS("Rekognition", err)
			case !searchedTarget(out.SearchedFaceBoundingBox, r, face.BoundingBox, size):
				// Rekognition searched the largest face of the crop: a
				// larger neighbour in the margin, not this face.
				face.Reason = otherFaceInCrop
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
// widened inside bounds to at least contract.MinImageDimension each way.
// bounds must start at (0, 0) and be at least that large.
func cropRect(box contract.BoundingBox, bounds image.Rectangle) image.Rectangle {
	r := boxRect(box, cropMargin, bounds)
	r.Min.X, r.Max.X = widen(r.Min.X, r.Max.X, bounds.Dx())
	r.Min.Y, r.Max.Y = widen(r.Min.Y, r.Max.Y, bounds.Dy())
	return r
}

// boxRect returns the pixels of bounds (starting at (0, 0)) covered by
// box with margin of its width and height added on each side, rounded
// outwards and clipped to bounds; empty if the box lies outside.
func boxRect(box contract.BoundingBox, margin float64, bounds image.Rectangle) image.Rectangle {
	w, h := float64(bounds.Dx()), float64(bounds.Dy())
	mx, my := box.Width*margin, box.Height*margin
	return image.Rect(
		int(math.Floor((box.Left-mx)*w)), int(math.Floor((box.Top-my)*h)),
		int(math.Ceil((box.Left+box.Width+mx)*w)), int(math.Ceil((box.Top+box.Height+my)*h)),
	).Intersect(bounds)
}

// widen returns [lo, hi) widened about its middle to at least
// contract.MinImageDimension and shifted to stay within [0, size).
func widen(lo, hi, size int) (int, int) {
	const least = contract.MinImageDimension
	if hi-lo >= least {
		return lo, hi
	}
	lo = min(max(lo-(least-(hi-lo))/2, 0), size-least)
	return lo, lo + least
}

// otherFaceInCrop is the Reason of a face whose crop Rekognition searched
// for another, larger face.
const otherFaceInCrop = "a larger face next to this one was in its crop; Rekognition searches the largest face, so this face could not be searched alone"

// searchedTarget reports whether the face Rekognition searched in the crop
// r (searched, ratios of the crop) is the target face (box, ratios of the
// photo of the given size): its centre lies inside the target's box.
func searchedTarget(searched *rtypes.BoundingBox, r image.Rectangle, box contract.BoundingBox, size image.Point) bool {
	if searched == nil {
		return true
	}
	b := boundingBox(searched)
	cx := float64(r.Min.X) + (b.Left+b.Width/2)*float64(r.Dx())
	cy := float64(r.Min.Y) + (b.Top+b.Height/2)*float64(r.Dy())
	left, top := box.Left*float64(size.X), box.Top*float64(size.Y)
	return cx >= left && cx <= left+box.Width*float64(size.X) && cy >= top && cy <= top+box.Height*float64(size.Y)
}

// encodeCrop encodes the pixels r of photo as a JPEG, scaled down to at
// most maxCropSide pixels a side.
func encodeCrop(photo *image.RGBA, r image.Rectangle) ([]byte, error) {
	return encodeScaled(photo, r, maxCropSide, cropQuality)
}

// encodeScaled encodes the pixels r of photo as a JPEG of the given
// quality, scaled down (never up) to at most maxSide pixels a side, at
// least 1.
func encodeScaled(photo *image.RGBA, r image.Rectangle, maxSide, quality int) ([]byte, error) {
	var src image.Image = photo.SubImage(r)
	if longest := max(r.Dx(), r.Dy()); longest > maxSide {
		dst := image.NewRGBA(image.Rect(0, 0, max(r.Dx()*maxSide/longest, 1), max(r.Dy()*maxSide/longest, 1)))
		draw.ApproxBiLinear.Scale(dst, dst.Rect, photo, r, draw.Src, nil)
		src = dst
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encode the crop of a face: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeError maps an imageio.DecodeImage error to an *Error.
func decodeError(err error) *Error {
	if errors.Is(err, imageio.ErrImageTooLarge) {
		return &Error{Kind: KindTooLarge, Code: contract.CodeImageTooLarge, Err: err,
			Message: fmt.Sprintf("the image has more than %d pixels, the most the service decodes", imageio.MaxImagePixels)}
	}
	return &Error{Kind: KindUnprocessable, Code: contract.CodeInvalidImage, Message: "the image could not be decoded", Err: err}
}
