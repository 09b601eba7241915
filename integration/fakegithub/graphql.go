package fakegithub

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
)

var (
	prIDArg     = regexp.MustCompile(`pullRequestId\s*:\s*(?:\$(\w+)|"([^"]*)")`)
	mergeMethod = regexp.MustCompile(`mergeMethod\s*:\s*(?:\$(\w+)|(\w+))`)
)

// graphqlLocked answers the one mutation gito sends. GraphQL reports most failures as
// 200 with an "errors" array, so clients must read it.
func (s *Server) graphqlLocked(body []byte) reply {
	var in struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Query == "" {
		return message(http.StatusBadRequest, "Problems parsing JSON")
	}
	if !strings.Contains(in.Query, "enablePullRequestAutoMerge") {
		return gqlError("", "fakegithub supports only the enablePullRequestAutoMerge mutation")
	}
	id, ok := argument(prIDArg, in.Query, in.Variables)
	if !ok {
		return gqlError("", "Argument 'pullRequestId' on InputObject 'EnablePullRequestAutoMergeInput' is required.")
	}
	method, ok := argument(mergeMethod, in.Query, in.Variables)
	if ok && method != "MERGE" && method != "SQUASH" && method != "REBASE" {
		return gqlError("", "Argument 'mergeMethod' has an invalid value ("+method+").")
	}
	var pr *PR
	for _, p := range s.prs {
		if p.NodeID == id {
			pr = p
		}
	}
	switch {
	case pr == nil:
		return gqlError("NOT_FOUND", "Could not resolve to a node with the global id of '"+id+"'.")
	case s.opts.DisallowAutoMerge:
		return gqlError("UNPROCESSABLE", "Auto merge is not allowed for this repository")
	case pr.State != "open":
		return gqlError("UNPROCESSABLE", "Pull request is not in the correct state to enable auto-merge")
	}
	pr.AutoMerge = true
	pr.MergeMethod = method
	return jsonReply(http.StatusOK, map[string]any{"data": map[string]any{
		"enablePullRequestAutoMerge": map[string]any{"pullRequest": map[string]any{
			"number": pr.Number,
			"autoMergeRequest": map[string]any{
				"enabledAt":   time.Now().UTC().Format(time.RFC3339),
				"mergeMethod": method,
			},
		}},
	}})
}

// argument reads an input field given inline ("X") or through a $variable.
func argument(re *regexp.Regexp, query string, vars map[string]any) (string, bool) {
	m := re.FindStringSubmatch(query)
	if m == nil {
		return "", false
	}
	if m[1] == "" {
		return m[2], true
	}
	v, ok := vars[m[1]].(string)
	return v, ok
}

func gqlError(typ, msg string) reply {
	e := map[string]any{"message": msg}
	if typ != "" {
		e["type"] = typ
		e["path"] = []string{"enablePullRequestAutoMerge"}
	}
	return jsonReply(http.StatusOK, map[string]any{"data": map[string]any{"enablePullRequestAutoMerge": nil}, "errors": []any{e}})
}
