package offline

import "time"

// SetReadTimeout sets the HTTP server's read timeout of the servers
// started after it, and returns a func that restores it.
func SetReadTimeout(d time.Duration) (restore func()) {
	old := readTimeout
	readTimeout = d
	return func() { readTimeout = old }
}
