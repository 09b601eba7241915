package kustedit

import (
	"testing"
)

func TestImageMatching(t *testing.T) {
	t.Parallel()
	// Expectations follow kustomize/api v0.21.2 internal/image behaviour.
	tests := []struct {
		ref, name string
		want      bool
	}{
		{"nginx", "nginx", true},
		{"nginx:1.25", "nginx", true},
		{"nginx@sha256:abc", "nginx", true},
		{"nginx:1.25@sha256:abc", "nginx", true},
		{"nginx@sha512:abc", "nginx", true},
		{"nginx@multihash+base58:QmRZ", "nginx", true},
		{"apache:1", "nginx", false},
		{"nginx-exporter", "nginx", false},
		{"my-nginx", "nginx", false},
		{"docker.io/library/nginx", "nginx", false},
		{"nginx", "docker.io/library/nginx", false},
		{"docker.io/nginx", "nginx", false},
		{"index.docker.io/library/nginx", "docker.io/library/nginx", false},
		{"docker.io/library/nginx:1.25", "docker.io/library/nginx", true},
		{"registry.example.com:5000/team/api", "registry.example.com:5000/team/api", true},
		{"registry.example.com:5000/team/api:v1", "registry.example.com:5000/team/api", true},
		{"registry.example.com:5000/team/api", "registry.example.com/team/api", false},
		{"registry.example.com/team/api-migrations", "registry.example.com/team/api", false},
		// The name is an unescaped expression in kustomize: "." matches any character.
		{"registryXexample.com/api", "registry.example.com/api", true},
		{"nginx", "[", false},
		{"api:{{.Tag}}", "api", true},
		{"api:v1 beta", "api", false},
		{"api:{TAG}", "api", true},
	}
	m := newImageMatcher()
	for _, tt := range tests {
		if got := m.matches(tt.ref, tt.name); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.ref, tt.name, got, tt.want)
		}
	}
}

func TestSplitImage(t *testing.T) {
	t.Parallel()
	tests := []struct{ ref, name, tag, digest string }{
		{"nginx", "nginx", "", ""},
		{"nginx:1.2.3", "nginx", "1.2.3", ""},
		{"nginx@sha256:12345", "nginx", "", "sha256:12345"},
		{"nginx:1.2.3@sha256:12345", "nginx", "1.2.3", "sha256:12345"},
		{"docker.io/nginx:1.2.3", "docker.io/nginx", "1.2.3", ""},
		{"localhost:5000/nginx:1.2.3@sha256:12345", "localhost:5000/nginx", "1.2.3", "sha256:12345"},
		{"localhost:5000/nginx", "localhost:5000/nginx", "", ""},
		{"registry.example.com:5000/team/api@sha256:1", "registry.example.com:5000/team/api", "", "sha256:1"},
	}
	for _, tt := range tests {
		name, tag, digest := splitImage(tt.ref)
		if name != tt.name || tag != tt.tag || digest != tt.digest {
			t.Errorf("splitImage(%q) = %q %q %q, want %q %q %q", tt.ref, name, tag, digest, tt.name, tt.tag, tt.digest)
		}
		if got := joinImage(name, tag, digest); got != tt.ref {
			t.Errorf("joinImage(splitImage(%q)) = %q", tt.ref, got)
		}
	}
}

func TestRenderQuotesWhatPlainWouldChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		style quoteStyle
		want  string
	}{
		{"v2", plainQuote, "v2"},
		{"1.2.3", plainQuote, "1.2.3"},
		{"v1.10", plainQuote, "v1.10"},
		{"1.10", plainQuote, `"1.10"`},
		{"1e3", plainQuote, `"1e3"`},
		{"true", plainQuote, `"true"`},
		{"True", plainQuote, `"True"`},
		{"yes", plainQuote, `"yes"`},
		{"off", plainQuote, `"off"`},
		{"null", plainQuote, `"null"`},
		{"0755", plainQuote, `"0755"`},
		{"0x1F", plainQuote, `"0x1F"`},
		{"1_000", plainQuote, `"1_000"`},
		{"7", plainQuote, `"7"`},
		{"2024-01-01", plainQuote, `"2024-01-01"`},
		{"inf", plainQuote, `"inf"`},
		{"_latest", plainQuote, "_latest"},
		{"repo/img:v2@sha256:ab", plainQuote, "repo/img:v2@sha256:ab"},
		{"7.1", doubleQuote, `"7.1"`},
		{"v2", singleQuote, "'v2'"},
		{"it's", singleQuote, "'it''s'"},
		{`a"b\c`, doubleQuote, `"a\"b\\c"`},
		{"a\nb", singleQuote, `"a\nb"`},
	}
	for _, tt := range tests {
		if got := render(tt.value, tt.style); got != tt.want {
			t.Errorf("render(%q, %v) = %s, want %s", tt.value, tt.style, got, tt.want)
		}
	}
}
