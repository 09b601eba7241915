package shared

import (
	"testing"

	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewRequestCarriesPinDigest(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	for _, pin := range []bool{true, false} {
		req := NewRequest(ios, func(string) string { return "" }, nil, ReleaseFlags{Service: "api", Env: "prod", PinDigest: pin})
		if req.PinDigest != pin {
			t.Errorf("--pin-digest=%t: request has %t", pin, req.PinDigest)
		}
	}
}
