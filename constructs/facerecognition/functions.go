package facerecognition

// The functions, each with its own log group and role, and their grants.

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// namedFunction is a function of the service and the name addFunction gave
// it ("Index", "Search", ...).
type namedFunction struct {
	name string
	fn   awslambda.Function
}

// addFunctions creates the functions, each with the environment of
// functionEnv, and grants each the calls it makes on the collection
// collectionArn, the bucket and the table; the index function consumes the
// event queue (consumeImageEvents).
func (s *FaceRecognitionService) addFunctions(cfg *settings, collectionArn *string) {
	env := s.functionEnv(cfg)
	tableArn := s.Table.TableArn()

	s.IndexFunction, s.IndexLogGroup = s.addFunction(cfg, "Index", "lambdas/index", cfg.indexTimeoutSeconds, env)
	s.IndexFunction.AddToRolePolicy(allow([]string{"rekognition:IndexFaces", "rekognition:DeleteFaces", "rekognition:CreateUser", "rekognition:AssociateFaces", "rekognition:DisassociateFaces"}, collectionArn))
	s.grantReadImages(cfg, s.IndexFunction)
	s.IndexFunction.AddToRolePolicy(allow([]string{"dynamodb:Query"}, jsii.String(*tableArn+"/index/"+contract.ObjectKeyIndex)))
	s.IndexFunction.AddToRolePolicy(allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"}, tableArn))

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
	s.consumeImageEvents(cfg)
}

// functionEnv returns the environment of every function: the names of the
// service's resources and the settings the props resolved to (cfg), under
// the contract's variable names.
func (s *FaceRecognitionService) functionEnv(cfg *settings) map[string]*string {
	return map[string]*string{
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
}

// addFunction creates the function built from the Go package pkg (a
// directory of the module, such as "lambdas/index") with its own log group
// (newLogGroup) and its own role (functionRole). Callers grant the rest with
// AddToRolePolicy. The construct ids are name+"LogGroup", name+"Role" and
// name+"Function"; the alarms and the dashboard know the function by name.
func (s *FaceRecognitionService) addFunction(cfg *settings, name, pkg string, timeoutSeconds int,
	env map[string]*string) (awslambda.Function, awslogs.LogGroup) {
	logGroup := s.newLogGroup(cfg, name)
	role := s.functionRole(name, logGroup)
	fn := awslambda.NewFunction(s.Construct, jsii.String(name+"Function"),
		functionProps(cfg, goFunctionCode(pkg, cfg.goarch), role, logGroup, timeoutSeconds, env))
	s.functions = append(s.functions, namedFunction{name: name, fn: fn})
	return fn, logGroup
}
