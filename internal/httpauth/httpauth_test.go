package httpauth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/httpauth"
)

func TestOrigin(t *testing.T) {
	t.Parallel()
	same := []string{"https://Forge.Example", "https://forge.example:443/api/v3/", "HTTPS://forge.example/x?y"}
	want, _ := httpauth.ParseOrigin("https://forge.example")
	for _, s := range same {
		if got, err := httpauth.ParseOrigin(s); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	differ := []string{"http://forge.example", "https://forge.example:8443", "https://api.forge.example", "http://forge.example:443"}
	for _, s := range differ {
		if got, _ := httpauth.ParseOrigin(s); got == want {
			t.Errorf("ParseOrigin(%q) = %v, the same origin as https://forge.example", s, got)
		}
	}
	for s, str := range map[string]string{"https://h:443/": "https://h", "http://h:8080": "http://h:8080", "http://[::1]:80": "http://[::1]", "https://[::1]:8443/": "https://[::1]:8443"} {
		if o, _ := httpauth.ParseOrigin(s); o.String() != str {
			t.Errorf("ParseOrigin(%q).String() = %q, want %q", s, o, str)
		}
	}
	for _, bad := range []string{"", "ftp://h", "//h", "https://"} {
		if _, err := httpauth.ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) accepted", bad)
		}
	}
}

// recorder answers every request: a redirect to next (when set) once, else 200.
type recorder struct {
	next  string
	seen  []*http.Request
	moved bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.seen = append(r.seen, req)
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: req}
	if r.next != "" && !r.moved {
		r.moved = true
		resp.StatusCode = http.StatusTemporaryRedirect
		resp.Header.Set("Location", r.next)
	}
	return resp, nil
}

func client(rec *recorder, origin string) *http.Client {
	o, _ := httpauth.ParseOrigin(origin)
	return &http.Client{Transport: httpauth.NewTransport(rec, httpauth.Options{
		Origin: o,
		Attach: func(r *http.Request) error { r.Header.Set("Authorization", "Bearer s3cret"); return nil },
		Strip:  httpauth.CredentialHeaders,
	})}
}

func TestCredentialOnlyToItsOrigin(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := client(rec, "https://forge.example")
	for _, u := range []string{"https://forge.example/a", "http://forge.example/a", "https://forge.example:8443/a", "https://evil.example/a"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Private-Token", "set-by-an-sdk")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for i, r := range rec.seen {
		hasAuth := r.Header.Get("Authorization") != "" || r.Header.Get("Private-Token") != ""
		if hasAuth != (i == 0) {
			t.Errorf("%s: credential sent = %t, want %t", r.URL, hasAuth, i == 0)
		}
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	// A redirect inside the origin keeps the credential; any other is refused before a byte
	// is sent to the new origin.
	rec := &recorder{next: "https://forge.example:443/moved"}
	resp, err := client(rec, "https://forge.example").Get("https://forge.example/old")
	if err != nil {
		t.Fatalf("same-origin redirect: %v", err)
	}
	resp.Body.Close()
	if len(rec.seen) != 2 || rec.seen[1].Header.Get("Authorization") == "" {
		t.Errorf("same-origin redirect: %d requests, credential on the second: %q", len(rec.seen), rec.seen[len(rec.seen)-1].Header.Get("Authorization"))
	}
	for _, next := range []string{"http://forge.example/moved", "https://forge.example:8443/moved", "https://other.example/moved"} {
		rec := &recorder{next: next}
		_, err := client(rec, "https://forge.example").Get("https://forge.example/old")
		var re *httpauth.RedirectError
		if !errors.As(err, &re) || re.Status != http.StatusTemporaryRedirect {
			t.Fatalf("redirect to %s: err = %v, want a RedirectError", next, err)
		}
		to, _ := url.Parse(next)
		if re.To != httpauth.OriginOf(to) || !strings.Contains(err.Error(), "https://forge.example redirected to "+re.To.String()+" (307)") {
			t.Errorf("redirect to %s: %v", next, err)
		}
		if len(rec.seen) != 1 {
			t.Errorf("redirect to %s was followed", next)
		}
	}
}
