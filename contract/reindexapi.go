package contract

// The re-index routes: POST /reindex starts sending every stored image
// through the index path again (the Backfill state machine deployed, the
// local queue offline) and GET /reindex/{reindexId} follows it.
const (
	// ReindexIDParam is the path parameter of GET /reindex/{reindexId}:
	// the ReindexId answered by POST /reindex.
	ReindexIDParam = "reindexId"
	// EnvBackfillStateMachineARN is the ARN of the Backfill state machine,
	// which the construct gives the re-index function.
	EnvBackfillStateMachineARN = "BACKFILL_STATE_MACHINE_ARN"
)

// Statuses of a re-index (Reindex.Status), as Step Functions names its
// executions' (DescribeExecution's status).
const (
	// ReindexRunning: images are still being sent or indexed.
	ReindexRunning = "RUNNING"
	// ReindexSucceeded: every image was sent (deployed) or indexed
	// (offline).
	ReindexSucceeded = "SUCCEEDED"
	// ReindexFailed: the run stopped on an error; deployed, a redrive of
	// the execution sends what was not sent.
	ReindexFailed = "FAILED"
	// ReindexTimedOut: the execution ran out of time (deployed only).
	ReindexTimedOut = "TIMED_OUT"
	// ReindexAborted: the execution was stopped (deployed only).
	ReindexAborted = "ABORTED"
)

// Reindex is the body of POST /reindex (202) and GET /reindex/{reindexId}
// (200): one re-index and its progress, in images. Deployed, the counts
// are the Distributed Map run's item counts (DescribeMapRun ItemCounts):
// images sent to the index queue, which the index function then indexes
// at the IndexFacesPerSecond pace; they are 0 until the map run starts.
// Offline, they are images indexed through the local queue.
type Reindex struct {
	// ReindexID identifies the re-index: the execution's name deployed.
	ReindexID string `json:"reindexId"`
	// Status is one of ReindexRunning, ReindexSucceeded, ReindexFailed,
	// ReindexTimedOut and ReindexAborted.
	Status string `json:"status"`
	// Total is the images to re-index (so far, while they are listed).
	Total int64 `json:"total"`
	// Succeeded is the images done.
	Succeeded int64 `json:"succeeded"`
	// Failed is the images that failed (deployed: not sent, including
	// timed out and aborted; offline: dead-lettered).
	Failed int64 `json:"failed"`
	// Pending is the images not done yet (deployed: pending and running
	// items of the map run).
	Pending int64 `json:"pending"`
}

// Done reports whether the re-index has ended, well or not.
func (r Reindex) Done() bool { return r.Status != ReindexRunning }
