package facerecognition

// The sweeper's schedule: an EventBridge rule that invokes the sweep
// function (contract.FunctionSweep, created with the others from
// contract.Functions) every contract.SweepIntervalMinutes.

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// sweepTimeoutSeconds is the sweep function's timeout: 5 minutes, for
// listing a large collection and table; a sweep cut short is finished by
// the next one (service.Sweep checks everything again).
const sweepTimeoutSeconds = 300

// scheduleSweep creates SweepSchedule, the rule "SweepSchedule" that
// invokes SweepFunction every contract.SweepIntervalMinutes (a rate
// expression; EventBridge retries a failed asynchronous invocation, and
// the next run starts over anyway). The rule gets the permission to
// invoke the function from the target.
func (s *FaceRecognitionService) scheduleSweep() {
	s.SweepSchedule = awsevents.NewRule(s.Construct, jsii.String("SweepSchedule"), &awsevents.RuleProps{
		Description: jsii.String("Invokes the face service's sweeper: unrecorded faces, persons without faces, pending associations"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(contract.SweepIntervalMinutes))),
		Targets:     &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(s.SweepFunction, nil)},
	})
}
