package plugingen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Path is the one endpoint of the plugin generator protocol.
const Path = "/api/v1/getparams.execute"

// MaxBody caps request bodies: a real request is a few hundred bytes.
const MaxBody = 1 << 20

// Limits on the input parameters. service, env and branch are names (a branch is
// gito/{env}/{service}); the others are the ApplicationSet's own business, only bounded.
const (
	maxFilterParam = 256      // bytes of a service, env or branch value
	maxParam       = 16 << 10 // bytes of any one parameter's JSON value
	maxParams      = 64 << 10 // bytes of all the parameters' JSON
)

// Handler serves the protocol, /healthz, /readyz and /metrics.
type Handler struct {
	Store *Store
	Token *TokenFile
	Log   *slog.Logger
	// StaleAfter is how old a snapshot may get before /readyz calls it stale even without a
	// failed refresh (a refresh loop that hangs).
	StaleAfter time.Duration
	Now        func() time.Time
}

// request is what Argo CD posts.
type request struct {
	ApplicationSetName string `json:"applicationSetName"`
	Input              struct {
		Parameters map[string]json.RawMessage `json:"parameters"`
	} `json:"input"`
}

type response struct {
	Output struct {
		Parameters []Param `json:"parameters"`
	} `json:"output"`
}

// New builds the HTTP handler with its metrics registered on reg.
func (h *Handler) New(reg *prometheus.Registry) http.Handler {
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	m := newMetrics(reg, h.Store, h.Now)
	h.Store.onFail = m.refreshFailures.Inc
	h.Store.now = h.Now
	mux := http.NewServeMux()
	mux.Handle(Path, m.instrument("getparams", http.HandlerFunc(h.getParams)))
	mux.Handle("/healthz", m.instrument("healthz", http.HandlerFunc(h.healthz)))
	mux.Handle("/readyz", m.instrument("readyz", http.HandlerFunc(h.readyz)))
	mux.Handle("/metrics", m.instrument("metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	mux.Handle("/", m.instrument("other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path+" (the plugin generator answers POST "+Path+")")
	})))
	return mux
}

func (h *Handler) getParams(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use POST")
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !h.Token.Check(token) {
		h.Log.Warn("refused request: wrong or missing bearer token", "remote", r.RemoteAddr)
		writeError(w, http.StatusForbidden, "wrong or missing bearer token")
		return
	}
	if !acceptedType(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "request body must be application/json")
		return
	}
	req, code, msg := decodeRequest(http.MaxBytesReader(w, r.Body, MaxBody))
	if code != 0 {
		writeError(w, code, msg)
		return
	}
	filter, err := filterOf(req.Input.Parameters)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	snap := h.Store.Snapshot()
	if snap == nil {
		writeError(w, http.StatusServiceUnavailable, "no snapshot of the infra repo loaded yet")
		return
	}
	answer, err := snap.Answer(filter["service"], filter["env"], filter["branch"])
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode answer: "+err.Error())
		return
	}
	h.Log.Debug("answered", "applicationSet", req.ApplicationSetName, "filter", filter)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(answer)
}

// acceptedType admits JSON, no type, and curl -d's form type (the protocol's documented curl
// example sends its JSON that way); anything else is refused rather than guessed at.
func acceptedType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "application/x-www-form-urlencoded"
}

// decodeRequest reads one JSON object and nothing after it but white space. A failure is a
// status code and a message that quotes nothing of the connection.
func decodeRequest(body io.Reader) (req request, code int, msg string) {
	dec := json.NewDecoder(body)
	if err := dec.Decode(&req); err != nil {
		code, msg = bodyError(err, "malformed JSON body: ")
		return req, code, msg
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		code, msg = bodyError(err, "")
		return req, code, msg
	}
	return req, 0, ""
}

// bodyError classifies a failed read of the body. JSON errors say where the syntax broke;
// read errors are named by kind only, as their text carries the socket addresses. prefix ""
// means the body held a complete object before the error.
func bodyError(err error, prefix string) (int, string) {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxBody)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout, "request body not received in time: send it at once, with the headers"
	case prefix == "" && (err == nil || errors.As(err, &syntax) || errors.As(err, &typ)):
		return http.StatusBadRequest, "trailing data after the JSON object"
	case errors.As(err, &syntax), errors.As(err, &typ), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return http.StatusBadRequest, prefix + err.Error()
	default:
		return http.StatusBadRequest, "could not read the request body"
	}
}

// filterOf reads the optional service, env and branch input parameters after bounding every
// parameter's size; the others are the ApplicationSet's own business and ignored.
func filterOf(params map[string]json.RawMessage) (map[string]string, error) {
	total := 0
	for _, k := range slices.Sorted(maps.Keys(params)) {
		n := len(params[k])
		if n > maxParam {
			return nil, fmt.Errorf("input parameter %q is %d bytes, over the %d-byte limit", truncate(k), n, maxParam)
		}
		total += len(k) + n
	}
	if total > maxParams {
		return nil, fmt.Errorf("input parameters are %d bytes in all, over the %d-byte limit", total, maxParams)
	}
	out := map[string]string{}
	for _, k := range []string{"service", "env", "branch"} {
		raw, ok := params[k]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("input parameter %q must be a string", k)
		}
		if len(s) > maxFilterParam {
			return nil, fmt.Errorf("input parameter %q is %d bytes, over the %d-byte limit of a name", k, len(s), maxFilterParam)
		}
		out[k] = s
	}
	return out, nil
}

// truncate shortens a client-chosen name for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is ready once a first snapshot is loaded, and stays ready (200) while a failing
// refresh serves the last one: Argo CD is better off with a stale answer than none. The body
// says which, and when stale, why: the last refresh's error and for how long refreshes have
// failed, or how long the refresh in flight has been running.
func (h *Handler) readyz(w http.ResponseWriter, _ *http.Request) {
	snap, st, now := h.Store.Snapshot(), h.Store.Status(), h.Now()
	body := map[string]any{}
	if !st.RunningSince.IsZero() {
		body["refreshRunningSeconds"] = int(now.Sub(st.RunningSince).Seconds())
	}
	if st.Err != nil {
		body["error"] = st.Err.Error()
		body["failingForSeconds"] = int(now.Sub(st.FailingSince).Seconds())
	}
	if snap == nil {
		body["status"] = "loading"
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	age := now.Sub(snap.LoadedAt)
	body["status"], body["commit"], body["snapshotAgeSeconds"] = "ready", snap.Commit, int(age.Seconds())
	switch {
	case st.Err != nil:
		body["status"] = "stale"
		body["reason"] = fmt.Sprintf("refreshes have failed for %s; the last one: %v", seconds(now.Sub(st.FailingSince)), st.Err)
	case h.StaleAfter > 0 && age > h.StaleAfter:
		body["status"] = "stale"
		body["reason"] = fmt.Sprintf("no refresh has completed for %s", seconds(age))
		if !st.RunningSince.IsZero() {
			body["reason"] = fmt.Sprintf("no refresh has completed for %s; the one running started %s ago", seconds(age), seconds(now.Sub(st.RunningSince)))
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func seconds(d time.Duration) string { return d.Truncate(time.Second).String() }

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
