package contract

// Face thumbnails, as GET /thumbnails/{faceId} answers them.
const (
	// ThumbnailMediaType is the Content-Type of a thumbnail, and the
	// Accept header a client sends for one: API Gateway returns a Lambda
	// proxy's base64 body as binary only when the request's first Accept
	// media type is one of the API's binary media types (BinaryMediaTypes;
	// API Gateway developer guide, "Return binary media from a Lambda
	// proxy integration").
	ThumbnailMediaType = "image/jpeg"
	// ThumbnailMaxSide is the longest side of a thumbnail, in pixels: the
	// face's crop is scaled down to it, never up.
	ThumbnailMaxSide = 160
	// ThumbnailMargin is the margin added on each side of a face's
	// BoundingBox for its thumbnail, as a ratio of the box's width and
	// height, before clipping to the image.
	ThumbnailMargin = 0.25
)
