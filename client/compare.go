package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/facerec/facerec-cdk/contract"
)

// CompareTarget is what Compare compares a photo's largest face with:
// exactly one of a second image, an indexed face or a person.
type CompareTarget struct {
	// Image is a second image (JPEG or PNG bytes).
	Image []byte
	// FaceID is an indexed face's FaceId.
	FaceID string
	// Person is a person named at upload.
	Person string
}

// Compare verifies the largest face of source (JPEG or PNG bytes) against
// target with POST /compare, at threshold if it is not nil (else the
// deployment's FaceMatchThreshold). Errors: *APIError 400 for no or
// several targets, a threshold out of bounds or an image without a face,
// 404 for an unknown FaceId or person, and the image errors of Search.
func (c *Client) Compare(ctx context.Context, source []byte, target CompareTarget, threshold *float64) (*contract.Comparison, error) {
	req := contract.CompareRequest{Source: base64.StdEncoding.EncodeToString(source), FaceID: target.FaceID, Person: target.Person}
	if target.Image != nil {
		req.Target = base64.StdEncoding.EncodeToString(target.Image)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if threshold != nil {
		q.Set(contract.ThresholdParam, strconv.FormatFloat(*threshold, 'f', -1, 64))
	}
	var res contract.Comparison
	if err := c.do(ctx, http.MethodPost, c.route(q, "compare"), body, "application/json", &res); err != nil {
		return nil, err
	}
	return &res, nil
}
