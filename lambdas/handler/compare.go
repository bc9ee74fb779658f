package handler

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// Compare handles POST /compare: 1:1 verification. The JSON body is a
// contract.CompareRequest: "source" (base64 image) and exactly one of
// "target" (base64 image; service.CompareImages), "faceId"
// (service.CompareFace) or "person" (service.ComparePerson). The optional
// threshold query parameter replaces the configured FaceMatchThreshold as
// on POST /search. It answers 200 with a contract.Comparison; 400
// INVALID_BODY for a body that is not such JSON, INVALID_PARAMETER for a
// threshold out of bounds, for a missing source or for no or several
// targets, and for an image without a face; the image errors of POST
// /search; 404 for an unknown FaceId or person; the AWS errors as Search.
// The log names which kind of target was compared, never the FaceId,
// person or similarity.
func (a *API) Compare(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	q := map[string]string{}
	if v, ok := req.QueryStringParameters[contract.ThresholdParam]; ok {
		q[contract.ThresholdParam] = v
	}
	svc, err := a.searchService(q)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	body, err := rawBody(req)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	var in contract.CompareRequest
	if err := json.Unmarshal(body, &in); err != nil {
		return a.fail(ctx, badBody(`the body must be JSON: {"source": "<base64>", and one of "target": "<base64>", "faceId" or "person"}`)), nil
	}
	source, err := compareImage("source", in.Source)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	targets := 0
	for _, t := range []string{in.Target, in.FaceID, in.Person} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		return a.fail(ctx, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
			Message: `give exactly one of "target", "faceId" and "person"`}), nil
	}
	var res *contract.Comparison
	kind := "image"
	switch {
	case in.Target != "":
		target, terr := compareImage("target", in.Target)
		if terr != nil {
			return a.fail(ctx, terr), nil
		}
		res, err = svc.CompareImages(ctx, source, target)
	case in.FaceID != "":
		kind = "faceId"
		res, err = svc.CompareFace(ctx, source, in.FaceID)
	default:
		kind = "person"
		if verr := contract.ValidatePerson(in.Person); verr != nil {
			return a.fail(ctx, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter, Message: verr.Error()}), nil
		}
		res, err = svc.ComparePerson(ctx, source, in.Person)
	}
	if err != nil {
		return a.fail(ctx, err), nil
	}
	a.log.InfoContext(ctx, "compare", "status", http.StatusOK, "against", kind, "match", res.Match)
	return a.respond(ctx, http.StatusOK, res, nil), nil
}

// badBody is a 400 INVALID_BODY error.
func badBody(msg string) error {
	return &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidBody, Message: msg}
}

// compareImage decodes the base64 image of the member name of a compare
// request; an empty one is left to ValidateImage (IMAGE_REQUIRED).
func compareImage(name, text string) ([]byte, error) {
	if name == "source" && text == "" {
		return nil, nil
	}
	img, ok := decodeBase64Text(text)
	if !ok {
		return nil, badBody(`the "` + name + `" member is not valid base64`)
	}
	return img, nil
}
