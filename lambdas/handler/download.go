package handler

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Download handles GET /images/{filename}: 200 with a
// contract.ImageDownload (the image's status and faces, as GET
// /index/{filename} answers them, and a link to its bytes that expires in
// contract.DownloadExpirySeconds), also for an image pending or rejected;
// 400 for an invalid filename (parsed as GET /index/{filename} parses
// it); 404 when no such image is stored or it was erased. The answer holds
// a bearer link to biometric data: it is marked not to be stored.
func (a *API) Download(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	filename, err := filenameOf(req)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	d, err := a.svc.Download(ctx, filename)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, d, map[string]string{"Cache-Control": "no-store"}), nil
}
