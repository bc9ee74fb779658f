package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/facerec/facerec-cdk/contract"
)

// Rename renames the person named person to name with PATCH
// /persons/{person} and returns the person under its new name: the same
// UserId, faces and images (nothing is indexed again). A rename that
// failed midway is finished by calling Rename again (answers 503 and 429
// are retried as for every call). Errors: *APIError with Status 400 for an
// invalid name, 404 for an unknown person, 409 with Code
// contract.CodePersonExists when another person has name (persons are not
// merged), transport or context errors otherwise.
func (c *Client) Rename(ctx context.Context, person, name string) (*contract.Person, error) {
	if person == "" {
		return nil, errors.New("client: empty person")
	}
	body, err := json.Marshal(contract.RenamePerson{Person: name})
	if err != nil {
		return nil, err
	}
	var out contract.Person
	if err := c.do(ctx, http.MethodPatch, c.route(nil, "persons", person), body, "application/json", &out); err != nil {
		return nil, err
	}
	return &out, nil
}
