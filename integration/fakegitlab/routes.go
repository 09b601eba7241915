package fakegitlab

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

type reply struct {
	status int
	header http.Header
	body   any
}

func errorReply(status int, key string, msg any) reply {
	return reply{status: status, body: map[string]any{key: msg}}
}

var (
	routeNotFound   = errorReply(http.StatusNotFound, "error", "404 Not Found")
	methodNotFound  = errorReply(http.StatusMethodNotAllowed, "error", "405 Not Allowed")
	projectNotFound = errorReply(http.StatusNotFound, "message", "404 Project Not Found")
	mrNotFound      = errorReply(http.StatusNotFound, "message", "404 Not found")
	userNotFound    = errorReply(http.StatusNotFound, "message", "404 User Not Found")
)

// route dispatches on the escaped path split at its raw slashes, so an unencoded project path
// ("/projects/group/sub/infra") falls through to a 404 exactly as on GitLab.
func (s *Server) route(method, rel string, query url.Values, body []byte, contentType string) (int, http.Header, any) {
	segs := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	for i, seg := range segs {
		un, err := url.PathUnescape(seg)
		if err != nil {
			return routeNotFound.status, nil, routeNotFound.body
		}
		segs[i] = un
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.dispatch(method, segs, query, func() (params, error) { return parseParams(body, contentType) })
	return r.status, r.header, r.body
}

func (s *Server) dispatch(method string, segs []string, query url.Values, body func() (params, error)) reply {
	switch {
	case len(segs) == 1 && segs[0] == "users":
		return only(method, http.MethodGet, func() reply { return s.listUsers(query) })
	case len(segs) == 2 && segs[0] == "users":
		return only(method, http.MethodGet, func() reply { return s.getUser(segs[1]) })
	case len(segs) < 2 || segs[0] != "projects":
		return routeNotFound
	}
	p := s.project(segs[1])
	rest := segs[2:]
	switch {
	case len(rest) == 0:
		if p == nil {
			return projectNotFound
		}
		return only(method, http.MethodGet, func() reply { return reply{status: http.StatusOK, body: s.projectJSON(p)} })
	case rest[0] != "merge_requests" || len(rest) > 3 || (len(rest) == 3 && rest[2] != "merge"):
		return routeNotFound
	case p == nil:
		return projectNotFound
	case len(rest) == 1:
		switch method {
		case http.MethodGet:
			return s.listMRs(p, query)
		case http.MethodPost:
			return withParams(body, func(in params) reply { return s.createMR(p, in) })
		}
		return methodNotFound
	}
	m := s.mr(p, rest[1])
	if m == nil {
		return mrNotFound
	}
	if len(rest) == 3 {
		return only(method, http.MethodPut, func() reply { return withParams(body, func(in params) reply { return s.merge(p, m, in) }) })
	}
	switch method {
	case http.MethodGet:
		return reply{status: http.StatusOK, body: s.mrJSON(p, m)}
	case http.MethodPut:
		return withParams(body, func(in params) reply { return s.updateMR(p, m, in) })
	}
	return methodNotFound
}

func only(method, want string, f func() reply) reply {
	if method != want {
		return methodNotFound
	}
	return f()
}

func withParams(body func() (params, error), f func(params) reply) reply {
	in, err := body()
	if err != nil {
		return errorReply(http.StatusBadRequest, "error", err.Error())
	}
	return f(in)
}

// project finds a project by numeric ID or, case-insensitively like GitLab, by full path.
func (s *Server) project(id string) *Project {
	for i := range s.opts.Projects {
		p := &s.opts.Projects[i]
		if strconv.Itoa(p.ID) == id || strings.EqualFold(p.Path, id) {
			return p
		}
	}
	return nil
}

func (s *Server) projectJSON(p *Project) map[string]any {
	name := p.Path[strings.LastIndex(p.Path, "/")+1:]
	return map[string]any{
		"id":                  p.ID,
		"name":                name,
		"path":                name,
		"path_with_namespace": p.Path,
		"default_branch":      p.DefaultBranch,
		"web_url":             s.WebURL() + "/" + p.Path,
	}
}

func (s *Server) user(id int) *User {
	for i := range s.opts.Users {
		if s.opts.Users[i].ID == id {
			return &s.opts.Users[i]
		}
	}
	return nil
}

func (s *Server) userJSON(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "name": u.Username, "state": "active", "web_url": s.WebURL() + "/" + u.Username}
}

// listUsers answers GET /users; with ?username= it returns [] for an unknown name, not 404.
func (s *Server) listUsers(query url.Values) reply {
	var out []any
	name := query.Get("username")
	for i := range s.opts.Users {
		u := &s.opts.Users[i]
		if name == "" || strings.EqualFold(u.Username, name) {
			out = append(out, s.userJSON(u))
		}
	}
	return s.paginate(out, query)
}

func (s *Server) getUser(id string) reply {
	n, err := strconv.Atoi(id)
	if err != nil {
		return userNotFound
	}
	u := s.user(n)
	if u == nil {
		return userNotFound
	}
	return reply{status: http.StatusOK, body: s.userJSON(u)}
}

// paginate applies GitLab's offset pagination and its headers to items.
func (s *Server) paginate(items []any, query url.Values) reply {
	page, _ := strconv.Atoi(query.Get("page"))
	if page < 1 {
		page = 1
	}
	perPage, _ := strconv.Atoi(query.Get("per_page"))
	if perPage < 1 {
		perPage = 20
	}
	perPage = min(perPage, s.opts.MaxPerPage)
	total := len(items)
	pages := max(1, (total+perPage-1)/perPage)
	lo := min((page-1)*perPage, total)
	hi := min(lo+perPage, total)
	h := http.Header{}
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(perPage))
	h.Set("X-Total", strconv.Itoa(total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Next-Page", "")
	h.Set("X-Prev-Page", "")
	if page < pages {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
	}
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
	}
	page1 := items[lo:hi]
	if page1 == nil {
		page1 = []any{}
	}
	return reply{status: http.StatusOK, header: h, body: page1}
}

func (s *Server) mr(p *Project, iid string) *MR {
	n, err := strconv.Atoi(iid)
	if err != nil {
		return nil
	}
	for _, m := range s.mrs {
		if m.ProjectID == p.ID && m.IID == n {
			return m
		}
	}
	return nil
}

// listMRs returns the project's MRs newest first, GitLab's default order.
func (s *Server) listMRs(p *Project, query url.Values) reply {
	state := query.Get("state")
	if state == "" {
		state = "all"
	}
	var out []any
	for _, m := range slices.Backward(s.mrs) {
		switch {
		case m.ProjectID != p.ID,
			state != "all" && m.State != state,
			query.Has("source_branch") && m.SourceBranch != query.Get("source_branch"),
			query.Has("target_branch") && m.TargetBranch != query.Get("target_branch"):
			continue
		}
		out = append(out, s.mrJSON(p, m))
	}
	return s.paginate(out, query)
}

func (s *Server) createMR(p *Project, in params) reply {
	var missing []string
	for _, k := range []string{"source_branch", "target_branch", "title"} {
		if v, _ := in.str(k); v == "" {
			missing = append(missing, k+" is missing")
		}
	}
	if len(missing) > 0 {
		return errorReply(http.StatusBadRequest, "error", strings.Join(missing, ", "))
	}
	m := MR{ProjectID: p.ID, SourceProjectID: p.ID, State: "opened"}
	m.SourceBranch, _ = in.str("source_branch")
	m.TargetBranch, _ = in.str("target_branch")
	m.Title, _ = in.str("title")
	m.Description, _ = in.str("description")
	if m.SourceBranch == m.TargetBranch {
		return errorReply(http.StatusUnprocessableEntity, "message", []string{"You can't use same project/branch for source and target"})
	}
	for _, o := range s.mrs {
		if o.State == "opened" && o.ProjectID == p.ID && o.SourceProjectID == p.ID &&
			o.SourceBranch == m.SourceBranch && o.TargetBranch == m.TargetBranch {
			return errorReply(http.StatusConflict, "message",
				[]string{fmt.Sprintf("Another open merge request already exists for this source branch: !%d", o.IID)})
		}
	}
	if labels, ok := in.list("labels"); ok {
		m.Labels = addLabels(nil, labels)
	}
	if ids, ok := in.ints("reviewer_ids"); ok {
		m.ReviewerIDs = s.knownUsers(ids)
	}
	return reply{status: http.StatusCreated, body: s.mrJSON(p, s.insertMR(m))}
}

var updateKeys = []string{"title", "description", "target_branch", "labels", "add_labels", "remove_labels", "reviewer_ids", "state_event"}

func (s *Server) updateMR(p *Project, m *MR, in params) reply {
	if !slices.ContainsFunc(updateKeys, in.has) {
		return errorReply(http.StatusBadRequest, "error", strings.Join(updateKeys, ", ")+" are missing, at least one parameter must be provided")
	}
	if v, ok := in.str("title"); ok {
		if v == "" {
			return errorReply(http.StatusBadRequest, "message", map[string][]string{"title": {"can't be blank"}})
		}
		m.Title = v
	}
	if v, ok := in.str("description"); ok {
		m.Description = v
	}
	if v, ok := in.str("target_branch"); ok && v != "" {
		m.TargetBranch = v
	}
	if v, ok := in.list("labels"); ok {
		m.Labels = addLabels(nil, v)
	}
	if v, ok := in.list("add_labels"); ok {
		m.Labels = addLabels(m.Labels, v)
	}
	if v, ok := in.list("remove_labels"); ok {
		m.Labels = slices.DeleteFunc(m.Labels, func(l string) bool { return slices.Contains(v, l) })
	}
	if ids, ok := in.ints("reviewer_ids"); ok {
		m.ReviewerIDs = s.knownUsers(ids)
	}
	switch v, _ := in.str("state_event"); v {
	case "close":
		m.State = "closed"
	case "reopen":
		m.State = "opened"
	}
	return reply{status: http.StatusOK, body: s.mrJSON(p, m)}
}

// merge answers PUT .../merge: 405 when the MR cannot be merged in its state, 406 on
// conflicts, otherwise auto-merge is set while a pipeline runs, or the MR is merged.
func (s *Server) merge(p *Project, m *MR, in params) reply {
	auto := in.boolean("auto_merge") || in.boolean("merge_when_pipeline_succeeds")
	switch {
	case m.State != "opened", m.Draft():
		return errorReply(http.StatusMethodNotAllowed, "message", "405 Method Not Allowed")
	case m.Conflicts:
		return errorReply(http.StatusNotAcceptable, "message", "Branch cannot be merged")
	case m.PipelineRunning && !auto:
		return errorReply(http.StatusMethodNotAllowed, "message", "405 Method Not Allowed")
	case m.PipelineRunning:
		m.AutoMerge = true
	default:
		m.State = "merged"
	}
	return reply{status: http.StatusOK, body: s.mrJSON(p, m)}
}

// knownUsers drops IDs of users that do not exist, as GitLab does for reviewer_ids.
func (s *Server) knownUsers(ids []int) []int {
	var out []int
	for _, id := range ids {
		if s.user(id) != nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func addLabels(have, add []string) []string {
	for _, l := range add {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(have, l) {
			have = append(have, l)
		}
	}
	slices.Sort(have)
	return have
}

func (s *Server) mrJSON(p *Project, m *MR) map[string]any {
	reviewers := []any{}
	for _, id := range m.ReviewerIDs {
		if u := s.user(id); u != nil {
			reviewers = append(reviewers, s.userJSON(u))
		}
	}
	labels := m.Labels
	if labels == nil {
		labels = []string{}
	}
	status := "mergeable"
	switch {
	case m.Draft():
		status = "draft_status"
	case m.Conflicts:
		status = "conflict"
	case m.PipelineRunning:
		status = "ci_still_running"
	}
	return map[string]any{
		"id":                           m.ID,
		"iid":                          m.IID,
		"project_id":                   m.ProjectID,
		"target_project_id":            m.ProjectID,
		"source_project_id":            m.SourceProjectID,
		"title":                        m.Title,
		"description":                  m.Description,
		"state":                        m.State,
		"draft":                        m.Draft(),
		"work_in_progress":             m.Draft(),
		"source_branch":                m.SourceBranch,
		"target_branch":                m.TargetBranch,
		"labels":                       labels,
		"reviewers":                    reviewers,
		"merge_when_pipeline_succeeds": m.AutoMerge,
		"detailed_merge_status":        status,
		"merge_commit_sha":             nullable(m.MergeSHA),
		"web_url":                      fmt.Sprintf("%s/%s/-/merge_requests/%d", s.WebURL(), p.Path, m.IID),
	}
}
