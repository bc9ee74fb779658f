package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestAlarmTopic: with the alarmEmail context value, the app subscribes the
// address to its alarm topic, every alarm of the service notifies the
// topic, the topic is encrypted and TLS-only, and cdk-nag finds no error.
func TestAlarmTopic(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()),
		Context: &map[string]any{alarmEmailContext: "ops@example.com"}})
	stack := addStack(app)
	template := assertions.Template_FromStack(stack, nil)

	template.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(1))
	template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"Protocol": "email", "Endpoint": "ops@example.com",
	})
	template.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{
		"KmsMasterKeyId": assertions.Match_AnyValue(),
	})
	template.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
		"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Effect":    "Deny",
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		})})}),
	})
	topicID := onlyKey(t, template.FindResources(jsii.String("AWS::SNS::Topic"), nil))
	alarms := *template.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil)
	if len(alarms) == 0 {
		t.Fatal("no alarms")
	}
	for id, a := range alarms {
		actions, _ := (*a)["Properties"].(map[string]any)["AlarmActions"].([]any)
		if len(actions) != 1 || actions[0].(map[string]any)["Ref"] != topicID {
			t.Errorf("alarm %s: AlarmActions %v, want the topic %s", id, actions, topicID)
		}
	}
	errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"),
		assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
	for _, e := range *errs {
		t.Errorf("cdk-nag: %s: %v", *e.Id, e.Entry.Data)
	}
}

// onlyKey returns the key of a map that must hold exactly one.
func onlyKey(t *testing.T, m *map[string]*map[string]any) string {
	t.Helper()
	if len(*m) != 1 {
		t.Fatalf("want one resource, got %d", len(*m))
	}
	for k := range *m {
		return k
	}
	return ""
}
