package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrekognition"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// FaceRecognitionService is the construct. Its fields expose the resources
// it created, for outputs, alarms and extra grants. Pass its Construct field,
// not the struct, where a construct is expected (as a scope, or to cdk-nag):
// jsii knows the embedded construct, not the Go struct around it.
type FaceRecognitionService struct {
	constructs.Construct

	// Bucket stores the images under the image prefix: the props'
	// ExistingBucket, or an awss3.Bucket the construct created (see
	// imageBucketName for its name).
	Bucket awss3.IBucket
	// Table holds one item per indexed face and one per image, keyed by
	// contract.AttrFaceID, with the global secondary indexes
	// contract.ObjectKeyIndex and contract.PersonIndex: the props' ExistingTable,
	// or an awsdynamodb.Table the construct created.
	Table awsdynamodb.ITable
	// Collection is the Rekognition collection of indexed faces; nil with
	// ExistingCollectionId.
	Collection awsrekognition.CfnCollection
	// CollectionId is the collection's CollectionId: ExistingCollectionId,
	// CollectionId or the derived default.
	CollectionId *string
	// Queue receives the bucket's ObjectCreated and ObjectRemoved events for
	// keys under the image prefix; the index function consumes it.
	Queue awssqs.Queue
	// DeadLetterQueue receives the events the index function failed on five
	// times; it keeps them for 14 days.
	DeadLetterQueue awssqs.Queue
	// IndexFunction indexes the faces of new images and deletes those of
	// removed ones (lambdas/index).
	IndexFunction awslambda.Function
	// SearchFunction answers POST /search (lambdas/search).
	SearchFunction awslambda.Function
	// StatusFunction answers GET /index/{filename} (lambdas/status).
	StatusFunction awslambda.Function
	// InfoFunction answers GET /info (lambdas/info).
	InfoFunction awslambda.Function
	// FacesFunction answers GET /faces and GET /faces/{faceId}
	// (lambdas/faces).
	FacesFunction awslambda.Function
	// DeleteFaceFunction answers DELETE /faces/{faceId} (lambdas/deleteface).
	DeleteFaceFunction awslambda.Function
	// PersonsFunction answers GET /persons and GET /persons/{person}
	// (lambdas/persons).
	PersonsFunction awslambda.Function
	// DeletePersonFunction answers DELETE /persons/{person}
	// (lambdas/deleteperson).
	DeletePersonFunction awslambda.Function
	// DeleteImageFunction answers DELETE /index/{filename}: it erases the
	// image (lambdas/deleteimage).
	DeleteImageFunction awslambda.Function
	// SweepFunction runs on SweepSchedule (lambdas/sweep): it removes
	// what crashed runs left and retries failed associations.
	SweepFunction awslambda.Function
	// SweepSchedule is the EventBridge rule that invokes SweepFunction
	// every contract.SweepIntervalMinutes.
	SweepSchedule awsevents.Rule
	// ThumbnailFunction answers GET /thumbnails/{faceId}
	// (lambdas/thumbnail).
	ThumbnailFunction awslambda.Function
	// MatchesFunction answers GET /matches/{faceId} (lambdas/matches).
	MatchesFunction awslambda.Function
	// StatsFunction answers GET /stats (lambdas/stats).
	StatsFunction awslambda.Function
	// CompareFunction answers POST /compare (lambdas/compare).
	CompareFunction awslambda.Function
	// ReindexFunction answers POST /reindex and GET /reindex/{reindexId}
	// (lambdas/reindex): it starts and follows Backfill's executions.
	ReindexFunction awslambda.Function
	// DownloadFunction answers GET /images/{filename}
	// (lambdas/download): an image's faces and a presigned URL of its
	// bytes.
	DownloadFunction awslambda.Function
	// RenameFunction answers PATCH /persons/{person} (lambdas/rename): it
	// renames a person, keeping its Rekognition user and faces.
	RenameFunction awslambda.Function
	// IndexLogGroup is IndexFunction's log group.
	IndexLogGroup awslogs.LogGroup
	// SearchLogGroup is SearchFunction's log group.
	SearchLogGroup awslogs.LogGroup
	// StatusLogGroup is StatusFunction's log group.
	StatusLogGroup awslogs.LogGroup
	// InfoLogGroup is InfoFunction's log group.
	InfoLogGroup awslogs.LogGroup
	// FacesLogGroup is FacesFunction's log group.
	FacesLogGroup awslogs.LogGroup
	// DeleteFaceLogGroup is DeleteFaceFunction's log group.
	DeleteFaceLogGroup awslogs.LogGroup
	// PersonsLogGroup is PersonsFunction's log group.
	PersonsLogGroup awslogs.LogGroup
	// DeletePersonLogGroup is DeletePersonFunction's log group.
	DeletePersonLogGroup awslogs.LogGroup
	// DeleteImageLogGroup is DeleteImageFunction's log group.
	DeleteImageLogGroup awslogs.LogGroup
	// SweepLogGroup is SweepFunction's log group.
	SweepLogGroup awslogs.LogGroup
	// ThumbnailLogGroup is ThumbnailFunction's log group.
	ThumbnailLogGroup awslogs.LogGroup
	// MatchesLogGroup is MatchesFunction's log group.
	MatchesLogGroup awslogs.LogGroup
	// StatsLogGroup is StatsFunction's log group.
	StatsLogGroup awslogs.LogGroup
	// CompareLogGroup is CompareFunction's log group.
	CompareLogGroup awslogs.LogGroup
	// ReindexLogGroup is ReindexFunction's log group.
	ReindexLogGroup awslogs.LogGroup
	// DownloadLogGroup is DownloadFunction's log group.
	DownloadLogGroup awslogs.LogGroup
	// RenameLogGroup is RenameFunction's log group.
	RenameLogGroup awslogs.LogGroup
	// AccessLogGroup receives the API stage's JSON access logs; nil with
	// ApiGatewayCloudWatchRoleNoLogging.
	AccessLogGroup awslogs.LogGroup
	// Api is the REST API, of the props' EndpointType; Api.Url() is the
	// stage's base URL.
	Api awsapigateway.RestApi
	// ApiKey is the key clients send in the x-api-key header; API Gateway
	// generates its value. Nil unless Authorization is AuthorizationApiKey.
	ApiKey awsapigateway.ApiKey
	// UsagePlan throttles ApiKey and enforces its quota on the stage. Nil
	// unless Authorization is AuthorizationApiKey.
	UsagePlan awsapigateway.UsagePlan
	// ServerAccessLogsBucket receives Bucket's S3 server access logs and
	// keeps them AccessLogExpiration; see accessLogBucketProps. Nil with
	// ExistingBucket, whose logging is the app's to configure.
	ServerAccessLogsBucket awss3.Bucket
	// Alarms are the service's CloudWatch alarms; nil when AlarmsEnabled
	// is false.
	Alarms *ServiceAlarms
	// Dashboard is the service's CloudWatch dashboard; nil when
	// DashboardEnabled is false.
	Dashboard awscloudwatch.Dashboard

	// WebAcl is the regional WAFv2 web ACL the construct created; nil
	// unless CreateWebAcl is true.
	WebAcl awswafv2.CfnWebACL
	// WebAclAssociation associates the web ACL (WebAcl, or the one of
	// WebAclArn) with the API stage; nil without either.
	WebAclAssociation awswafv2.CfnWebACLAssociation
	// DomainName is the API's regional custom domain name, mapped to the
	// stage; nil without the DomainName prop. DomainName.DomainNameAliasDomainName()
	// is the target its alias records point to.
	DomainName awsapigateway.DomainName
	// Certificate is the DNS-validated ACM certificate the construct created
	// for DomainName; nil without DomainName or when the Certificate prop
	// is given.
	Certificate awscertificatemanager.Certificate
	// UserPool is the Cognito user pool the construct created for
	// AuthorizationCognito without a UserPool prop (see userPoolProps: no
	// self sign-up, MFA required, Plus feature plan). Administrators create
	// its users. Nil when the construct created no pool.
	UserPool awscognito.UserPool
	// UserPoolClient is UserPool's app client, without a secret, for SRP
	// and USER_PASSWORD_AUTH sign-in; its ID tokens go in the Authorization
	// header. Nil when the construct created no pool.
	UserPoolClient awscognito.UserPoolClient
	// Authorizer is the Cognito user pool authorizer of every method (the
	// CORS preflights aside), on UserPool or the UserPool prop's pool. Nil
	// unless Authorization is AuthorizationCognito.
	Authorizer awsapigateway.CognitoUserPoolsAuthorizer

	// Backfill is the state machine that sends every object under the
	// image prefix to Queue as an ObjectCreated-shaped message, for the
	// index function to reconcile (bulk import of an ExistingBucket,
	// re-index into a new collection); see the README's "Bulk import and
	// re-index".
	Backfill awsstepfunctions.StateMachine
	// BackfillLogGroup receives Backfill's execution history events.
	BackfillLogGroup awslogs.LogGroup

	// functions are the rows of contract.Functions with the functions
	// addFunctions created from them, in the table's order.
	functions []serviceFunction
}

// NewFaceRecognitionService creates the service in scope. props may be nil.
// It panics with a message naming the prop if props are invalid or conflict,
// and with the go command's error if a function cannot be built.
func NewFaceRecognitionService(scope constructs.Construct, id *string, props *FaceRecognitionServiceProps) *FaceRecognitionService {
	cfg := resolveSettings(props)
	s := &FaceRecognitionService{Construct: constructs.NewConstruct(scope, id)}
	// Context must be set before the first child. The image bucket's access
	// logs are delivered under a bucket policy whatever the app's feature
	// flags: the other way, an ACL, needs ACLs enabled on the log bucket
	// (see accessLogBucketProps).
	s.Node().SetContext(jsii.String(serverAccessLogsUseBucketPolicy), true)
	collectionArn := s.addCollection(cfg)
	s.addTable(cfg)
	s.addQueues(cfg)
	bucketArn := s.addBucket(cfg)
	s.addFunctions(cfg, collectionArn)
	s.scheduleSweep()
	s.addBackfill(cfg)
	s.addAuthorizer(cfg)
	s.addApi(cfg)
	s.addMonitoring(cfg)
	s.addKeyPermissions(cfg.encryptionKey, bucketArn)
	s.addWebAcl(cfg)
	s.addDomain(cfg)
	s.suppressNagFindings(cfg)
	s.guardAgainstReplacement(cfg)
	return s
}
