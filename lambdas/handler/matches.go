package handler

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
)

// Matches handles GET /matches/{faceId}: the indexed faces most similar
// to the indexed face faceId (Rekognition SearchFaces), without an image,
// with optional threshold and maxFaces as POST /search. It answers 200
// with a contract.SearchResult of one face (faceId's box in its image and
// its matches, never faceId itself), 400 for a threshold or maxFaces out
// of bounds, 404 for an unknown FaceId, and the AWS errors as Search.
func (a *API) Matches(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	svc, err := a.searchService(req.QueryStringParameters)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	res, err := svc.SearchFaceID(ctx, req.PathParameters[contract.FaceIDParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	a.log.InfoContext(ctx, "matches", "status", http.StatusOK, "faceId", req.PathParameters[contract.FaceIDParam], "matches", len(res.Faces[0].Matches))
	return a.respond(ctx, http.StatusOK, res, nil), nil
}
