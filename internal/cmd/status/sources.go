package status

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/gito-dev/gito/internal/inventory"
	"github.com/gito-dev/gito/internal/status"
)

// versionText is a row's version, "unknown" when it cannot be read statically (never blank).
func versionText(r status.Row) string {
	switch {
	case r.Unknown != "":
		return "unknown"
	case r.Version == "" && r.Digest == "":
		return "-"
	}
	return r.Version
}

// jsonSources is `status --sources --json`: what the inventory found and how.
type jsonSources struct {
	Entries   []jsonSource     `json:"entries"`
	Skipped   []inventory.Note `json:"skipped"`
	Ambiguous []jsonAmbiguity  `json:"ambiguous"`
	Layout    string           `json:"layout"`
}

type jsonSource struct {
	Service  string              `json:"service"`
	Env      string              `json:"env"`
	Version  string              `json:"version"`
	Digest   string              `json:"digest"`
	Unknown  string              `json:"unknown,omitempty"`
	Dir      string              `json:"dir"`
	Rule     string              `json:"rule"`
	Source   string              `json:"source"`
	Carriers []inventory.Carrier `json:"carriers"`
}

type jsonAmbiguity struct {
	Service    string   `json:"service"`
	Env        string   `json:"env"`
	Rule       string   `json:"rule"`
	Candidates []string `json:"candidates"`
	Error      string   `json:"error"`
}

// printSources prints, per (service, env), the file and key carrying the version and the rule
// that found it, then what the inventory skipped and what was ambiguous.
func printSources(w io.Writer, rows []status.Row, inv *inventory.Inventory, asJSON, tty bool) error {
	if asJSON {
		out := jsonSources{Entries: []jsonSource{}, Skipped: inv.Skipped, Ambiguous: []jsonAmbiguity{}, Layout: inv.Layout}
		if out.Skipped == nil {
			out.Skipped = []inventory.Note{}
		}
		for _, r := range rows {
			e := r.Entry
			carriers := e.Carriers
			if carriers == nil {
				carriers = []inventory.Carrier{}
			}
			out.Entries = append(out.Entries, jsonSource{Service: e.Service, Env: e.Env, Version: e.Version, Digest: e.Digest,
				Unknown: e.Unknown, Dir: e.Dir, Rule: e.Rule, Source: e.Source, Carriers: carriers})
		}
		for _, a := range inv.Ambiguous {
			out.Ambiguous = append(out.Ambiguous, jsonAmbiguity{Service: a.Service, Env: a.Env, Rule: a.Rule, Candidates: a.Candidates, Error: a.Error()})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var out io.Writer = w // a pipe gets plain tab-separated lines
	if tty {
		out = tw
		fmt.Fprintln(tw, "SERVICE\tENV\tVERSION\tFILE\tKEY\tLINE\tRULE\tSOURCE")
	}
	sep := "\t"
	for _, r := range rows {
		e := r.Entry
		file, key, line := e.Dir, "", ""
		if c := e.Decider(); c != nil {
			file, key = c.File, c.Key
			if c.Line > 0 {
				line = strconv.Itoa(c.Line)
			}
		}
		version := versionText(r)
		if r.Unknown != "" {
			version = "unknown: " + r.Unknown
		}
		fmt.Fprintln(out, e.Service+sep+e.Env+sep+version+sep+file+sep+key+sep+line+sep+e.Rule+sep+e.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, a := range inv.Ambiguous {
		fmt.Fprintln(w, "ambiguous: "+a.Error())
	}
	for _, s := range inv.Skipped {
		fmt.Fprintf(w, "skipped: %s: %s\n", s.File, s.Reason)
	}
	return nil
}
