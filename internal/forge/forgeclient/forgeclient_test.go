package forgeclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/forge"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tok := forge.Token{Value: "t", Source: "test"}
	tests := []struct {
		target  forge.Target
		tok     forge.Token
		kind    string
		wantErr string
	}{
		{target: forge.Target{Kind: "github", Project: "acme/infra", APIURL: "https://api.github.com/"}, tok: tok, kind: "*github.Forge"},
		{target: forge.Target{Kind: "gitlab", Project: "group/sub/infra", APIURL: "https://gitlab.com/api/v4"}, tok: tok, kind: "*gitlab.Forge"},
		{target: forge.Target{Kind: "gitlab", Project: "42", APIURL: "https://gitlab.com/api/v4"}, tok: forge.Token{Value: "j", JobToken: true}, kind: "*gitlab.Forge"},
		{target: forge.Target{Kind: "gitea", Project: "acme/infra", APIURL: "https://gitea.example.com/api/v1"}, tok: tok, kind: "*gitea.Forge"},
		{target: forge.Target{Kind: "gitea", Project: "acme/sub/infra", APIURL: "https://gitea.example.com/api/v1"}, tok: tok, wantErr: "not owner/repo"},
		{target: forge.Target{Kind: "github", Project: "acme/sub/infra"}, tok: tok, wantErr: "not owner/repo"},
		{target: forge.Target{Kind: "github", Project: "acme/infra"}, tok: forge.Token{}, wantErr: "authentication"},
		{target: forge.Target{Kind: "none"}, tok: tok, wantErr: `no forge client for type "none"`},
	}
	for _, tt := range tests {
		f, err := New(context.Background(), &http.Client{}, tt.target, tt.tok)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New(%+v) err = %v, want %q", tt.target, err, tt.wantErr)
			}
			if tt.wantErr == "authentication" && !errors.Is(err, forge.ErrAuth) {
				t.Errorf("missing token should wrap forge.ErrAuth: %v", err)
			}
			continue
		}
		if err != nil || fmt.Sprintf("%T", f) != tt.kind {
			t.Errorf("New(%+v) = %v, %v; want kind %s", tt.target, f, err, tt.kind)
		}
	}
}
