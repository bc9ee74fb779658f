package client

import (
	"context"
	"net/http"

	"github.com/facerec/facerec-cdk/contract"
)

// Stats returns the counts of GET /stats: the collection's faces and
// persons (Rekognition DescribeCollection) and the indexed and rejected
// images (the table).
func (c *Client) Stats(ctx context.Context) (*contract.Stats, error) {
	var st contract.Stats
	if err := c.do(ctx, http.MethodGet, c.route(nil, "stats"), nil, "", &st); err != nil {
		return nil, err
	}
	return &st, nil
}
