package facerecognition

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// ApiGatewayCloudWatchRole chooses how API Gateway gets the account-level
// CloudWatch Logs role it needs for execution and access logging. The role is
// a setting of the whole account and region (AWS::ApiGateway::Account), not of
// one API: a stack that creates it overwrites the account's setting, and
// deleting that stack would leave API Gateway logging broken for every API in
// the account and region (aws-cdk issue #10878) unless the resources are
// retained.
type ApiGatewayCloudWatchRole string

const (
	// ApiGatewayCloudWatchRoleCreate creates the role and the
	// AWS::ApiGateway::Account setting, both with removal policy RETAIN so
	// that deleting the stack leaves the account's logging working. Use it
	// for a first deployment into an account that has no role set yet.
	ApiGatewayCloudWatchRoleCreate ApiGatewayCloudWatchRole = "CREATE"
	// ApiGatewayCloudWatchRoleUseExisting relies on the role already set for
	// the account and region and creates no AWS::ApiGateway::Account.
	// Logging stays on; if no role is set, the deployment of the stage fails.
	ApiGatewayCloudWatchRoleUseExisting ApiGatewayCloudWatchRole = "USE_EXISTING"
	// ApiGatewayCloudWatchRoleNoLogging turns API Gateway's execution and
	// access logging off, so no role is needed. The functions still log.
	ApiGatewayCloudWatchRoleNoLogging ApiGatewayCloudWatchRole = "NO_LOGGING"
)

// FaceRecognitionServiceProps configures a FaceRecognitionService. Every
// field is optional: nil (or the zero value of an enum type) takes the
// default named last in the field's comment. Invalid or conflicting values
// make NewFaceRecognitionService panic with a message naming the field.
// String fields are used at synth time and must be literals, not tokens.
type FaceRecognitionServiceProps struct {
	// CollectionId names the Rekognition collection: 1 to 255 characters of
	// [a-zA-Z0-9_.-] (Rekognition API reference, CreateCollection).
	// Default: "facerec-" followed by the construct's node address (42 hex
	// characters), stable across deployments and unique per construct path.
	CollectionId *string
	// ImagePrefix is the S3 key prefix of the images: one or more segments
	// of [A-Za-z0-9_.-], each ending in "/", none "." or "..".
	// Default: "index/" (contract.DefaultImagePrefix).
	ImagePrefix *string
	// FaceMatchThreshold is the minimum similarity of a search match, in
	// percent, from 0 to 100. Default: 80 (contract.DefaultFaceMatchThreshold).
	FaceMatchThreshold *float64
	// MaxFaces bounds the faces indexed per image and the matches returned per
	// searched face, an integer from 1 to 100 (contract.MaxFacesLimit).
	// Default: 10 (contract.DefaultMaxFaces).
	MaxFaces *float64
	// QualityFilter is Rekognition's QualityFilter for indexing and search:
	// NONE, AUTO, LOW, MEDIUM or HIGH. Default: "AUTO" (contract.DefaultQualityFilter).
	QualityFilter *string
	// SearchMaxImageBytes caps the decoded image bytes a search accepts, an
	// integer from 1 to 5,242,880 (contract.MaxImageBytes, Rekognition's limit
	// for inline image bytes). Default: 5,242,880.
	SearchMaxImageBytes *float64
	// RemovalPolicy applies to the image bucket, its access log bucket, the
	// table, the Rekognition collection and the Cognito user pool the
	// construct creates (not to ExistingBucket, ExistingTable,
	// ExistingCollectionId or UserPool): RETAIN, DESTROY or
	// RETAIN_ON_UPDATE_OR_DELETE. With DESTROY a bucket is deleted only if it
	// is empty (no auto-delete function is deployed); with any other value
	// the user pool also has deletion protection.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// NoncurrentVersionExpiration is how long the versioned image bucket
	// keeps an image's noncurrent versions (those an upload replaced, or
	// that a DELETE /index/{filename} hid behind a delete marker) before S3
	// permanently deletes them, and the access log bucket its expired logs:
	// whole days from 1 to 2,147,483,647. The buckets' lifecycle rules then
	// also remove the delete markers left without versions. Conflicts with
	// ExistingBucket. Default: 30 days.
	NoncurrentVersionExpiration awscdk.Duration
	// LogRetention is how long the log groups keep events.
	// Default: awslogs.RetentionDays_ONE_MONTH (30 days).
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy applies to the log groups, with the values RemovalPolicy
	// accepts. A retained log group still expires its events after
	// LogRetention. Default: the value of RemovalPolicy.
	LogRemovalPolicy awscdk.RemovalPolicy
	// Architecture of the functions, awslambda.Architecture_ARM_64() or
	// awslambda.Architecture_X86_64(); the binaries are cross-compiled for it.
	// Default: awslambda.Architecture_ARM_64().
	Architecture awslambda.Architecture
	// MemorySize of each function in MB, an integer from 128 to 10,240
	// (Lambda quotas). It also bounds the photos a search with faces=all
	// decodes: MemorySize×2²⁰/24 pixels (half the memory at 12 bytes a
	// pixel), about 11 megapixels at the default. Default: 256.
	MemorySize *float64
	// IndexTimeout of the index function, whole seconds from 1 to 900 (Lambda
	// quotas). The event queue's visibility timeout is six times this value.
	// Default: 60 seconds.
	IndexTimeout awscdk.Duration
	// ApiTimeout of every function behind the API (all but the index function),
	// whole seconds from 1 to 29 (API Gateway's default maximum integration
	// timeout). Default: 20 seconds, which leaves the function time to answer
	// with its own error before API Gateway gives up.
	ApiTimeout awscdk.Duration
	// IndexMaxConcurrency caps the concurrent index invocations the SQS event
	// source starts, an integer from 2 to 1000 (Lambda API reference,
	// ScalingConfig). Default: 2.
	IndexMaxConcurrency *float64
	// StageName of the API stage, 1 to 128 characters of [A-Za-z0-9_-].
	// Default: "v1".
	StageName *string
	// Authorization is how every method except the CORS preflights
	// authenticates its callers: AuthorizationApiKey (an x-api-key under a
	// usage plan), AuthorizationIam (SigV4), AuthorizationCognito (a Cognito
	// user pool authorizer) or AuthorizationNone (public); see the type.
	// Default: AuthorizationApiKey.
	Authorization Authorization
	// UserPool is the existing Cognito user pool whose ID tokens the API
	// accepts with AuthorizationCognito; nil creates a new pool and app
	// client (see FaceRecognitionService.UserPool). Conflicts with any
	// Authorization but AuthorizationCognito. Default: nil.
	UserPool awscognito.IUserPool
	// ThrottleRateLimit is the steady request rate, in requests per second,
	// allowed for the stage as a whole and, with AuthorizationApiKey, per API
	// key (usage plan); a number of at least 0. Default: 10.
	ThrottleRateLimit *float64
	// ThrottleBurstLimit is the number of requests allowed in a burst, for the
	// stage and, with AuthorizationApiKey, per API key; an integer from 1 to
	// 2,147,483,647. Default: 20.
	ThrottleBurstLimit *float64
	// QuotaLimit is the number of requests an API key may make per
	// QuotaPeriod, an integer from 1 to 2,147,483,647. Conflicts with any
	// Authorization but AuthorizationApiKey. Default: 10,000.
	QuotaLimit *float64
	// QuotaPeriod is the period of QuotaLimit. Conflicts with any
	// Authorization but AuthorizationApiKey. Default: awsapigateway.Period_DAY.
	QuotaPeriod awsapigateway.Period
	// AllowedOrigin is the Access-Control-Allow-Origin of every response: "*"
	// or one origin such as "https://app.example.com" (scheme, host and
	// optional port). It is also given to the functions as ALLOWED_ORIGIN.
	// Default: "*" (contract.DefaultAllowedOrigin).
	AllowedOrigin *string
	// ExecutionLogLevel of the API stage, awsapigateway.MethodLoggingLevel_ERROR
	// or awsapigateway.MethodLoggingLevel_INFO. Request and response bodies
	// are never logged. Conflicts with ApiGatewayCloudWatchRoleNoLogging.
	// Default: awsapigateway.MethodLoggingLevel_ERROR.
	ExecutionLogLevel awsapigateway.MethodLoggingLevel
	// ApiGatewayCloudWatchRole chooses how API Gateway logging gets its
	// account-level role; see the type.
	// Default: ApiGatewayCloudWatchRoleCreate.
	ApiGatewayCloudWatchRole ApiGatewayCloudWatchRole
	// LogLevel is the least level of the functions' own log records
	// (the original system's debug_mode): awslambda.ApplicationLogLevel_DEBUG,
	// _INFO, _WARN or _ERROR. The functions receive it as LOG_LEVEL
	// (contract.EnvLogLevel) and log nothing below it; they log in Lambda's
	// JSON log format, whose application log level is set to DEBUG with
	// DEBUG and to INFO otherwise: the metric lines (EMF) carry no level,
	// which Lambda reads as INFO, so a higher application log level would
	// drop the metrics. Default: awslambda.ApplicationLogLevel_INFO.
	LogLevel awslambda.ApplicationLogLevel
	// TracingEnabled turns on X-Ray active tracing of every function and of
	// the API stage. Each function's role then may call
	// xray:PutTraceSegments and xray:PutTelemetryRecords on "*" (X-Ray has
	// no resource-level permissions for them). Default: true.
	TracingEnabled *bool
	// AlarmsEnabled creates the CloudWatch alarms of ServiceAlarms: each
	// function's errors and throttles, dead-letter queue not empty, event
	// queue age, API 5XX rate and search p99 latency. Default: true.
	AlarmsEnabled *bool
	// AlarmTopic receives every alarm's ALARM and OK notifications. Conflicts
	// with AlarmsEnabled false. Default: none (the alarms only change state).
	AlarmTopic awssns.ITopic
	// QueueAgeAlarmThreshold is the age of the oldest event in the queue
	// above which the queue age alarm fires, whole seconds from 60 to
	// 345,600 (4 days, the queue's retention). Conflicts with AlarmsEnabled
	// false. Default: three visibility timeouts (18 × IndexTimeout, 18
	// minutes at the default), an age that a failing event never shows
	// (SQS leaves a message out of the metric after its third receive), so
	// the alarm means a backlog.
	QueueAgeAlarmThreshold awscdk.Duration
	// SearchLatencyAlarmThreshold is the p99 latency of POST /search, as API
	// Gateway measures it, above which the search latency alarm fires: whole
	// milliseconds from 1 to ApiTimeout. Conflicts with AlarmsEnabled false.
	// Default: half of ApiTimeout (10 seconds at the default).
	SearchLatencyAlarmThreshold awscdk.Duration
	// DashboardEnabled creates a CloudWatch dashboard of the API, the
	// functions, the queues, the functions' metrics and the alarms.
	// Default: true.
	DashboardEnabled *bool
	// AccessLogExpiration is how long the access log bucket keeps the image
	// bucket's S3 server access logs: whole days from 1 to 2,147,483,647.
	// The bucket is versioned, so an expired log stays as a noncurrent
	// version for NoncurrentVersionExpiration more. Conflicts with
	// ExistingBucket, for which no access log bucket is created.
	// Default: 90 days.
	AccessLogExpiration awscdk.Duration
	// EncryptionKey is a customer managed, symmetric encryption KMS key that
	// encrypts the image bucket (SSE-KMS, with an S3 Bucket Key) and the
	// table the construct creates (ExistingBucket and ExistingTable keep
	// their own encryption), the event queue and its dead-letter queue, and
	// the log groups: an
	// awskms.Key, or a key imported by its key ARN (awskms.Key_FromKeyArn);
	// not an alias. Each role gets the KMS actions its calls need on the key
	// ARN. A key created in the construct's stack also gets the key policy
	// statements S3 (events to the queue) and CloudWatch Logs need; for any
	// other key, its owner must add them (see the README) and the synth warns
	// (facerec:EncryptionKeyPolicy). With a key, the log groups are named
	// "/facerec/<16 hex of the node address>-<stack UUID>/<name>", so that the
	// key policy can name them; adding or removing the key replaces them.
	// Default: none; AWS managed encryption (S3 managed keys for the bucket,
	// the AWS managed key aws/dynamodb for the table, SQS managed keys for
	// the queues, CloudWatch Logs' own encryption for the log groups).
	EncryptionKey awskms.IKey
	// EndpointType of the REST API: awsapigateway.EndpointType_REGIONAL,
	// EndpointType_EDGE (through API Gateway's CloudFront distribution) or
	// EndpointType_PRIVATE (reachable only through VpcEndpoint). EDGE and
	// PRIVATE conflict with DomainName. Default: REGIONAL.
	EndpointType awsapigateway.EndpointType
	// VpcEndpoint is the interface VPC endpoint of the execute-api service
	// through which a PRIVATE API is called: the API's resource policy allows
	// execute-api:Invoke only with aws:SourceVpce equal to its id. Required
	// with EndpointType PRIVATE and refused with any other endpoint type.
	// Default: none.
	VpcEndpoint awsec2.IInterfaceVpcEndpoint
	// WebAclArn is the ARN of an existing REGIONAL AWS WAFv2 web ACL, in the
	// stack's account and region, to associate with the API stage (API
	// Gateway takes only regional web ACLs, whatever the endpoint type). It
	// may be a token (an imported value), which is then not checked.
	// Conflicts with CreateWebAcl. Default: none.
	WebAclArn *string
	// CreateWebAcl creates a REGIONAL web ACL with the AWS managed rule
	// groups AWSManagedRulesAmazonIpReputationList,
	// AWSManagedRulesCommonRuleSet (its request-body rules only count, see
	// webAclProps) and AWSManagedRulesKnownBadInputsRuleSet, and a rate-based
	// rule of WafRateLimit per client IP, and associates it with the API
	// stage. Conflicts with WebAclArn. Default: false.
	CreateWebAcl *bool
	// WafRateLimit is the number of requests one client IP may send in a
	// 5-minute window (WAF's default evaluation window, 300 seconds) before
	// the web ACL blocks its further requests until its rate falls below the
	// limit: an integer from 10 (WAF's minimum) to 2,000,000,000 (WAF's
	// maximum). Requires CreateWebAcl true. Default: 3,000, the default
	// ThrottleRateLimit of 10 requests per second sustained over the window.
	WafRateLimit *float64
	// DomainName is a custom domain of the API, such as
	// "faces.example.com": a lowercase DNS name (labels of [a-z0-9-], 1 to 63
	// characters, not starting or ending with "-"; 253 characters at most),
	// equal to or under HostedZone's name. The construct creates the
	// regional API Gateway domain name (TLS 1.2 security policy, IPv4 and
	// IPv6), its base path mapping to the stage, and A and AAAA alias records
	// in HostedZone. Requires HostedZone and a REGIONAL EndpointType.
	// Default: none (the API has only its execute-api URL).
	DomainName *string
	// HostedZone is the public Route 53 hosted zone of DomainName, passed in
	// (for example from awsroute53.HostedZone_FromHostedZoneAttributes) so
	// that the synth looks nothing up. It receives the alias records and,
	// without Certificate, the certificate's DNS validation record. Requires
	// DomainName. Default: none.
	HostedZone awsroute53.IHostedZone
	// Certificate is an existing ACM certificate for DomainName, in the
	// stack's region (a regional domain name needs a certificate of its own
	// region). Requires DomainName. Default: a new ACM certificate for
	// DomainName, validated by DNS in HostedZone.
	Certificate awscertificatemanager.ICertificate
	// BasePath maps the stage under https://<DomainName>/<BasePath>/: one
	// path segment of 1 to 128 characters of [A-Za-z0-9$_.+!*'()-].
	// Requires DomainName. Default: none (the stage is at the domain's root).
	BasePath *string
	// DisableExecuteApiEndpoint turns off the API's default endpoint,
	// https://<api id>.execute-api.<region>.amazonaws.com, so that clients
	// reach the API through DomainName only (API Gateway's
	// disableExecuteApiEndpoint; the execute-api URL then answers 403).
	// true requires DomainName: without it the default endpoint is the
	// API's only one. Default: true with DomainName, false without.
	DisableExecuteApiEndpoint *bool
	// ExistingBucket stores the images, under ImagePrefix, instead of a
	// bucket the construct creates. The construct does not own it: it sets
	// no versioning, lifecycle rule, encryption, public access block or
	// removal policy on it (configure those where the bucket is defined; a
	// DELETE /index/{filename} of an unversioned bucket removes the image at
	// once). It wires the bucket's ObjectCreated and ObjectRemoved events for
	// keys under ImagePrefix to the queue with CDK's bucket notifications
	// (AddEventNotification), which deploy CDK's BucketNotificationsHandler
	// custom resource in the bucket's stack; for an imported bucket
	// (awss3.Bucket_FromBucketName and the like) the handler keeps the
	// notifications this stack did not add. Pass a bucket of the construct's
	// stack, or import it there: a bucket of another stack would refer to the
	// queue while the construct refers to the bucket, a cycle between the
	// stacks. If the bucket has an
	// EncryptionKey, the index function may decrypt and the upload role
	// generate data keys with it (the key policy must let IAM policies of
	// the account grant its use). No access log bucket is created for it
	// (ServerAccessLogsBucket is nil): configure its server access logs
	// where it is defined. Conflicts with NoncurrentVersionExpiration and
	// AccessLogExpiration, and with EncryptionKey when the bucket is
	// defined in the app and encrypted with that same key of its stack (the
	// key policy and the bucket would name each other).
	// Default: the construct creates a bucket.
	ExistingBucket awss3.IBucket
	// ExistingCollectionId names an existing Rekognition collection in the
	// stack's account and region (1 to 255 characters of [a-zA-Z0-9_.-]) that
	// the functions use instead of a collection the construct creates:
	// FaceRecognitionService.Collection is then nil and RemovalPolicy does not
	// apply to it. Conflicts with CollectionId.
	// Default: the construct creates a collection.
	ExistingCollectionId *string
	// ExistingTable holds the faces and images instead of a table the
	// construct creates. It must be an awsdynamodb.Table or TableV2 defined
	// in the app (any stack of it), so that its key schema can be checked at
	// synth: partition key contract.AttrFaceID of type string, no sort key, and
	// the global secondary indexes contract.ObjectKeyIndex (partition key
	// contract.AttrObjectKey) and contract.PersonIndex (partition key
	// contract.AttrPerson), each with a string partition key, no sort key and
	// ProjectionType ALL; other indexes and attributes are allowed. Define
	// its indexes before passing it. An imported table (FromTableName and
	// the like) has no schema to check and is refused; adopt a table created
	// outside the app with `cdk import` instead. RemovalPolicy does not apply
	// to it. If the table has an EncryptionKey, the functions get the KMS
	// actions they need on it. Default: the construct creates a table.
	ExistingTable awsdynamodb.ITable
	// AllowReplacement lets a synth through that would make CloudFormation
	// replace or remove the Rekognition collection or the DynamoDB table,
	// dropping the face index. The synth compares with the previous template
	// of the same stack in the app's output directory (cdk.out, left by the
	// last `cdk synth` or `cdk deploy`) and looks for a changed logical ID
	// (the construct or a parent moved or was renamed in the construct tree)
	// or a changed property CloudFormation can only apply by replacement (the
	// collection's CollectionId; the table's TableName, KeySchema,
	// LocalSecondaryIndexes or the type of a key attribute). The new
	// collection and table start empty, the old ones are left behind unused
	// (RETAIN) or deleted (DESTROY), and every image must be indexed again.
	// It permits nothing else. Without a previous template (a new output
	// directory, as in CI) nothing is compared; see the README's "Upgrades".
	// Default: false (such a synth fails, listing what would be replaced).
	AllowReplacement *bool
	// IndexFacesPerSecond is the steady rate of IndexFaces calls of the
	// whole service, above 0: set it to the account's Rekognition quota
	// for IndexFaces in the region, less what other applications use.
	// Each of the IndexMaxConcurrency instances of the index function
	// paces itself to its share; a call Rekognition throttles anyway is
	// sent back to the queue with a delay, not counted as a failed
	// receive. Searches have their own quotas (SearchFacesByImage,
	// SearchUsersByImage, DetectFaces) and are not slowed. Default: 5,
	// Rekognition's default quota in most regions (contract.DefaultIndexFacesPerSecond).
	IndexFacesPerSecond *float64
	// BackfillOnDeploy starts the Backfill state machine from the
	// deployment, once when the construct is created and again whenever
	// its CollectionId (or the state machine) changes: every object
	// already under the image prefix (an ExistingBucket's photos, or all
	// images after the collection was replaced) is indexed. It adds a
	// custom resource (CDK's AwsCustomResource, a Lambda function) allowed
	// only states:StartExecution on Backfill. Default: false (start it
	// with the AWS CLI; see the README's "Bulk import and re-index").
	BackfillOnDeploy *bool
}

// settings are the props with defaults applied and validated.
type settings struct {
	collectionId        string // "" until the construct derives it
	imagePrefix         string
	faceMatchThreshold  float64
	maxFaces            int
	qualityFilter       string
	searchMaxImageBytes int
	removalPolicy       awscdk.RemovalPolicy
	noncurrentDays      int
	logRetention        awslogs.RetentionDays
	logRemovalPolicy    awscdk.RemovalPolicy
	architecture        awslambda.Architecture
	goarch              string
	memorySizeMB        int
	indexTimeoutSeconds int
	apiTimeoutSeconds   int
	indexMaxConcurrency int
	stageName           string
	authorization       Authorization
	userPool            awscognito.IUserPool      // the props' pool; nil creates one with COGNITO
	authorizer          awsapigateway.IAuthorizer // COGNITO: set by the construct before the methods
	throttleRateLimit   float64
	throttleBurstLimit  int
	quotaLimit          int
	quotaPeriod         awsapigateway.Period
	allowedOrigin       string
	logLevel            string // one of contract.LogLevels
	executionLogLevel   awsapigateway.MethodLoggingLevel
	cloudWatchRole      ApiGatewayCloudWatchRole
	observability
	encryptionKey awskms.IKey // nil: AWS managed encryption
	endpointType  awsapigateway.EndpointType
	vpcEndpoint   awsec2.IInterfaceVpcEndpoint
	webAclArn     string // "" without an existing web ACL
	createWebAcl  bool
	wafRateLimit  int
	domainName    string // "" without a custom domain
	hostedZone    awsroute53.IHostedZone
	certificate   awscertificatemanager.ICertificate // nil: create one
	basePath      string                             // "" for the domain's root
	// disableExecuteApiEndpoint turns the default execute-api endpoint off.
	disableExecuteApiEndpoint bool
	// existingBucket, existingCollectionId and existingTable are the
	// Existing* props: nil or "" when the construct creates the resource.
	existingBucket       awss3.IBucket
	existingCollectionId string
	existingTable        awsdynamodb.ITable
	allowReplacement     bool
	indexFacesPerSecond  float64
	backfillOnDeploy     bool
}

// Patterns of the string props.
var (
	collectionIdPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{1,255}$`)
	imagePrefixPattern  = regexp.MustCompile(`^([A-Za-z0-9_.\-]+/)+$`)
	stageNamePattern    = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,128}$`)
	originPattern       = regexp.MustCompile(`^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$`)
)

// invalid panics with a message naming the prop.
func invalid(prop, format string, args ...any) {
	panic(fmt.Sprintf("facerecognition: invalid FaceRecognitionServiceProps.%s: %s", prop, fmt.Sprintf(format, args...)))
}

// resolveSettings applies the defaults to props (which may be nil) and
// validates the result, panicking with a message naming the first invalid or
// conflicting prop.
func resolveSettings(props *FaceRecognitionServiceProps) *settings {
	if props == nil {
		props = &FaceRecognitionServiceProps{}
	}
	p := props
	s := &settings{
		collectionId:        stringOr(p.CollectionId, ""),
		imagePrefix:         stringOr(p.ImagePrefix, contract.DefaultImagePrefix),
		faceMatchThreshold:  numberIn("FaceMatchThreshold", p.FaceMatchThreshold, contract.DefaultFaceMatchThreshold, 0, 100),
		maxFaces:            integerIn("MaxFaces", p.MaxFaces, contract.DefaultMaxFaces, 1, contract.MaxFacesLimit),
		qualityFilter:       stringOr(p.QualityFilter, contract.DefaultQualityFilter),
		searchMaxImageBytes: integerIn("SearchMaxImageBytes", p.SearchMaxImageBytes, contract.MaxImageBytes, 1, contract.MaxImageBytes),
		removalPolicy:       removalPolicyOr("RemovalPolicy", p.RemovalPolicy, defaultRemovalPolicy),
		noncurrentDays:      durationIn("NoncurrentVersionExpiration", p.NoncurrentVersionExpiration, awscdk.Duration.ToDays, "days", defaultNoncurrentDays, 1, maxLifecycleDays),
		logRetention:        p.LogRetention,
		architecture:        p.Architecture,
		memorySizeMB:        integerIn("MemorySize", p.MemorySize, defaultMemorySizeMB, minMemorySizeMB, maxMemorySizeMB),
		indexTimeoutSeconds: durationIn("IndexTimeout", p.IndexTimeout, awscdk.Duration.ToSeconds, "seconds", defaultIndexTimeoutSeconds, 1, maxLambdaTimeoutSeconds),
		apiTimeoutSeconds:   durationIn("ApiTimeout", p.ApiTimeout, awscdk.Duration.ToSeconds, "seconds", defaultApiTimeoutSeconds, 1, maxApiTimeoutSeconds),
		indexMaxConcurrency: integerIn("IndexMaxConcurrency", p.IndexMaxConcurrency, defaultIndexMaxConcurrency, minSqsMaxConcurrency, maxSqsMaxConcurrency),
		stageName:           stringOr(p.StageName, defaultStageName),
		throttleRateLimit:   numberIn("ThrottleRateLimit", p.ThrottleRateLimit, defaultThrottleRateLimit, 0, math.Inf(1)),
		throttleBurstLimit:  integerIn("ThrottleBurstLimit", p.ThrottleBurstLimit, defaultThrottleBurstLimit, 1, math.MaxInt32),
		quotaLimit:          integerIn("QuotaLimit", p.QuotaLimit, defaultQuotaLimit, 1, math.MaxInt32),
		quotaPeriod:         p.QuotaPeriod,
		allowedOrigin:       stringOr(p.AllowedOrigin, contract.DefaultAllowedOrigin),
		logLevel:            string(p.LogLevel),
		executionLogLevel:   p.ExecutionLogLevel,
		cloudWatchRole:      p.ApiGatewayCloudWatchRole,
		encryptionKey:       resolveEncryptionKey(p.EncryptionKey),
		endpointType:        p.EndpointType,
		vpcEndpoint:         p.VpcEndpoint,
		webAclArn:           stringOr(p.WebAclArn, ""),
		createWebAcl:        p.CreateWebAcl != nil && *p.CreateWebAcl,
		wafRateLimit:        integerIn("WafRateLimit", p.WafRateLimit, defaultWafRateLimit, minWafRateLimit, maxWafRateLimit),
		domainName:          stringOr(p.DomainName, ""),
		hostedZone:          p.HostedZone,
		certificate:         p.Certificate,
		basePath:            stringOr(p.BasePath, ""),
		allowReplacement:    p.AllowReplacement != nil && *p.AllowReplacement,
		indexFacesPerSecond: numberIn("IndexFacesPerSecond", p.IndexFacesPerSecond, contract.DefaultIndexFacesPerSecond, 0.001, math.Inf(1)),
		backfillOnDeploy:    p.BackfillOnDeploy != nil && *p.BackfillOnDeploy,
	}
	s.logRemovalPolicy = removalPolicyOr("LogRemovalPolicy", p.LogRemovalPolicy, s.removalPolicy)
	if s.logRetention == "" {
		s.logRetention = defaultLogRetention
	}
	if s.quotaPeriod == "" {
		s.quotaPeriod = defaultQuotaPeriod
	}
	if s.cloudWatchRole == "" {
		s.cloudWatchRole = defaultCloudWatchRole
	}
	if s.architecture == nil {
		s.architecture = awslambda.Architecture_ARM_64()
	}

	if s.collectionId != "" && !collectionIdPattern.MatchString(s.collectionId) {
		invalid("CollectionId", "must be 1 to 255 characters of [a-zA-Z0-9_.-], got %q", s.collectionId)
	}
	if !imagePrefixPattern.MatchString(s.imagePrefix) || hasDotSegment(s.imagePrefix) {
		invalid("ImagePrefix", `must be segments of [A-Za-z0-9_.-] each ending in "/", none "." or "..", got %q`, s.imagePrefix)
	}
	if err := contract.ValidateQualityFilter(s.qualityFilter); err != nil {
		invalid("QualityFilter", "%v", err)
	}
	if !stageNamePattern.MatchString(s.stageName) {
		invalid("StageName", "must be 1 to 128 characters of [A-Za-z0-9_-], got %q", s.stageName)
	}
	if s.allowedOrigin != "*" && !originPattern.MatchString(s.allowedOrigin) {
		invalid("AllowedOrigin", `must be "*" or an origin such as "https://app.example.com", got %q`, s.allowedOrigin)
	}
	if s.logLevel == "" {
		s.logLevel = contract.DefaultLogLevel
	}
	if !slices.Contains(contract.LogLevels, s.logLevel) {
		invalid("LogLevel", "must be one of %s, got %q", strings.Join(contract.LogLevels, ", "), s.logLevel)
	}
	switch name := *s.architecture.Name(); name {
	case "arm64":
		s.goarch = "arm64"
	case "x86_64":
		s.goarch = "amd64"
	default:
		invalid("Architecture", "must be ARM_64 or X86_64, got %q", name)
	}
	switch s.cloudWatchRole {
	case ApiGatewayCloudWatchRoleCreate, ApiGatewayCloudWatchRoleUseExisting:
		if s.executionLogLevel == "" {
			s.executionLogLevel = defaultExecutionLogLevel
		}
		if s.executionLogLevel != awsapigateway.MethodLoggingLevel_ERROR && s.executionLogLevel != awsapigateway.MethodLoggingLevel_INFO {
			invalid("ExecutionLogLevel", "must be ERROR or INFO (to turn logging off, set ApiGatewayCloudWatchRole to NO_LOGGING), got %q", s.executionLogLevel)
		}
	case ApiGatewayCloudWatchRoleNoLogging:
		if s.executionLogLevel != "" {
			invalid("ExecutionLogLevel", "conflicts with ApiGatewayCloudWatchRole NO_LOGGING, which turns API Gateway logging off")
		}
	default:
		invalid("ApiGatewayCloudWatchRole", "must be CREATE, USE_EXISTING or NO_LOGGING, got %q", s.cloudWatchRole)
	}
	s.observability = resolveObservability(p, s)
	resolveFrontDoor(p, s)
	resolveAuthorization(p, s)
	resolveExisting(p, s)
	return s
}

// hasDotSegment reports whether the prefix has a "." or ".." segment.
func hasDotSegment(prefix string) bool {
	for _, seg := range strings.Split(prefix, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// stringOr returns *p, or def if p is nil.
func stringOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// numberIn returns *p (def if p is nil) after checking that it is a finite
// number in [min, max]; max may be +Inf.
func numberIn(prop string, p *float64, def, min, max float64) float64 {
	if p == nil {
		return def
	}
	if math.IsNaN(*p) || math.IsInf(*p, 0) || *p < min || *p > max {
		if math.IsInf(max, 1) {
			invalid(prop, "must be a finite number of at least %v, got %v", min, *p)
		}
		invalid(prop, "must be a number from %v to %v, got %v", min, max, *p)
	}
	return *p
}

// integerIn returns *p (def if p is nil) after checking that it is an
// integer in [min, max].
func integerIn(prop string, p *float64, def, min, max int) int {
	if p == nil {
		return def
	}
	if *p != math.Trunc(*p) || *p < float64(min) || *p > float64(max) {
		invalid(prop, "must be an integer from %d to %d, got %v", min, max, *p)
	}
	return int(*p)
}

// durationIn returns d as a whole number of units (def if d is nil) after
// checking that it lies in [min, max]. to converts a duration into units
// (awscdk.Duration.ToSeconds, ToDays, ToMilliseconds), and unit names them
// in the error ("seconds").
func durationIn(prop string, d awscdk.Duration, to func(awscdk.Duration, *awscdk.TimeConversionOptions) *float64,
	unit string, def, min, max int) int {
	if d == nil {
		return def
	}
	n := *to(d, &awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
	if n != math.Trunc(n) || n < float64(min) || n > float64(max) {
		invalid(prop, "must be whole %s from %d to %d, got %v %s", unit, min, max, n, unit)
	}
	return int(n)
}

// removalPolicyOr returns p (def if p is unset) after checking that every
// resource it applies to supports it.
func removalPolicyOr(prop string, p, def awscdk.RemovalPolicy) awscdk.RemovalPolicy {
	switch p {
	case "":
		return def
	case awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_DESTROY, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE:
	default:
		invalid(prop, "must be RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE (S3 buckets and Rekognition collections have no snapshots), got %q", p)
	}
	return p
}
