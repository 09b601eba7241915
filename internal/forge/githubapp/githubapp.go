// Package githubapp authenticates gito as a GitHub App installation: the App's private key
// signs a JWT, the installation is found from the repository, and its installation token
// (refreshed by ghinstallation before it expires) is used for the API and for git.
package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/httpauth"
)

// Variables that configure the App.
const (
	IDEnv  = "GITO_GITHUB_APP_ID"
	KeyEnv = "GITO_GITHUB_APP_KEY"
)

// Source names an App token in messages ("gito gave git the token from GitHub App ...").
const Source = "GitHub App (" + IDEnv + ", " + KeyEnv + ")"

// App is a GitHub App's identity.
type App struct {
	ID  int64
	key []byte // PEM; never printed
}

// String keeps the key out of any log or error that formats an App.
func (a *App) String() string { return fmt.Sprintf("GitHub App %d", a.ID) }

// FromEnv reads GITO_GITHUB_APP_ID and GITO_GITHUB_APP_KEY (a PEM file's path, or the PEM
// itself). Neither set: nil, nil. One without the other, a bad ID or an unreadable key: an
// error wrapping forge.ErrAuth that names the variable.
func FromEnv(getenv func(string) string) (*App, error) {
	rawID := strings.TrimSpace(getenv(IDEnv))
	rawKey := strings.TrimSpace(getenv(KeyEnv))
	switch {
	case rawID == "" && rawKey == "":
		return nil, nil
	case rawID == "":
		return nil, fmt.Errorf("%w: %s is set but %s is not: set it to the App's numeric ID", forge.ErrAuth, KeyEnv, IDEnv)
	case rawKey == "":
		return nil, fmt.Errorf("%w: %s is set but %s is not: set it to the App's private key (a PEM file, or the PEM itself)", forge.ErrAuth, IDEnv, KeyEnv)
	}
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("%w: %s=%q is not a GitHub App ID (a positive number)", forge.ErrAuth, IDEnv, rawID)
	}
	key := []byte(rawKey)
	if !strings.HasPrefix(rawKey, "-----BEGIN") {
		key, err = os.ReadFile(rawKey)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: cannot read the private key file: %v", forge.ErrAuth, KeyEnv, errors.Unwrap(err))
		}
	}
	// Parse now, so a wrong file fails here with a line naming the variable, not at the first request.
	if _, err := ghinstallation.NewAppsTransport(http.DefaultTransport, id, key); err != nil {
		return nil, fmt.Errorf("%w: %s does not hold an RSA private key in PEM form (download one from the App's settings)", forge.ErrAuth, KeyEnv)
	}
	return &App{ID: id, key: key}, nil
}

// Installation is the App installed on one repository. Token and Transport are safe for
// concurrent use.
type Installation struct {
	ID int64
	tr *ghinstallation.Transport
}

// Install finds the installation of the App on owner/repo (GET /repos/{owner}/{repo}/installation)
// through client, at apiURL ("https://api.github.com/" or "https://HOST/api/v3/").
func (a *App) Install(ctx context.Context, client *http.Client, apiURL, owner, repo string) (*Installation, error) {
	base := http.DefaultTransport
	if client != nil && client.Transport != nil {
		base = client.Transport
	}
	api := strings.TrimRight(apiURL, "/")
	if api == "" {
		api = "https://api.github.com"
	}
	origin, err := httpauth.ParseOrigin(api)
	if err != nil {
		return nil, fmt.Errorf("github app: API URL: %w", err)
	}
	// Retry outermost, as for the token forges: the JWT and token requests are retried too.
	// ghinstallation signs every request it sends; the origin-bound transport under it keeps
	// the JWT and the token to the API's origin.
	retrying := forge.NewRetryTransport(httpauth.NewTransport(base, httpauth.Options{Origin: origin, Strip: httpauth.CredentialHeaders}), forge.RetryOptions{})
	atr, err := ghinstallation.NewAppsTransport(retrying, a.ID, a.key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", forge.ErrAuth, KeyEnv, err)
	}
	atr.BaseURL = api
	id, err := installationID(ctx, atr, api, origin, owner, repo)
	if err != nil {
		return nil, err
	}
	tr := ghinstallation.NewFromAppsTransport(atr, id)
	tr.BaseURL = api
	return &Installation{ID: id, tr: tr}, nil
}

func installationID(ctx context.Context, atr http.RoundTripper, api string, origin httpauth.Origin, owner, repo string) (int64, error) {
	u := api + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/installation"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("github app: %w", err)
	}
	resp, err := atr.RoundTrip(req)
	if err != nil {
		return 0, fmt.Errorf("github app: find the installation on %s/%s: %w", owner, repo, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return 0, fmt.Errorf("%w: github app: find the installation on %s/%s: 401 %s: check %s and that %s is this App's private key", forge.ErrAuth, owner, repo, message(body), IDEnv, KeyEnv)
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return 0, fmt.Errorf("github app: find the installation on %s/%s: %s answered a redirect (%d); gito follows none with the App's key: set the API URL to the new address", owner, repo, origin, resp.StatusCode)
	case http.StatusNotFound:
		return 0, fmt.Errorf("%w: github app: the App is not installed on %s/%s (404): install it on the repository", forge.ErrAuth, owner, repo)
	default:
		return 0, fmt.Errorf("github app: find the installation on %s/%s: %d %s", owner, repo, resp.StatusCode, message(body))
	}
	var inst struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(body, &inst); err != nil || inst.ID == 0 {
		return 0, fmt.Errorf("github app: find the installation on %s/%s: the answer has no installation id", owner, repo)
	}
	return inst.ID, nil
}

func message(body []byte) string {
	var m struct{ Message string }
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		return strings.Join(strings.Fields(m.Message), " ")
	}
	return "(no message)"
}

// Token returns a valid installation token, fetching a new one when the current one expires
// within a minute. The error names no token.
func (i *Installation) Token(ctx context.Context) (string, error) {
	tok, err := i.tr.Token(ctx)
	if err != nil {
		var he *ghinstallation.HTTPError
		if errors.As(err, &he) && he.Response != nil {
			he.Response.Body.Close() // ghinstallation leaves a refused answer open
			if code := he.Response.StatusCode; code == http.StatusUnauthorized || code == http.StatusForbidden {
				return "", fmt.Errorf("%w: github app: installation %d refused a token: %d: check %s and %s", forge.ErrAuth, i.ID, code, IDEnv, KeyEnv)
			}
			return "", fmt.Errorf("github app: installation %d token: %d %s", i.ID, he.Response.StatusCode, http.StatusText(he.Response.StatusCode))
		}
		return "", fmt.Errorf("github app: installation %d token: %w", i.ID, err)
	}
	return tok, nil
}

// Token is the installation as a forge.Token: Refresh yields a valid token on every call.
func (i *Installation) ForgeToken() forge.Token {
	return forge.Token{Source: Source, Refresh: i}
}
