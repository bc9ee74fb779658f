package service

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/imageio"
)

// thumbnailQuality is the JPEG quality of the thumbnails: small files for
// a gallery (4.4 KB for the 96×160 thumbnail of obama_1.jpg, measured by
// TestThumbnail_isTheFaceCrop), faces still sharp.
const thumbnailQuality = 80

// Thumbnail returns the crop of the indexed face faceID as a JPEG
// (contract.ThumbnailMediaType): its BoundingBox with contract.ThumbnailMargin
// added on each side, clipped to the image, scaled down to at most
// contract.ThumbnailMaxSide pixels a side. It reads the face item, then the
// face's image from S3 (at most contract.MaxS3ImageBytes, the most that is
// indexed), decoded as Rekognition sees it (imageio.DecodeImage, with a
// JPEG's EXIF orientation applied), so the crop is the box's place.
//
// Errors: KindNotFound when no face has that id or its image is gone (it
// is being deleted); KindTooLarge for an image over
// contract.MaxS3ImageBytes or with more pixels than Config.MaxDecodedPixels
// (half the function's memory) or imageio.MaxImagePixels;
// KindUnprocessable when the image does not decode or the box lies outside
// it; mapped AWS errors otherwise.
func (s *Service) Thumbnail(ctx context.Context, faceID string) ([]byte, error) {
	f, err := s.getFace(ctx, faceID)
	if err != nil {
		return nil, err
	}
	obj, err := s.objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(f.Bucket), Key: aws.String(f.Key)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, newError(KindNotFound, contract.CodeNotFound, "the image of face %q is gone", faceID)
		}
		return nil, fromAWS("S3", err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, contract.MaxS3ImageBytes+1))
	if err != nil {
		return nil, fromAWS("S3", err)
	}
	if len(data) > contract.MaxS3ImageBytes {
		return nil, newError(KindTooLarge, contract.CodeImageTooLarge, "the image of face %q is over %d bytes", faceID, contract.MaxS3ImageBytes)
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && s.cfg.MaxDecodedPixels > 0 && cfg.Width*cfg.Height > s.cfg.MaxDecodedPixels {
		return nil, newError(KindTooLarge, contract.CodeImageTooLarge, "the image of face %q has %dx%d pixels; this function decodes at most %d pixels",
			faceID, cfg.Width, cfg.Height, s.cfg.MaxDecodedPixels)
	}
	photo, err := imageio.DecodeImage(data)
	if err != nil {
		return nil, decodeError(err)
	}
	r := boxRect(f.BoundingBox, contract.ThumbnailMargin, photo.Rect)
	if r.Empty() {
		return nil, newError(KindUnprocessable, contract.CodeInvalidImage, "the box of face %q lies outside its image", faceID)
	}
	return encodeScaled(photo, r, contract.ThumbnailMaxSide, thumbnailQuality)
}
