package service_test

import (
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// harness is the service on the loopback stand-ins (servicetest.Env),
// called directly, with shorthands for the calls the tests make most.
type harness struct {
	*servicetest.Env
}

func newHarness(t testing.TB, opts ...servicetest.Option) *harness {
	t.Helper()
	return &harness{servicetest.New(t, opts...)}
}

// reconcile reconciles each key of the stand-ins' bucket, as an event for
// it would, and fails the test if one fails.
func (h *harness) reconcile(t testing.TB, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := h.Service.Reconcile(t.Context(), h.Bucket, k); err != nil {
			t.Fatalf("Reconcile %s: %v", k, err)
		}
	}
}

// indexPhoto stores a sample photo with a person and reconciles it.
func (h *harness) indexPhoto(t testing.TB, key, photoName, person string) {
	t.Helper()
	h.Put(t, key, photoName, person)
	h.reconcile(t, key)
}

// status returns the Status of filename, failing the test on an error.
func (h *harness) status(t testing.TB, filename string) *contract.ImageStatus {
	t.Helper()
	st, err := h.Service.Status(t.Context(), filename)
	if err != nil {
		t.Fatalf("Status %q: %v", filename, err)
	}
	return st
}

// search runs a search of photo, failing the test on an error.
func (h *harness) search(t testing.TB, photo []byte) *contract.SearchResult {
	t.Helper()
	res, err := h.Service.Search(t.Context(), photo)
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	return res
}

// kindOf returns the Kind of a service error, or -1 for no error.
func kindOf(err error) service.Kind {
	if err == nil {
		return -1
	}
	return service.AsError(err).Kind
}
