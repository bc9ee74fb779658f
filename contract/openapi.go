package contract

import _ "embed" // for go:embed

// OpenAPI is the API's OpenAPI 3.0.3 document, as JSON. It describes the
// routes of Functions and StorageRoutes, no more, no fewer (those tables
// list them), their parameters, request bodies and answers, and the shared
// error body (ErrorBody), behind the x-api-key security
// scheme of the default Authorization API_KEY. It also declares the sigv4
// and cognitoUserPool schemes that deployments with Authorization IAM and
// COGNITO require instead.
//
// The CORS preflight (OPTIONS on every resource, answered without
// credentials) is deliberately not part of the document. The deployed API
// does not serve the document; `facerec serve` serves it at GET
// /openapi.json. Tests in the contract, handler, construct and offline
// packages check that the document, the table, the deployed routes, the
// local routes and the handlers' answers agree.
//
//go:embed openapi.json
var OpenAPI []byte
