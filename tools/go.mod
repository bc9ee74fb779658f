// The npm dev tools (the CDK CLI, and face-api for the engine's golden
// test) install into tools/node_modules. This go.mod makes tools/ a module
// of its own, so that `go test ./...` at the repository root never walks
// into node_modules, whose CDK init templates are Go files that do not build.
module github.com/facerec/facerec-cdk/tools

go 1.26.0
