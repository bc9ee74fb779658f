package facerecognition

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// Defaults and fixed settings of the observability props.
const (
	// defaultAccessLogDays is how long the access log bucket keeps S3
	// server access logs: a quarter, long enough for a quarterly access
	// review.
	defaultAccessLogDays = 90
	// queueAgeAlarmVisibilityTimeouts is the default queue age threshold in
	// visibility timeouts. A failing event is received again one visibility
	// timeout after each receive, and SQS leaves a message out of
	// ApproximateAgeOfOldestMessage once it has been received three times
	// (SQS developer guide, "Available CloudWatch metrics for Amazon SQS"),
	// about two visibility timeouts after it arrived; so a single failing
	// event, which the dead-letter queue alarm reports, never reaches three.
	queueAgeAlarmVisibilityTimeouts = 3
	// minQueueAgeAlarmSeconds is the smallest queue age threshold: SQS
	// sends its queue metrics to CloudWatch at one-minute intervals (SQS
	// developer guide, "Available CloudWatch metrics for Amazon SQS"), so a
	// shorter age says nothing a one-minute age does not.
	minQueueAgeAlarmSeconds = 60
	// eventQueueRetentionSeconds is the event queue's retention, SQS's
	// default of 4 days: no event is older, so a queue age threshold above
	// it could never be crossed.
	eventQueueRetentionSeconds = 4 * 24 * 3600
	// api5xxRateThreshold is the share of API requests answered with a 5xx
	// above which the 5XX rate alarm fires, in 3 of 5 one-minute periods.
	api5xxRateThreshold = 0.05
	// alarmPeriodMinutes is the period of every alarm but the 5XX rate's.
	alarmPeriodMinutes = 5
)

// observability are the observability props with defaults applied.
type observability struct {
	tracing                  bool
	alarms                   bool
	alarmTopic               awssns.ITopic
	queueAgeAlarmSeconds     int // 0 without alarms
	searchLatencyAlarmMillis int // 0 without alarms
	dashboard                bool
	accessLogDays            int
}

// resolveObservability applies the defaults to the observability props of
// p and validates them; s holds the timeouts the thresholds derive from.
func resolveObservability(p *FaceRecognitionServiceProps, s *settings) observability {
	o := observability{
		tracing:       p.TracingEnabled == nil || *p.TracingEnabled,
		alarms:        p.AlarmsEnabled == nil || *p.AlarmsEnabled,
		alarmTopic:    p.AlarmTopic,
		dashboard:     p.DashboardEnabled == nil || *p.DashboardEnabled,
		accessLogDays: durationIn("AccessLogExpiration", p.AccessLogExpiration, awscdk.Duration.ToDays, "days", defaultAccessLogDays, 1, maxLifecycleDays),
	}
	if !o.alarms {
		for _, c := range []struct {
			prop string
			set  bool
		}{
			{"AlarmTopic", p.AlarmTopic != nil},
			{"QueueAgeAlarmThreshold", p.QueueAgeAlarmThreshold != nil},
			{"SearchLatencyAlarmThreshold", p.SearchLatencyAlarmThreshold != nil},
		} {
			if c.set {
				invalid(c.prop, "conflicts with AlarmsEnabled false, which creates no alarms")
			}
		}
		return o
	}
	o.queueAgeAlarmSeconds = durationIn("QueueAgeAlarmThreshold", p.QueueAgeAlarmThreshold, awscdk.Duration.ToSeconds, "seconds",
		queueAgeAlarmVisibilityTimeouts*sqsVisibilityTimeoutFactor*s.indexTimeoutSeconds, minQueueAgeAlarmSeconds, eventQueueRetentionSeconds)
	apiTimeoutMillis := 1000 * s.apiTimeoutSeconds
	o.searchLatencyAlarmMillis = durationIn("SearchLatencyAlarmThreshold", p.SearchLatencyAlarmThreshold, awscdk.Duration.ToMilliseconds, "milliseconds",
		apiTimeoutMillis/2, 1, apiTimeoutMillis)
	return o
}

// functionTracing is the functions' X-Ray tracing mode: active, or none.
func functionTracing(on bool) awslambda.Tracing {
	if on {
		return awslambda.Tracing_ACTIVE
	}
	return awslambda.Tracing_DISABLED
}

// accessLogBucketProps returns the settings of the bucket that receives the
// image bucket's S3 server access logs: the image bucket's protections (no
// public access, TLS only, versioned, ACLs disabled, its removal policy),
// and S3 managed encryption whatever key the rest uses: SSE-S3 is the
// default encryption the S3 user guide ("Enabling Amazon S3 server access
// logging") documents for log destination buckets, and SSE-KMS would also
// need the key policy to let S3's log delivery use the key (CDK dropped its
// own refusal of customer keys in aws-cdk#25350 on that condition). Its
// lifecycle rule expires logs expirationDays days after delivery and deletes the
// versions that expiry leaves noncurrent noncurrentDays days later; the
// delete marker left without versions is then removed by the same
// expiration action (S3 user guide, "Expiring objects"). S3 writes the logs
// under a bucket policy that CDK adds for the logging.s3.amazonaws.com
// principal, limited to the image bucket and this account (the construct
// sets serverAccessLogsUseBucketPolicy for its children).
func accessLogBucketProps(removal awscdk.RemovalPolicy, expirationDays, noncurrentDays int) *awss3.BucketProps {
	return &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("ExpireAccessLogs"),
			Expiration:                  awscdk.Duration_Days(jsii.Number(expirationDays)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(noncurrentDays)),
		}},
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:   removal,
	}
}

// serverAccessLogsUseBucketPolicy is the CDK feature flag that makes a
// bucket with server access logs grant S3's log delivery in the log
// bucket's policy rather than with the LogDeliveryWrite ACL, which ACLs
// disabled (BucketOwnerEnforced) refuse.
const serverAccessLogsUseBucketPolicy = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"

// withAccessLogs returns props with server access logs delivered to logs,
// under keys partitioned by account, region, bucket and the date of the
// request (PartitionedPrefix with EventTime), which Athena can prune.
func withAccessLogs(props *awss3.BucketProps, logs awss3.IBucket) *awss3.BucketProps {
	props.ServerAccessLogsBucket = logs
	props.TargetObjectKeyFormat = awss3.TargetObjectKeyFormat_PartitionedPrefix(awss3.PartitionDateSource_EVENT_TIME)
	return props
}

// ServiceAlarms are the CloudWatch alarms of a FaceRecognitionService. Each
// alarm fires when its metric is above its threshold, and treats missing
// data as not breaching: every metric below is missing exactly when there is
// nothing to report (Lambda, API Gateway and SQS publish datapoints only for
// invoked functions, called APIs and active queues, and a queue that holds
// messages is active). With an AlarmTopic, each alarm notifies it when it
// enters ALARM and when it returns to OK.
type ServiceAlarms struct {
	// FunctionErrors fire when a function fails an invocation (a crash or a
	// timeout; the API functions answer request errors with HTTP statuses,
	// and the index function reports failed events as batch item
	// failures): Errors, Sum over 5 minutes, above 0. Keyed by function
	// name, the Name of its row of contract.Functions ("Index", "Search",
	// ...).
	FunctionErrors map[string]awscloudwatch.Alarm
	// FunctionThrottles fire when Lambda throttles a function (account or
	// function concurrency exhausted): Throttles, Sum over 5 minutes, above
	// 0. Keyed like FunctionErrors.
	FunctionThrottles map[string]awscloudwatch.Alarm
	// DeadLetterQueueNotEmpty fires when an image event failed five times
	// and waits in the dead-letter queue for a redrive:
	// ApproximateNumberOfMessagesVisible of the dead-letter queue, Maximum
	// over 5 minutes, above 0.
	DeadLetterQueueNotEmpty awscloudwatch.Alarm
	// QueueAge fires when indexing falls behind the uploads:
	// ApproximateAgeOfOldestMessage of the event queue, Maximum over 5
	// minutes, above QueueAgeAlarmThreshold seconds.
	QueueAge awscloudwatch.Alarm
	// Api5xxRate fires when more than 5% of the stage's requests get a 5xx
	// answer: 5XXError of the stage (API Gateway's share of 5xx
	// responses), Average over 1 minute, above 0.05 in 3 of 5 minutes.
	Api5xxRate awscloudwatch.Alarm
	// SearchLatency fires when POST /search gets slow for its clients:
	// API Gateway's Latency of the method (the stage's detailed metrics),
	// p99 over 5 minutes, above SearchLatencyAlarmThreshold milliseconds in
	// 2 of 3 periods.
	SearchLatency awscloudwatch.Alarm
}

// All returns every alarm: the function alarms by function name, errors
// before throttles, then the others in field order.
func (a *ServiceAlarms) All() []awscloudwatch.Alarm {
	var out []awscloudwatch.Alarm
	for _, by := range []map[string]awscloudwatch.Alarm{a.FunctionErrors, a.FunctionThrottles} {
		for _, name := range slices.Sorted(maps.Keys(by)) {
			out = append(out, by[name])
		}
	}
	return append(out, a.DeadLetterQueueNotEmpty, a.QueueAge, a.Api5xxRate, a.SearchLatency)
}

// signals are the metrics the alarms watch and the dashboard shows.
type signals struct {
	api5xxRate, searchLatency, queueAge, deadLetters awscloudwatch.Metric
	// errors and throttles are by function name.
	errors, throttles map[string]awscloudwatch.Metric
}

// signals returns the metrics of the service's alarms with their alarm
// statistics and periods. They have no labels: CDK renders an alarm on a
// labelled metric as a metric math query, harder to read in the console.
func (s *FaceRecognitionService) signals() *signals {
	period := awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes))
	stage := s.Api.DeploymentStage()
	search := s.Api.Root().GetResource(jsii.String("search")).Node().FindChild(jsii.String("POST")).(awsapigateway.Method)
	sig := &signals{
		api5xxRate: stage.MetricServerError(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Average"), Period: awscdk.Duration_Minutes(jsii.Number(1)),
		}),
		searchLatency: search.MetricLatency(stage, &awscloudwatch.MetricOptions{
			Statistic: jsii.String("p99"), Period: period,
		}),
		queueAge: s.Queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Maximum"), Period: period,
		}),
		deadLetters: s.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Maximum"), Period: period,
		}),
		errors:    map[string]awscloudwatch.Metric{},
		throttles: map[string]awscloudwatch.Metric{},
	}
	for _, f := range s.functions {
		sig.errors[f.Name] = f.fn.MetricErrors(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: period})
		sig.throttles[f.Name] = f.fn.MetricThrottles(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: period})
	}
	return sig
}

// addMonitoring creates the alarms and the dashboard the props ask for.
func (s *FaceRecognitionService) addMonitoring(cfg *settings) {
	sig := s.signals()
	if cfg.alarms {
		s.Alarms = s.addAlarms(cfg, sig)
	}
	if cfg.dashboard {
		s.Dashboard = s.addDashboard(cfg, sig)
	}
}

// addAlarms creates the alarms of ServiceAlarms on the metrics of sig.
func (s *FaceRecognitionService) addAlarms(cfg *settings, sig *signals) *ServiceAlarms {
	alarm := func(id, description string, metric awscloudwatch.IMetric, threshold float64, periods, datapoints int) awscloudwatch.Alarm {
		a := awscloudwatch.NewAlarm(s.Construct, jsii.String(id+"Alarm"), &awscloudwatch.AlarmProps{
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(periods),
			DatapointsToAlarm:  jsii.Number(datapoints),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(description),
		})
		if cfg.alarmTopic != nil {
			action := awscloudwatchactions.NewSnsAction(cfg.alarmTopic)
			a.AddAlarmAction(action)
			a.AddOkAction(action)
		}
		return a
	}
	a := &ServiceAlarms{FunctionErrors: map[string]awscloudwatch.Alarm{}, FunctionThrottles: map[string]awscloudwatch.Alarm{}}
	for _, f := range s.functions {
		a.FunctionErrors[f.Name] = alarm(f.Name+"Errors",
			fmt.Sprintf("The %s function failed invocations (crash or timeout); see its log group %s.", f.Name, *f.fn.LogGroup().LogGroupName()),
			sig.errors[f.Name], 0, 1, 1)
		a.FunctionThrottles[f.Name] = alarm(f.Name+"Throttles",
			fmt.Sprintf("Lambda throttled the %s function: the account's or the function's concurrency is exhausted.", f.Name),
			sig.throttles[f.Name], 0, 1, 1)
	}
	a.DeadLetterQueueNotEmpty = alarm("DeadLetterQueueNotEmpty",
		"Image events failed five times and wait in the dead-letter queue; read the index function's log for their reason, fix it, then redrive them to the event queue.",
		sig.deadLetters, 0, 1, 1)
	a.QueueAge = alarm("QueueAge",
		fmt.Sprintf("Image events wait more than %d seconds: indexing is behind the uploads (Rekognition throttling, or IndexMaxConcurrency too low).", cfg.queueAgeAlarmSeconds),
		sig.queueAge, float64(cfg.queueAgeAlarmSeconds), 1, 1)
	a.Api5xxRate = alarm("Api5xxRate",
		fmt.Sprintf("More than %g%% of the API's requests got a 5xx answer in 3 of the last 5 minutes; see the access log and the functions' logs.", 100*api5xxRateThreshold),
		sig.api5xxRate, api5xxRateThreshold, 5, 3)
	a.SearchLatency = alarm("SearchLatency",
		fmt.Sprintf("POST /search p99 latency is above %d ms (ApiTimeout is %d s) in 2 of 3 five-minute periods.", cfg.searchLatencyAlarmMillis, cfg.apiTimeoutSeconds),
		sig.searchLatency, float64(cfg.searchLatencyAlarmMillis), 3, 2)
	return a
}

// emfMetric returns the functions' EMF metric name of this service's
// collection, summed over 5 minutes.
func emfMetric(collectionId, name string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(contract.MetricsNamespace),
		MetricName:    jsii.String(name),
		DimensionsMap: &map[string]*string{contract.MetricsDimensionCollectionId: jsii.String(collectionId)},
		Statistic:     jsii.String("Sum"),
		Period:        awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes)),
		Label:         jsii.String(name),
	})
}

// emfByReason returns one series per Reason of the EMF metric name of this
// service's collection, summed over 5 minutes. It is a SEARCH expression
// rather than a metric per known reason because the reasons are open sets:
// Rekognition names the UnindexedFace reasons and may add some, and the
// index function's rejection reasons are its own; the search graphs every
// reason that has data, with no list to keep in step. (A SEARCH cannot drive
// an alarm, and none is needed on these counts.)
func emfByReason(collectionId, name string) awscloudwatch.MathExpression {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf(`SEARCH('{%s,%s,%s} MetricName="%s" %s="%s"', 'Sum', %d)`,
			contract.MetricsNamespace, contract.MetricsDimensionCollectionId, contract.MetricsDimensionReason,
			name, contract.MetricsDimensionCollectionId, collectionId, 60*alarmPeriodMinutes)),
		Label:  jsii.String("${PROP('Dim." + contract.MetricsDimensionReason + "')}"),
		Period: awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes)),
	})
}

// addDashboard creates the dashboard: rows for the API, the functions, the
// queues and the functions' EMF metrics, and the state of every alarm. The
// metrics the alarms watch are shown by alarm widgets, with the threshold,
// when the alarms exist.
func (s *FaceRecognitionService) addDashboard(cfg *settings, sig *signals) awscloudwatch.Dashboard {
	graph := func(title string, width int, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Width: jsii.Number(width), Left: &metrics,
		})
	}
	signal := func(title string, metric awscloudwatch.IMetric, alarm func(*ServiceAlarms) awscloudwatch.Alarm) awscloudwatch.IWidget {
		if s.Alarms == nil {
			return graph(title, 8, metric)
		}
		return awscloudwatch.NewAlarmWidget(&awscloudwatch.AlarmWidgetProps{
			Title: jsii.String(title), Width: jsii.Number(8), Alarm: alarm(s.Alarms),
		})
	}
	byFunction := func(metrics map[string]awscloudwatch.Metric) []awscloudwatch.IMetric {
		var out []awscloudwatch.IMetric
		for _, f := range s.functions {
			out = append(out, metrics[f.Name].With(&awscloudwatch.MetricOptions{Label: jsii.String(f.Name)}))
		}
		return out
	}
	period := awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes))
	stage := s.Api.DeploymentStage()
	sum := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: period}
	collection := *s.CollectionId

	rows := [][]awscloudwatch.IWidget{
		{
			graph("API requests", 8, stage.MetricCount(sum), stage.MetricClientError(sum), stage.MetricServerError(sum)),
			signal("API 5XX rate", sig.api5xxRate, func(a *ServiceAlarms) awscloudwatch.Alarm { return a.Api5xxRate }),
			signal("POST /search latency p99 (ms)", sig.searchLatency, func(a *ServiceAlarms) awscloudwatch.Alarm { return a.SearchLatency }),
		},
		{
			graph("Function errors", 8, byFunction(sig.errors)...),
			graph("Function throttles", 8, byFunction(sig.throttles)...),
			graph("Function duration p99 (ms)", 8, byFunction(s.durations())...),
		},
		{
			graph("Image events in the queue", 8,
				s.Queue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: period, Label: jsii.String("Waiting")}),
				s.Queue.MetricApproximateNumberOfMessagesNotVisible(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: period, Label: jsii.String("Being indexed")})),
			signal("Age of the oldest image event (s)", sig.queueAge, func(a *ServiceAlarms) awscloudwatch.Alarm { return a.QueueAge }),
			signal("Dead-letter queue", sig.deadLetters, func(a *ServiceAlarms) awscloudwatch.Alarm { return a.DeadLetterQueueNotEmpty }),
		},
		{
			graph("Faces indexed", 8, emfMetric(collection, contract.MetricFacesIndexed)),
			graph("Faces not indexed, by reason", 8, emfByReason(collection, contract.MetricFacesNotIndexed)),
			graph("Images rejected, by reason", 8, emfByReason(collection, contract.MetricImagesRejected)),
		},
		{
			graph("Searches and matches", 12, emfMetric(collection, contract.MetricSearches), emfMetric(collection, contract.MetricMatches)),
			graph("Rekognition throttles (after SDK retries)", 12, emfMetric(collection, contract.MetricRekognitionThrottles)),
		},
	}
	rows = append(rows, []awscloudwatch.IWidget{
		graph("Backfill executions", 12, s.Backfill.MetricStarted(sum), s.Backfill.MetricSucceeded(sum), s.Backfill.MetricFailed(sum)),
		graph("Image events sent again, throttled (waiting for the pace)", 12, emfMetric(collection, contract.MetricIndexRequeued)),
	})
	if s.Alarms != nil {
		var alarms []interfacesawscloudwatch.IAlarmRef
		for _, a := range s.Alarms.All() {
			alarms = append(alarms, a)
		}
		rows = append(rows, []awscloudwatch.IWidget{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title: jsii.String("Alarms"), Width: jsii.Number(24), Height: jsii.Number(6), Alarms: &alarms,
		})})
	}
	widgets := make([]*[]awscloudwatch.IWidget, len(rows))
	for i := range rows {
		widgets[i] = &rows[i]
	}
	return awscloudwatch.NewDashboard(s.Construct, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{Widgets: &widgets})
}

// durations returns each function's Duration p99 over 5 minutes, by name.
func (s *FaceRecognitionService) durations() map[string]awscloudwatch.Metric {
	out := map[string]awscloudwatch.Metric{}
	for _, f := range s.functions {
		out[f.Name] = f.fn.MetricDuration(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("p99"), Period: awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes)),
		})
	}
	return out
}

// suppressObservabilityFindings records why the cdk-nag findings the
// observability resources cause do not apply.
func (s *FaceRecognitionService) suppressObservabilityFindings(cfg *settings) {
	if s.ServerAccessLogsBucket != nil {
		suppress(s.ServerAccessLogsBucket, "AwsSolutions-S1",
			"This bucket receives the image bucket's server access logs; logging its own access to itself or another bucket would only move the finding (each log bucket would need one), and only S3's log delivery writes to it")
	}
	if !cfg.tracing {
		return
	}
	for _, f := range s.functions {
		suppress(f.fn.Role(), "AwsSolutions-IAM5",
			"X-Ray active tracing (TracingEnabled): xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions (Service Authorization Reference, AWS X-Ray), so Lambda's tracing permissions can only be allowed on \"*\"",
			"Resource::*")
	}
}
