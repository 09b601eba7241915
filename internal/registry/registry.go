// Package registry looks image tags up in an OCI registry: the manifest digest a tag names
// (the index digest for a multi-arch image) and the repository's tags. Requests go through
// the caller's HTTP client with the forge clients' retry rules, and credentials come from the
// docker config the way docker and crane read them.
package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/httpauth"
)

// Options configures a Client. HTTPClient and Keychain are required.
type Options struct {
	// HTTPClient is the Factory's client; its transport is wrapped with the retry rules,
	// never replaced, so tests swap the transport.
	HTTPClient *http.Client
	// Keychain finds credentials per registry; DockerConfig in the real program.
	Keychain authn.Keychain
	// Retry tunes the retry transport (tests inject a Sleep that returns at once).
	Retry forge.RetryOptions
}

// Client resolves tags. It keeps no state between calls and is safe for concurrent use.
type Client struct {
	transport http.RoundTripper
	keychain  authn.Keychain
}

// New builds a Client.
func New(opts Options) (*Client, error) {
	if opts.HTTPClient == nil || opts.Keychain == nil {
		return nil, errors.New("registry client needs an HTTP client and a keychain")
	}
	base := opts.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// go-containerregistry attaches the credentials itself, to the registry's host alone, and
	// runs the registry's token flow; the origin-bound transport beneath it refuses every
	// redirect that leaves its origin, which ggcr would follow with the credential on a scheme
	// downgrade (it compares host and port only).
	guarded := httpauth.NewTransport(base, httpauth.Options{})
	return &Client{transport: forge.NewRetryTransport(guarded, opts.Retry), keychain: opts.Keychain}, nil
}

// never turns off go-containerregistry's own retries: retrying belongs to the one transport
// the forge clients share, so both follow the same rules (Retry-After, attempts, context).
func never(error) bool { return false }

func (c *Client) options(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(c.transport),
		remote.WithAuthFromKeychain(c.keychain),
		remote.WithRetryPredicate(never),
		remote.WithRetryStatusCodes(),
		remote.WithUserAgent("gito"),
	}
}

// Digest returns the manifest digest that image:tag names in its registry: for a multi-arch
// image, the digest of the index, which is what a pod spec pins. HEAD is tried first; a
// registry that refuses it or sends no Docker-Content-Digest is asked with GET.
func (c *Client) Digest(ctx context.Context, image, tag string) (string, error) {
	ref, err := name.NewTag(image+":"+tag, name.StrictValidation)
	if err != nil {
		return "", fmt.Errorf("image %s:%s: %w", image, tag, err)
	}
	desc, err := remote.Head(ref, c.options(ctx)...)
	if err == nil && desc.Digest.Hex != "" {
		return desc.Digest.String(), nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if err != nil && !headWorthRetrying(err) {
		return "", c.classify(ctx, ref, err)
	}
	got, err := remote.Get(ref, c.options(ctx)...)
	if err != nil {
		return "", c.classify(ctx, ref, err)
	}
	return got.Digest.String(), nil
}

// Tags lists the repository's tags, newest first (see Newest).
func (c *Client) Tags(ctx context.Context, image string) ([]string, error) {
	repo, err := name.NewRepository(image, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", image, err)
	}
	tags, err := remote.List(repo, c.options(ctx)...)
	if err != nil {
		return nil, c.classifyRepo(ctx, repo, err)
	}
	return Newest(tags), nil
}

// classify turns a failed manifest lookup into TagNotFoundError, UnauthorizedError or
// UnreachableError. For a missing tag it asks for the tag list, so the error can name what
// the registry does have.
func (c *Client) classify(ctx context.Context, ref name.Tag, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	image := ref.Context().Name()
	var redir *httpauth.RedirectError
	if errors.As(err, &redir) {
		return fmt.Errorf("look up %s:%s: registry %w", image, ref.TagStr(), redir)
	}
	switch kind(err) {
	case kindNotFound:
		nf := &TagNotFoundError{Image: image, Tag: ref.TagStr()}
		tags, lerr := c.Tags(ctx, image)
		switch {
		case lerr == nil && slices.Contains(tags, ref.TagStr()):
			// The list names the tag its manifest lookup did not find: say that, not "missing".
			return fmt.Errorf("look up %s:%s: the registry lists the tag but did not serve its manifest: %s", image, ref.TagStr(), reason(err))
		case lerr == nil:
			nf.Newest, nf.Listed = firstN(tags, newestShown), true
		case kind(lerr) == kindNotFound:
			nf.Listed = true // no such repository: no tags at all
		}
		return nf
	case kindUnauthorized:
		return &UnauthorizedError{Registry: ref.RegistryStr(), Image: image, Tried: describe(c.keychain, ref.Context()), Err: err}
	case kindUnreachable:
		return &UnreachableError{Registry: ref.RegistryStr(), Err: err}
	}
	return fmt.Errorf("look up %s:%s in the registry: %w", image, ref.TagStr(), err)
}

func (c *Client) classifyRepo(ctx context.Context, repo name.Repository, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var redir *httpauth.RedirectError
	if errors.As(err, &redir) {
		return fmt.Errorf("list the tags of %s: registry %w", repo.Name(), redir)
	}
	switch kind(err) {
	case kindUnauthorized:
		return &UnauthorizedError{Registry: repo.RegistryStr(), Image: repo.Name(), Tried: describe(c.keychain, repo), Err: err}
	case kindUnreachable:
		return &UnreachableError{Registry: repo.RegistryStr(), Err: err}
	}
	return fmt.Errorf("list the tags of %s: %w", repo.Name(), err)
}

const newestShown = 5

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
