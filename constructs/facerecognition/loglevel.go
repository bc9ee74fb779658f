package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
)

// applicationLogLevel is Lambda's application log level of functions
// whose LOG_LEVEL is level: DEBUG for DEBUG, else INFO. The functions
// filter WARN and ERROR themselves; Lambda must keep INFO, the level it
// gives the metric lines (EMF), which carry none.
func applicationLogLevel(level string) awslambda.ApplicationLogLevel {
	if level == "DEBUG" {
		return awslambda.ApplicationLogLevel_DEBUG
	}
	return awslambda.ApplicationLogLevel_INFO
}
