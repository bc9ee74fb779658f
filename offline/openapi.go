package offline

import (
	"net/http"

	"github.com/facerec/facerec-cdk/contract"
)

// openAPIDocument answers GET /openapi.json with the API's OpenAPI
// document (contract.OpenAPI), with the CORS headers of the other routes
// and, like them, behind the API key. The deployed API does not serve the
// document: this route is the local API's only addition to the deployed
// routes, and the document does not describe it.
func (l *Local) openAPIDocument(w http.ResponseWriter, r *http.Request) {
	l.cors(w)
	w.Header().Set("Content-Type", "application/json")
	w.Write(contract.OpenAPI)
}
