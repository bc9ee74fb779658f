package facerecognition

// The functions: one per row of contract.Functions.

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// serviceFunction is a row of contract.Functions and the function
// addFunctions created from it.
type serviceFunction struct {
	contract.Function
	fn awslambda.Function
}

// functionFields are the exported fields of FaceRecognitionService that
// hold a function and its log group.
type functionFields struct {
	fn   *awslambda.Function
	logs *awslogs.LogGroup
}

// functionFields returns the fields of s that hold each function, by its
// contract.Function Name.
func (s *FaceRecognitionService) functionFields() map[string]functionFields {
	return map[string]functionFields{
		contract.FunctionIndex:        {&s.IndexFunction, &s.IndexLogGroup},
		contract.FunctionSearch:       {&s.SearchFunction, &s.SearchLogGroup},
		contract.FunctionStatus:       {&s.StatusFunction, &s.StatusLogGroup},
		contract.FunctionInfo:         {&s.InfoFunction, &s.InfoLogGroup},
		contract.FunctionFaces:        {&s.FacesFunction, &s.FacesLogGroup},
		contract.FunctionDeleteFace:   {&s.DeleteFaceFunction, &s.DeleteFaceLogGroup},
		contract.FunctionPersons:      {&s.PersonsFunction, &s.PersonsLogGroup},
		contract.FunctionDeletePerson: {&s.DeletePersonFunction, &s.DeletePersonLogGroup},
		contract.FunctionDeleteImage:  {&s.DeleteImageFunction, &s.DeleteImageLogGroup},
		contract.FunctionSweep:        {&s.SweepFunction, &s.SweepLogGroup},
		contract.FunctionThumbnail:    {&s.ThumbnailFunction, &s.ThumbnailLogGroup},
		contract.FunctionMatches:      {&s.MatchesFunction, &s.MatchesLogGroup},
		contract.FunctionStats:        {&s.StatsFunction, &s.StatsLogGroup},
		contract.FunctionCompare:      {&s.CompareFunction, &s.CompareLogGroup},
		contract.FunctionReindex:      {&s.ReindexFunction, &s.ReindexLogGroup},
		contract.FunctionDownload:     {&s.DownloadFunction, &s.DownloadLogGroup},
		contract.FunctionRename:       {&s.RenameFunction, &s.RenameLogGroup},
	}
}

// addFunctions creates the functions of contract.Functions, in the table's
// order, into their fields of s (functionFields) and s.functions: each with
// the environment of functionEnv, the ApiTimeout (the index function, which
// consumes the queue, IndexTimeout; the sweep function, which no client
// waits for, sweepTimeoutSeconds) and exactly its Grants (grantFunction,
// on the collection collectionArn). The index function then consumes the
// event queue (consumeImageEvents).
func (s *FaceRecognitionService) addFunctions(cfg *settings, collectionArn *string) {
	env := s.functionEnv(cfg)
	fields := s.functionFields()
	for _, f := range contract.Functions {
		field, ok := fields[f.Name]
		if !ok {
			panic("facerecognition: contract.Functions has " + f.Name + ", which FaceRecognitionService has no field for")
		}
		timeoutSeconds := cfg.apiTimeoutSeconds
		switch f.Name {
		case contract.FunctionIndex:
			timeoutSeconds = cfg.indexTimeoutSeconds
		case contract.FunctionSweep:
			timeoutSeconds = sweepTimeoutSeconds
		}
		*field.fn, *field.logs = s.addFunction(cfg, f, timeoutSeconds, env)
		s.grantFunction(cfg, *field.fn, f.Grants, collectionArn)
	}
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
		contract.EnvLogLevel:            jsii.String(cfg.logLevel),
	}
}

// addFunction creates the function f, built from its Main package, with its
// own log group (newLogGroup) and its own role (functionRole), and records
// it in s.functions; the caller grants the rest. The construct ids are
// f.Name+"LogGroup", f.Name+"Role" and f.Name+"Function"; the alarms and
// the dashboard know the function by f.Name.
func (s *FaceRecognitionService) addFunction(cfg *settings, f contract.Function, timeoutSeconds int,
	env map[string]*string) (awslambda.Function, awslogs.LogGroup) {
	logGroup := s.newLogGroup(cfg, f.Name)
	role := s.functionRole(f.Name, logGroup)
	fn := awslambda.NewFunction(s.Construct, jsii.String(f.Name+"Function"),
		functionProps(cfg, goFunctionCode(f.Main, cfg.goarch), role, logGroup, timeoutSeconds, env))
	s.functions = append(s.functions, serviceFunction{Function: f, fn: fn})
	return fn, logGroup
}

// functionProps returns a function's settings: the Go custom runtime
// (provided.al2023; its handler name is by convention "bootstrap", the
// executable's name), its own role and log group, the configured architecture
// and memory, the environment env, and X-Ray active tracing unless the props
// turned it off.
func functionProps(s *settings, code awslambda.Code, role awsiam.IRole, logGroup awslogs.ILogGroup,
	timeoutSeconds int, env map[string]*string) *awslambda.FunctionProps {
	return &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Handler:      jsii.String("bootstrap"),
		Code:         code,
		Architecture: s.architecture,
		MemorySize:   jsii.Number(s.memorySizeMB),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(timeoutSeconds)),
		Role:         role,
		LogGroup:     logGroup,
		Environment:  &env,
		Tracing:      functionTracing(s.tracing),
		// Lambda's JSON log format, so that Lambda filters by level; see
		// the LogLevel prop for why the filter is at most INFO.
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: applicationLogLevel(s.logLevel),
	}
}
