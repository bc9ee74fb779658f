package handler

import (
	"strconv"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// searchService returns the service a search request runs with: a.svc with
// the request's contract.ThresholdParam and contract.MaxFacesParam, if
// given (service.WithSearchParams checks their bounds). A value that is not
// a number (threshold) or an integer (maxFaces) is a 400
// INVALID_PARAMETER.
func (a *API) searchService(q map[string]string) (*service.Service, error) {
	var p service.SearchParams
	if v, ok := q[contract.ThresholdParam]; ok {
		t, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
				Message: "the " + contract.ThresholdParam + " query parameter must be a number from 0 to 100, not " + strconv.Quote(v)}
		}
		p.FaceMatchThreshold = &t
	}
	if v, ok := q[contract.MaxFacesParam]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
				Message: "the " + contract.MaxFacesParam + " query parameter must be an integer from 1 to " + strconv.Itoa(contract.MaxSearchMaxFaces) + ", not " + strconv.Quote(v)}
		}
		p.MaxFaces = &n
	}
	return a.svc.WithSearchParams(p)
}
