package forge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/gito-dev/gito/internal/httpauth"
)

// NetError is a request that got no HTTP answer. Its message is the reason a user can act on
// ("connection refused", "the connection closed without an answer"), without the method and
// URL that Go's errors repeat and that the forge clients' messages already name.
type NetError struct {
	Reason string
	Err    error
}

func (e *NetError) Error() string { return e.Reason }
func (e *NetError) Unwrap() error { return e.Err }

// AsNetError returns err as a *NetError when the request got no answer at all, and nil when
// err is anything else (an HTTP status, a cancelled context, a refused redirect).
func AsNetError(err error) *NetError {
	var ne *NetError
	if errors.As(err, &ne) {
		return ne
	}
	var timeout *attemptTimeout
	if errors.As(err, &timeout) {
		return &NetError{Reason: fmt.Sprintf("no answer within %s", timeout.after), Err: err}
	}
	var redirect *httpauth.RedirectError
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &redirect) {
		return nil
	}
	var (
		netErr net.Error
		opErr  *net.OpError
		ue     *url.Error
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &NetError{Reason: "connection refused", Err: err}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &NetError{Reason: "the connection was reset", Err: err}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &NetError{Reason: "the connection closed without an answer", Err: err}
	case errors.As(err, &netErr) && netErr.Timeout():
		return &NetError{Reason: "no answer in time", Err: err}
	case errors.As(err, &opErr):
		return &NetError{Reason: opErr.Err.Error(), Err: err}
	case errors.As(err, &ue):
		// Any other failure to get an answer: keep the cause, drop the method and URL.
		return &NetError{Reason: ue.Err.Error(), Err: err}
	}
	return nil
}

// attemptTimeout is one attempt of the retry transport running out of time.
type attemptTimeout struct {
	after time.Duration
	err   error
}

func (e *attemptTimeout) Error() string {
	return fmt.Sprintf("no answer within %s: %v", e.after, e.err)
}
func (e *attemptTimeout) Unwrap() error { return e.err }
