package forge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryOptions tunes NewRetryTransport. The zero value is usable.
type RetryOptions struct {
	// MaxAttempts counts the first try; default 4.
	MaxAttempts int
	// MaxWait is the longest single wait; a server asking for more gets its response back
	// unretried, so the caller sees the rate limit instead of hanging. Default 30s.
	MaxWait time.Duration
	// Sleep waits for d or until ctx ends; tests inject one that records d and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used to turn a reset time or an HTTP date into a wait; default time.Now.
	Now func() time.Time
	// AttemptTimeout bounds one attempt, reading its body included; default 60s. The whole
	// exchange, waits included, is bounded by the request's context alone: an http.Client
	// Timeout around this transport would cut a run short while it honours Retry-After.
	AttemptTimeout time.Duration
}

const (
	defaultMaxAttempts = 4
	defaultMaxWait     = 30 * time.Second
	defaultAttempt     = 60 * time.Second
	firstBackoff       = time.Second
	// drainLimit bounds how much of a discarded response is read so its connection can be reused.
	drainLimit = 64 << 10
)

// NewRetryTransport retries requests that failed for a reason a later attempt can fix: a
// 500/502/503/504, a 429, or GitHub's secondary rate limit (a 403 carrying Retry-After or
// x-ratelimit-remaining: 0). POST and PATCH are retried too, so request bodies are buffered and
// replayed; forge clients make creation idempotent themselves (an existing PR is looked up).
func NewRetryTransport(base http.RoundTripper, opts RetryOptions) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = defaultMaxAttempts
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = defaultMaxWait
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepContext
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = defaultAttempt
	}
	return &retryTransport{base: base, opts: opts}
}

type retryTransport struct {
	base http.RoundTripper
	opts RetryOptions
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	getBody, err := replayableBody(req)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		attemptCtx, cancel := context.WithTimeout(ctx, t.opts.AttemptTimeout)
		try := req.Clone(attemptCtx)
		if getBody != nil {
			body, err := getBody()
			if err != nil {
				cancel()
				return nil, fmt.Errorf("replay request body: %w", err)
			}
			try.Body = body
		}
		resp, err := t.base.RoundTrip(try)
		if err != nil {
			// Only the attempt's own deadline is a timeout; cancel() below must not make any
			// other failure (a dropped connection, a refused redirect) read as one.
			timedOut := ctx.Err() == nil && errors.Is(attemptCtx.Err(), context.DeadlineExceeded)
			cancel()
			if timedOut {
				err = &attemptTimeout{after: t.opts.AttemptTimeout, err: err}
			}
			return nil, err
		}
		// The attempt's deadline covers reading the body: it ends when the body is closed.
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		if attempt >= t.opts.MaxAttempts || !retryable(resp) {
			return resp, nil
		}
		wait := t.waitFor(resp, attempt)
		if wait > t.opts.MaxWait {
			return resp, nil
		}
		discard(resp)
		if err := t.opts.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// replayableBody returns a function yielding a fresh copy of the body, or nil for a bodiless
// request. A body without GetBody is read once into memory; API payloads are small.
func replayableBody(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		// Every attempt reads its own copy, so the original is closed as RoundTrip must.
		_ = req.Body.Close()
		return req.GetBody, nil
	}
	data, err := io.ReadAll(req.Body)
	closeErr := req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if closeErr != nil {
		return nil, fmt.Errorf("read request body: %w", closeErr)
	}
	return func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, nil
}

func retryable(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		return resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-Ratelimit-Remaining") == "0"
	}
	return false
}

// waitFor picks the server's own hint first. Reset headers are read only on rate-limit
// responses: GitHub sends x-ratelimit-reset on every response, and on a 502 it names the end
// of the hourly window, not when the gateway recovers.
func (t *retryTransport) waitFor(resp *http.Response, attempt int) time.Duration {
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), t.opts.Now()); ok {
		return d
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden {
		for _, h := range []string{"RateLimit-Reset", "X-Ratelimit-Reset"} {
			if d, ok := parseReset(resp.Header.Get(h), t.opts.Now()); ok {
				return d
			}
		}
	}
	backoff := firstBackoff << (attempt - 1)
	if backoff <= 0 || backoff > t.opts.MaxWait {
		backoff = t.opts.MaxWait
	}
	return backoff
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return secondsDuration(secs), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return nonNegative(at.Sub(now)), true
	}
	return 0, false
}

// parseReset reads a unix time in seconds. GitLab's RateLimit-Reset and GitHub's
// x-ratelimit-reset are both absolute.
func parseReset(v string, now time.Time) (time.Duration, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || secs <= 0 {
		return 0, false
	}
	return nonNegative(time.Unix(secs, 0).Sub(now)), true
}

func secondsDuration(secs int64) time.Duration {
	const maxSecs = int64(1<<63-1) / int64(time.Second)
	if secs > maxSecs {
		secs = maxSecs
	}
	return time.Duration(secs) * time.Second
}

func nonNegative(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	_ = resp.Body.Close()
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// cancelOnClose ends an attempt's context once its response body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
