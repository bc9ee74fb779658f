package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
)

// ServiceFromEnv builds the service a function runs with, once per cold
// start: configuration from the environment (contract.FromEnv), AWS clients
// from the default credential chain with the SDK's adaptive retry mode
// (retries with backoff plus client-side rate limiting under throttling),
// and a JSON logger on stdout at the level of contract.EnvLogLevel
// (default INFO; another value than DEBUG, INFO, WARN or ERROR is a
// configuration error). With contract.EnvIndexFacesPerSecond set,
// IndexFaces calls are paced to that rate (service.PaceIndexFaces). Its
// ImageLinker is an S3Presigner on the same S3 client.
func ServiceFromEnv(ctx context.Context) (*service.Service, *slog.Logger, error) {
	log := NewLogger(os.Stdout)
	level, err := contract.ParseLogLevel(os.Getenv(contract.EnvLogLevel))
	if err != nil {
		return nil, log, fmt.Errorf("configuration: %s: %w", contract.EnvLogLevel, err)
	}
	log = NewLevelLogger(os.Stdout, level)
	cfg, err := contract.FromEnv(os.Getenv)
	if err != nil {
		return nil, log, fmt.Errorf("configuration: %w", err)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryMode(aws.RetryModeAdaptive))
	if err != nil {
		return nil, log, fmt.Errorf("AWS configuration: %w", err)
	}
	var rek service.Rekognition = rekognition.NewFromConfig(awsCfg)
	perSecond, err := contract.IndexFacesPerSecondFromEnv(os.Getenv)
	if err != nil {
		return nil, log, fmt.Errorf("configuration: %w", err)
	}
	if perSecond > 0 {
		rek = service.PaceIndexFaces(rek, service.NewPacer(perSecond, service.RealClock{}))
	}
	objects := s3.NewFromConfig(awsCfg)
	svc := service.New(cfg,
		rek,
		objects,
		dynamotable.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		log)
	// Download's links are presigned with the function's own credentials
	// (no call to AWS until a link is made).
	svc.SetImageLinker(service.NewS3Presigner(objects))
	return svc, log, nil
}
