package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/facerec/facerec-cdk/contract"
)

// MatchLimits are a search's own FaceMatchThreshold and MaxFaces; the
// zero value keeps the deployment's (GET /info).
type MatchLimits struct {
	// Threshold, when not nil, is the minimum similarity of a match
	// (threshold), 0-100.
	Threshold *float64
	// MaxFaces, when not 0, is the most matches per searched face
	// (maxFaces), 1-100.
	MaxFaces int
}

// query adds the query parameters of l to q.
func (l MatchLimits) query(q url.Values) url.Values {
	if l.Threshold != nil {
		q.Set(contract.ThresholdParam, strconv.FormatFloat(*l.Threshold, 'g', -1, 64))
	}
	if l.MaxFaces != 0 {
		q.Set(contract.MaxFacesParam, strconv.Itoa(l.MaxFaces))
	}
	return q
}

// SearchOptions choose what SearchWith searches and with which limits.
// The zero value is Search.
type SearchOptions struct {
	// All searches every face of the photo (faces=all), as SearchAll.
	All bool
	// ByPerson matches persons (by=person) instead of single faces; not
	// with All.
	ByPerson bool
	// MatchLimits are the request's threshold and maxFaces (persons with
	// ByPerson).
	MatchLimits
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
	return o.MatchLimits.query(q)
}

// SearchWith is Search with options: every face, persons, and the
// request's own threshold and maxFaces. The service refuses values out of
// bounds with an *APIError of status 400 and code INVALID_PARAMETER.
func (c *Client) SearchWith(ctx context.Context, image []byte, contentType string, o SearchOptions) (*contract.SearchResult, error) {
	return c.search(ctx, o.query(), image, contentType)
}

// Matches returns the indexed faces most similar to the indexed face
// faceID, without an image, with GET /matches/{faceId} (Rekognition
// SearchFaces): one face, faceID's, whose Matches never include faceID.
// Errors: *APIError 404 for an unknown FaceId, 400 for limits out of
// bounds.
func (c *Client) Matches(ctx context.Context, faceID string, l MatchLimits) (*contract.SearchResult, error) {
	var res contract.SearchResult
	if err := c.do(ctx, http.MethodGet, c.route(l.query(url.Values{}), "matches", faceID), nil, "", &res); err != nil {
		return nil, err
	}
	return &res, nil
}
