package facerecognition

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// synthInto synthesizes an app holding the stack UpgradeStack, which build
// fills, into outdir, and returns the synth's panic message: "" if it
// passed.
func synthInto(outdir string, build func(stack awscdk.Stack)) string {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	build(awscdk.NewStack(app, jsii.String("UpgradeStack"), nil))
	msg, _ := recovered(func() { app.Synth(nil) })
	return msg
}

// TestSynthRefusesReplacingTheIndex synthesizes a service, then changed ones
// into the same output directory (so the functions are bundled once): each
// change that replaces the collection or the table is refused with a message
// naming what would be replaced and AllowReplacement, and leaves the previous
// template in place; the construct moved with AllowReplacement true passes,
// and its template is the one the next synth compares with.
func TestSynthRefusesReplacingTheIndex(t *testing.T) {
	dir := t.TempDir()
	service := func(scope constructs.Construct, props *FaceRecognitionServiceProps) *FaceRecognitionService {
		return NewFaceRecognitionService(scope, jsii.String("Faces"), props)
	}
	moved := func(allow *bool) func(stack awscdk.Stack) {
		return func(stack awscdk.Stack) {
			service(constructs.NewConstruct(stack, jsii.String("Group")), &FaceRecognitionServiceProps{AllowReplacement: allow})
		}
	}
	steps := []struct {
		name  string
		build func(stack awscdk.Stack)
		want  []string // what the refusal names; nil: the synth passes
	}{
		{name: "first synth", build: func(stack awscdk.Stack) { service(stack, nil) }},
		{
			name: "CollectionId changed",
			build: func(stack awscdk.Stack) {
				service(stack, &FaceRecognitionServiceProps{CollectionId: jsii.String("renamed-faces")})
			},
			want: []string{"replace the Rekognition collection FacesCollection", `CollectionId changes from "facerec-`, `to "renamed-faces"`},
		},
		{
			name: "table key changed",
			build: func(stack awscdk.Stack) {
				table := service(stack, nil).Table.Node().DefaultChild().(awsdynamodb.CfnTable)
				table.SetKeySchema(&[]interface{}{
					&awsdynamodb.CfnTable_KeySchemaProperty{AttributeName: jsii.String(contract.AttrFaceID), KeyType: jsii.String("HASH")},
					&awsdynamodb.CfnTable_KeySchemaProperty{AttributeName: jsii.String(contract.AttrObjectKey), KeyType: jsii.String("RANGE")},
				})
			},
			want: []string{"replace the DynamoDB table FacesTable", "KeySchema changes from", `"KeyType":"RANGE"`},
		},
		{
			name:  "construct moved",
			build: moved(nil),
			want: []string{
				"replace the Rekognition collection FacesCollection", "by GroupFacesCollection",
				"replace the DynamoDB table FacesTable", "by GroupFacesTable",
				"if this service is the one that was at UpgradeStack/Faces (no longer in the stack)",
			},
		},
		{name: "construct moved with AllowReplacement", build: moved(jsii.Bool(true))},
		{name: "moved construct synthesized again", build: moved(nil)},
	}
	for _, step := range steps {
		msg := synthInto(dir, step.build)
		switch {
		case step.want == nil && msg != "":
			t.Fatalf("%s: refused: %s", step.name, msg)
		case step.want != nil && msg == "":
			t.Fatalf("%s: accepted", step.name)
		}
		if msg != "" {
			t.Logf("%s: refused:\n%s", step.name, msg)
		}
		for _, want := range step.want {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: the refusal does not contain %q:\n%s", step.name, want, msg)
			}
		}
		if step.want != nil && !strings.Contains(msg, "FaceRecognitionServiceProps.AllowReplacement") {
			t.Errorf("%s: the refusal does not name AllowReplacement:\n%s", step.name, msg)
		}
	}
}

// TestReplacementsComparesTemplates checks the comparison on template
// values, without a synth.
func TestReplacementsComparesTemplates(t *testing.T) {
	const path = "Stack/Faces"
	tag := map[string]any{serviceMetadataKey: path}
	table := func(keyType string) map[string]any {
		return map[string]any{
			"KeySchema": []any{map[string]any{"AttributeName": "FaceId", "KeyType": "HASH"}},
			"AttributeDefinitions": []any{
				map[string]any{"AttributeName": "FaceId", "AttributeType": keyType},
				map[string]any{"AttributeName": "ObjectKey", "AttributeType": "S"},
			},
		}
	}
	tableValues := func(keyType string) map[string]any {
		return guardedTypes["AWS::DynamoDB::Table"].replacementValues(table(keyType))
	}
	collection := func(id string) map[string]any { return map[string]any{"CollectionId": id} }
	tests := []struct {
		name     string
		previous map[string]templateResource
		current  []guardedResource
		exists   bool // whether the paths of previous services still exist
		want     []string
	}{
		{
			name: "unchanged",
			previous: map[string]templateResource{
				"T": {Type: "AWS::DynamoDB::Table", Properties: table("S"), Metadata: tag},
				"C": {Type: "AWS::Rekognition::Collection", Properties: collection("a"), Metadata: tag},
			},
			current: []guardedResource{
				{typ: "AWS::DynamoDB::Table", logicalID: "T", values: tableValues("S")},
				{typ: "AWS::Rekognition::Collection", logicalID: "C", values: collection("a")},
			},
		},
		{
			name:     "key attribute type",
			previous: map[string]templateResource{"T": {Type: "AWS::DynamoDB::Table", Properties: table("S")}},
			current:  []guardedResource{{typ: "AWS::DynamoDB::Table", logicalID: "T", values: tableValues("N")}},
			want:     []string{`replace the DynamoDB table T: AttributeDefinitions of key attributes changes from {"FaceId":"S"} to {"FaceId":"N"}`},
		},
		{
			name:     "removed",
			previous: map[string]templateResource{"C": {Type: "AWS::Rekognition::Collection", Properties: collection("a"), Metadata: tag}},
			current:  []guardedResource{{typ: "AWS::DynamoDB::Table", logicalID: "T", values: tableValues("S")}},
			want:     []string{"remove the Rekognition collection C from the stack"},
		},
		{
			name: "another service still in the stack",
			previous: map[string]templateResource{
				"OtherC": {Type: "AWS::Rekognition::Collection", Properties: collection("b"), Metadata: map[string]any{serviceMetadataKey: "Stack/Other"}},
			},
			current: []guardedResource{{typ: "AWS::Rekognition::Collection", logicalID: "C", values: collection("a")}},
			exists:  true,
		},
		{
			name: "untagged resource of the app",
			previous: map[string]templateResource{
				"AppTable": {Type: "AWS::DynamoDB::Table", Properties: table("S")},
			},
			current: []guardedResource{{typ: "AWS::DynamoDB::Table", logicalID: "T", values: tableValues("S")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := replacements(path, tt.previous, tt.current, func(string) bool { return tt.exists })
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
