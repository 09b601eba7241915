package signing

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Fixed keys so the parser tests need no ssh-keygen.
const (
	edKey  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtwUtslxdt1RbIOoi370OieHWJWr7+XAffUUiyZY0vL"
	edKey2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBgd1hh8HItDjeMd0ulgU0WwX0WMjvvCQ9Fqf4JJ0uI1"
)

func TestParseAllowedSigners(t *testing.T) {
	t.Parallel()
	content := strings.Join([]string{
		"# Comments allowed at start of line",
		"",
		"   ",
		"alice@example.com " + edKey,
		"alice@example.com,bob@example.com " + edKey2 + " bob's laptop",
		"  *@example.com cert-authority " + edKey,
		`deploy@ci namespaces="gito:overlays/prod/*,gito:apps/*/overlays/prod/*" ` + edKey,
		`deploy@ci NAMESPACES="gito:*",Valid-After="20240101" ` + edKey,
		`old@example.com valid-before="20200101Z" ` + edKey,
		`new@example.com valid-after="202601021530Z",valid-before="20260102153045Z" ` + edKey,
		`*,!mallory@example.com ` + edKey,
		`"quoted@example.com" ` + edKey,
		"tab@example.com\t" + edKey + "\r",
		`ca@example.com cert-authority,namespaces="gito:overlays/*" ` + edKey2,
		"# trailing comment",
	}, "\n")
	as, err := ParseAllowedSigners(".gito/allowed_signers", []byte(content), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		line        int
		principals  string
		ca          bool
		namespaces  string
		after       string
		before      string
		keyContains string
	}
	want := []row{
		{4, "alice@example.com", false, "", "", "", "ILtwUt"},
		{5, "alice@example.com,bob@example.com", false, "", "", "", "IBgd1h"},
		{6, "*@example.com", true, "", "", "", "ILtwUt"},
		{7, "deploy@ci", false, "gito:overlays/prod/*,gito:apps/*/overlays/prod/*", "", "", ""},
		{8, "deploy@ci", false, "gito:*", "2024-01-01T00:00:00Z", "", ""},
		{9, "old@example.com", false, "", "", "2020-01-01T00:00:00Z", ""},
		{10, "new@example.com", false, "", "2026-01-02T15:30:00Z", "2026-01-02T15:30:45Z", ""},
		{11, "*,!mallory@example.com", false, "", "", "", ""},
		{12, "quoted@example.com", false, "", "", "", ""},
		{13, "tab@example.com", false, "", "", "", ""},
		{14, "ca@example.com", true, "gito:overlays/*", "", "", "IBgd1h"},
	}
	if len(as.Entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(as.Entries), len(want), as.Entries)
	}
	stamp := func(tm time.Time) string {
		if tm.IsZero() {
			return ""
		}
		return tm.Format(time.RFC3339)
	}
	for i, w := range want {
		e := as.Entries[i]
		got := row{e.Line, e.Principals, e.CertAuthority, e.Namespaces, stamp(e.ValidAfter), stamp(e.ValidBefore), ""}
		w2 := w
		w2.keyContains = ""
		if got != w2 {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got, w2)
		}
		if w.keyContains != "" && !strings.Contains(string(ssh.MarshalAuthorizedKey(e.Key)), w.keyContains) {
			t.Errorf("line %d: wrong key %s", w.line, ssh.MarshalAuthorizedKey(e.Key))
		}
	}
}

func TestParseAllowedSignersErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want string
	}{
		{"alice@example.com", "allowed_signers:2: missing key"},
		{"alice@example.com ssh-ed25519 notbase64!", "allowed_signers:2: invalid key"},
		{"alice@example.com bogus " + edKey, `allowed_signers:2: unknown option "bogus"`},
		{"alice@example.com namespaces=gito:* " + edKey, "allowed_signers:2: option namespaces: value must be double-quoted"},
		{`alice@example.com namespaces="gito:* ` + edKey, "allowed_signers:2: options: unterminated quote"},
		{`"alice@example.com ` + edKey, "allowed_signers:2: principals: unterminated quote"},
		{`alice@example.com valid-before="2024" ` + edKey, `allowed_signers:2: option valid-before: "2024" is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]`},
		{`alice@example.com valid-after="20241399" ` + edKey, "allowed_signers:2: option valid-after"},
		{`alice@example.com cert-authority=yes ` + edKey, "allowed_signers:2: option cert-authority takes no value"},
		{`alice@example.com cert-authority,,namespaces="x" ` + edKey, "allowed_signers:2: empty option"},
		{`alice@example.com namespaces="a",namespaces="b" ` + edKey, "allowed_signers:2: option namespaces given twice"},
		{`alice@example.com namespaces="" ` + edKey, "allowed_signers:2: option namespaces: empty value"},
		{`alice@example.com namespaces ` + edKey, "allowed_signers:2: option namespaces needs a value"},
		{`alice@example.com cert-authority`, "allowed_signers:2: missing key"},
		{`alice@example.com ssh-rsa ` + strings.Fields(edKey)[1], "allowed_signers:2: invalid key"},
	}
	for _, tc := range tests {
		_, err := ParseAllowedSigners("allowed_signers", []byte("# first line ok\n"+tc.line+"\n"), time.UTC)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.line, err, tc.want)
		}
	}
}

func TestParseTimestampUsesLocation(t *testing.T) {
	t.Parallel()
	berlin := time.FixedZone("CET", 3600)
	as, err := ParseAllowedSigners("f", []byte(`a valid-before="20240101" valid-after="20230101Z" `+edKey), berlin)
	if err == nil {
		t.Fatalf("two option fields separated by a space should not parse: %+v", as)
	}
	as, err = ParseAllowedSigners("f", []byte(`a valid-before="20240101",valid-after="20230101Z" `+edKey), berlin)
	if err != nil {
		t.Fatal(err)
	}
	e := as.Entries[0]
	if got := e.ValidBefore.UTC().Format(time.RFC3339); got != "2023-12-31T23:00:00Z" {
		t.Errorf("local valid-before = %s", got)
	}
	if got := e.ValidAfter.Format(time.RFC3339); got != "2023-01-01T00:00:00Z" {
		t.Errorf("UTC valid-after = %s", got)
	}
}

func TestMatchPatternList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s, list string
		want    bool
	}{
		{"alice@example.com", "alice@example.com", true},
		{"alice@example.com", "bob@example.com,alice@example.com", true},
		{"alice@example.com", "*@example.com", true},
		{"alice@example.com", "*@EXAMPLE.com", false},
		{"alice@example.com", "?lice@example.com", true},
		{"alice@example.com", "??lice@example.com", false},
		{"alice@example.com", "*@example.com,!alice@example.com", false},
		{"alice@example.com", "!alice@example.com,*", false},
		{"bob@example.com", "*@example.com,!alice@example.com", true},
		{"alice@example.com", "!bob@example.com", false},
		{"gito:overlays/prod/api/kustomization.yaml", "gito:overlays/prod/*", true},
		{"gito:overlays/production/api/kustomization.yaml", "gito:overlays/prod/*", false},
		{"gito:apps/api/overlays/prod/kustomization.yaml", "gito:overlays/*,gito:apps/*/overlays/prod/*", true},
		{"gito:a", "gito:a*", true},
		{"", "*", true},
		{"", "", true},
		{"x", "", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*a*a*a*c", false},
	}
	for _, tc := range tests {
		if got := matchPatternList(tc.s, tc.list); got != tc.want {
			t.Errorf("matchPatternList(%q, %q) = %v, want %v", tc.s, tc.list, got, tc.want)
		}
	}
}
