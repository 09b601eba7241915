package plugingen

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are registered on a registry of the server's own (no global state), through
// client_golang's middleware rather than hand-written exposition text.
type metrics struct {
	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	refreshFailures prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, store *Store, now func() time.Time) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gito_serve_requests_total", Help: "HTTP requests by handler, method and status code.",
		}, []string{"handler", "code", "method"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gito_serve_request_duration_seconds", Help: "HTTP request latency by handler.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"handler", "code", "method"}),
		refreshFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gito_serve_refresh_failures_total", Help: "Refreshes of the infra repo snapshot that failed.",
		}),
	}
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gito_serve_snapshot_age_seconds", Help: "Age of the snapshot requests are answered from (-1 before the first).",
	}, func() float64 {
		snap := store.Snapshot()
		if snap == nil {
			return -1
		}
		return now().Sub(snap.LoadedAt).Seconds()
	})
	reg.MustRegister(m.requests, m.duration, m.refreshFailures, age,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) instrument(name string, h http.Handler) http.Handler {
	labels := prometheus.Labels{"handler": name}
	return promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(labels),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(labels), h))
}
