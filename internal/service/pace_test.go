package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/internal/service"
)

// stepClock is a service.Clock whose Sleep only moves its time.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }
func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return ctx.Err()
}

// TestPacer: calls are spaced one interval apart without a burst, a
// refunded slot is taken by the next call, an idle pacer lets the next
// call through at once, and a slot after the context's deadline is
// refused without being reserved.
func TestPacer(t *testing.T) {
	start := time.Now().Add(100 * 365 * 24 * time.Hour) // so that deadlines on it are in the future in real time too
	clock := &stepClock{now: start}
	p := service.NewPacer(5, clock)
	ctx := t.Context()
	var at []time.Duration
	for range 3 {
		if err := p.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		at = append(at, clock.now.Sub(start))
	}
	p.Refund() // the third call was throttled: its slot is free again
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	at = append(at, clock.now.Sub(start))
	want := []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("calls at %v, want %v", at, want)
		}
	}

	clock.now = clock.now.Add(time.Minute) // idle: no debt, no burst credit
	if err := p.Wait(ctx); err != nil || clock.now.Sub(start) != time.Minute+400*time.Millisecond {
		t.Errorf("after idling: %v at %v", err, clock.now.Sub(start))
	}
	soon, cancel := context.WithDeadline(ctx, clock.now.Add(100*time.Millisecond))
	defer cancel()
	if err := p.Wait(soon); !errors.Is(err, service.ErrPaceDeadline) {
		t.Errorf("Wait with the slot after the deadline = %v, want ErrPaceDeadline", err)
	}
	before := clock.now
	if err := p.Wait(ctx); err != nil || clock.now.Sub(before) != 200*time.Millisecond {
		t.Errorf("the refused call reserved its slot: next call waited %v (%v)", clock.now.Sub(before), err)
	}
}
