package plugingen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
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
		Parameters map[string]any `json:"parameters"`
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
	var req request
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxBody))
			return
		}
		writeError(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return
	}
	if _, err := io.Copy(io.Discard, body); err != nil { // trailing data counts against the cap too
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxBody))
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

// filterOf reads the optional service, env and branch input parameters; others are the
// ApplicationSet's own business and ignored.
func filterOf(params map[string]any) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range []string{"service", "env", "branch"} {
		v, ok := params[k]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("input parameter %q must be a string", k)
		}
		out[k] = s
	}
	return out, nil
}

func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is ready once a first snapshot is loaded, and stays ready (200) while a failing
// refresh serves the last one: Argo CD is better off with a stale answer than none. The body
// says which.
func (h *Handler) readyz(w http.ResponseWriter, _ *http.Request) {
	snap := h.Store.Snapshot()
	if snap == nil {
		body := map[string]any{"status": "loading"}
		if err := h.Store.Err(); err != nil {
			body["error"] = err.Error()
		}
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	age := h.Now().Sub(snap.LoadedAt)
	body := map[string]any{"status": "ready", "commit": snap.Commit, "snapshotAgeSeconds": int(age.Seconds())}
	if err := h.Store.Err(); err != nil {
		body["status"], body["error"] = "stale", err.Error()
	} else if h.StaleAfter > 0 && age > h.StaleAfter {
		body["status"] = "stale"
	}
	writeJSON(w, http.StatusOK, body)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
