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
// It has no dependencies beyond the standard library because two packages
// import it to stay light: the construct package, which must not link the
// AWS SDK into CDK apps, and the client package, which imports it alone of
// the module's packages so that a program that only calls the API links
// neither aws-lambda-go nor an AWS SDK service client.
package contract
