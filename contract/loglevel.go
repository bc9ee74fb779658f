package contract

import (
	"fmt"
	"log/slog"
	"strings"
)

// EnvLogLevel is the functions' log level (the construct's LogLevel prop):
// DEBUG, INFO, WARN or ERROR; records below it are not written. Default
// DefaultLogLevel.
const EnvLogLevel = "LOG_LEVEL"

// DefaultLogLevel is the log level when none is set: INFO.
const DefaultLogLevel = "INFO"

// LogLevels are the accepted log levels, from the most to the least
// detailed: the levels of log/slog, which are also Lambda's application log
// levels of the same names (Lambda also has TRACE and FATAL, which slog has
// not).
var LogLevels = []string{"DEBUG", "INFO", "WARN", "ERROR"}

// ParseLogLevel returns the slog level of v, one of LogLevels in any case;
// "" is DefaultLogLevel. Any other value is an error naming the accepted
// ones.
func ParseLogLevel(v string) (slog.Level, error) {
	if v == "" {
		v = DefaultLogLevel
	}
	var l slog.Level
	for _, name := range LogLevels {
		if strings.EqualFold(v, name) {
			err := l.UnmarshalText([]byte(name))
			return l, err
		}
	}
	return l, fmt.Errorf("log level must be one of %s, got %q", strings.Join(LogLevels, ", "), v)
}
