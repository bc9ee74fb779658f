// Package contract is what the FaceRecognitionService construct, the Lambda
// functions it bundles, the offline service and the clients agree on:
//
//   - the environment variable names the construct sets, the defaults both
//     sides share, the table's attribute and index names, and the limits
//     that come from Amazon Rekognition (Config, FromEnv);
//   - the request parameters, the JSON bodies of the answers and the stable
//     error codes of the API;
//   - the functions, their main packages, their routes and their grants
//     (Functions), and the routes S3 answers directly (StorageRoutes);
//   - the API's OpenAPI document (OpenAPI), whose operations are exactly
//     those routes.
//
// It has no dependencies beyond the standard library so that the construct
// package can import it without linking the AWS SDK into CDK apps.
package contract
