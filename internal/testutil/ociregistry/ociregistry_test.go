package ociregistry

import (
	"net/http"
	"testing"
)

func get(t *testing.T, url, user, pass string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServer(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{User: "u", Password: "p"})
	if d := s.Push(t, "team/api", "v1"); len(d) != len("sha256:")+64 {
		t.Errorf("digest %q", d)
	}
	if d := s.PushIndex(t, "team/api", "v2", 2); len(d) != len("sha256:")+64 {
		t.Errorf("index digest %q", d)
	}
	url := "http://" + s.Host + "/v2/team/api/manifests/v1"
	if code := get(t, url, "u", "p"); code != http.StatusOK {
		t.Errorf("good credentials: %d", code)
	}
	before := s.Refused() // pushes ping without credentials first
	if code := get(t, url, "u", "wrong"); code != http.StatusUnauthorized || s.Refused() != before+1 {
		t.Errorf("wrong credentials: %d, refused %d more", code, s.Refused()-before)
	}
	s.Fail(http.StatusServiceUnavailable, 2, "")
	for range 2 {
		if code := get(t, url, "u", "p"); code != http.StatusServiceUnavailable {
			t.Errorf("injected failure: %d", code)
		}
	}
	if code := get(t, url, "u", "p"); code != http.StatusOK {
		t.Errorf("after the failures: %d", code)
	}
	s.Close()
	if _, err := http.Get(url); err == nil {
		t.Error("closed server still answers")
	}
}
