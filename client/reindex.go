package client

import (
	"context"
	"errors"
	"net/http"

	"github.com/facerec/facerec-cdk/contract"
)

// StartReindex starts sending every stored image through the index path
// again, with POST /reindex, and returns the re-index (its ReindexID
// follows it with Reindex). Errors: *APIError for refusals (429 while too
// many re-indexes run), transport or context errors otherwise.
func (c *Client) StartReindex(ctx context.Context) (*contract.Reindex, error) {
	var r contract.Reindex
	if err := c.do(ctx, http.MethodPost, c.route(nil, "reindex"), nil, "", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Reindex returns the progress of the re-index id, with
// GET /reindex/{reindexId}. Errors: *APIError with Status 404 for an
// unknown id, 400 for a malformed one; transport or context errors
// otherwise.
func (c *Client) Reindex(ctx context.Context, id string) (*contract.Reindex, error) {
	if id == "" {
		return nil, errors.New("client: empty re-index id")
	}
	var r contract.Reindex
	if err := c.do(ctx, http.MethodGet, c.route(nil, "reindex", id), nil, "", &r); err != nil {
		return nil, err
	}
	return &r, nil
}
