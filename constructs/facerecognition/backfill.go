package facerecognition

// Bulk import and re-index: a Step Functions Distributed Map over the
// objects under the image prefix sends one ObjectCreated-shaped message per
// object to the index queue, and the index function, paced to the
// IndexFaces quota, reconciles them as it reconciles uploads.

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// Settings of the backfill's Distributed Map.
const (
	// backfillBatchSize is the objects of one child execution: one
	// SendMessageBatch of at most 10 entries (SQS API reference).
	backfillBatchSize = 10
	// backfillMapConcurrency is the child executions run at once. At 10
	// objects each it fills the queue far faster than any IndexFaces quota
	// drains it; the queue, not the map, holds the backlog.
	backfillMapConcurrency = 10
)

// queueSendActions let a role send to the index queue: sqs:SendMessage,
// which also authorizes SendMessageBatch (SQS developer guide, "Amazon SQS
// API permissions: Actions and resource reference").
var queueSendActions = []string{"sqs:SendMessage"}

// queueKeySendActions let a role send to a queue encrypted with a customer
// managed key (SQS developer guide, "Key management": producers need
// kms:GenerateDataKey and kms:Decrypt).
var queueKeySendActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}

// addBackfill paces the index function to the IndexFaces quota
// (paceIndexing) and creates the Backfill state machine, which sends a
// message of contract.BackfillEventName for every object under the image
// prefix to the index queue, and, with BackfillOnDeploy, the custom
// resource that starts it once per CollectionId.
func (s *FaceRecognitionService) addBackfill(cfg *settings) {
	s.paceIndexing(cfg)

	items := awsstepfunctions.DistributedMap_Jsonata(s.Construct, jsii.String("BackfillMap"), &awsstepfunctions.DistributedMapJsonataProps{
		StateName: jsii.String("EveryImage"),
		Comment:   jsii.String("Lists the objects under the image prefix, 10 to a child execution"),
		ItemReader: awsstepfunctions.NewS3ObjectsItemReader(&awsstepfunctions.S3ObjectsItemReaderProps{
			Bucket: s.Bucket,
			Prefix: jsii.String(cfg.imagePrefix),
		}),
		ItemBatcher: awsstepfunctions.NewItemBatcher(&awsstepfunctions.ItemBatcherProps{
			MaxItemsPerBatch: jsii.Number(backfillBatchSize),
			BatchInput:       &map[string]interface{}{"bucket": s.Bucket.BucketName()},
		}),
		MaxConcurrency:   jsii.Number(backfillMapConcurrency),
		MapExecutionType: awsstepfunctions.StateMachineType_EXPRESS,
		Label:            jsii.String(backfillMapLabel),
	})
	send := awsstepfunctionstasks.CallAwsService_Jsonata(s.Construct, jsii.String("BackfillSend"), &awsstepfunctionstasks.CallAwsServiceJsonataProps{
		StateName:    jsii.String("SendToIndexQueue"),
		Service:      jsii.String("sqs"),
		Action:       jsii.String("sendMessageBatch"),
		IamAction:    jsii.String(queueSendActions[0]),
		IamResources: &[]*string{s.Queue.QueueArn()},
		Parameters: &map[string]interface{}{
			"QueueUrl": s.Queue.QueueUrl(),
			"Entries":  jsii.String(backfillEntries),
		},
	})
	send.AddRetry(&awsstepfunctions.RetryProps{
		Errors:         jsii.Strings("States.ALL"),
		MaxAttempts:    jsii.Number(6),
		Interval:       awscdk.Duration_Seconds(jsii.Number(1)),
		BackoffRate:    jsii.Number(2),
		JitterStrategy: awsstepfunctions.JitterType_FULL,
	})
	// SendMessageBatch answers 200 even when some entries failed: such a
	// batch fails its child execution, so the map run fails and a redrive
	// sends it again.
	check := awsstepfunctions.Choice_Jsonata(s.Construct, jsii.String("BackfillCheck"), &awsstepfunctions.ChoiceJsonataProps{StateName: jsii.String("AllSent")})
	check.When(awsstepfunctions.Condition_Jsonata(jsii.String("{% $count($states.input.Failed) > 0 %}")),
		awsstepfunctions.Fail_Jsonata(s.Construct, jsii.String("BackfillSendFailed"), &awsstepfunctions.FailJsonataProps{
			StateName: jsii.String("SomeNotSent"),
			Error:     jsii.String("SendMessageBatchFailed"),
			Cause:     jsii.String("SQS refused some entries of the batch"),
		}), nil)
	check.Otherwise(awsstepfunctions.NewSucceed(s.Construct, jsii.String("BackfillSent"), &awsstepfunctions.SucceedProps{StateName: jsii.String("Sent")}))
	// No failure is tolerated (the default): a batch that could not be
	// sent fails the map run, and a redrive sends it again.
	items.ItemProcessor(send.Next(check), &awsstepfunctions.ProcessorConfig{
		Mode:          awsstepfunctions.ProcessorMode_DISTRIBUTED,
		ExecutionType: awsstepfunctions.ProcessorType_EXPRESS,
	})
	// CDK's validation wants ExecutionType for a distributed map, then
	// warns that MapExecutionType (set above, the same) takes its place:
	// the warning is acknowledged so that a synth prints only findings.
	awscdk.Annotations_Of(items).AcknowledgeWarning(jsii.String("@aws-cdk/aws-stepfunctions:propertyIgnored"),
		jsii.String("ExecutionType is required by validation and equal to MapExecutionType"))

	s.BackfillLogGroup = s.newLogGroup(cfg, "Backfill")
	s.Backfill = awsstepfunctions.NewStateMachine(s.Construct, jsii.String("Backfill"), &awsstepfunctions.StateMachineProps{
		Comment:        jsii.String("Sends every image under the prefix to the index queue (bulk import, re-index)"),
		QueryLanguage:  awsstepfunctions.QueryLanguage_JSONATA,
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(items),
		Logs: &awsstepfunctions.LogOptions{
			Destination:          s.BackfillLogGroup,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(false),
		},
		TracingEnabled: jsii.Bool(cfg.tracing),
	})
	if key := s.Queue.EncryptionMasterKey(); key != nil {
		s.Backfill.AddToRolePolicy(allow(queueKeySendActions, key.KeyArn()))
	}
	s.suppressBackfillFindings(cfg)
	s.grantBackfill()
	if cfg.backfillOnDeploy {
		s.startBackfillOnDeploy()
	}
}

// backfillEntries is the JSONata expression of SendMessageBatch's Entries:
// one entry per object of the child execution's batch, whose body is
// contract.BackfillMessage's (the key form-encoded: $encodeUrlComponent
// writes a space %20, which the index function decodes as S3's "+").
// $append keeps a batch of one object a list.
const backfillEntries = `{% $append([], $map($states.input.Items, function($item, $i) { {` +
	`'Id': $string($i), ` +
	`'MessageBody': $string({'Records': [{'eventVersion': '2.1', 'eventSource': 'aws:s3', 'eventName': '` + contract.BackfillEventName + `', ` +
	`'s3': {'bucket': {'name': $states.input.BatchInput.bucket}, 'object': {'key': $encodeUrlComponent($item.Key)}}}]})` +
	`} })) %}`

// paceIndexing gives the index function its share of the steady IndexFaces
// rate (IndexFacesPerSecond divided by IndexMaxConcurrency, the most
// instances the event source runs at once, so that together they never
// exceed it) and the queue's URL, to which it sends throttled messages
// again with a delay instead of failing them, with sqs:SendMessage on the
// queue (and the queue key's producer actions).
func (s *FaceRecognitionService) paceIndexing(cfg *settings) {
	perInstance := cfg.indexFacesPerSecond / float64(cfg.indexMaxConcurrency)
	s.IndexFunction.AddEnvironment(jsii.String(contract.EnvIndexFacesPerSecond), jsii.String(strconv.FormatFloat(perInstance, 'f', -1, 64)), nil)
	s.IndexFunction.AddEnvironment(jsii.String(contract.EnvQueueURL), s.Queue.QueueUrl(), nil)
	s.IndexFunction.AddToRolePolicy(allow(queueSendActions, s.Queue.QueueArn()))
	if key := s.Queue.EncryptionMasterKey(); key != nil {
		s.IndexFunction.AddToRolePolicy(allow([]string{"kms:GenerateDataKey"}, key.KeyArn()))
	}
}

// startBackfillOnDeploy starts the state machine from the deployment, once
// for each CollectionId: a custom resource calls StartExecution when it is
// created and when the CollectionId changes (a new collection to fill),
// and does nothing on delete. Its role may only start this state machine.
func (s *FaceRecognitionService) startBackfillOnDeploy() {
	call := &customresources.AwsSdkCall{
		Service: jsii.String("SFN"),
		Action:  jsii.String("startExecution"),
		Parameters: &map[string]interface{}{
			"stateMachineArn": s.Backfill.StateMachineArn(),
			"input":           awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String(`{"CollectionId":"`), s.CollectionId, jsii.String(`"}`)}),
		},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(s.CollectionId),
	}
	customresources.NewAwsCustomResource(s.Construct, jsii.String("BackfillOnDeploy"), &customresources.AwsCustomResourceProps{
		OnCreate:            call,
		OnUpdate:            call,
		InstallLatestAwsSdk: jsii.Bool(false),
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			allow([]string{"states:StartExecution"}, s.Backfill.StateMachineArn()),
		}),
	})
	// The provider is CDK's one function per stack for every
	// AwsCustomResource, with AWS's managed policy for its logs.
	provider := awscdk.Stack_Of(s.Construct).Node().TryFindChild(jsii.String(awsCustomResourceProvider))
	if provider == nil {
		panic("facerecognition: AwsCustomResource's provider function " + awsCustomResourceProvider + " is not where CDK put it")
	}
	suppress(provider, "AwsSolutions-IAM4",
		"CDK's AwsCustomResource provider function uses AWS's managed policy AWSLambdaBasicExecutionRole to write its own logs; its calls are allowed by the custom resource's policy only (states:StartExecution on Backfill)",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
}

// grantBackfill gives each function whose contract.Grants have Backfill
// the state machine's ARN (contract.EnvBackfillStateMachineARN) and lets
// it start the state machine (states:StartExecution on it), follow its
// executions (states:DescribeExecution and states:ListMapRuns on
// arn:…:execution:<name>:*) and read their map runs' counts
// (states:DescribeMapRun on arn:…:mapRun:<name>/Images:*, the map's Label):
// the resource types of the Service Authorization Reference, AWS Step
// Functions.
func (s *FaceRecognitionService) grantBackfill() {
	stack := awscdk.Stack_Of(s.Construct)
	name := s.Backfill.StateMachineName()
	arn := func(resource string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("states"),
			Resource:     jsii.String(resource),
			ResourceName: jsii.String(*name + resourceSuffix[resource]),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
	}
	for _, f := range s.functions {
		if !f.Grants.Backfill {
			continue
		}
		f.fn.AddEnvironment(jsii.String(contract.EnvBackfillStateMachineARN), s.Backfill.StateMachineArn(), nil)
		executions, mapRuns := arn("execution"), arn("mapRun")
		f.fn.AddToRolePolicy(allow([]string{"states:StartExecution"}, s.Backfill.StateMachineArn()))
		f.fn.AddToRolePolicy(allow([]string{"states:DescribeExecution", "states:ListMapRuns"}, executions))
		f.fn.AddToRolePolicy(allow([]string{"states:DescribeMapRun"}, mapRuns))
		suppress(f.fn.Role(), "AwsSolutions-IAM5",
			"A re-index is an execution of the Backfill state machine, named at run time: the wildcards cover only this state machine's executions and their map runs (label "+backfillMapLabel+")",
			"Resource::"+nagResource(s.Construct, executions), "Resource::"+nagResource(s.Construct, mapRuns))
	}
}

// resourceSuffix is what follows the state machine's name in the ARNs of
// its executions and map runs that grantBackfill allows.
var resourceSuffix = map[string]string{"execution": ":*", "mapRun": "/" + backfillMapLabel + ":*"}

// backfillMapLabel is the Label of the Backfill's Distributed Map, which
// names its map runs.
const backfillMapLabel = "Images"

// awsCustomResourceProvider is the id of the function CDK creates once per
// stack for AwsCustomResource (its singleton's fixed UUID).
const awsCustomResourceProvider = "AWS679f53fac002430cb0da5b7982bd2287"

// suppressBackfillFindings records why the state machine role's wildcards
// do not apply: log delivery and X-Ray take no resource, and the
// Distributed Map must manage the child executions it names at run time,
// which exist only under the state machine's own execution ARNs.
func (s *FaceRecognitionService) suppressBackfillFindings(cfg *settings) {
	stack := awscdk.Stack_Of(s.Construct)
	id := fmt.Sprint(stack.Resolve(stack.GetLogicalId(s.Backfill.Node().DefaultChild().(awscdk.CfnElement))))
	executions := "Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:" +
		`{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"` + id + `"}]}]}`
	suppress(s.Backfill, "AwsSolutions-IAM5",
		"Step Functions log delivery (logs:CreateLogDelivery and the like) and X-Ray tracing have no resource-level permissions, so they can only be allowed on \"*\"",
		"Resource::*")
	suppress(s.Backfill, "AwsSolutions-IAM5",
		"The Distributed Map starts, describes, stops and redrives its own child executions, whose names Step Functions chooses at run time; the wildcard covers only the executions of this state machine",
		executions+":*", executions+"/"+backfillMapLabel+":*")
	if !cfg.tracing {
		suppress(s.Backfill, "AwsSolutions-SF2", "X-Ray tracing is off because the props turned TracingEnabled off, for the functions, the API and the state machine alike")
	}
}
