package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// ProxyHandler is the handler of an API function: it answers the API
// Gateway REST proxy events of the function's routes (contract.Function
// Routes). Errors are answered, not returned; an error return is a failed
// invocation, which API Gateway answers with 502.
type ProxyHandler func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Handlers returns the handler of every API function of contract.Functions
// (those with Routes) by its Name, all methods of one NewAPI(svc, log,
// opts...). The index and sweep functions, which have no routes, are
// handled by NewIndexer's and NewSweeper's Handle instead. The offline server and `facerec invoke` look
// handlers up here by name, and Start serves one of them.
func Handlers(svc *service.Service, log *slog.Logger, opts ...Option) map[string]ProxyHandler {
	a := NewAPI(svc, log, opts...)
	return map[string]ProxyHandler{
		contract.FunctionSearch:       a.Search,
		contract.FunctionStatus:       a.Status,
		contract.FunctionInfo:         a.Info,
		contract.FunctionFaces:        a.Faces,
		contract.FunctionDeleteFace:   a.DeleteFace,
		contract.FunctionPersons:      a.Persons,
		contract.FunctionDeletePerson: a.DeletePerson,
		contract.FunctionDeleteImage:  a.DeleteImage,
		contract.FunctionThumbnail:    a.Thumbnail,
		contract.FunctionMatches:      a.Matches,
		contract.FunctionStats:        a.Stats,
		contract.FunctionCompare:      a.Compare,
		contract.FunctionReindex:      a.Reindex,
		contract.FunctionDownload:     a.Download,
		contract.FunctionRename:       a.Rename,
	}
}

// Start is the whole main of the function named name (a contract.Function*
// constant, such as contract.FunctionSearch): it builds the service with
// ServiceFromEnv and serves the function's handler with lambda.Start,
// writing the handler's metrics to stdout (WithMetrics), where the
// function's log group turns them into CloudWatch metrics. It exits with a
// logged error if the service cannot be built or no function has that
// name.
func Start(name string) {
	svc, log, err := ServiceFromEnv(context.Background())
	var h any
	opts := []Option{WithMetrics(os.Stdout)}
	if err == nil && name == contract.FunctionIndex {
		opts, err = withQueueFromEnv(context.Background(), opts)
	}
	if err == nil && name == contract.FunctionReindex {
		err = withReindexerFromEnv(context.Background(), svc)
	}
	if err == nil {
		h, err = lambdaHandler(name, svc, log, opts...)
	}
	if err != nil {
		log.Error("cannot start", "function", name, "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// lambdaHandler returns the handler of the function named name as
// lambda.Start takes it: the Indexer's Handle for contract.FunctionIndex,
// the Sweeper's Handle for contract.FunctionSweep, the function's entry of
// Handlers for the others.
func lambdaHandler(name string, svc *service.Service, log *slog.Logger, opts ...Option) (any, error) {
	switch name {
	case contract.FunctionIndex:
		return NewIndexer(svc, log, opts...).Handle, nil
	case contract.FunctionSweep:
		return NewSweeper(svc, log, opts...).Handle, nil
	}
	if h, ok := Handlers(svc, log, opts...)[name]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("no function is named %q", name)
}
