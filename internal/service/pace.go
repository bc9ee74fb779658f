package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/smithy-go"
)

// Clock is the time a Pacer reads and waits on: RealClock in the
// functions, a model clock in simulations.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx ends (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pacer spaces calls evenly at a steady rate, without bursts: each Wait
// reserves the next free slot, one interval after the one before, and
// waits for it (the virtual-scheduling form of a token bucket of one
// token). It is safe for concurrent use; concurrent callers get
// consecutive slots.
type Pacer struct {
	interval time.Duration
	clock    Clock

	mu   sync.Mutex
	next time.Time // the earliest free slot
}

// NewPacer returns a Pacer allowing perSecond calls a second (> 0) on
// clock.
func NewPacer(perSecond float64, clock Clock) *Pacer {
	return &Pacer{interval: time.Duration(float64(time.Second) / perSecond), clock: clock}
}

// ErrPaceDeadline is returned by Pacer.Wait when the next free slot comes
// after ctx's deadline: the call cannot be made in time at the pace.
var ErrPaceDeadline = errors.New("the next call slot at the steady rate is after the deadline")

// Wait reserves the next free slot and waits until it. It returns
// ErrPaceDeadline, reserving nothing, if the slot is after ctx's deadline,
// and ctx's error (the slot given back) if ctx ends while it waits.
func (p *Pacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.clock.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	if d, ok := ctx.Deadline(); ok && slot.After(d) {
		p.mu.Unlock()
		return ErrPaceDeadline
	}
	p.next = slot.Add(p.interval)
	p.mu.Unlock()
	if err := p.clock.Sleep(ctx, slot.Sub(now)); err != nil {
		p.Refund()
		return err
	}
	return nil
}

// Refund gives back the last slot reserved, for a call that was not made
// or that the service refused without counting it (throttled).
func (p *Pacer) Refund() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = p.next.Add(-p.interval)
}

// PaceIndexFaces returns rek with its IndexFaces calls paced by p: each
// waits for its slot first, and a call Rekognition throttles gives its
// slot back (a throttled call is not a transaction of the quota, so the
// next call may take it). When the slot is after the context's deadline,
// the call is not made and fails as a throttled call does
// (ThrottlingException), so the index path waits for a later try. The other
// operations are not paced: each Rekognition operation has its own quota
// (see the README's "Bulk import and re-index").
func PaceIndexFaces(rek Rekognition, p *Pacer) Rekognition {
	return pacedRekognition{Rekognition: rek, pacer: p}
}

type pacedRekognition struct {
	Rekognition
	pacer *Pacer
}

func (r pacedRekognition) IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, opts ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	if err := r.pacer.Wait(ctx); err != nil {
		if errors.Is(err, ErrPaceDeadline) {
			return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: err.Error(), Fault: smithy.FaultClient}
		}
		return nil, err
	}
	out, err := r.Rekognition.IndexFaces(ctx, in, opts...)
	if err != nil && fromAWS("Rekognition", err).Kind == KindThrottled {
		r.pacer.Refund()
	}
	return out, err
}
