// Package facerecognition provides FaceRecognitionService, a CDK construct
// that deploys a face recognition service on Amazon Rekognition:
//
//   - PUT /index/{filename} stores an image (raw bytes, or base64 text sent
//     as text/plain) in an S3 bucket under an image prefix, straight from
//     API Gateway, without a function in the path, and DELETE
//     /index/{filename} deletes it the same way;
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
//     /persons/{person} (lambdas/deleteperson) erases a person: its faces,
//     the images holding only its faces, and its Rekognition user.
//
// The functions are Go programs of this module, compiled at synth time with
// the local Go toolchain (no Docker). Their configuration, and the table's
// names, come from the contract package (contract).
package facerecognition

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrekognition"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
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

	// functions are the functions addFunction created, in creation order.
	functions []namedFunction
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
}

// imageEvents are the S3 events the index function consumes: every way an
// object is created (put, copy, multipart upload) or removed (delete,
// delete marker).
var imageEvents = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}

// NewFaceRecognitionService creates the service in scope. props may be nil.
// It panics with a message naming the prop if props are invalid or conflict,
// and with the go command's error if a function cannot be built.
func NewFaceRecognitionService(scope constructs.Construct, id *string, props *FaceRecognitionServiceProps) *FaceRecognitionService {
	cfg := resolveSettings(props)
	s := &FaceRecognitionService{Construct: constructs.NewConstruct(scope, id)}
	// The image bucket's access logs are delivered under a bucket policy
	// whatever the app's feature flags: the other way, an ACL, needs ACLs
	// enabled on the log bucket (see accessLogBucketProps).
	s.Node().SetContext(jsii.String(serverAccessLogsUseBucketPolicy), true)
	var collectionArn *string
	if cfg.existingCollectionId != "" {
		s.CollectionId = jsii.String(cfg.existingCollectionId)
		collectionArn = s.collectionArn(cfg.existingCollectionId)
	} else {
		if cfg.collectionId == "" {
			cfg.collectionId = "facerec-" + *s.Node().Addr()
		}
		s.CollectionId = jsii.String(cfg.collectionId)

		s.Collection = awsrekognition.NewCfnCollection(s.Construct, jsii.String("Collection"), &awsrekognition.CfnCollectionProps{
			CollectionId: s.CollectionId,
		})
		s.Collection.ApplyRemovalPolicy(cfg.removalPolicy, nil)
		collectionArn = s.Collection.AttrArn()
	}

	if cfg.existingTable != nil {
		s.Table = cfg.existingTable
	} else {
		table := awsdynamodb.NewTable(s.Construct, jsii.String("Table"), encryptTable(tableProps(cfg.removalPolicy), cfg.encryptionKey))
		table.AddGlobalSecondaryIndex(objectKeyIndexProps())
		table.AddGlobalSecondaryIndex(personIndexProps())
		s.Table = table
	}

	s.DeadLetterQueue = awssqs.NewQueue(s.Construct, jsii.String("DeadLetterQueue"), encryptQueue(deadLetterQueueProps(), cfg.encryptionKey))
	s.Queue = awssqs.NewQueue(s.Construct, jsii.String("Queue"), encryptQueue(eventQueueProps(s.DeadLetterQueue, cfg.indexTimeoutSeconds), cfg.encryptionKey))
	var bucketArn *string
	if cfg.existingBucket != nil {
		s.Bucket = cfg.existingBucket
		bucketArn = s.Bucket.BucketArn()
		s.notifyImageEvents(cfg)
	} else {
		bucketName := imageBucketName(*s.Node().Addr())
		bucketArn = imageBucketArn(bucketName)
		s.ServerAccessLogsBucket = awss3.NewBucket(s.Construct, jsii.String("AccessLogs"),
			accessLogBucketProps(cfg.removalPolicy, cfg.accessLogDays, cfg.noncurrentDays))
		s.Bucket = awss3.NewBucket(s.Construct, jsii.String("Images"),
			withAccessLogs(encryptBucket(bucketProps(bucketName, cfg.removalPolicy, cfg.noncurrentDays), cfg.encryptionKey), s.ServerAccessLogsBucket))
		s.sendImageEvents(cfg, bucketName)
	}

	env := map[string]*string{
		contract.EnvCollectionID:        s.CollectionId,
		contract.EnvTableName:           s.Table.TableName(),
		contract.EnvBucketName:          s.Bucket.BucketName(),
		contract.EnvImagePrefix:         jsii.String(cfg.imagePrefix),
		contract.EnvFaceMatchThreshold:  jsii.String(strconv.FormatFloat(cfg.faceMatchThreshold, 'f', -1, 64)),
		contract.EnvMaxFaces:            jsii.String(strconv.Itoa(cfg.maxFaces)),
		contract.EnvQualityFilter:       jsii.String(cfg.qualityFilter),
		contract.EnvSearchMaxImageBytes: jsii.String(strconv.Itoa(cfg.searchMaxImageBytes)),
		contract.EnvAllowedOrigin:       jsii.String(cfg.allowedOrigin),
	}
	tableArn := s.Table.TableArn()

	s.IndexFunction, s.IndexLogGroup = s.addFunction(cfg, "Index", "lambdas/index", cfg.indexTimeoutSeconds, env)
	s.IndexFunction.AddToRolePolicy(allow([]string{"rekognition:IndexFaces", "rekognition:DeleteFaces", "rekognition:CreateUser", "rekognition:AssociateFaces", "rekognition:DisassociateFaces"}, collectionArn))
	s.grantReadImages(cfg, s.IndexFunction)
	s.IndexFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.ObjectKeyIndex)))
	s.IndexFunction.AddToRolePolicy(allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"}, tableArn))
	s.consumeImageEvents(cfg)

	s.SearchFunction, s.SearchLogGroup = s.addFunction(cfg, "Search", "lambdas/search", cfg.apiTimeoutSeconds, env)
	s.SearchFunction.AddToRolePolicy(allow([]string{"rekognition:SearchFacesByImage", "rekognition:SearchUsersByImage"}, collectionArn))
	// POST /search?faces=all. DetectFaces takes no collection and has no
	// resource-level permissions (Service Authorization Reference, Amazon
	// Rekognition), so it can only be allowed on "*".
	s.SearchFunction.AddToRolePolicy(allow([]string{"rekognition:DetectFaces"}, jsii.String("*")))
	// POST /search?by=person reads the faces of each matched person.
	s.SearchFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.PersonIndex)))
	s.SearchFunction.AddToRolePolicy(allow([]string{"dynamodb:BatchGetItem"}, tableArn))

	s.StatusFunction, s.StatusLogGroup = s.addFunction(cfg, "Status", "lambdas/status", cfg.apiTimeoutSeconds, env)
	s.grantReadImages(cfg, s.StatusFunction)
	s.StatusFunction.AddToRolePolicy(allow([]string{"dynamodb:GetItem", "dynamodb:BatchGetItem"}, tableArn))

	s.InfoFunction, s.InfoLogGroup = s.addFunction(cfg, "Info", "lambdas/info", cfg.apiTimeoutSeconds, env)

	s.FacesFunction, s.FacesLogGroup = s.addFunction(cfg, "Faces", "lambdas/faces", cfg.apiTimeoutSeconds, env)
	s.FacesFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.PersonIndex)))
	s.FacesFunction.AddToRolePolicy(allow([]string{"dynamodb:Scan", "dynamodb:GetItem"}, tableArn))

	// DELETE /faces/{faceId} commits the image item without the face, as
	// the index function commits, and removes the face like it.
	s.DeleteFaceFunction, s.DeleteFaceLogGroup = s.addFunction(cfg, "DeleteFace", "lambdas/deleteface", cfg.apiTimeoutSeconds, env)
	s.DeleteFaceFunction.AddToRolePolicy(allow([]string{"rekognition:DeleteFaces", "rekognition:DisassociateFaces"}, collectionArn))
	s.DeleteFaceFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.ObjectKeyIndex)))
	s.DeleteFaceFunction.AddToRolePolicy(allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"}, tableArn))

	// GET /persons scans for person items and counts each person's faces
	// on PersonIndex; GET /persons/{person} reads one person item.
	s.PersonsFunction, s.PersonsLogGroup = s.addFunction(cfg, "Persons", "lambdas/persons", cfg.apiTimeoutSeconds, env)
	s.PersonsFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.PersonIndex)))
	s.PersonsFunction.AddToRolePolicy(allow([]string{"dynamodb:Scan", "dynamodb:BatchGetItem"}, tableArn))

	// DELETE /persons/{person} reads the person item and its faces on
	// PersonIndex, deletes the objects of the images holding only its
	// faces, commits each image item without them as DELETE /faces/{faceId}
	// does, and deletes the Rekognition user and the person item.
	s.DeletePersonFunction, s.DeletePersonLogGroup = s.addFunction(cfg, "DeletePerson", "lambdas/deleteperson", cfg.apiTimeoutSeconds, env)
	s.DeletePersonFunction.AddToRolePolicy(allow([]string{"rekognition:DeleteFaces", "rekognition:DisassociateFaces", "rekognition:DeleteUser"}, collectionArn))
	s.DeletePersonFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.PersonIndex), jsii.String(*tableArn+"/index/"+contract.ObjectKeyIndex)))
	s.DeletePersonFunction.AddToRolePolicy(allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"}, tableArn))
	s.DeletePersonFunction.AddToRolePolicy(allow([]string{"s3:DeleteObject"}, s.Bucket.ArnForObjects(jsii.String(cfg.imagePrefix+"*"))))

	s.addAuthorizer(cfg)
	s.addApi(cfg)
	s.addMonitoring(cfg)
	s.grantKeyUse()
	s.addKeyPolicy(cfg.encryptionKey, bucketArn)
	s.addWebAcl(cfg)
	s.addDomain(cfg)
	s.suppressNagFindings(cfg)
	s.guardAgainstReplacement(cfg)
	return s
}

// sendImageEvents has the bucket send imageEvents for keys under the image
// prefix to the queue. The notification is the bucket's own CloudFormation
// property rather than CDK's addEventNotification, which deploys a
// custom-resource function whose role has a managed policy
// (notifyImageEvents uses it for a bucket the construct does not own). S3
// checks that it may send to the queue when the bucket is configured, so
// the bucket depends on the queue policy, which therefore names the bucket
// by bucketName, not by reference.
func (s *FaceRecognitionService) sendImageEvents(cfg *settings, bucketName *string) {
	queuePolicy := s.allowImageBucketEvents(imageBucketArn(bucketName))
	var queueConfigs []interface{}
	for _, event := range imageEvents {
		queueConfigs = append(queueConfigs, &awss3.CfnBucket_QueueConfigurationProperty{
			Event: jsii.String(event),
			Queue: s.Queue.QueueArn(),
			Filter: &awss3.CfnBucket_NotificationFilterProperty{
				S3Key: &awss3.CfnBucket_S3KeyFilterProperty{
					Rules: []interface{}{&awss3.CfnBucket_FilterRuleProperty{Name: jsii.String("prefix"), Value: jsii.String(cfg.imagePrefix)}},
				},
			},
		})
	}
	s.Bucket.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(
		&awss3.CfnBucket_NotificationConfigurationProperty{QueueConfigurations: queueConfigs})
	s.Bucket.Node().AddDependency(queuePolicy)
}

// grantReadImages lets fn read the images: s3:GetObject (which also
// authorizes HeadObject) on the objects under the image prefix, and
// s3:ListBucket on the bucket. Without s3:ListBucket, S3 answers a GetObject
// or HeadObject of a missing key with 403 AccessDenied instead of 404
// NoSuchKey or NotFound (S3 API reference, GetObject and HeadObject,
// "Permissions"), and both readers depend on the 404: the index function
// takes NoSuchKey to mean that the image was deleted, and the status function
// answers NotFound with 404. s3:ListBucket is unconditioned: S3 checks it for
// the GetObject or HeadObject request, which has no s3:prefix, so a condition
// on s3:prefix would never hold.
func (s *FaceRecognitionService) grantReadImages(cfg *settings, fn awslambda.Function) {
	fn.AddToRolePolicy(allow([]string{"s3:GetObject"}, s.Bucket.ArnForObjects(jsii.String(cfg.imagePrefix+"*"))))
	fn.AddToRolePolicy(allow([]string{"s3:ListBucket"}, s.Bucket.BucketArn()))
}

// sqsPollerActions are the actions Lambda's poller takes on an SQS event
// source with the function's role (Lambda developer guide, "Amazon SQS
// execution role permissions"). The function itself makes no SQS call: it
// reports failed records in its response (ReportBatchItemFailures).
var sqsPollerActions = []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

// consumeImageEvents has Lambda poll the queue for the index function:
// batches of eventBatchSize records, partial batch failures, at most
// cfg.indexMaxConcurrency concurrent invocations. It grants exactly
// sqsPollerActions on the queue, not CDK's grantConsumeMessages (which adds
// sqs:ChangeMessageVisibility and sqs:GetQueueUrl), and makes the mapping
// depend on the role and its default policy, so that CloudFormation creates
// the mapping only once the poller may read the queue.
//
// The mapping keeps the scope and id CDK's SqsEventSource gave it, and so its
// logical ID: under a new one CloudFormation would create a second mapping of
// the same queue and function before deleting the first, which Lambda refuses
// (ResourceConflictException).
func (s *FaceRecognitionService) consumeImageEvents(cfg *settings) {
	s.IndexFunction.AddToRolePolicy(allow(sqsPollerActions, s.Queue.QueueArn()))
	mapping := awslambda.NewEventSourceMapping(s.IndexFunction,
		jsii.String("SqsEventSource:"+*awscdk.Names_NodeUniqueId(s.Queue.Node())), &awslambda.EventSourceMappingProps{
			Target:                  s.IndexFunction,
			EventSourceArn:          s.Queue.QueueArn(),
			BatchSize:               jsii.Number(eventBatchSize),
			ReportBatchItemFailures: jsii.Bool(true),
			MaxConcurrency:          jsii.Number(cfg.indexMaxConcurrency),
		})
	mapping.Node().AddDependency(s.IndexFunction.Role())
}
