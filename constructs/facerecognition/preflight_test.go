package facerecognition

import (
	"slices"
	"strings"

	"github.com/facerec/facerec-cdk/contract"
)

// preflights returns the number of CORS preflight (OPTIONS) methods of the
// API: one per resource, the root and every prefix of the paths of
// contract.Functions and contract.StorageRoutes.
func preflights() int {
	resources := map[string]bool{"/": true}
	routes := slices.Clone(contract.StorageRoutes)
	for _, f := range contract.Functions {
		routes = append(routes, f.Routes...)
	}
	for _, r := range routes {
		segments := strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
		for i := range segments {
			resources["/"+strings.Join(segments[:i+1], "/")] = true
		}
	}
	return len(resources)
}
