package fakegitlab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params holds a request's parameters; GitLab takes them as JSON or as a form.
type params map[string]any

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	return io.ReadAll(io.LimitReader(r.Body, 1<<20))
}

func parseParams(body []byte, contentType string) (params, error) {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	in := params{}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	if mediaType == "application/json" {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&in); err != nil {
			return nil, errors.New("400 Bad request - body is not valid JSON")
		}
		return in, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errors.New("400 Bad request - body is not a valid form")
	}
	for k, vs := range form {
		k = strings.TrimSuffix(k, "[]")
		if len(vs) == 1 {
			in[k] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, v := range vs {
			list[i] = v
		}
		in[k] = list
	}
	return in, nil
}

func (in params) has(key string) bool {
	_, ok := in[key]
	return ok
}

func (in params) str(key string) (string, bool) {
	v, ok := in[key]
	if !ok || v == nil {
		return "", false
	}
	return fmt.Sprint(v), true
}

func (in params) boolean(key string) bool {
	v, _ := in.str(key)
	b, _ := strconv.ParseBool(v)
	return b
}

// list reads a comma-separated string or an array, as GitLab does for labels.
func (in params) list(key string) ([]string, bool) {
	v, ok := in[key]
	if !ok || v == nil {
		return nil, false
	}
	var out []string
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			out = append(out, strings.Split(fmt.Sprint(e), ",")...)
		}
	default:
		out = strings.Split(fmt.Sprint(v), ",")
	}
	return out, true
}

func (in params) ints(key string) ([]int, bool) {
	items, ok := in.list(key)
	if !ok {
		return nil, false
	}
	var out []int
	for _, s := range items {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			out = append(out, n)
		}
	}
	return out, true
}

func writeJSON(w http.ResponseWriter, status int, header http.Header, body any) {
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
