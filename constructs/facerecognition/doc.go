// Package facerecognition provides FaceRecognitionService, a CDK construct
// that deploys a face recognition service on Amazon Rekognition:
//
//   - PUT /index/{filename} stores an image (raw bytes, or base64 text sent
//     as text/plain) in an S3 bucket under an image prefix, straight from
//     API Gateway, without a function in the path, and DELETE
//     /index/{filename} (lambdas/deleteimage) erases it: every version of
//     it, and its faces;
//   - S3 reports every object created or removed under the prefix to an SQS
//     queue, and the index function (lambdas/index) indexes or forgets the
//     image's faces in a Rekognition collection and a DynamoDB table;
//   - GET /index/{filename} (lambdas/status) tells whether an image is
//     pending, indexed or rejected, with its faces;
//   - POST /search (lambdas/search) finds the indexed faces that match the
//     faces of an image, and GET /info (lambdas/info) describes the service;
//   - GET /faces and GET /faces/{faceId} (lambdas/faces) list and read the
//     indexed faces, and DELETE /faces/{faceId} (lambdas/deleteface)
//     removes one face from its image;
//   - GET /persons and GET /persons/{person} (lambdas/persons) list and
//     read the persons named at upload, with their faces, and DELETE
//     /persons/{person} (lambdas/deleteperson) erases a person: every
//     image uploaded with its name, its faces, and its Rekognition user;
//   - an EventBridge schedule runs the sweeper (lambdas/sweep), which
//     removes what crashed runs left and retries failed associations;
//   - GET /thumbnails/{faceId} (lambdas/thumbnail) answers a face's crop
//     as a JPEG, for the web console (package console).
//   - GET /matches/{faceId} (lambdas/matches) finds the indexed faces that
//     match an indexed face, without an image (Rekognition SearchFaces),
//     and GET /stats (lambdas/stats) counts the faces, persons and images;
//   - POST /compare (lambdas/compare) verifies a photo's face against a
//     second photo (Rekognition CompareFaces), an indexed face or a person;
//   - POST /reindex (lambdas/reindex) starts the Backfill state machine,
//     which sends every stored image through the index path again, and
//     GET /reindex/{reindexId} follows it;
//   - GET /images/{filename} (lambdas/download) answers an image's faces,
//     as GET /index/{filename} does, and an S3 presigned URL of the
//     version they were indexed from, valid for five minutes.
//   - PATCH /persons/{person} (lambdas/rename) renames a person: its
//     Rekognition user keeps its UserId and faces, and its images' person
//     metadata follows.
//
// The functions, their routes and their permissions are the rows of
// contract.Functions, and the S3 routes are contract.StorageRoutes: the
// construct creates what those tables list. The functions are Go programs of
// this module, compiled at synth time with the local Go toolchain (no
// Docker). Their configuration, and the table's names, come from the
// contract package too.
//
// Where and why: this package is the CDK side of the service and nothing
// else. It imports the contract package for the names it shares with the
// functions (environment variables, the table's attributes and indexes) and
// for the function table; it never imports the handlers (lambdas/handler),
// the service core (internal/service) or the offline engine (faceengine,
// offline), so a CDK app that uses the construct links none of them. It
// bundles the functions' main packages (lambdas/<fn>, the Main of each row)
// into separate bootstrap executables, which do link the handlers; the
// construct only names them.
package facerecognition
