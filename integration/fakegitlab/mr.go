package fakegitlab

import (
	"regexp"
	"slices"
)

// MR is a merge request as the fake stores it.
type MR struct {
	ID              int
	IID             int
	ProjectID       int // target project
	SourceProjectID int // differs from ProjectID for an MR from a fork
	SourceBranch    string
	TargetBranch    string
	Title           string
	Description     string
	State           string // opened, closed, merged
	Labels          []string
	ReviewerIDs     []int
	AutoMerge       bool   // merge_when_pipeline_succeeds
	PipelineRunning bool   // set by the fake unless Options.NoPipeline
	Conflicts       bool   // PUT .../merge answers 406
	MergeSHA        string // merge_commit_sha, set by MergeMR
}

// draftTitle is GitLab's rule: a title starting with "Draft:", "[Draft]" or "(Draft)",
// in any case, marks the MR as a draft; there is no separate field on create or update.
var draftTitle = regexp.MustCompile(`(?i)^\s*(\[draft\]|\(draft\)|draft:)`)

// Draft reports whether GitLab would show the MR as a draft.
func (m MR) Draft() bool { return draftTitle.MatchString(m.Title) }

func (m MR) clone() MR {
	m.Labels = slices.Clone(m.Labels)
	m.ReviewerIDs = slices.Clone(m.ReviewerIDs)
	return m
}
