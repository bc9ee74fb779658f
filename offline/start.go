package offline

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// DefaultAddr is the address Start listens on when given "": a free port
// of the loopback interface.
const DefaultAddr = "127.0.0.1:0"

// Server is the offline service answering its API in the background, as
// Start returns it. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API's base URL: "http://" and the address listened on,
	// with the port chosen (for example "http://127.0.0.1:41563"), without
	// a trailing slash; client.New takes it as the endpoint.
	URL string
	// Local is the service served: its parts may be used while it serves
	// (for example Local.Rekognition.Len or Local.Queue.Drain). The
	// Server closes it when it stops: do not Close it.
	Local *Local

	cancel context.CancelFunc
	done   chan struct{}
	err    error // set before done is closed
}

// Start opens the data directory opts.DataDir as Open does, listens on
// addr (host:port; "" means DefaultAddr, "127.0.0.1:0", and port 0 any
// free port) and serves the API there in the background, as Serve does,
// until ctx ends or Close is called. When it returns, the unindexed
// uploads have been requeued and the API answers at the Server's URL.
//
// Start fails when Open fails (the directory cannot be created, or another
// process holds it, after a second), when addr cannot be listened on, or
// when the queue cannot be started or the uploads requeued; it has then
// released the directory and the address.
//
// Stopping (ctx ending or Close) has Serve's semantics: no new requests;
// the requests in hand finish, for up to 10 s; the queue's workers settle
// the messages they hold and the messages not yet processed stay on disk
// for the next start. The Local is then closed, which releases the data
// directory.
func Start(ctx context.Context, opts Options, addr string) (*Server, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := Open(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		l.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	serving, err := l.start(ctx, ln)
	if err != nil {
		cancel()
		ln.Close()
		l.Close()
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Local: l, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		listenErr, err := serving.wait(ctx)
		if listenErr != nil {
			err = fmt.Errorf("offline: serving %s: %w", s.URL, listenErr)
		}
		s.err = errors.Join(err, l.Close())
	}()
	return s, nil
}

// Done returns a channel closed once the Server has stopped: after ctx
// ended or Close was called and the shutdown completed, or after the
// listener failed.
func (s *Server) Done() <-chan struct{} { return s.done }

// Wait blocks until the Server has stopped (see Done) and returns why it
// stopped badly: nil after a clean shutdown; context.DeadlineExceeded when
// requests were still running 10 s after the shutdown began; the
// listener's error when it failed; the error of closing the Local. Every
// call returns the same error.
func (s *Server) Wait() error {
	<-s.done
	return s.err
}

// Close stops the Server, as ctx ending does, and returns Wait's error.
// It may be called more than once, and after the Server stopped by
// itself.
func (s *Server) Close() error {
	s.cancel()
	return s.Wait()
}
