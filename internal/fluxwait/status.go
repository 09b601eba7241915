package fluxwait

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// failureReasons are the Ready=False reasons after which Flux will not get there by itself.
var failureReasons = map[string]bool{
	"HealthCheckFailed":    true,
	"ReconciliationFailed": true,
	"ArtifactFailed":       true,
	"BuildFailed":          true,
	"InstallFailed":        true,
	"UpgradeFailed":        true,
}

// Condition is one entry of status.conditions.
type Condition struct {
	Status, Reason, Message string
}

// State is what a Flux Kustomization or HelmRelease reports: the part the waiter and
// `gito status --live` read.
type State struct {
	LastAppliedRevision   string
	LastAttemptedRevision string
	Ready, Stalled        *Condition
	// ChartVersion is status.history[0].chartVersion (a HelmRelease).
	ChartVersion string
}

// ReadState reads an object's status.
func ReadState(obj *unstructured.Unstructured) State {
	var st State
	st.LastAppliedRevision, _, _ = unstructured.NestedString(obj.Object, "status", "lastAppliedRevision")
	st.LastAttemptedRevision, _, _ = unstructured.NestedString(obj.Object, "status", "lastAttemptedRevision")
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		cond := &Condition{Status: str(m["status"]), Reason: str(m["reason"]), Message: oneLine(str(m["message"]))}
		switch str(m["type"]) {
		case "Ready":
			st.Ready = cond
		case "Stalled":
			st.Stalled = cond
		}
	}
	if hist, _, _ := unstructured.NestedSlice(obj.Object, "status", "history"); len(hist) > 0 {
		if m, ok := hist[0].(map[string]any); ok {
			st.ChartVersion = str(m["chartVersion"])
		}
	}
	return st
}

// ReadyStatus is Ready's status: True, False or Unknown.
func (s State) ReadyStatus() string {
	if s.Ready == nil || s.Ready.Status == "" {
		return "Unknown"
	}
	return s.Ready.Status
}

// IsReady reports Ready=True.
func (s State) IsReady() bool { return s.Ready != nil && s.Ready.Status == "True" }

// IsStalled reports Stalled=True.
func (s State) IsStalled() bool { return s.Stalled != nil && s.Stalled.Status == "True" }

// Failed reports Ready=False with a reason Flux gives up on.
func (s State) Failed() bool {
	return s.Ready != nil && s.Ready.Status == "False" && failureReasons[s.Ready.Reason]
}

// Describe is one line for progress and timeouts: "Ready=False (Progressing): message".
func (s State) Describe() string {
	if s.Ready == nil {
		return "not reconciled yet"
	}
	out := "Ready=" + s.ReadyStatus()
	if s.Ready.Reason != "" {
		out += " (" + s.Ready.Reason + ")"
	}
	if s.Ready.Message != "" {
		out += ": " + s.Ready.Message
	}
	return out
}

// RevisionCommit is the commit a Flux source revision names: "main@sha1:<sha>" (Flux 2.1
// and later), "main/<sha>" (older), or a bare "sha1:<sha>"/"<sha>". "" when it names none.
func RevisionCommit(rev string) string {
	if _, after, ok := strings.Cut(rev, "@"); ok {
		rev = after
	} else if i := strings.LastIndex(rev, "/"); i >= 0 {
		rev = rev[i+1:]
	}
	if _, after, ok := strings.Cut(rev, ":"); ok {
		rev = after
	}
	if len(rev) < 7 || strings.Trim(strings.ToLower(rev), "0123456789abcdef") != "" {
		return ""
	}
	return strings.ToLower(rev)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
