package offline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/facerec/facerec-cdk/contract"
)

// The HTTP server's limits. A client that sends its request slower than
// these allow (a byte at a time, say) is cut off, so that it cannot hold a
// connection and its goroutine for ever.
const (
	// readHeaderTimeout bounds the reading of a request line and headers.
	readHeaderTimeout = 10 * time.Second
	// maxHeaderBytes is API Gateway's limit on a request line and headers
	// together: 10,240 bytes (API Gateway quotas for REST APIs). Go's
	// server allows 4 KB more than its MaxHeaderBytes.
	maxHeaderBytes = 10 * 1024
)

// readTimeout bounds the reading of a whole request, body included: 30 s,
// enough for API Gateway's 10 MB at 3 Mbit/s, where API Gateway itself
// gives an integration 29 s. A variable only so that tests can shorten it.
var readTimeout = 30 * time.Second

// newHTTPServer returns the server of the local API, with the limits above.
func (l *Local) newHTTPServer() *http.Server {
	return &http.Server{Handler: l.routes(), ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout, MaxHeaderBytes: maxHeaderBytes}
}

// withPlainPath answers 400 BAD_REQUEST, in the API's JSON error shape, a
// request whose path has a literal "." or ".." segment or an empty one,
// which Go's ServeMux would otherwise redirect (307, empty body) to the
// cleaned path. Percent-encoded dots reach the routes, whose filename
// check refuses them (INVALID_BODY).
func (l *Local) withPlainPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segs := strings.Split(r.URL.EscapedPath(), "/")
		for i, seg := range segs[1:] {
			last := i == len(segs)-2
			if seg == "." || seg == ".." || (seg == "" && !last) {
				l.gatewayError(w, r, http.StatusBadRequest, contract.CodeBadRequest,
					`the request path has an empty, "." or ".." segment; send the path without them`)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// jsonErrorListener wraps the listener of the local API so that the
// answers Go's HTTP server writes itself, before any handler runs, carry
// the API's JSON error body (contract.ErrorBody) instead of text/plain:
// 400 for a request it cannot parse (an invalid percent-escape in the
// path, a malformed request line or header) and 431 for headers over
// maxHeaderBytes.
type jsonErrorListener struct {
	net.Listener
	l *Local
}

// Accept returns the next connection, wrapped.
func (ln jsonErrorListener) Accept() (net.Conn, error) {
	c, err := ln.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return jsonErrorConn{Conn: c, l: ln.l}, nil
}

// jsonErrorConn is a connection of jsonErrorListener.
type jsonErrorConn struct {
	net.Conn
	l *Local
}

// serverErrorHeaders are the headers with which net/http writes its own
// error answers (server.go, errorHeaders), in one Write of the status
// line, these headers and a text body; a handler's answer never has them
// right after its status line (its headers include a Date, and ours a
// JSON Content-Type).
const serverErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write passes p on, except net/http's own error answer, which it
// replaces with the same status and the API's JSON error body.
func (c jsonErrorConn) Write(p []byte) (int, error) {
	const proto = "HTTP/1.1 "
	line, rest, ok := bytes.Cut(p, []byte("\r\n"))
	if !ok || !bytes.HasPrefix(line, []byte(proto)) || !bytes.HasPrefix(p[len(line):], []byte(serverErrorHeaders)) || len(rest) == 0 {
		return c.Conn.Write(p)
	}
	status, err := strconv.Atoi(string(line[len(proto):min(len(line), len(proto)+3)]))
	if err != nil {
		return c.Conn.Write(p)
	}
	code, msg := contract.CodeBadRequest, "the request could not be parsed: an invalid percent-escape in its path, or a malformed request line or header"
	if status == http.StatusRequestHeaderFieldsTooLarge {
		code, msg = contract.GatewayRequestTooLarge, fmt.Sprintf("the request line and headers are larger than %d bytes", maxHeaderBytes)
	}
	id := uuid.NewString()
	c.l.log.Warn("request refused", "requestId", id, "remote", c.RemoteAddr().String(), "status", status, "code", code)
	body, _ := json.Marshal(contract.ErrorBody{Error: contract.ErrorDetail{Code: code, Message: msg}, RequestID: id})
	var out bytes.Buffer
	fmt.Fprintf(&out, "%s%d %s\r\nContent-Type: application/json; charset=utf-8\r\nAccess-Control-Allow-Origin: %s\r\nX-Request-Id: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		proto, status, http.StatusText(status), c.l.svc.Config().AllowedOrigin, id, len(body))
	out.Write(body)
	if _, err := c.Conn.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
