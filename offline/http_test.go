package offline_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// rawRequest sends raw on a new connection to srv and reads the answer.
func rawRequest(t *testing.T, srv *offline.Server, raw string) (*http.Response, contract.ErrorBody) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb contract.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
		t.Errorf("answer %d is not the JSON error shape: %v", resp.StatusCode, err)
	}
	return resp, eb
}

// TestHTTP_malformedRequestsGetJSONErrors: requests Go's server or mux
// would answer in text/plain or with a redirect get the API's JSON error
// with a fitting status.
func TestHTTP_malformedRequestsGetJSONErrors(t *testing.T) {
	srv, err := offline.Start(t.Context(), offline.Options{DataDir: t.TempDir()}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	jpeg := "\xff\xd8\xff\xe0"
	for _, tc := range []struct {
		name, raw string
		status    int
		code      string
	}{
		{"dot segment", "GET /index/./a.jpg HTTP/1.1\r\nHost: x\r\n\r\n", 400, contract.CodeBadRequest},
		{"dot-dot segment", "GET /faces/../info HTTP/1.1\r\nHost: x\r\n\r\n", 400, contract.CodeBadRequest},
		{"empty segment", "GET /index//a.jpg HTTP/1.1\r\nHost: x\r\n\r\n", 400, contract.CodeBadRequest},
		{"invalid percent-escape", "GET /index/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, contract.CodeBadRequest},
		{"invalid UTF-8 filename", "PUT /index/%FF%FE.jpg HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\n" + jpeg, 400, contract.CodeInvalidBody},
		{"oversized headers", "GET /info HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 20_000) + "\r\n\r\n", 431, contract.GatewayRequestTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := rawRequest(t, srv, tc.raw)
			if resp.StatusCode != tc.status || eb.Error.Code != tc.code || eb.RequestID == "" {
				t.Errorf("%d %+v, want %d %s with a request id", resp.StatusCode, eb, tc.status, tc.code)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// TestHTTP_slowBodiesAreTimedOut: a body sent a byte at a time is cut off
// by the read timeout: the server answers (400, the body could not be
// read) instead of holding the connection for as long as the client
// likes.
func TestHTTP_slowBodiesAreTimedOut(t *testing.T) {
	defer offline.SetReadTimeout(300 * time.Millisecond)()
	srv, err := offline.Start(t.Context(), offline.Options{DataDir: t.TempDir()}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n")
	// Trickle for up to 30 s (100 times the timeout), one byte each 100 ms.
	done := make(chan *http.Response, 1)
	go func() {
		resp, _ := http.ReadResponse(bufio.NewReader(conn), nil)
		done <- resp
	}()
	for range 300 {
		select {
		case resp := <-done:
			if resp == nil || resp.StatusCode != http.StatusBadRequest {
				t.Errorf("answer %+v, want 400", resp)
			}
			return
		case <-time.After(100 * time.Millisecond):
			conn.Write([]byte{0xff})
		}
	}
	t.Fatal("the server still reads a body sent a byte at a time after 100 times its read timeout")
}
