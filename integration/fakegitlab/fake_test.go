package fakegitlab

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type call struct {
	method, path, body string
	header             map[string]string
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, s *Server, c call) answer {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), c.method, s.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.header == nil {
		req.Header.Set("PRIVATE-TOKEN", DefaultPrivateToken)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: strings.TrimSpace(string(b))}
}

const mrsPath = "/api/v4/projects/group%2Fsub%2Finfra/merge_requests"

func TestEnforcement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       Options
		call       call
		wantStatus int
		wantBody   string
	}{
		{"no token", Options{}, call{method: "GET", path: "/api/v4/projects/42", header: map[string]string{}},
			401, `{"message":"401 Unauthorized"}`},
		{"wrong private token", Options{}, call{method: "GET", path: "/api/v4/projects/42", header: map[string]string{"PRIVATE-TOKEN": "nope"}},
			401, `{"message":"401 Unauthorized"}`},
		{"token in Authorization without Bearer", Options{}, call{method: "GET", path: "/api/v4/projects/42", header: map[string]string{"Authorization": DefaultPrivateToken}},
			401, `{"message":"401 Unauthorized"}`},
		{"bearer", Options{}, call{method: "GET", path: "/api/v4/projects/42", header: map[string]string{"Authorization": "Bearer " + DefaultOAuthToken}},
			200, `"path_with_namespace":"group/sub/infra"`},
		{"job token refused on MR API by default", Options{}, call{method: "GET", path: mrsPath, header: map[string]string{"JOB-TOKEN": DefaultJobToken}},
			401, `{"message":"401 Unauthorized"}`},
		{"job token where allowed", Options{JobTokenMergeRequests: true}, call{method: "GET", path: mrsPath, header: map[string]string{"JOB-TOKEN": DefaultJobToken}},
			200, `[]`},
		{"encoded path", Options{}, call{method: "GET", path: "/api/v4/projects/group%2Fsub%2Finfra"},
			200, `"id":42`},
		{"encoded dot", Options{Projects: []Project{{ID: 1, Path: "a/b.c", DefaultBranch: "main"}}}, call{method: "GET", path: "/api/v4/projects/a%2Fb%2Ec"},
			200, `"path_with_namespace":"a/b.c"`},
		{"raw slash", Options{}, call{method: "GET", path: "/api/v4/projects/group/sub/infra/merge_requests"},
			404, `{"error":"404 Not Found"}`},
		{"raw slash project", Options{}, call{method: "GET", path: "/api/v4/projects/group/sub/infra"},
			404, `{"error":"404 Not Found"}`},
		{"unknown project", Options{}, call{method: "GET", path: "/api/v4/projects/group%2Fnope"},
			404, `{"message":"404 Project Not Found"}`},
		{"missing prefix", Options{PathPrefix: "/gitlab"}, call{method: "GET", path: "/api/v4/projects/42"},
			404, `{"error":"404 Not Found"}`},
		{"with prefix", Options{PathPrefix: "/gitlab/"}, call{method: "GET", path: "/gitlab/api/v4/projects/42"},
			200, `"web_url":"http://127.0.0.1:`},
		{"missing fields", Options{}, call{method: "POST", path: mrsPath, body: `{"source_branch":"x"}`},
			400, `{"error":"target_branch is missing, title is missing"}`},
		{"bad JSON", Options{}, call{method: "POST", path: mrsPath, body: `{`},
			400, `{"error":"400 Bad request - body is not valid JSON"}`},
		{"same source and target", Options{}, call{method: "POST", path: mrsPath, body: `{"source_branch":"main","target_branch":"main","title":"t"}`},
			422, `{"message":["You can't use same project/branch for source and target"]}`},
		{"unknown MR", Options{}, call{method: "GET", path: mrsPath + "/9"},
			404, `{"message":"404 Not found"}`},
		{"unknown username", Options{}, call{method: "GET", path: "/api/v4/users?username=mallory"},
			200, `[]`},
		{"unknown user ID", Options{}, call{method: "GET", path: "/api/v4/users/999"},
			404, `{"message":"404 User Not Found"}`},
		{"wrong method", Options{}, call{method: "DELETE", path: "/api/v4/projects/42"},
			405, `{"error":"405 Not Allowed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(t, tt.opts)
			got := do(t, s, tt.call)
			if got.status != tt.wantStatus || !strings.Contains(got.body, tt.wantBody) {
				t.Errorf("%s %s = %d %s, want %d containing %s", tt.call.method, tt.call.path, got.status, got.body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestCreateConflictAndUpdate(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	create := call{method: "POST", path: mrsPath, body: `{"source_branch":"gito/prod/api","target_branch":"main","title":"Draft: t","labels":"b,a","reviewer_ids":[101,999]}`}
	if got := do(t, s, create); got.status != 201 || !strings.Contains(got.body, `"iid":1`) || !strings.Contains(got.body, `"draft":true`) {
		t.Fatalf("create = %d %s", got.status, got.body)
	}
	if got := do(t, s, create); got.status != 409 || got.body != `{"message":["Another open merge request already exists for this source branch: !1"]}` {
		t.Errorf("second create = %d %s", got.status, got.body)
	}
	if got := do(t, s, call{method: "PUT", path: mrsPath + "/1", body: `{}`}); got.status != 400 || !strings.Contains(got.body, "at least one parameter must be provided") {
		t.Errorf("empty update = %d %s", got.status, got.body)
	}
	// Form bodies work as on GitLab.
	form := call{method: "PUT", path: mrsPath + "/1", body: "title=ready&add_labels=c&reviewer_ids[]=102&reviewer_ids[]=103"}
	req, _ := http.NewRequestWithContext(t.Context(), form.method, s.URL+form.path, strings.NewReader(form.body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("PRIVATE-TOKEN", DefaultPrivateToken)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("form update = %d", resp.StatusCode)
	}
	mrs := s.MRs()
	if len(mrs) != 1 {
		t.Fatalf("MRs = %+v", mrs)
	}
	m := mrs[0]
	if m.Title != "ready" || m.Draft() || fmt.Sprint(m.Labels) != "[a b c]" || fmt.Sprint(m.ReviewerIDs) != "[102 103]" {
		t.Errorf("MR after update = %+v", m)
	}
	if s.Writes() != 4 {
		t.Errorf("Writes = %d, want 4", s.Writes())
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	s := New(t, Options{MaxPerPage: 2})
	for i := range 5 {
		s.AddMR(MR{SourceBranch: fmt.Sprint("b", i), TargetBranch: "main", Title: "t"})
	}
	tests := []struct {
		query                   string
		page, next, prev, total string
		iids                    []int
	}{
		{"?per_page=100", "1", "2", "", "5", []int{5, 4}},
		{"?per_page=100&page=2", "2", "3", "1", "5", []int{3, 2}},
		{"?per_page=100&page=3", "3", "", "2", "5", []int{1}},
		{"?per_page=100&page=4", "4", "", "3", "5", []int{}},
	}
	for _, tt := range tests {
		got := do(t, s, call{method: "GET", path: mrsPath + tt.query})
		h := got.header
		if h.Get("X-Page") != tt.page || h.Get("X-Next-Page") != tt.next || h.Get("X-Prev-Page") != tt.prev ||
			h.Get("X-Total") != tt.total || h.Get("X-Per-Page") != "2" || h.Get("X-Total-Pages") != "3" {
			t.Errorf("%s headers = %v", tt.query, h)
		}
		var items []struct {
			IID int `json:"iid"`
		}
		if err := json.Unmarshal([]byte(got.body), &items); err != nil {
			t.Fatalf("%s: %v in %s", tt.query, err, got.body)
		}
		iids := []int{}
		for _, it := range items {
			iids = append(iids, it.IID)
		}
		if fmt.Sprint(iids) != fmt.Sprint(tt.iids) {
			t.Errorf("%s iids = %v, want %v", tt.query, iids, tt.iids)
		}
	}
}

func TestFailNextAndRecords(t *testing.T) {
	t.Parallel()
	s := New(t, Options{PathPrefix: "/gitlab"})
	s.FailNext("GET", "/projects/*", http.StatusTooManyRequests, map[string]string{"Retry-After": "3"}, 2)
	path := "/gitlab/api/v4/projects/group%2Fsub%2Finfra"
	for i := range 2 {
		got := do(t, s, call{method: "GET", path: path, header: map[string]string{}})
		if got.status != 429 || got.header.Get("Retry-After") != "3" {
			t.Errorf("attempt %d = %d %v, want 429 with Retry-After before auth", i, got.status, got.header)
		}
	}
	if got := do(t, s, call{method: "GET", path: path}); got.status != 200 {
		t.Errorf("after the failures = %d %s", got.status, got.body)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[2].Path != path || reqs[2].Auth != "private-token" || !reqs[2].AuthOK || reqs[0].AuthOK {
		t.Errorf("requests = %+v", reqs)
	}
	if strings.Contains(fmt.Sprintf("%#v", reqs), DefaultPrivateToken) {
		t.Error("requests record the token")
	}
	if s.Writes() != 0 {
		t.Errorf("Writes = %d", s.Writes())
	}
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			got := do(t, s, call{method: "POST", path: mrsPath, body: fmt.Sprintf(`{"source_branch":"b%d","target_branch":"main","title":"t"}`, i)})
			if got.status != 201 {
				t.Errorf("create %d = %d %s", i, got.status, got.body)
			}
		})
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, m := range s.MRs() {
		seen[m.IID] = true
	}
	if len(seen) != 8 {
		t.Errorf("distinct IIDs = %d, want 8", len(seen))
	}
}
