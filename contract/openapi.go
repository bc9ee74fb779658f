// Package openapi holds the OpenAPI 3.0 contract of the face recognition
// API: the routes PUT and GET /index/{filename}, POST /search and GET
// /info, their request bodies, their answers and the shared error body
// {"error":{"code","message"},"requestId"}, behind the x-api-key security
// scheme of the default Authorization API_KEY. It also declares the sigv4
// and cognitoUserPool schemes that deployments with Authorization IAM and
// COGNITO require instead.
//
// The CORS preflight (OPTIONS on every resource, answered without
// credentials) is deliberately not part of the document. The deployed API does not
// serve the document; `facerec serve` serves it at GET /openapi.json. Tests
// in the handler, construct and command packages check that the document,
// the deployed routes, the local routes and the handlers' answers agree.
package contract

import _ "embed" // for go:embed

// OpenAPI is the API's OpenAPI 3.0.3 document, as JSON.
//
//go:embed openapi.json
var OpenAPI []byte
