package awstest

import (
	"github.com/google/uuid"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// apiError is a service error as the stand-ins answer it: an AWS JSON
// protocol error body {"__type": code, "message": message} with an HTTP status.
type apiError struct {
	code    string
	message string
	status  int
}

// Error returns the code and the message.
func (e *apiError) Error() string { return e.code + ": " + e.message }

// clientError is an HTTP 400 apiError with a formatted message.
func clientError(code, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...), status: http.StatusBadRequest}
}

// operation handles the JSON body of one request and returns the value to
// send back as the JSON response body, or an error (an *apiError, or anything
// else for an InternalServerError).
type operation func(body []byte) (any, error)

// jsonOp adapts a typed handler to an operation. The body is decoded strictly: a
// member the stand-in does not implement is answered with a
// SerializationException naming it, so that a test never passes by a fake
// silently ignoring a parameter.
func jsonOp[Req any](handle func(*Req) (any, error)) operation {
	return func(body []byte) (any, error) {
		req := new(Req)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(req); err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				return nil, ae
			}
			return nil, clientError("SerializationException",
				"awstest: cannot decode the request (a member this stand-in does not support?): %v", err)
		}
		return handle(req)
	}
}

// jsonService is the protocol plumbing shared by the stand-ins of AWS JSON
// protocol services (awsJson1_0, awsJson1_1): it dispatches on the
// X-Amz-Target header, counts calls, injects faults and writes results and
// errors in the protocol's shapes.
//
// mu guards the counters and also the state of the fake that embeds
// jsonService: operations run with mu held, one at a time.
type jsonService struct {
	targetPrefix string // e.g. "RekognitionService."
	contentType  string // e.g. "application/x-amz-json-1.1"
	ops          map[string]operation

	mu     sync.Mutex
	calls  map[string]int
	faults map[string][]*apiError
	random *randomFaults // nil: none
}

// randomFaults is the state of FailRandomly.
type randomFaults struct {
	rng                 *rand.Rand
	throttled, failed   float64
	nThrottled, nFailed int
}

func newJSONService(targetPrefix, contentType string, ops map[string]operation) jsonService {
	return jsonService{
		targetPrefix: targetPrefix,
		contentType:  contentType,
		ops:          ops,
		calls:        map[string]int{},
		faults:       map[string][]*apiError{},
	}
}

// FailNext makes the next n calls of the operation op (for example
// "IndexFaces" or "BatchWriteItem") fail with the error code (the __type the
// SDK turns into a typed error, e.g. "ThrottlingException",
// "ProvisionedThroughputExceededException" or "InternalServerError") and the
// HTTP status (400 for client errors, 500 for server errors). Failures queue
// up behind earlier ones for the same op. A failed call does nothing but count
// in Calls. It panics if op is not an operation of the stand-in, n < 1 or
// status is not 4xx or 5xx: those are mistakes in the test.
func (s *jsonService) FailNext(op string, n int, code string, status int) {
	if _, ok := s.ops[op]; !ok {
		panic(fmt.Sprintf("awstest: FailNext: unknown operation %q", op))
	}
	if n < 1 || status < 400 || status > 599 {
		panic(fmt.Sprintf("awstest: FailNext(%q, %d, %q, %d): need n >= 1 and a 4xx or 5xx status", op, n, code, status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[op] = append(s.faults[op], &apiError{code: code, message: "awstest: injected " + code, status: status})
	}
}

// FailRandomly makes a share of the later calls of every operation fail,
// as a service under load does: each call is throttled
// (ThrottlingException, HTTP 400) with probability throttled, or else
// fails with InternalServerError (HTTP 500) with probability failed (both
// shares of all calls), drawn from a PCG generator seeded with seed. A
// failed call does nothing but count in Calls. Calls are served one at a
// time, so a test that makes them in a fixed order gets the same faults on
// every run. Faults queued with FailNext come first. FailRandomly(0, 0, 0)
// turns it off. It panics unless both shares are in [0, 1] and their sum is
// at most 1.
func (s *jsonService) FailRandomly(seed uint64, throttled, failed float64) {
	if throttled < 0 || failed < 0 || throttled+failed > 1 {
		panic(fmt.Sprintf("awstest: FailRandomly(%d, %v, %v): need shares in [0, 1] adding up to at most 1", seed, throttled, failed))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.random = nil
	if throttled+failed > 0 {
		s.random = &randomFaults{rng: rand.New(rand.NewPCG(seed, seed)), throttled: throttled, failed: failed}
	}
}

// RandomFaults returns how many calls FailRandomly has throttled and
// failed with HTTP 500 since it was last called.
func (s *jsonService) RandomFaults() (throttled, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.random == nil {
		return 0, 0
	}
	return s.random.nThrottled, s.random.nFailed
}

// Calls returns how many requests for the operation op (e.g. "IndexFaces")
// the stand-in has received, including those that failed.
func (s *jsonService) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// ServeHTTP answers one AWS JSON protocol request.
func (s *jsonService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var (
		result any
		err    error
	)
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), s.targetPrefix)
	body, readErr := io.ReadAll(r.Body)
	switch {
	case r.Method != http.MethodPost || !ok:
		err = clientError("UnknownOperationException", "awstest: expected a POST with X-Amz-Target %s<Operation>", s.targetPrefix)
	case readErr != nil:
		err = clientError("SerializationException", "awstest: reading the request body: %v", readErr)
	default:
		result, err = s.call(name, body)
	}
	s.respond(w, result, err)
}

// call counts the call and runs the operation, or the fault queued for it.
func (s *jsonService) call(name string, body []byte) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
	if q := s.faults[name]; len(q) > 0 {
		s.faults[name] = q[1:]
		return nil, q[0]
	}
	if r := s.random; r != nil {
		switch u := r.rng.Float64(); {
		case u < r.throttled:
			r.nThrottled++
			return nil, &apiError{code: "ThrottlingException", message: "awstest: randomly throttled", status: http.StatusBadRequest}
		case u < r.throttled+r.failed:
			r.nFailed++
			return nil, &apiError{code: "InternalServerError", message: "awstest: random server error", status: http.StatusInternalServerError}
		}
	}
	handle, ok := s.ops[name]
	if !ok {
		return nil, clientError("UnknownOperationException", "awstest: operation %q is not implemented", name)
	}
	return handle(body)
}

func (s *jsonService) respond(w http.ResponseWriter, result any, err error) {
	status := http.StatusOK
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{code: "InternalServerError", message: err.Error(), status: http.StatusInternalServerError}
		}
		status = ae.status
		result = map[string]string{"__type": ae.code, "message": ae.message}
		w.Header().Set("X-Amzn-ErrorType", ae.code)
	}
	body, mErr := json.Marshal(result)
	if mErr != nil {
		s.respond(w, nil, fmt.Errorf("awstest: encoding the response: %w", mErr))
		return
	}
	w.Header().Set("Content-Type", s.contentType)
	w.Header().Set("X-Amzn-RequestId", uuid.NewString())
	w.WriteHeader(status)
	w.Write(body)
}
