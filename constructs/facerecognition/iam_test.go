package facerecognition

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// grants maps each action a role may take to the resources it may take it
// on, as compact JSON.
type grants map[string][]string

// roleGrants collects, for every role of the template, the statements of its
// inline policies and of the AWS::IAM::Policy resources attached to it. It
// fails the test on any statement that is not a plain Allow of actions on
// resources.
func (f *fixture) roleGrants(t *testing.T) map[string]grants {
	t.Helper()
	out := map[string]grants{}
	add := func(role string, doc any) {
		for _, st := range doc.(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			for k := range st {
				if k != "Effect" && k != "Action" && k != "Resource" {
					t.Errorf("role %s: statement with %s: %v", role, k, st)
				}
			}
			if st["Effect"] != "Allow" {
				t.Errorf("role %s: statement is not an Allow: %v", role, st)
			}
			for _, action := range asList(st["Action"]) {
				for _, res := range asList(st["Resource"]) {
					out[role][action.(string)] = append(out[role][action.(string)], jsonString(res))
				}
			}
		}
	}
	for id := range f.ofType("AWS::IAM::Role") {
		out[id] = grants{}
		for _, p := range asList(f.props(id)["Policies"]) {
			add(id, p.(map[string]any)["PolicyDocument"])
		}
	}
	for id := range f.ofType("AWS::IAM::Policy") {
		p := f.props(id)
		for _, r := range asList(p["Roles"]) {
			role := r.(map[string]any)["Ref"].(string)
			if out[role] == nil {
				t.Fatalf("policy %s is attached to %s, not a role of the template", id, role)
			}
			add(role, p["PolicyDocument"])
		}
	}
	for _, g := range out {
		for _, resources := range g {
			slices.Sort(resources)
		}
	}
	return out
}

// asList returns v as a list: v itself if it is one, else a list of v (nil
// for nil).
func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// join is the template form of an ARN with a suffix.
func join(arn map[string]any, suffix string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{arn, suffix}}}
}

// grant returns grants of every action on resource.
func grant(resource any, actions ...string) grants {
	g := grants{}
	for _, a := range actions {
		g[a] = []string{jsonString(resource)}
	}
	return g
}

// merge returns the union of gs, which must not share actions.
func merge(gs ...grants) grants {
	out := grants{}
	for _, g := range gs {
		maps.Copy(out, g)
	}
	return out
}

// TestRolesHaveExactlyTheirGrants checks every role's permissions against
// the calls its function, its event source mapping or its integration makes:
// exact actions, each on its own resource ARN, as wantGrants writes them
// out by hand.
func TestRolesHaveExactlyTheirGrants(t *testing.T) {
	f := synth().base
	svc := f.svc
	bucket := getAtt(logicalID(svc.Bucket))
	objects := func(pattern string) any { return join(bucket, "/"+pattern) }
	f.checkGrants(t, wantGrants(svc, bucket, objects, getAtt(logicalID(svc.Table)), getAtt(logicalID(svc.Collection)), "index/"))
}

// TestRoleGrantsFollowTheTable checks that the template grants each
// function exactly the contract.Grants of its row of contract.Functions
// (tableGrants): that the construct turns every field of the table into
// its statements. Whether the table itself grants the least privilege is
// TestRolesHaveExactlyTheirGrants's question, which does not read it.
func TestRoleGrantsFollowTheTable(t *testing.T) {
	f := synth().base
	svc := f.svc
	bucket := getAtt(logicalID(svc.Bucket))
	objects := func(pattern string) any { return join(bucket, "/"+pattern) }
	f.checkGrants(t, tableGrants(svc, bucket, objects, getAtt(logicalID(svc.Table)), getAtt(logicalID(svc.Collection)), "index/"))
}

// wantGrants returns the grants of every role of svc's construct, given the
// template forms of the bucket's ARN, of the ARN of its objects matching a
// key pattern, and of the table's and the collection's ARNs, and the image
// prefix. They are written out role by role, independently of
// contract.Functions, so that a grant added to or lost from the table
// fails the test: each is the least privilege of the calls the role's
// principal makes.
func wantGrants(svc *FaceRecognitionService, bucket map[string]any, objects func(pattern string) any, table, collection map[string]any, prefix string) map[string]grants {
	logs := func(g string) grants {
		return merge(grant(getAtt(g), "logs:CreateLogStream", "logs:PutLogEvents"), grant("*", xrayActions...))
	}
	return withBackfill(svc, bucket, map[string]grants{
		logicalID(svc.IndexFunction.Role()): merge(
			logs(logicalID(svc.IndexLogGroup)),
			grant(collection, "rekognition:IndexFaces", "rekognition:DeleteFaces", "rekognition:CreateUser", "rekognition:AssociateFaces", "rekognition:DisassociateFaces"),
			grant(objects(prefix+"*"), "s3:GetObject"),
			grant(bucket, "s3:ListBucket"),
			grant(join(table, "/index/"+contract.ObjectKeyIndex), "dynamodb:Query"),
			grant(table, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"),
			grant(getAtt(logicalID(svc.Queue)), "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"),
		),
		logicalID(svc.SearchFunction.Role()): merge(
			logs(logicalID(svc.SearchLogGroup)),
			grant(collection, "rekognition:SearchFacesByImage", "rekognition:SearchUsersByImage"),
			grant("*", "rekognition:DetectFaces"),
			grant(join(table, "/index/"+contract.PersonIndex), "dynamodb:Query"),
			grant(table, "dynamodb:BatchGetItem"),
		),
		logicalID(svc.StatusFunction.Role()): merge(
			logs(logicalID(svc.StatusLogGroup)),
			grant(objects(prefix+"*"), "s3:GetObject"),
			grant(bucket, "s3:ListBucket"),
			grant(table, "dynamodb:GetItem", "dynamodb:BatchGetItem"),
		),
		logicalID(svc.FacesFunction.Role()): merge(
			logs(logicalID(svc.FacesLogGroup)),
			grant(join(table, "/index/"+contract.PersonIndex), "dynamodb:Query"),
			grant(table, "dynamodb:Scan", "dynamodb:GetItem"),
		),
		logicalID(svc.DeleteFaceFunction.Role()): merge(
			logs(logicalID(svc.DeleteFaceLogGroup)),
			grant(collection, "rekognition:DeleteFaces", "rekognition:DisassociateFaces"),
			grant(join(table, "/index/"+contract.ObjectKeyIndex), "dynamodb:Query"),
			grant(table, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"),
		),
		logicalID(svc.PersonsFunction.Role()): merge(
			logs(logicalID(svc.PersonsLogGroup)),
			grant(join(table, "/index/"+contract.PersonIndex), "dynamodb:Query"),
			grant(table, "dynamodb:Scan", "dynamodb:BatchGetItem"),
		),
		logicalID(svc.DeletePersonFunction.Role()): merge(
			logs(logicalID(svc.DeletePersonLogGroup)),
			grant(collection, "rekognition:DeleteFaces", "rekognition:DisassociateFaces", "rekognition:DeleteUser", "rekognition:ListFaces"),
			grants{"dynamodb:Query": slices.Sorted(slices.Values([]string{
				jsonString(join(table, "/index/"+contract.PersonIndex)), jsonString(join(table, "/index/"+contract.ObjectKeyIndex)),
			}))},
			grant(table, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"),
			grant(objects(prefix+"?*"), "s3:DeleteObjectVersion"),
			grant(bucket, "s3:ListBucketVersions"),
		),
		logicalID(svc.DeleteImageFunction.Role()): merge(
			logs(logicalID(svc.DeleteImageLogGroup)),
			grant(collection, "rekognition:DeleteFaces", "rekognition:DisassociateFaces"),
			grant(join(table, "/index/"+contract.ObjectKeyIndex), "dynamodb:Query"),
			grant(table, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"),
			grant(objects(prefix+"?*"), "s3:DeleteObjectVersion"),
			grant(bucket, "s3:ListBucketVersions"),
		),
		logicalID(svc.SweepFunction.Role()): merge(
			logs(logicalID(svc.SweepLogGroup)),
			grant(collection, "rekognition:ListFaces", "rekognition:DeleteFaces", "rekognition:DisassociateFaces", "rekognition:CreateUser", "rekognition:AssociateFaces", "rekognition:DeleteUser"),
			grants{"dynamodb:Query": slices.Sorted(slices.Values([]string{
				jsonString(join(table, "/index/"+contract.PersonIndex)), jsonString(join(table, "/index/"+contract.ObjectKeyIndex)),
			}))},
			grant(table, "dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
		),
		logicalID(svc.ThumbnailFunction.Role()): merge(
			logs(logicalID(svc.ThumbnailLogGroup)),
			grant(objects(prefix+"*"), "s3:GetObject"),
			grant(bucket, "s3:ListBucket"),
			grant(table, "dynamodb:GetItem"),
		),
		logicalID(svc.MatchesFunction.Role()): merge(
			logs(logicalID(svc.MatchesLogGroup)),
			grant(collection, "rekognition:SearchFaces"),
			grant(table, "dynamodb:GetItem", "dynamodb:BatchGetItem"),
		),
		logicalID(svc.StatsFunction.Role()): merge(
			logs(logicalID(svc.StatsLogGroup)),
			grant(collection, "rekognition:DescribeCollection"),
			grant(table, "dynamodb:Scan"),
		),
		logicalID(svc.CompareFunction.Role()): merge(
			logs(logicalID(svc.CompareLogGroup)),
			grant(collection, "rekognition:SearchFacesByImage", "rekognition:SearchUsersByImage"),
			grant("*", "rekognition:CompareFaces"),
			grant(table, "dynamodb:GetItem", "dynamodb:BatchGetItem"),
		),
		logicalID(svc.ReindexFunction.Role()): merge(
			logs(logicalID(svc.ReindexLogGroup)),
			grant(ref(logicalID(svc.Backfill)), "states:StartExecution"),
			grant(stateMachineArn(svc, "execution", ":*"), "states:DescribeExecution", "states:ListMapRuns"),
			grant(stateMachineArn(svc, "mapRun", "/Images:*"), "states:DescribeMapRun"),
		),
		logicalID(svc.DownloadFunction.Role()): merge(
			logs(logicalID(svc.DownloadLogGroup)),
			grant(objects(prefix+"*"), "s3:GetObject", "s3:GetObjectVersion"),
			grant(bucket, "s3:ListBucket"),
			grant(table, "dynamodb:GetItem", "dynamodb:BatchGetItem"),
		),
		// Rename: no Rekognition call; it reads the objects (HeadObject,
		// and CopyObject's source), copies each onto itself
		// (s3:PutObject) and deletes its older versions.
		logicalID(svc.RenameFunction.Role()): merge(
			logs(logicalID(svc.RenameLogGroup)),
			grants{"dynamodb:Query": slices.Sorted(slices.Values([]string{
				jsonString(join(table, "/index/"+contract.PersonIndex)), jsonString(join(table, "/index/"+contract.ObjectKeyIndex)),
			}))},
			grant(table, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
			grant(objects(prefix+"*"), "s3:GetObject"),
			grant(bucket, "s3:ListBucket", "s3:ListBucketVersions"),
			grant(objects(prefix+"?*"), "s3:DeleteObjectVersion", "s3:PutObject"),
		),
		logicalID(svc.InfoFunction.Role()):                                 logs(logicalID(svc.InfoLogGroup)),
		logicalID(svc.Node().FindChild(jsii.String("UploadRole"))):         grant(objects(prefix+"?*"), "s3:PutObject"),
		logicalID(svc.Api.Node().FindChild(jsii.String("CloudWatchRole"))): {},
	})
}

// tableGrants returns the grants of every role of svc's construct, with the
// arguments of wantGrants, as contract.Functions states them: each
// function's role may write to its log group and take the X-Ray actions,
// and has exactly the contract.Grants of its row, the index function's
// also the SQS poller's actions on the queue; the S3 route's role may put
// objects under the prefix.
func tableGrants(svc *FaceRecognitionService, bucket map[string]any, objects func(pattern string) any, table, collection map[string]any, prefix string) map[string]grants {
	want := map[string]grants{
		logicalID(svc.Node().FindChild(jsii.String("UploadRole"))):         grant(objects(prefix+"?*"), "s3:PutObject"),
		logicalID(svc.Api.Node().FindChild(jsii.String("CloudWatchRole"))): {},
	}
	fields := svc.functionFields()
	for _, f := range contract.Functions {
		g := merge(
			grant(getAtt(logicalID(*fields[f.Name].logs)), "logs:CreateLogStream", "logs:PutLogEvents"),
			grant("*", xrayActions...),
			grant(collection, f.Grants.Collection...),
			grant("*", f.Grants.AnyResource...),
			grant(table, f.Grants.Table...),
		)
		if f.Grants.ReadImages {
			g = merge(g, grant(objects(prefix+"*"), "s3:GetObject"), grant(bucket, "s3:ListBucket"))
		}
		if f.Grants.ReadImageVersions {
			g = merge(g, grant(objects(prefix+"*"), "s3:GetObjectVersion"))
		}
		for _, index := range f.Grants.QueryIndexes {
			g["dynamodb:Query"] = append(g["dynamodb:Query"], jsonString(join(table, "/index/"+index)))
		}
		slices.Sort(g["dynamodb:Query"])
		if f.Grants.EraseImages {
			g = merge(g, grant(objects(prefix+"?*"), "s3:DeleteObjectVersion"), grant(bucket, "s3:ListBucketVersions"))
		}
		if f.Grants.RewriteImages {
			g = merge(g, grant(objects(prefix+"?*"), "s3:PutObject"))
		}
		if f.Grants.Backfill {
			g = merge(g, grant(ref(logicalID(svc.Backfill)), "states:StartExecution"),
				grant(stateMachineArn(svc, "execution", ":*"), "states:DescribeExecution", "states:ListMapRuns"),
				grant(stateMachineArn(svc, "mapRun", "/Images:*"), "states:DescribeMapRun"))
		}
		if f.Name == contract.FunctionIndex {
			g = merge(g, grant(getAtt(logicalID(svc.Queue)), append(slices.Clone(sqsPollerActions), queueSendActions...)...))
		}
		want[logicalID((*fields[f.Name].fn).Role())] = g
	}
	return withBackfill(svc, bucket, want)
}

// functionsOf returns the functions of svc, from its fields: written out,
// not read from contract.Functions.
func functionsOf(svc *FaceRecognitionService) []awslambda.Function {
	return []awslambda.Function{
		svc.IndexFunction, svc.SearchFunction, svc.StatusFunction, svc.InfoFunction,
		svc.FacesFunction, svc.DeleteFaceFunction, svc.PersonsFunction, svc.DeletePersonFunction,
		svc.DeleteImageFunction, svc.SweepFunction, svc.ThumbnailFunction,
		svc.MatchesFunction, svc.StatsFunction, svc.CompareFunction, svc.ReindexFunction,
		svc.DownloadFunction,
		svc.RenameFunction,
	}
}

// stateMachineArn is the template form of the ARN of Backfill's resources
// of type resource (execution, mapRun) whose name is the state machine's
// followed by suffix.
func stateMachineArn(svc *FaceRecognitionService, resource, suffix string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{
		"arn:", map[string]any{"Ref": "AWS::Partition"}, ":states:", map[string]any{"Ref": "AWS::Region"}, ":",
		map[string]any{"Ref": "AWS::AccountId"}, ":" + resource + ":", map[string]any{"Fn::GetAtt": []any{logicalID(svc.Backfill), "Name"}}, suffix}}}
}

// dynamoDBCallers returns the functions of svc that call DynamoDB, and so
// decrypt with the table's key: all but the info function. Written out, as
// wantGrants, not read from contract.Functions.
func dynamoDBCallers(svc *FaceRecognitionService) []awslambda.Function {
	return []awslambda.Function{
		svc.IndexFunction, svc.SearchFunction, svc.StatusFunction,
		svc.FacesFunction, svc.DeleteFaceFunction, svc.PersonsFunction, svc.DeletePersonFunction,
		svc.DeleteImageFunction, svc.SweepFunction, svc.ThumbnailFunction,
		svc.MatchesFunction, svc.StatsFunction, svc.CompareFunction, svc.DownloadFunction, svc.RenameFunction,
	}
}

// checkGrants compares the grants of every role of the template with want.
func (f *fixture) checkGrants(t *testing.T, want map[string]grants) {
	t.Helper()
	got := f.roleGrants(t)
	for _, role := range slices.Sorted(maps.Keys(got)) {
		w, ok := want[role]
		if !ok {
			t.Errorf("unexpected role %s with %v", role, got[role])
			continue
		}
		for _, action := range slices.Sorted(maps.Keys(merge(got[role], w))) {
			if !reflect.DeepEqual(got[role][action], w[action]) {
				t.Errorf("role %s, %s: resources %v, want %v", role, action, got[role][action], w[action])
			}
		}
	}
	for role := range want {
		if _, ok := got[role]; !ok {
			t.Errorf("role %s is missing", role)
		}
	}
}

// xrayActions are the actions Lambda's active tracing needs (Lambda developer
// guide, "Visualize Lambda function invocations using AWS X-Ray").
var xrayActions = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}

// TestRolesAreScoped checks every role of every configuration: resources
// are ARNs of the stack's own resources, never "*" but for the functions'
// xrayActions, the search function's rekognition:DetectFaces and the
// compare function's rekognition:CompareFaces (written
// here, not read from contract.Functions), which have no resource-level
// permissions (Service Authorization Reference, Amazon Rekognition and
// AWS X-Ray); principals are the
// services that use them, and only API Gateway's account-level CloudWatch
// role has a managed policy, AWS's AmazonAPIGatewayPushToCloudWatchLogs.
func TestRolesAreScoped(t *testing.T) {
	fx := synth()
	for name, f := range map[string]*fixture{"base": fx.base, "variant": fx.variant, "existing": fx.existing} {
		cloudWatchRole := ""
		if r := f.svc.Api.Node().TryFindChild(jsii.String("CloudWatchRole")); r != nil {
			cloudWatchRole = logicalID(r)
		}
		onAnyResource := map[string][]string{} // role to the actions it may take on "*"
		for _, fn := range functionsOf(f.svc) {
			onAnyResource[logicalID(fn.Role())] = xrayActions
		}
		backfill := logicalID(f.svc.Backfill.Role())
		onAnyResource[backfill] = append(slices.Clone(stateMachineLogsActions), stateMachineXrayActions...)
		reindex := logicalID(f.svc.ReindexFunction.Role())
		search := logicalID(f.svc.SearchFunction.Role())
		onAnyResource[search] = append(slices.Clone(xrayActions), "rekognition:DetectFaces")
		onAnyResource[logicalID(f.svc.CompareFunction.Role())] = append(slices.Clone(xrayActions), "rekognition:CompareFaces")
		for role, g := range f.roleGrants(t) {
			for action, resources := range g {
				for _, r := range resources {
					if r == `"*"` && slices.Contains(onAnyResource[role], action) {
						continue
					}
					if (role == backfill || role == reindex) && strings.HasPrefix(action, "states:") && strings.Contains(r, `"`+logicalID(f.svc.Backfill)+`"`) {
						continue // Backfill, its executions and map runs
					}
					if !strings.HasPrefix(r, `{"Fn::GetAtt":[`) && !strings.HasPrefix(r, `{"Fn::Join":["",[{"Fn::GetAtt":[`) {
						t.Errorf("%s: role %s, %s on %s: not an ARN of the stack's resources", name, role, action, r)
					}
				}
			}
			props := f.props(role)
			principal := jsonString(props["AssumeRolePolicyDocument"].(map[string]any)["Statement"])
			wantPrincipal := `"lambda.amazonaws.com"`
			if role == cloudWatchRole || role == logicalID(f.svc.Node().FindChild(jsii.String("UploadRole"))) {
				wantPrincipal = `"apigateway.amazonaws.com"`
			}
			if role == backfill {
				wantPrincipal = `"states.amazonaws.com"`
			}
			if !strings.Contains(principal, wantPrincipal) || strings.Count(principal, "sts:AssumeRole") != 1 {
				t.Errorf("%s: role %s is assumed by %s, want only %s", name, role, principal, wantPrincipal)
			}
			managed := jsonString(props["ManagedPolicyArns"])
			switch {
			case role == cloudWatchRole:
				if !strings.HasSuffix(managed, `":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]]}]`) {
					t.Errorf("%s: CloudWatch role managed policies %s", name, managed)
				}
			case managed != "null":
				t.Errorf("%s: role %s has managed policies %s", name, role, managed)
			}
		}
	}
}
