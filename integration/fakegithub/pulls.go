package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const docsCreatePR = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"

// validationFailed is GitHub's 422 shape: a message plus one entry per problem.
func validationFailed(errs ...map[string]any) reply {
	return jsonReply(http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            errs,
		"documentation_url": docsCreatePR,
	})
}

func invalidRequest(detail string) reply {
	return jsonReply(http.StatusUnprocessableEntity, map[string]any{
		"message":           "Invalid request.\n\n" + detail,
		"documentation_url": "https://docs.github.com/rest",
	})
}

// decodeStrict decodes a JSON object, reporting a type mismatch the way GitHub's schema
// check does (422) and unparsable JSON as GitHub does (400).
func decodeStrict(body []byte, v any) *reply {
	if err := json.Unmarshal(body, v); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			r := invalidRequest(fmt.Sprintf("For 'properties/%s', %s is not a %s.", te.Field, te.Value, te.Type))
			return &r
		}
		r := message(http.StatusBadRequest, "Problems parsing JSON")
		return &r
	}
	return nil
}

func (s *Server) listPullsLocked(u *url.URL) reply {
	q := u.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		return validationFailed(map[string]any{"resource": "Search", "field": "state", "code": "invalid"})
	}
	// Like GitHub, a head without "owner:" filters nothing, which is why clients must send it.
	headOwner, headRef, headFilter := strings.Cut(q.Get("head"), ":")
	headFilter = headFilter && !s.opts.IgnoreHeadFilter
	base := q.Get("base")

	var matched []*PR
	for i := len(s.prs) - 1; i >= 0; i-- { // newest first: GitHub's default sort
		p := s.prs[i]
		if state != "all" && p.State != state {
			continue
		}
		if headFilter && (!strings.EqualFold(p.HeadOwner, headOwner) || p.Head != headRef) {
			continue
		}
		if base != "" && p.Base != base {
			continue
		}
		matched = append(matched, p)
	}

	perPage := s.opts.PerPage
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		perPage = min(n, 100)
	}
	page := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	last := max(1, (len(matched)+perPage-1)/perPage)
	out := []map[string]any{}
	for i := (page - 1) * perPage; i < len(matched) && i < page*perPage; i++ {
		out = append(out, s.prJSON(matched[i]))
	}
	rep := jsonReply(http.StatusOK, out)
	var links []string
	if page < last {
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, s.pageURL(u, page+1)), fmt.Sprintf(`<%s>; rel="last"`, s.pageURL(u, last)))
	}
	if page > 1 {
		links = append(links, fmt.Sprintf(`<%s>; rel="prev"`, s.pageURL(u, min(page-1, last))), fmt.Sprintf(`<%s>; rel="first"`, s.pageURL(u, 1)))
	}
	if len(links) > 0 {
		rep.header = http.Header{"Link": {strings.Join(links, ", ")}}
	}
	return rep
}

type newPull struct {
	Title *string `json:"title"`
	Head  *string `json:"head"`
	Base  *string `json:"base"`
	Body  *string `json:"body"`
	Draft *bool   `json:"draft"`
}

func (s *Server) createPullLocked(body []byte) reply {
	var in newPull
	if r := decodeStrict(body, &in); r != nil {
		return *r
	}
	var missing []map[string]any
	for _, f := range []struct {
		name string
		v    *string
	}{{"title", in.Title}, {"head", in.Head}, {"base", in.Base}} {
		if f.v == nil || *f.v == "" {
			missing = append(missing, map[string]any{"resource": "PullRequest", "code": "missing_field", "field": f.name})
		}
	}
	if len(missing) > 0 {
		return validationFailed(missing...)
	}
	if r := checkBodyLength(in.Body); r != nil {
		return *r
	}
	headOwner, headRef, ok := strings.Cut(*in.Head, ":")
	if !ok {
		headOwner, headRef = s.opts.Owner, *in.Head
	}
	if strings.EqualFold(headOwner, s.opts.Owner) && headRef == *in.Base {
		return validationFailed(map[string]any{"resource": "PullRequest", "code": "custom", "message": "No commits between " + *in.Base + " and " + headRef})
	}
	// GitHub refuses a second open PR for the same head and base.
	for _, p := range s.prs {
		if p.State == "open" && strings.EqualFold(p.HeadOwner, headOwner) && p.Head == headRef && p.Base == *in.Base {
			return validationFailed(map[string]any{"resource": "PullRequest", "code": "custom",
				"message": "A pull request already exists for " + headOwner + ":" + headRef + "."})
		}
	}
	pr := PR{Title: *in.Title, Head: headRef, HeadOwner: headOwner, Base: *in.Base, State: "open"}
	if in.Body != nil {
		pr.Body = *in.Body
	}
	if in.Draft != nil {
		pr.Draft = *in.Draft
	}
	return jsonReply(http.StatusCreated, s.prJSON(s.insertLocked(pr)))
}

func (s *Server) updatePullLocked(p *PR, body []byte) reply {
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if r := decodeStrict(body, &in); r != nil {
		return *r
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		return validationFailed(map[string]any{"resource": "PullRequest", "field": "state", "code": "invalid"})
	}
	if r := checkBodyLength(in.Body); r != nil {
		return *r
	}
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	if in.Base != nil && *in.Base != "" {
		p.Base = *in.Base
	}
	if in.State != nil {
		p.State = *in.State
	}
	return jsonReply(http.StatusOK, s.prJSON(p))
}

// addLabelsLocked takes both bodies GitHub accepts: ["a","b"] and {"labels":["a","b"]}.
// Unknown labels are created, as GitHub does.
func (s *Server) addLabelsLocked(p *PR, body []byte) reply {
	var names []string
	if err := json.Unmarshal(body, &names); err != nil {
		var in struct {
			Labels *[]string `json:"labels"`
		}
		if r := decodeStrict(body, &in); r != nil {
			return *r
		}
		if in.Labels == nil {
			return invalidRequest(`"labels" wasn't supplied.`)
		}
		names = *in.Labels
	}
	for _, n := range names {
		if n == "" {
			return validationFailed(map[string]any{"resource": "Label", "field": "name", "code": "missing_field"})
		}
		if !slices.Contains(p.Labels, n) {
			p.Labels = append(p.Labels, n)
		}
	}
	out := make([]map[string]any, 0, len(p.Labels))
	for _, l := range p.Labels {
		out = append(out, map[string]any{"name": l})
	}
	return jsonReply(http.StatusOK, out)
}

func (s *Server) requestReviewersLocked(p *PR, body []byte) reply {
	var in struct {
		Reviewers     *[]string `json:"reviewers"`
		TeamReviewers *[]string `json:"team_reviewers"`
	}
	if r := decodeStrict(body, &in); r != nil {
		return *r
	}
	if in.Reviewers == nil && in.TeamReviewers == nil {
		return invalidRequest(`No subschema in "anyOf" matched. "reviewers" wasn't supplied. "team_reviewers" wasn't supplied.`)
	}
	var all []string
	for _, names := range []*[]string{in.Reviewers, in.TeamReviewers} {
		if names != nil {
			all = append(all, *names...)
		}
	}
	for _, n := range all {
		if n == "" || strings.ContainsAny(n, "/@ ") {
			return validationFailed(map[string]any{"resource": "PullRequest", "code": "invalid", "message": fmt.Sprintf("%q is not a valid reviewer", n)})
		}
	}
	p.Reviewers = appendNew(p.Reviewers, in.Reviewers)
	p.TeamReviewers = appendNew(p.TeamReviewers, in.TeamReviewers)
	return jsonReply(http.StatusCreated, s.prJSON(p))
}

func appendNew(dst []string, names *[]string) []string {
	if names == nil {
		return dst
	}
	for _, n := range *names {
		if !slices.Contains(dst, n) {
			dst = append(dst, n)
		}
	}
	return dst
}

// maxBodyLength is GitHub's limit on a pull request body, in characters.
const maxBodyLength = 65536

// checkBodyLength refuses a body over the limit as GitHub does.
func checkBodyLength(body *string) *reply {
	if body == nil || utf8.RuneCountInString(*body) <= maxBodyLength {
		return nil
	}
	r := validationFailed(map[string]any{"resource": "Issue", "field": "body", "code": "custom",
		"message": fmt.Sprintf("body is too long (maximum is %d characters)", maxBodyLength)})
	return &r
}
