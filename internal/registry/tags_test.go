package registry

import (
	"slices"
	"testing"
)

func TestNewest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want []string }{
		{[]string{"v1.2.0", "v1.10.0", "1.9.1", "latest"}, []string{"v1.10.0", "1.9.1", "v1.2.0", "latest"}},
		{[]string{"2024-01-02", "2025-03-01", "main", "2024-12-31"}, []string{"2025-03-01", "2024-12-31", "2024-01-02", "main"}},
		{[]string{"v2.0.0-rc.1", "v2.0.0", "v1.0.0"}, []string{"v2.0.0", "v2.0.0-rc.1", "v1.0.0"}},
		{nil, []string{}},
	} {
		if got := Newest(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Newest(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestShortDigest(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sha256:0123456789abcdef0123": "sha256:0123456789ab",
		"sha256:abc":                  "sha256:abc",
		"":                            "",
	} {
		if got := ShortDigest(in); got != want {
			t.Errorf("ShortDigest(%q) = %q, want %q", in, got, want)
		}
	}
}
