package handler

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
)

// thumbnailCacheControl lets browsers keep a thumbnail for 5 minutes: a
// FaceId names one face of one indexed image for good (new bytes get new
// FaceIds), but an erased face must not stay on screens for long; and
// "private" keeps shared caches from storing biometric crops.
const thumbnailCacheControl = "private, max-age=300"

// Thumbnail handles GET /thumbnails/{faceId}: 200 with the face's crop as
// a JPEG (contract.ThumbnailMediaType, base64-encoded with isBase64Encoded
// true, which API Gateway turns into bytes when the request's first Accept
// type is image/jpeg), 404 for an unknown FaceId or a deleted image, 413
// for an image too large to decode, 422 for one that does not decode; errors
// are the JSON ErrorBody of every route.
func (a *API) Thumbnail(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	jpg, err := a.svc.Thumbnail(ctx, req.PathParameters[contract.FaceIDParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	resp := a.respond(ctx, http.StatusOK, nil, map[string]string{
		"Content-Type":  contract.ThumbnailMediaType,
		"Cache-Control": thumbnailCacheControl,
	})
	resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(jpg), true
	return resp, nil
}
