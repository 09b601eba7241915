package templates

// Names of the templates `gito promote` renders instead of the release ones.
const (
	PromoteTitle = "promote-title.tmpl"
	PromoteBody  = "promote-body.tmpl"
)
