package handler

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// Reindex handles POST /reindex: 202 with a contract.Reindex whose
// ReindexId GET /reindex/{reindexId} follows, and GET /reindex/{reindexId}:
// 200 with its progress, 404 for an unknown id. Errors: those of the
// service's Reindexer, as the other routes.
func (a *API) Reindex(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	if req.HTTPMethod == http.MethodPost {
		r, err := a.svc.StartReindex(ctx)
		if err != nil {
			return a.fail(ctx, err), nil
		}
		a.log.InfoContext(ctx, "re-index started", "reindexId", r.ReindexID)
		return a.respond(ctx, http.StatusAccepted, r, nil), nil
	}
	r, err := a.svc.ReindexProgress(ctx, req.PathParameters[contract.ReindexIDParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, r, nil), nil
}

// withReindexerFromEnv gives svc the Step Functions reindexer of the state
// machine named by contract.EnvBackfillStateMachineARN, which must be set.
func withReindexerFromEnv(ctx context.Context, svc *service.Service) error {
	arn := os.Getenv(contract.EnvBackfillStateMachineARN)
	if arn == "" {
		return fmt.Errorf("configuration: %s is not set", contract.EnvBackfillStateMachineARN)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	svc.SetReindexer(service.NewStepFunctionsReindexer(sfn.NewFromConfig(awsCfg), arn, svc.Config().CollectionID))
	return nil
}
