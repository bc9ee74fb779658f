// Package imageio decodes JPEG and PNG photos the way Amazon Rekognition
// sees them: upright, with a JPEG's EXIF Orientation applied, so that
// Rekognition's bounding boxes locate faces in the decoded pixels. The
// search function (which crops faces out of a photo) and the local face
// engine share it; it imports only the standard library and
// golang.org/x/image/draw (for DecodeScaled), so the Lambda functions never
// link the face engine.
//
// Where and why: under internal/, because it is shared by the service core
// (internal/service) and the public faceengine package but is no API of
// its own.
package imageio
