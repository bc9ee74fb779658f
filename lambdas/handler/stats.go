package handler

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Stats handles GET /stats: 200 with a contract.Stats (faces and persons
// of the collection, indexed and rejected images of the table), or the
// AWS errors as the other routes.
func (a *API) Stats(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	st, err := a.svc.Stats(ctx)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, st, nil), nil
}
