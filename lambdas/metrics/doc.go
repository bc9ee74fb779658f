// Package metrics writes the functions' counts as CloudWatch Embedded
// Metric Format documents (EMF; CloudWatch user guide, "Specification:
// Embedded metric format"): JSON objects, one a line, with an "_aws" member
// that tells CloudWatch Logs which top-level members are metrics and which
// are dimensions. In Lambda the lines go to stdout, which Lambda sends to
// the function's log group, where CloudWatch turns them into metrics: no
// PutMetricData call and no permission beyond the log group's.
//
// A handler collects one invocation's counts in a Counts and hands it to
// an Emitter once, at the end: one document with every declared metric
// under the CollectionId dimension (zero when nothing happened, so alarms
// see data rather than missing points), and one more document per reason
// seen, under the CollectionId and Reason dimensions. Names come from the
// contract package (contract.MetricsNamespace and the contract.Metric* names).
//
// Where and why: it is part of the Lambda adapter (lambdas/handler uses
// it); the metric names it writes are in the contract package because the
// construct's alarms and dashboard read them too.
package metrics
