package registry

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/gito-dev/gito/internal/exitcode"
)

// ErrUnauthorized is wrapped by UnauthorizedError, so callers map it to exit 4 with errors.Is.
var ErrUnauthorized = exitcode.Sentinel(exitcode.Auth, "registry authentication failed")

// TagNotFoundError: the registry has no manifest for the tag.
type TagNotFoundError struct {
	Image  string
	Tag    string
	Newest []string // up to 5 of the repository's tags, newest first
	Listed bool     // the registry answered the tag list (Newest may still be empty)
}

func (e *TagNotFoundError) Error() string {
	msg := fmt.Sprintf("tag %s of %s is not in the registry", e.Tag, e.Image)
	switch {
	case e.Listed && len(e.Newest) == 0:
		return msg + "; the repository has no tags"
	case e.Listed:
		return msg + "; newest tags: " + strings.Join(e.Newest, ", ")
	}
	return msg
}

// UnauthorizedError: the registry refused the credentials (or their absence). Tried names
// where the credentials came from, never the credentials themselves.
type UnauthorizedError struct {
	Registry string
	Image    string
	Tried    string
	Err      error
}

func (e *UnauthorizedError) Error() string {
	return fmt.Sprintf("registry %s refused access to %s with %s", e.Registry, e.Image, e.Tried)
}

func (e *UnauthorizedError) Is(target error) bool { return target == ErrUnauthorized }
func (e *UnauthorizedError) Unwrap() error        { return e.Err }
func (e *UnauthorizedError) ExitCode() int        { return exitcode.Auth }

// UnreachableError: no answer from the registry, or only server errors after the retries.
type UnreachableError struct {
	Registry string
	Err      error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("registry %s is unreachable: %s", e.Registry, reason(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// reason keeps the part of a network error a user can act on ("connection refused"), without
// the request URL go's errors repeat.
func reason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return fmt.Sprintf("it answered %d %s", te.StatusCode, http.StatusText(te.StatusCode))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

type errKind int

const (
	kindOther errKind = iota
	kindNotFound
	kindUnauthorized
	kindUnreachable
)

func kind(err error) errKind {
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound:
			return kindNotFound
		case te.StatusCode == http.StatusUnauthorized, te.StatusCode == http.StatusForbidden:
			return kindUnauthorized
		case te.StatusCode >= 500, te.StatusCode == http.StatusTooManyRequests:
			return kindUnreachable
		}
		for _, d := range te.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode:
				return kindNotFound
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				return kindUnauthorized
			}
		}
		return kindOther
	}
	var netErr net.Error
	var ue *url.Error
	if errors.As(err, &netErr) || errors.As(err, &ue) {
		return kindUnreachable
	}
	return kindOther
}

// headWorthRetrying says whether a failed HEAD deserves a GET: the registry answered, but
// not with a usable HEAD (405, missing Docker-Content-Digest). A missing tag, refused
// credentials or a dead registry would fail the same way twice.
func headWorthRetrying(err error) bool {
	k := kind(err)
	return k == kindOther
}
