package facerecognition

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// alarmTopicArn is the SNS topic of the AlarmTopic shape.
const alarmTopicArn = "arn:aws:sns:eu-west-1:111122223333:operations"

func init() {
	off := jsii.Bool(false)
	registerShape("ObservabilityOff", func(awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{TracingEnabled: off, AlarmsEnabled: off, DashboardEnabled: off}
	})
	registerShape("AlarmTopic", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{
			AlarmTopic:                  awssns.Topic_FromTopicArn(stack, jsii.String("Operations"), jsii.String(alarmTopicArn)),
			QueueAgeAlarmThreshold:      awscdk.Duration_Minutes(jsii.Number(30)),
			SearchLatencyAlarmThreshold: awscdk.Duration_Millis(jsii.Number(2500)),
			AccessLogExpiration:         awscdk.Duration_Days(jsii.Number(365)),
		}
	})
}

// TestTracing wants X-Ray active tracing on every function and on the stage
// by default, with each function's role allowed exactly the two X-Ray
// actions on "*" and an IAM5 suppression naming that finding; and none of
// it with TracingEnabled false.
func TestTracing(t *testing.T) {
	fx := synth()
	for _, c := range []struct {
		name string
		f    *fixture
		on   bool
	}{{"base", fx.base, true}, {"ObservabilityOff", fx.shapes["ObservabilityOff"], false}} {
		var wantConfig any
		if c.on {
			wantConfig = map[string]any{"Mode": "Active"}
		}
		for id := range c.f.ofType("AWS::Lambda::Function") {
			if got := c.f.props(id)["TracingConfig"]; !reflect.DeepEqual(jsonValue(got), jsonValue(wantConfig)) {
				t.Errorf("%s: function %s TracingConfig %v, want %v", c.name, id, got, wantConfig)
			}
		}
		_, stage := only(t, c.f.ofType("AWS::ApiGateway::Stage"))
		if got := stage["Properties"].(map[string]any)["TracingEnabled"]; got != c.on {
			t.Errorf("%s: stage TracingEnabled %v, want %v", c.name, got, c.on)
		}
		grants := c.f.roleGrants(t)
		fields := c.f.svc.functionFields()
		for _, f := range contract.Functions {
			fn := *fields[f.Name].fn
			role := logicalID(fn.Role())
			for _, action := range []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"} {
				var want []string
				if c.on {
					want = []string{`"*"`}
				}
				if got := grants[role][action]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %s role, %s on %v, want %v", c.name, f.Name, action, got, want)
				}
			}
			policy := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy"))
			if suppressed := policy != nil && c.f.suppresses(logicalID(policy), "AwsSolutions-IAM5", "Resource::*", "X-Ray"); suppressed != c.on {
				t.Errorf("%s: %s role's X-Ray IAM5 suppression: %v, want %v", c.name, f.Name, suppressed, c.on)
			}
		}
	}
}

// suppresses reports whether the resource id carries a cdk-nag suppression
// of rule that applies to finding and whose reason mentions about.
func (f *fixture) suppresses(id, rule, finding, about string) bool {
	md, _ := f.resources[id]["Metadata"].(map[string]any)
	nag, _ := md["cdk_nag"].(map[string]any)
	for _, s := range asList(nag["rules_to_suppress"]) {
		s := s.(map[string]any)
		if s["id"] != rule || !strings.Contains(s["reason"].(string), about) {
			continue
		}
		applies := asList(s["applies_to"])
		if finding == "" && len(applies) == 0 {
			return true
		}
		for _, a := range applies {
			if a == finding {
				return true
			}
		}
	}
	return false
}

// wantAlarm are the properties an alarm must have.
type wantAlarm struct {
	alarm                         awscloudwatch.Alarm
	namespace, metric             string
	dimensions                    map[string]any // name to template value
	statistic                     string         // Statistic or, for a percentile, ExtendedStatistic
	period                        int
	threshold                     float64
	evaluationPeriods, datapoints int
}

// check compares the alarm's properties in f with w, and its actions with
// topic ("" for none).
func (w wantAlarm) check(t *testing.T, f *fixture, name, topic string) {
	t.Helper()
	id := logicalID(w.alarm)
	got := f.props(id)
	gotDims := map[string]any{}
	for _, d := range asList(got["Dimensions"]) {
		d := d.(map[string]any)
		gotDims[d["Name"].(string)] = d["Value"]
	}
	statKey := "Statistic"
	if strings.HasPrefix(w.statistic, "p") {
		statKey = "ExtendedStatistic"
	}
	want := map[string]any{
		"Namespace": w.namespace, "MetricName": w.metric, statKey: w.statistic, "Period": w.period,
		"Threshold": w.threshold, "ComparisonOperator": "GreaterThanThreshold",
		"EvaluationPeriods": w.evaluationPeriods, "DatapointsToAlarm": w.datapoints,
		"TreatMissingData": "notBreaching",
	}
	for k, v := range want {
		if !reflect.DeepEqual(jsonValue(got[k]), jsonValue(v)) {
			t.Errorf("%s alarm %s: %s = %v, want %v", name, id, k, got[k], v)
		}
	}
	if !reflect.DeepEqual(jsonValue(gotDims), jsonValue(w.dimensions)) {
		t.Errorf("%s alarm %s: dimensions %v, want %v", name, id, gotDims, w.dimensions)
	}
	var actions any
	if topic != "" {
		actions = []any{topic}
	}
	for _, k := range []string{"AlarmActions", "OKActions"} {
		if !reflect.DeepEqual(jsonValue(got[k]), jsonValue(actions)) {
			t.Errorf("%s alarm %s: %s = %v, want %v", name, id, k, got[k], actions)
		}
	}
	if d := jsonString(got["AlarmDescription"]); len(d) < 40 {
		t.Errorf("%s alarm %s: description %s", name, id, d)
	}
}

// expectedAlarms returns every alarm of f's service with the properties it
// must have, the queue age and search latency thresholds being queueAge
// seconds and latency milliseconds.
func expectedAlarms(f *fixture, queueAge, latency float64) map[string]wantAlarm {
	svc := f.svc
	resolve := func(v *string) any { return jsonValue(f.stack.Resolve(v)) }
	stage := svc.Api.DeploymentStage()
	out := map[string]wantAlarm{
		"dead-letter queue": {svc.Alarms.DeadLetterQueueNotEmpty, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
			map[string]any{"QueueName": resolve(svc.DeadLetterQueue.QueueName())}, "Maximum", 300, 0, 1, 1},
		"queue age": {svc.Alarms.QueueAge, "AWS/SQS", "ApproximateAgeOfOldestMessage",
			map[string]any{"QueueName": resolve(svc.Queue.QueueName())}, "Maximum", 300, queueAge, 1, 1},
		"5XX rate": {svc.Alarms.Api5xxRate, "AWS/ApiGateway", "5XXError",
			map[string]any{"ApiName": *svc.Api.RestApiName(), "Stage": resolve(stage.StageName())}, "Average", 60, 0.05, 5, 3},
		"search latency": {svc.Alarms.SearchLatency, "AWS/ApiGateway", "Latency",
			map[string]any{"ApiName": *svc.Api.RestApiName(), "Stage": resolve(stage.StageName()), "Method": "POST", "Resource": "/search"},
			"p99", 300, latency, 3, 2},
	}
	fields := svc.functionFields()
	for _, f := range contract.Functions {
		fn := map[string]any{"FunctionName": ref(logicalID(*fields[f.Name].fn))}
		out[f.Name+" errors"] = wantAlarm{svc.Alarms.FunctionErrors[f.Name], "AWS/Lambda", "Errors", fn, "Sum", 300, 0, 1, 1}
		out[f.Name+" throttles"] = wantAlarm{svc.Alarms.FunctionThrottles[f.Name], "AWS/Lambda", "Throttles", fn, "Sum", 300, 0, 1, 1}
	}
	return out
}

// TestAlarms checks every alarm's metric, dimensions, statistic, period,
// threshold, comparison, evaluation and actions: without actions and with
// the default thresholds in the base stack (18 minutes of queue age, three
// visibility timeouts of 6 minutes; 10 s of search latency, half the 20 s
// ApiTimeout), and notifying the topic with the thresholds set in the
// AlarmTopic shape. Without alarms there are none.
func TestAlarms(t *testing.T) {
	fx := synth()
	for _, c := range []struct {
		name              string
		f                 *fixture
		topic             string
		queueAge, latency float64
	}{
		{"base", fx.base, "", 18 * 60, 10000},
		{"AlarmTopic", fx.shapes["AlarmTopic"], alarmTopicArn, 30 * 60, 2500},
	} {
		want := expectedAlarms(c.f, c.queueAge, c.latency)
		if n := 2*len(contract.Functions) + 4; len(want) != n || len(c.f.svc.Alarms.All()) != n {
			t.Errorf("%s: %d expected alarms, All() has %d; want %d: 2 per function of contract.Functions and 4", c.name, len(want), len(c.f.svc.Alarms.All()), n)
		}
		if n := len(c.f.ofType("AWS::CloudWatch::Alarm")); n != len(want) {
			t.Errorf("%s: %d alarms in the template, want %d", c.name, n, len(want))
		}
		for name, w := range want {
			w.check(t, c.f, c.name+" "+name, c.topic)
		}
	}
	off := fx.shapes["ObservabilityOff"]
	if off.svc.Alarms != nil || off.svc.Dashboard != nil {
		t.Errorf("ObservabilityOff: Alarms %v, Dashboard %v; want nil", off.svc.Alarms, off.svc.Dashboard)
	}
	for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard"} {
		if n := len(off.ofType(typ)); n != 0 {
			t.Errorf("ObservabilityOff: %d %s", n, typ)
		}
	}
}

// TestDashboard wants one dashboard that graphs the functions' EMF metrics
// of this collection (by reason with SEARCH expressions) and shows every
// alarm.
func TestDashboard(t *testing.T) {
	f := synth().base
	id, _ := only(t, f.ofType("AWS::CloudWatch::Dashboard"))
	if id != logicalID(f.svc.Dashboard) {
		t.Errorf("dashboard %s, want the Dashboard field's %s", id, logicalID(f.svc.Dashboard))
	}
	body := jsonString(f.props(id)["DashboardBody"])
	collection := *f.svc.CollectionId
	for _, metric := range []string{contract.MetricFacesIndexed, contract.MetricSearches, contract.MetricMatches, contract.MetricRekognitionThrottles} {
		// A metric of a graph widget is [namespace, name, dimension, value, ...].
		want := `[\"` + contract.MetricsNamespace + `\",\"` + metric + `\",\"` + contract.MetricsDimensionCollectionId + `\",\"` + collection + `\"`
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s of the collection (%s)", metric, want)
		}
	}
	for _, metric := range []string{contract.MetricFacesNotIndexed, contract.MetricImagesRejected} {
		want := `SEARCH('{` + contract.MetricsNamespace + `,` + contract.MetricsDimensionCollectionId + `,` + contract.MetricsDimensionReason +
			`} MetricName=\\\"` + metric + `\\\" ` + contract.MetricsDimensionCollectionId + `=\\\"` + collection + `\\\"', 'Sum', 300)`
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks the search of %s by reason (%s)", metric, want)
		}
	}
	for _, a := range f.svc.Alarms.All() {
		if want := jsonString(getAtt(logicalID(a))); !strings.Contains(body, want) {
			t.Errorf("dashboard does not show alarm %s", logicalID(a))
		}
	}
}

// TestAccessLogBucket checks the bucket of the image bucket's server
// access logs: the image bucket's protections with SSE-S3, logs expired
// after AccessLogExpiration, S3's log delivery allowed by bucket policy for
// the image bucket only, the image bucket's logging configuration, and the
// cdk-nag S1 finding suppressed on the log bucket only.
func TestAccessLogBucket(t *testing.T) {
	fx := synth()
	for _, c := range []struct {
		name string
		f    *fixture
		days int
	}{{"base", fx.base, 90}, {"AlarmTopic", fx.shapes["AlarmTopic"], 365}} {
		svc := c.f.svc
		logs, images := logicalID(svc.ServerAccessLogsBucket), logicalID(svc.Bucket)
		want := map[string]any{
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
				map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
			}},
			"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			},
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"OwnershipControls":       map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}},
			"LifecycleConfiguration": map[string]any{"Rules": []any{map[string]any{
				"Id": "ExpireAccessLogs", "Status": "Enabled", "ExpirationInDays": c.days,
				"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 30},
			}}},
		}
		got := c.f.props(logs)
		for k, v := range want {
			if !reflect.DeepEqual(jsonValue(got[k]), jsonValue(v)) {
				t.Errorf("%s: log bucket %s = %v, want %v", c.name, k, got[k], v)
			}
		}
		if got["LoggingConfiguration"] != nil {
			t.Errorf("%s: the log bucket logs to %v", c.name, got["LoggingConfiguration"])
		}
		if p := c.f.resources[logs]["DeletionPolicy"]; p != "Retain" {
			t.Errorf("%s: log bucket DeletionPolicy %v, want Retain like the image bucket", c.name, p)
		}
		wantLogging := map[string]any{
			"DestinationBucketName": ref(logs),
			"TargetObjectKeyFormat": map[string]any{"PartitionedPrefix": map[string]any{"PartitionDateSource": "EventTime"}},
		}
		if got := c.f.props(images)["LoggingConfiguration"]; !reflect.DeepEqual(jsonValue(got), jsonValue(wantLogging)) {
			t.Errorf("%s: image bucket LoggingConfiguration %v, want %v", c.name, got, wantLogging)
		}

		var statements []any
		for id := range c.f.ofType("AWS::S3::BucketPolicy") {
			if reflect.DeepEqual(c.f.props(id)["Bucket"], ref(logs)) {
				statements = asList(c.f.props(id)["PolicyDocument"].(map[string]any)["Statement"])
			}
		}
		wantDelivery := jsonValue(map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "logging.s3.amazonaws.com"},
			"Action":    "s3:PutObject",
			"Resource":  join(getAtt(logs), "/*"),
			"Condition": map[string]any{
				"ArnLike":      map[string]any{"aws:SourceArn": getAtt(images)},
				"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
			},
		})
		var delivery, tlsOnly bool
		for _, st := range statements {
			delivery = delivery || reflect.DeepEqual(jsonValue(st), wantDelivery)
			tlsOnly = tlsOnly || strings.Contains(jsonString(st), `"Effect":"Deny"`) && strings.Contains(jsonString(st), `"aws:SecureTransport":"false"`)
		}
		if !delivery || !tlsOnly {
			t.Errorf("%s: log bucket policy %v: log delivery %v (want %v), TLS only %v", c.name, statements, delivery, wantDelivery, tlsOnly)
		}

		if !c.f.suppresses(logs, "AwsSolutions-S1", "", "server access logs") {
			t.Errorf("%s: the log bucket's S1 finding is not suppressed", c.name)
		}
		if c.f.suppresses(images, "AwsSolutions-S1", "", "") {
			t.Errorf("%s: the image bucket's S1 finding is suppressed, but it has access logs", c.name)
		}
	}
}

// TestObservabilityDefaults wants the documented defaults, the thresholds
// following the timeouts they derive from.
func TestObservabilityDefaults(t *testing.T) {
	want := observability{
		tracing: true, alarms: true, dashboard: true,
		queueAgeAlarmSeconds: 18 * 60, searchLatencyAlarmMillis: 10000, accessLogDays: 90,
	}
	if got := resolveSettings(nil).observability; got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	s := resolveSettings(&FaceRecognitionServiceProps{
		IndexTimeout: awscdk.Duration_Seconds(jsii.Number(120)), ApiTimeout: awscdk.Duration_Seconds(jsii.Number(29)),
	})
	if s.queueAgeAlarmSeconds != 3*6*120 || s.searchLatencyAlarmMillis != 14500 {
		t.Errorf("IndexTimeout 120 s, ApiTimeout 29 s: queue age %d s, search latency %d ms; want 2160 s, 14500 ms",
			s.queueAgeAlarmSeconds, s.searchLatencyAlarmMillis)
	}
}

// TestInvalidObservabilityProps wants invalid and conflicting observability
// props refused with a panic naming the prop.
func TestInvalidObservabilityProps(t *testing.T) {
	off := jsii.Bool(false)
	topicStack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("TopicStack"), nil)
	topic := awssns.Topic_FromTopicArn(topicStack, jsii.String("Topic"), jsii.String(alarmTopicArn))
	tests := []struct {
		prop  string
		props FaceRecognitionServiceProps
	}{
		{"AlarmTopic", FaceRecognitionServiceProps{AlarmsEnabled: off, AlarmTopic: topic}},
		{"QueueAgeAlarmThreshold", FaceRecognitionServiceProps{AlarmsEnabled: off, QueueAgeAlarmThreshold: awscdk.Duration_Minutes(jsii.Number(10))}},
		{"QueueAgeAlarmThreshold", FaceRecognitionServiceProps{QueueAgeAlarmThreshold: awscdk.Duration_Days(jsii.Number(5))}},
		{"QueueAgeAlarmThreshold", FaceRecognitionServiceProps{QueueAgeAlarmThreshold: awscdk.Duration_Millis(jsii.Number(1500))}},
		{"QueueAgeAlarmThreshold", FaceRecognitionServiceProps{QueueAgeAlarmThreshold: awscdk.Duration_Seconds(jsii.Number(30))}},
		{"SearchLatencyAlarmThreshold", FaceRecognitionServiceProps{AlarmsEnabled: off, SearchLatencyAlarmThreshold: awscdk.Duration_Seconds(jsii.Number(5))}},
		{"SearchLatencyAlarmThreshold", FaceRecognitionServiceProps{
			ApiTimeout: awscdk.Duration_Seconds(jsii.Number(10)), SearchLatencyAlarmThreshold: awscdk.Duration_Seconds(jsii.Number(11)),
		}},
		{"SearchLatencyAlarmThreshold", FaceRecognitionServiceProps{SearchLatencyAlarmThreshold: awscdk.Duration_Millis(jsii.Number(0))}},
		{"AccessLogExpiration", FaceRecognitionServiceProps{AccessLogExpiration: awscdk.Duration_Hours(jsii.Number(12))}},
		{"AccessLogExpiration", FaceRecognitionServiceProps{AccessLogExpiration: awscdk.Duration_Days(jsii.Number(30)),
			ExistingBucket: awss3.Bucket_FromBucketName(topicStack, jsii.String("ExistingBucket"), jsii.String("my-photos"))}},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) { assertRefused(t, validationStack(), &tt.props, tt.prop) })
	}
}
