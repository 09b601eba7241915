// Package fakekube is a stateful stand-in for a Kubernetes API server that serves Flux's
// Kustomization and HelmRelease, on a loopback port with TLS. It answers discovery, get,
// list and watch with resourceVersions as the API server does (a watch from a compacted
// resourceVersion gets 410 Gone), refuses a wrong credential with 401 and a forbidden object
// with 403, and accepts bearer tokens (an exec credential plugin's too) and client
// certificates issued by its own CA. State changes only when the test says so, never on a
// timer. It is safe for concurrent use.
package fakekube

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kind is one of the two Flux kinds the fake serves.
type Kind struct {
	Group, Version, Resource, Name string
}

// The kinds, as Flux's CRDs define them.
var (
	Kustomization = Kind{"kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization"}
	HelmRelease   = Kind{"helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease"}
	kinds         = []Kind{Kustomization, HelmRelease}
)

// KindNamed returns the kind of a name ("Kustomization", "HelmRelease").
func KindNamed(name string) (Kind, bool) {
	for _, k := range kinds {
		if strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return Kind{}, false
}

// Condition is one of status.conditions.
type Condition struct {
	Type, Status, Reason, Message string
}

// Object is the state of one Flux object the tests set.
type Object struct {
	LastAppliedRevision   string // status.lastAppliedRevision
	LastAttemptedRevision string // status.lastAttemptedRevision
	Conditions            []Condition
	ChartVersion          string // status.history[0].chartVersion (a HelmRelease)
	Forbidden             bool   // the credential may not read it: 403
}

// SetCondition adds or replaces the condition of c's type.
func (o *Object) SetCondition(c Condition) {
	for i := range o.Conditions {
		if o.Conditions[i].Type == c.Type {
			o.Conditions[i] = c
			return
		}
	}
	o.Conditions = append(o.Conditions, c)
}

type key struct {
	kind            Kind
	namespace, name string
}

type event struct {
	rv  int64
	typ string
	key key
	obj map[string]any // nil for a deletion's last state
}

// Server is a running fake.
type Server struct {
	URL string
	// CAData is the PEM of the server's certificate, for a kubeconfig's
	// certificate-authority-data.
	CAData []byte

	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey

	mu          sync.Mutex
	tokens      map[string]bool
	certNames   map[string]bool
	objects     map[key]Object
	rv          int64
	events      []event
	compactedTo int64 // watches from a resourceVersion below this get 410 Gone
	watchEnd    chan struct{}
	watchGone   chan struct{}
	credentials map[string]bool // every Authorization value and client cert name seen
	reads       map[string]int  // "kind ns/name" → list, get and watch requests
	watches     int
	redirect    string
	noWatch     bool
	changed     chan struct{}
}

// New starts a fake on 127.0.0.1 with TLS, and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		tokens: map[string]bool{}, certNames: map[string]bool{}, objects: map[key]Object{},
		credentials: map[string]bool{}, reads: map[string]int{}, rv: 100,
		watchEnd: make(chan struct{}), watchGone: make(chan struct{}), changed: make(chan struct{}),
	}
	s.caKey, s.caCert = newCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(s.caCert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	srv.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(func() {
		s.CloseWatches()
		srv.Close()
	})
	s.URL = srv.URL
	s.CAData = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return s
}

// AcceptToken makes tok a valid bearer token.
func (s *Server) AcceptToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = true
}

// IssueClientCert returns a client certificate and key (PEM) for user, signed by the fake's
// CA and accepted by it.
func (s *Server) IssueClientCert(t testing.TB, user string) (certPEM, keyPEM []byte) {
	t.Helper()
	s.mu.Lock()
	s.certNames[user] = true
	s.mu.Unlock()
	return issue(t, s.caCert, s.caKey, user)
}

// Set creates or changes an object: change edits its state (a new object starts empty),
// and every change is a new resourceVersion that watches see.
func (s *Server) Set(kind Kind, namespace, name string, change func(*Object)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{kind, namespace, name}
	o, existed := s.objects[k]
	change(&o)
	s.objects[k] = o
	s.rv++
	typ := "MODIFIED"
	if !existed {
		typ = "ADDED"
	}
	s.events = append(s.events, event{rv: s.rv, typ: typ, key: k, obj: s.render(k, o, s.rv)})
	s.notify()
}

// Get returns an object's state.
func (s *Server) Get(kind Kind, namespace, name string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key{kind, namespace, name}]
	return o, ok
}

// Compact forgets every event so far, as etcd compaction does: open watches end with 410
// Gone, and so does a watch from any resourceVersion seen until now.
func (s *Server) Compact() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.compactedTo = s.rv + 1
	s.events = nil
	close(s.watchGone)
	s.watchGone = make(chan struct{})
	s.notify()
}

// CloseWatches ends every open watch cleanly, as an API server does when a watch's time
// is up; the client reconnects from the last resourceVersion it saw.
func (s *Server) CloseWatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.watchEnd)
	s.watchEnd = make(chan struct{})
}

// RefuseWatch answers watches with 405, as a proxy in front of some clusters does, so a
// client must poll.
func (s *Server) RefuseWatch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noWatch = true
}

// Redirect answers every request with a redirect to url (to prove the client does not
// follow it with its credential).
func (s *Server) Redirect(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirect = url
}

// SawCredential reports whether any request presented secret (a bearer token, or a client
// certificate's user name), accepted or not.
func (s *Server) SawCredential(secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.credentials[secret]
}

// Reads counts the list, get and watch requests for one object ("Kustomization ns/name").
func (s *Server) Reads(kind Kind, namespace, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[readKey(kind, namespace, name)]
}

// AwaitReads blocks until the object has been read at least n times, or ctx ends.
func (s *Server) AwaitReads(ctx context.Context, kind Kind, namespace, name string, n int) error {
	return s.await(ctx, func() bool { return s.reads[readKey(kind, namespace, name)] >= n },
		func() string {
			return fmt.Sprintf("%s read %d times, want %d", readKey(kind, namespace, name), s.reads[readKey(kind, namespace, name)], n)
		})
}

// AwaitWatches blocks until at least n watches have been opened, or ctx ends.
func (s *Server) AwaitWatches(ctx context.Context, n int) error {
	return s.await(ctx, func() bool { return s.watches >= n },
		func() string { return fmt.Sprintf("%d watches opened, want %d", s.watches, n) })
}

func (s *Server) await(ctx context.Context, done func() bool, say func() string) error {
	for {
		s.mu.Lock()
		ok, ch := done(), s.changed
		msg := say()
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fakekube: %s: %w", msg, ctx.Err())
		case <-ch:
		}
	}
}

func readKey(kind Kind, namespace, name string) string {
	return kind.Name + " " + namespace + "/" + name
}

// notify wakes watches and awaits; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) render(k key, o Object, rv int64) map[string]any {
	conds := []any{}
	for _, c := range o.Conditions {
		conds = append(conds, map[string]any{
			"type": c.Type, "status": c.Status, "reason": c.Reason, "message": c.Message,
			"lastTransitionTime": "2026-01-01T00:00:00Z",
		})
	}
	status := map[string]any{"conditions": conds, "observedGeneration": 1}
	if o.LastAppliedRevision != "" {
		status["lastAppliedRevision"] = o.LastAppliedRevision
	}
	if o.LastAttemptedRevision != "" {
		status["lastAttemptedRevision"] = o.LastAttemptedRevision
	}
	if o.ChartVersion != "" {
		status["history"] = []any{map[string]any{"chartVersion": o.ChartVersion, "status": "deployed"}}
	}
	return map[string]any{
		"apiVersion": k.kind.Group + "/" + k.kind.Version,
		"kind":       k.kind.Name,
		"metadata": map[string]any{
			"name": k.name, "namespace": k.namespace, "generation": 1,
			"resourceVersion": strconv.FormatInt(rv, 10),
			"uid":             fmt.Sprintf("uid-%s-%s", k.namespace, k.name),
		},
		"spec":   map[string]any{},
		"status": status,
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	redirect := s.redirect
	ok := s.authenticate(r)
	s.notify()
	s.mu.Unlock()
	if redirect != "" {
		http.Redirect(w, r, redirect+r.URL.Path, http.StatusFound)
		return
	}
	if !ok {
		writeStatus(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized")
		return
	}
	if r.Method != http.MethodGet {
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource")
		return
	}
	path := strings.Trim(r.URL.Path, "/")
	switch {
	case path == "api":
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []any{map[string]any{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}}})
		return
	case path == "apis":
		writeJSON(w, http.StatusOK, groupList())
		return
	}
	parts := strings.Split(path, "/")
	if len(parts) < 3 || parts[0] != "apis" {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
		return
	}
	kind, found := Kind{}, false
	for _, k := range kinds {
		if parts[1] == k.Group && parts[2] == k.Version {
			kind, found = k, true
		}
	}
	if !found {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
		return
	}
	switch {
	case len(parts) == 3:
		writeJSON(w, http.StatusOK, resourceList(kind))
	case len(parts) == 6 && parts[3] == "namespaces" && parts[5] == kind.Resource:
		s.collection(w, r, kind, parts[4])
	case len(parts) == 7 && parts[3] == "namespaces" && parts[5] == kind.Resource:
		s.get(w, kind, parts[4], parts[6])
	default:
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
	}
}

// authenticate accepts a verified client certificate of an issued user, or a known bearer
// token; s.mu is held.
func (s *Server) authenticate(r *http.Request) bool {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		user := r.TLS.PeerCertificates[0].Subject.CommonName
		s.credentials[user] = true
		return s.certNames[user]
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return false
	}
	scheme, tok, _ := strings.Cut(h, " ")
	s.credentials[tok] = true
	return strings.EqualFold(scheme, "Bearer") && s.tokens[tok]
}

func (s *Server) get(w http.ResponseWriter, kind Kind, ns, name string) {
	s.mu.Lock()
	s.reads[readKey(kind, ns, name)]++
	k := key{kind, ns, name}
	o, ok := s.objects[k]
	obj := s.render(k, o, s.rv)
	s.mu.Unlock()
	switch {
	case !ok:
		writeNotFound(w, kind, name)
	case o.Forbidden:
		writeForbidden(w, kind, ns, name)
	default:
		writeJSON(w, http.StatusOK, obj)
	}
}

// collection lists or watches one namespace's objects of a kind; only the field selector
// metadata.name=NAME is understood (it is all a client following one object sends).
func (s *Server) collection(w http.ResponseWriter, r *http.Request, kind Kind, ns string) {
	q := r.URL.Query()
	name := ""
	if sel := q.Get("fieldSelector"); sel != "" {
		n, ok := strings.CutPrefix(sel, "metadata.name=")
		if !ok || strings.Contains(n, ",") {
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("fakekube: unsupported field selector %q", sel))
			return
		}
		name = n
	}
	if name == "" {
		writeStatus(w, http.StatusBadRequest, "BadRequest", "fakekube: a list or watch needs fieldSelector=metadata.name=NAME")
		return
	}
	k := key{kind, ns, name}
	s.mu.Lock()
	s.reads[readKey(kind, ns, name)]++
	o, exists := s.objects[k]
	if exists && o.Forbidden {
		s.mu.Unlock()
		writeForbidden(w, kind, ns, name)
		return
	}
	if (q.Get("watch") == "true" || q.Get("watch") == "1") && s.noWatch {
		s.mu.Unlock()
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource")
		return
	}
	if q.Get("watch") == "true" || q.Get("watch") == "1" {
		s.watches++
		s.notify()
		// The watch is open from here on: a CloseWatches or Compact after its count ends it.
		end, gone := s.watchEnd, s.watchGone
		s.mu.Unlock()
		s.watch(w, r, k, q.Get("resourceVersion"), end, gone)
		return
	}
	items := []any{}
	if exists {
		items = append(items, s.render(k, o, s.rv))
	}
	rv := s.rv
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"apiVersion": kind.Group + "/" + kind.Version, "kind": kind.Name + "List",
		"metadata": map[string]any{"resourceVersion": strconv.FormatInt(rv, 10)},
		"items":    items,
	})
}

// watch streams the object's events after resourceVersion from, then live ones, until the
// client goes, the test closes watches, or a compaction makes the watch expire.
func (s *Server) watch(w http.ResponseWriter, r *http.Request, k key, from string, end, gone <-chan struct{}) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Transfer-Encoding", "chunked")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	enc := json.NewEncoder(w)
	var since int64
	s.mu.Lock()
	if from == "" || from == "0" {
		// No resourceVersion: the current state first, as a synthetic ADDED.
		if o, ok := s.objects[k]; ok {
			_ = enc.Encode(map[string]any{"type": "ADDED", "object": s.render(k, o, s.rv)})
		}
		since = s.rv
	} else {
		n, err := strconv.ParseInt(from, 10, 64)
		if err != nil || n+1 < s.compactedTo {
			s.mu.Unlock()
			_ = enc.Encode(goneEvent(from, s.rv))
			return
		}
		since = n
	}
	s.mu.Unlock()
	flusher.Flush()
	for {
		s.mu.Lock()
		var out []event
		for _, e := range s.events {
			if e.rv > since && e.key == k {
				out = append(out, e)
			}
		}
		if len(s.events) > 0 {
			since = max(since, s.events[len(s.events)-1].rv)
		}
		changed := s.changed
		s.mu.Unlock()
		for _, e := range out {
			if err := enc.Encode(map[string]any{"type": e.typ, "object": e.obj}); err != nil {
				return
			}
		}
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-end:
			return
		case <-gone:
			_ = enc.Encode(goneEvent(strconv.FormatInt(since, 10), since))
			flusher.Flush()
			return
		case <-changed:
		}
	}
}

func goneEvent(from string, now int64) map[string]any {
	return map[string]any{"type": "ERROR", "object": statusBody(http.StatusGone, "Expired",
		fmt.Sprintf("too old resource version: %s (%d)", from, now))}
}

func groupList() map[string]any {
	groups := []any{}
	for _, k := range kinds {
		gv := map[string]any{"groupVersion": k.Group + "/" + k.Version, "version": k.Version}
		groups = append(groups, map[string]any{"name": k.Group, "versions": []any{gv}, "preferredVersion": gv})
	}
	return map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
}

func resourceList(k Kind) map[string]any {
	return map[string]any{
		"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": k.Group + "/" + k.Version,
		"resources": []any{map[string]any{
			"name": k.Resource, "singularName": strings.ToLower(k.Name), "namespaced": true, "kind": k.Name,
			"verbs": []string{"get", "list", "watch", "create", "update", "patch", "delete"},
		}},
	}
}

func statusBody(code int, reason, msg string) map[string]any {
	return map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": msg, "reason": reason, "code": code}
}

func writeStatus(w http.ResponseWriter, code int, reason, msg string) {
	writeJSON(w, code, statusBody(code, reason, msg))
}

func writeNotFound(w http.ResponseWriter, k Kind, name string) {
	writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("%s.%s %q not found", k.Resource, k.Group, name))
}

func writeForbidden(w http.ResponseWriter, k Kind, ns, name string) {
	writeStatus(w, http.StatusForbidden, "Forbidden", fmt.Sprintf(
		"%s.%s %q is forbidden: User cannot get resource %q in API group %q in the namespace %q",
		k.Resource, k.Group, name, k.Resource, k.Group, ns))
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func newCA(t testing.TB) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fakekube-client-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func issue(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, user string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: user},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}
