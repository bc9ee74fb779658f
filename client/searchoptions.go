package client

import (
	"context"
	"net/url"
	"strconv"

	"github.com/facerec/facerec-cdk/contract"
)

// SearchOptions choose what SearchWith searches and with which bounds.
// The zero value is Search.
type SearchOptions struct {
	// All searches every face of the photo (faces=all), as SearchAll.
	All bool
	// ByPerson matches persons (by=person) instead of single faces; not
	// with All.
	ByPerson bool
	// Threshold, when not nil, is the request's FaceMatchThreshold
	// (threshold), 0-100; nil keeps the deployment's.
	Threshold *float64
	// MaxFaces, when not 0, is the most matches per searched face
	// (maxFaces), 1-100; 0 keeps the deployment's.
	MaxFaces int
}

// query returns the query parameters of o.
func (o SearchOptions) query() url.Values {
	q := url.Values{}
	if o.All {
		q.Set(contract.FacesParam, contract.FacesAll)
	}
	if o.ByPerson {
		q.Set(contract.ByParam, contract.ByPerson)
	}
	if o.Threshold != nil {
		q.Set(contract.ThresholdParam, strconv.FormatFloat(*o.Threshold, 'g', -1, 64))
	}
	if o.MaxFaces != 0 {
		q.Set(contract.MaxFacesParam, strconv.Itoa(o.MaxFaces))
	}
	return q
}

// SearchWith is Search with options: every face, persons, and the
// request's own threshold and maxFaces. The service refuses values out of
// bounds with an *APIError of status 400 and code INVALID_PARAMETER.
func (c *Client) SearchWith(ctx context.Context, image []byte, contentType string, o SearchOptions) (*contract.SearchResult, error) {
	return c.search(ctx, o.query(), image, contentType)
}
