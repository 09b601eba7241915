package overlay

import "testing"

// A render over either limit is refused in one line naming the directory; at the limit it passes.
func TestCheckRenderSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		objects, bytes int
		want           string
	}{
		{10, 100, ""},
		{11, 0, "apps/prod renders 11 objects, over the limit of 10: refusing it"},
		{0, 3 << 20, "apps/prod renders 3 MiB of manifests, over the limit of 2 MiB: refusing it"},
	}
	for _, tt := range tests {
		err := checkRenderSize("apps/prod", tt.objects, tt.bytes, 10, 2<<20)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("checkRenderSize(%d objects, %d bytes) = %q, want %q", tt.objects, tt.bytes, got, tt.want)
		}
	}
}
