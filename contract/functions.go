package contract

import "strings"

// Function is one Lambda function of the service: its name, the Go main
// package that is its binary, the API routes it answers and the AWS
// permissions it needs. Functions lists them all; the construct, the
// offline router, `facerec invoke`, the OpenAPI checks and the dependency
// test read that one table, so adding a route is one row here plus its
// handler, its grant and its tests.
type Function struct {
	// Name is the function's name: the prefix of its construct ids
	// (Name+"Function", Name+"Role", Name+"LogGroup"), the name its
	// handler is registered under (handler.Handlers) and, lower-cased, the
	// argument of `facerec invoke`. Example: "DeleteFace".
	Name string
	// Main is the directory of its main package, relative to the module
	// root, such as "lambdas/deleteface"; the construct bundles it.
	Main string
	// Routes are the API routes it answers through Lambda proxy
	// integrations; none for the index function, which consumes the
	// queue.
	Routes []Route
	// Grants are the permissions of its role besides writing to its own
	// log group.
	Grants Grants
}

// Route is one method on one resource path of the REST API, as API Gateway
// writes it: "GET" and "/faces/{faceId}". A path has at most one
// parameter, its last segment.
type Route struct {
	// Method is the HTTP method.
	Method string
	// Path is the resource path, with its parameter in braces.
	Path string
}

// Grants are the AWS permissions of a function, by resource. Actions are
// IAM action names ("rekognition:IndexFaces"); the construct turns each
// field that is set into statements on the resource the field names, in
// the order of the fields.
type Grants struct {
	// Collection are the Rekognition actions on the collection.
	Collection []string
	// ReadImages lets the function read the images: s3:GetObject on the
	// objects under the image prefix and s3:ListBucket on the bucket (so
	// that a missing key is 404, not 403).
	ReadImages bool
	// ReadImageVersions lets the function read given versions of the
	// images: s3:GetObjectVersion on the objects under the image prefix,
	// which a GetObject with a VersionId needs instead of s3:GetObject
	// (S3 API reference, GetObject, "versionId"), also through a URL the
	// function presigns. s3:GetObject (ReadImages) is still needed for
	// HeadObject and for a GetObject without a VersionId, and
	// s3:ListBucket for a missing key's 404.
	ReadImageVersions bool
	// AnyResource are actions allowed on "*": those without resource-level
	// permissions, such as rekognition:DetectFaces, which takes no
	// collection (Service Authorization Reference, Amazon Rekognition).
	AnyResource []string
	// QueryIndexes are the global secondary indexes (ObjectKeyIndex,
	// PersonIndex) the function may read with dynamodb:Query.
	QueryIndexes []string
	// Table are the DynamoDB actions on the table itself.
	Table []string
	// EraseImages lets the function erase images from the versioned
	// bucket: s3:ListBucketVersions on the bucket and
	// s3:DeleteObjectVersion on the objects under the image prefix with
	// at least one character after it (<prefix>?*)
	// (DeleteObject with a VersionId deletes that version for good).
	EraseImages bool
	// RewriteImages lets the function copy an image onto itself with new
	// metadata (CopyObject with MetadataDirective REPLACE, as a rename
	// does): s3:PutObject on the objects under the image prefix with at
	// least one character after it (<prefix>?*); reading the source is
	// ReadImages'. With a customer managed key on the bucket, the key's
	// kms:Decrypt and kms:GenerateDataKey too.
	RewriteImages bool
	// Backfill lets the function start the construct's Backfill state
	// machine and follow it: states:StartExecution on the state machine,
	// states:DescribeExecution and states:ListMapRuns on its executions,
	// states:DescribeMapRun on its map runs (Service Authorization
	// Reference, AWS Step Functions: resource types stateMachine,
	// execution and mapRun).
	Backfill bool
}

// Names of the functions, as Function.Name.
const (
	// FunctionIndex consumes the queue of the bucket's notifications and
	// indexes or forgets the faces of each stored or deleted image.
	FunctionIndex = "Index"
	// FunctionSearch answers POST /search.
	FunctionSearch = "Search"
	// FunctionStatus answers GET /index/{filename}.
	FunctionStatus = "Status"
	// FunctionInfo answers GET /info.
	FunctionInfo = "Info"
	// FunctionFaces answers GET /faces and GET /faces/{faceId}.
	FunctionFaces = "Faces"
	// FunctionDeleteFace answers DELETE /faces/{faceId}.
	FunctionDeleteFace = "DeleteFace"
	// FunctionPersons answers GET /persons and GET /persons/{person}.
	FunctionPersons = "Persons"
	// FunctionDeletePerson answers DELETE /persons/{person}.
	FunctionDeletePerson = "DeletePerson"
	// FunctionDeleteImage answers DELETE /index/{filename}: it erases
	// the image (every version of its object, its faces).
	FunctionDeleteImage = "DeleteImage"
	// FunctionSweep runs on a schedule (contract.SweepIntervalMinutes):
	// it removes what crashed runs left and retries failed associations
	// (service.Sweep).
	FunctionSweep = "Sweep"
	// FunctionThumbnail answers GET /thumbnails/{faceId}.
	FunctionThumbnail = "Thumbnail"
	// FunctionMatches answers GET /matches/{faceId}: the matches of an
	// indexed face (Rekognition SearchFaces), without an image.
	FunctionMatches = "Matches"
	// FunctionStats answers GET /stats: the faces, persons and images
	// held.
	FunctionStats = "Stats"
	// FunctionCompare answers POST /compare: 1:1 verification of a face
	// against a second image, an indexed face or a person.
	FunctionCompare = "Compare"
	// FunctionRename answers PATCH /persons/{person}: it renames a person,
	// keeping its Rekognition user and faces.
	FunctionRename = "Rename"
	// FunctionReindex answers POST /reindex and GET /reindex/{reindexId}:
	// it starts the Backfill state machine and reports its progress.
	FunctionReindex = "Reindex"
	// FunctionDownload answers GET /images/{filename}: an image's faces
	// and a short-lived link to its bytes.
	FunctionDownload = "Download"
)

// Functions are the service's functions, in the order the construct creates
// them (which fixes the order of their resources in the template).
var Functions = []Function{
	{
		Name: FunctionIndex, Main: "lambdas/index",
		// Reconcile indexes or forgets an image's faces, keeps each
		// person's Rekognition user (resolving its name: BatchGetItem of
		// the alias and person items), and commits the image item.
		Grants: Grants{
			Collection:   []string{"rekognition:IndexFaces", "rekognition:DeleteFaces", "rekognition:CreateUser", "rekognition:AssociateFaces", "rekognition:DisassociateFaces"},
			Table:        []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"},
			QueryIndexes: []string{ObjectKeyIndex},
			ReadImages:   true,
		},
	},
	{
		Name: FunctionSearch, Main: "lambdas/search",
		Routes: []Route{{"POST", "/search"}},
		// faces=all detects faces first (DetectFaces); by=person reads the
		// faces of each matched person on PersonIndex.
		Grants: Grants{
			Collection:   []string{"rekognition:SearchFacesByImage", "rekognition:SearchUsersByImage"},
			AnyResource:  []string{"rekognition:DetectFaces"},
			Table:        []string{"dynamodb:BatchGetItem"},
			QueryIndexes: []string{PersonIndex},
		},
	},
	{
		Name: FunctionStatus, Main: "lambdas/status",
		Routes: []Route{{"GET", "/index/{filename}"}},
		Grants: Grants{
			Table:      []string{"dynamodb:GetItem", "dynamodb:BatchGetItem"},
			ReadImages: true,
		},
	},
	{
		Name: FunctionInfo, Main: "lambdas/info",
		Routes: []Route{{"GET", "/info"}},
	},
	{
		Name: FunctionFaces, Main: "lambdas/faces",
		Routes: []Route{{"GET", "/faces"}, {"GET", "/faces/{faceId}"}},
		Grants: Grants{
			Table:        []string{"dynamodb:Scan", "dynamodb:GetItem"},
			QueryIndexes: []string{PersonIndex},
		},
	},
	{
		Name: FunctionDeleteFace, Main: "lambdas/deleteface",
		Routes: []Route{{"DELETE", "/faces/{faceId}"}},
		// It commits the image item without the face, as the index
		// function commits, and removes the face like it.
		Grants: Grants{
			Collection:   []string{"rekognition:DeleteFaces", "rekognition:DisassociateFaces"},
			Table:        []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"},
			QueryIndexes: []string{ObjectKeyIndex},
		},
	},
	{
		Name: FunctionPersons, Main: "lambdas/persons",
		Routes: []Route{{"GET", "/persons"}, {"GET", "/persons/{person}"}},
		// GET /persons scans for person items and counts each person's
		// faces on PersonIndex; GET /persons/{person} reads one person item.
		Grants: Grants{
			Table:        []string{"dynamodb:Scan", "dynamodb:BatchGetItem"},
			QueryIndexes: []string{PersonIndex},
		},
	},
	{
		Name: FunctionDeletePerson, Main: "lambdas/deleteperson",
		Routes: []Route{{"DELETE", "/persons/{person}"}},
		// It reads the person item and its faces and images on
		// PersonIndex, erases each image as DELETE /index/{filename}
		// does, then the images of the faces its Rekognition user still
		// has (ListFaces of the UserId), deletes the user, writes the
		// erasure record and deletes the person item (DeleteItem, only if
		// no rename changed it meanwhile; else it erases again).
		Grants: Grants{
			Collection:   []string{"rekognition:DeleteFaces", "rekognition:DisassociateFaces", "rekognition:DeleteUser", "rekognition:ListFaces"},
			Table:        []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"},
			QueryIndexes: []string{PersonIndex, ObjectKeyIndex},
			EraseImages:  true,
		},
	},
	{
		Name: FunctionDeleteImage, Main: "lambdas/deleteimage",
		Routes: []Route{{"DELETE", "/index/{filename}"}},
		// It deletes every version of the object, commits the tombstone
		// (removing the faces as the index function does), removes the
		// object's other faces on ObjectKeyIndex and writes the erasure
		// record.
		Grants: Grants{
			Collection:   []string{"rekognition:DeleteFaces", "rekognition:DisassociateFaces"},
			Table:        []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"},
			QueryIndexes: []string{ObjectKeyIndex},
			EraseImages:  true,
		},
	},
	{
		Name: FunctionSweep, Main: "lambdas/sweep",
		// It lists the collection's faces and checks them against the
		// table, scans for pending images and person items, marks what it
		// sees first, removes faces, users and person items, and
		// associates pending images' faces and commits them.
		Grants: Grants{
			Collection:   []string{"rekognition:ListFaces", "rekognition:DeleteFaces", "rekognition:DisassociateFaces", "rekognition:CreateUser", "rekognition:AssociateFaces", "rekognition:DeleteUser"},
			Table:        []string{"dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"},
			QueryIndexes: []string{PersonIndex, ObjectKeyIndex},
		},
	},
	{
		Name: FunctionThumbnail, Main: "lambdas/thumbnail",
		Routes: []Route{{"GET", "/thumbnails/{faceId}"}},
		// It reads the face item, then the face's image, and answers the
		// face's crop as a JPEG.
		Grants: Grants{
			Table:      []string{"dynamodb:GetItem"},
			ReadImages: true,
		},
	},
	{
		Name: FunctionMatches, Main: "lambdas/matches",
		Routes: []Route{{"GET", "/matches/{faceId}"}},
		// It reads the face item (404 if none), searches the collection
		// with the face's FaceId, and joins the matches with their items.
		Grants: Grants{
			Collection: []string{"rekognition:SearchFaces"},
			Table:      []string{"dynamodb:GetItem", "dynamodb:BatchGetItem"},
		},
	},
	{
		Name: FunctionStats, Main: "lambdas/stats",
		Routes: []Route{{"GET", "/stats"}},
		// DescribeCollection counts the faces and users; a Scan of the
		// table counts the image items by status.
		Grants: Grants{
			Collection: []string{"rekognition:DescribeCollection"},
			Table:      []string{"dynamodb:Scan"},
		},
	},
	{
		Name: FunctionCompare, Main: "lambdas/compare",
		Routes: []Route{{"POST", "/compare"}},
		// Two images: CompareFaces, which takes no collection (Service
		// Authorization Reference, Amazon Rekognition: no resource type),
		// so "*". An indexed face: its item (GetItem, 404 if none), then
		// SearchFacesByImage. A person: its person item (BatchGetItem),
		// then SearchUsersByImage.
		Grants: Grants{
			Collection:  []string{"rekognition:SearchFacesByImage", "rekognition:SearchUsersByImage"},
			AnyResource: []string{"rekognition:CompareFaces"},
			Table:       []string{"dynamodb:GetItem", "dynamodb:BatchGetItem"},
		},
	},
	{
		Name: FunctionReindex, Main: "lambdas/reindex",
		Routes: []Route{{"POST", "/reindex"}, {"GET", "/reindex/{" + ReindexIDParam + "}"}},
		// It starts an execution of the Backfill state machine and reads
		// its status and its map run's item counts.
		Grants: Grants{Backfill: true},
	},
	{
		Name: FunctionDownload, Main: "lambdas/download",
		Routes: []Route{{"GET", "/images/{" + FilenameParam + "}"}},
		// It heads the object (s3:GetObject, and s3:ListBucket for a 404
		// when it is missing), reads the image item and its faces as the
		// status function does, and presigns a GetObject of the object's
		// current VersionId with its own credentials, so the link needs
		// s3:GetObjectVersion and nothing else.
		Grants: Grants{
			Table:             []string{"dynamodb:GetItem", "dynamodb:BatchGetItem"},
			ReadImages:        true,
			ReadImageVersions: true,
		},
	},
	{
		Name: FunctionRename, Main: "lambdas/rename",
		Routes: []Route{{"PATCH", "/persons/{person}"}},
		// It resolves both names (person and alias items), reads the
		// person's faces and images on PersonIndex, copies each object
		// onto itself with the new name and deletes its older versions,
		// relabels the object's faces (ObjectKeyIndex, conditional
		// UpdateItem) and image item, then the person item, and deletes the
		// old name's alias item. No Rekognition call: the user stays.
		Grants: Grants{
			Table:         []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"},
			QueryIndexes:  []string{PersonIndex, ObjectKeyIndex},
			ReadImages:    true,
			EraseImages:   true,
			RewriteImages: true,
		},
	},
}

// StorageRoutes are the routes API Gateway answers with one S3 call on the
// object <image prefix>{filename}, without a function: PUT stores an upload
// (PutObject). The offline server answers them the same way over its
// local bucket. DELETE /index/{filename} is a function's
// (FunctionDeleteImage): erasing every version takes more than one call.
var StorageRoutes = []Route{{"PUT", "/index/{filename}"}}

// FunctionNamed returns the function of Functions whose Name is name
// (compared without regard to case, so `facerec invoke deleteface` finds
// "DeleteFace"), and false if there is none.
func FunctionNamed(name string) (Function, bool) {
	for _, f := range Functions {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Function{}, false
}

// PathParam splits Path at its parameter: "/faces/{faceId}" gives the
// prefix "/faces/", the name "faceId" and true; a path without a parameter
// gives Path, "" and false.
func (r Route) PathParam() (prefix, name string, ok bool) {
	prefix, param, ok := strings.Cut(r.Path, "{")
	if !ok {
		return r.Path, "", false
	}
	return prefix, strings.TrimSuffix(param, "}"), true
}
