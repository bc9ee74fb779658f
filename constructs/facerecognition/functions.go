package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// addFunction creates the function built from the Go package pkg (a
// directory of the module, such as "lambdas/index") with its own log group
// and its own role. The role has no managed policy; its one permission is an
// inline policy to create streams in and write to that log group (the log
// group's Arn attribute ends in ":*", which covers its streams). Callers
// grant the rest with AddToRolePolicy. The construct ids are name+"LogGroup",
// name+"Role" and name+"Function"; the alarms and the dashboard know the
// function by name.
func (s *FaceRecognitionService) addFunction(cfg *settings, name, pkg string, timeoutSeconds int,
	env map[string]*string) (awslambda.Function, awslogs.LogGroup) {
	logGroup := s.newLogGroup(cfg, name)
	role := awsiam.NewRole(s.Construct, jsii.String(name+"Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"Logs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{
					allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, logGroup.LogGroupArn()),
				},
			}),
		},
	})
	fn := awslambda.NewFunction(s.Construct, jsii.String(name+"Function"),
		functionProps(cfg, goFunctionCode(pkg, cfg.goarch), role, logGroup, timeoutSeconds, env))
	s.functions = append(s.functions, namedFunction{name: name, fn: fn})
	return fn, logGroup
}

// addLambdaRoute answers httpMethod on resource with fn through a Lambda
// proxy integration, with the authorization of the props' mode (authorize).
// API Gateway may invoke fn only from the deployed stage (no console test
// invocations).
func addLambdaRoute(cfg *settings, resource awsapigateway.IResource, httpMethod string, fn awslambda.IFunction) awsapigateway.Method {
	return resource.AddMethod(jsii.String(httpMethod),
		awsapigateway.NewLambdaIntegration(fn, &awsapigateway.LambdaIntegrationOptions{AllowTestInvoke: jsii.Bool(false)}),
		authorize(cfg, &awsapigateway.MethodOptions{}))
}

// allow returns a statement allowing actions on resources.
func allow(actions []string, resources ...*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	})
}
