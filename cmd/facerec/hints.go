package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
)

// nextStep returns what to do about err, a client command's error, as a
// sentence for the terminal; "" when there is nothing more to say than
// the error.
//   - A refused connection: no server listens at the endpoint; start the
//     offline one, or point the command at a running API.
//   - 403 INVALID_API_KEY (a missing or wrong x-api-key): pass the key.
//   - 403 MISSING_AUTHENTICATION_TOKEN: API Gateway's answer for a path
//     that has no route, most often an endpoint without its stage.
func nextStep(err error) string {
	if errors.Is(err, syscall.ECONNREFUSED) {
		at := "the endpoint"
		var op *net.OpError
		if errors.As(err, &op) && op.Addr != nil {
			at = op.Addr.String()
		}
		return fmt.Sprintf("no server answers at %s: start the offline one with `make serve` (in a clone of the repository) or `facerec serve`, "+
			"or give the URL of a running API with --endpoint or FACEREC_ENDPOINT", at)
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden {
		return ""
	}
	switch apiErr.Code {
	case contract.GatewayInvalidAPIKey:
		return "the API wants its key in x-api-key: pass it with --api-key KEY or set FACEREC_API_KEY " +
			"(a deployed key: aws apigateway get-api-key --api-key KEY_ID --include-value; `facerec serve --api-key KEY` sets the offline one)"
	case gatewayMissingAuthenticationToken:
		return "API Gateway has no route at this path: check that the endpoint ends with the API's stage, such as https://ID.execute-api.REGION.amazonaws.com/v1"
	}
	return ""
}

// gatewayMissingAuthenticationToken is the code of API Gateway's
// MISSING_AUTHENTICATION_TOKEN gateway response (403), which it answers to
// a path or method the API has no route for.
const gatewayMissingAuthenticationToken = "MISSING_AUTHENTICATION_TOKEN"
