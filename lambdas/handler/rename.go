package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
)

// Rename handles PATCH /persons/{person}: the JSON body is a
// contract.RenamePerson ({"person": "<new name>"}); the path's name
// arrives percent-encoded, as in Persons. It answers 200 with the
// contract.Person under its new name (service.Rename: same UserId, same
// faces); 400 INVALID_BODY for a body that is not such JSON,
// INVALID_PARAMETER for either name breaking contract.ValidatePerson (the
// path's checked here, the new one by service.Rename); 404 for an unknown
// person; 409 PERSON_EXISTS when the new name is another person's, 409
// CONFLICT when an image or the person changed meanwhile (repeat the
// request: a rename that failed is finished by repeating it) or another
// rename of the person is unfinished. Neither name is logged.
func (a *API) Rename(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	person, err := personOf(req.PathParameters[contract.PersonNameParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	body, err := rawBody(req)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	var in contract.RenamePerson
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || dec.More() {
		return a.fail(ctx, badBody(`the body must be JSON: {"person": "<new name>"}`)), nil
	}
	p, err := a.svc.Rename(ctx, person, in.Person)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, p, nil), nil
}
