package service

import (
	"github.com/facerec/facerec-cdk/contract"
)

// SearchParams are a search request's own FaceMatchThreshold and MaxFaces
// (contract.ThresholdParam and contract.MaxFacesParam); a nil field keeps
// the configured value.
type SearchParams struct {
	// FaceMatchThreshold is the minimum similarity of a match, from
	// contract.MinFaceMatchThreshold to contract.MaxFaceMatchThreshold.
	FaceMatchThreshold *float64
	// MaxFaces is the most matches returned per searched face (persons,
	// when searching persons), from 1 to contract.MaxSearchMaxFaces.
	MaxFaces *int
}

// WithSearchParams returns a Service whose searches (Search, SearchAll,
// SearchPersons, SearchFaceID) use p's values in place of the configured
// ones; s itself is unchanged. A value out of its bounds (NaN included) is
// a KindBadRequest error with code contract.CodeInvalidParameter naming
// the query parameter.
func (s *Service) WithSearchParams(p SearchParams) (*Service, error) {
	c := *s
	if t := p.FaceMatchThreshold; t != nil {
		if !(*t >= contract.MinFaceMatchThreshold && *t <= contract.MaxFaceMatchThreshold) {
			return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "the %s query parameter must be a number from %g to %g",
				contract.ThresholdParam, contract.MinFaceMatchThreshold, contract.MaxFaceMatchThreshold)
		}
		c.cfg.FaceMatchThreshold = *t
	}
	if n := p.MaxFaces; n != nil {
		if *n < 1 || *n > contract.MaxSearchMaxFaces {
			return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "the %s query parameter must be an integer from 1 to %d",
				contract.MaxFacesParam, contract.MaxSearchMaxFaces)
		}
		c.cfg.MaxFaces = *n
	}
	return &c, nil
}
