package history

import (
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay/targetedit"
)

// TargetExpr is one yq expression of a target file and the value pattern a release writes
// there ({tag}, {image}:{tag}, ...).
type TargetExpr struct {
	Expr  string
	Value string
}

// TargetReader reads a target file's version back through the expressions a release
// writes it with. image names the reference when the value does not carry one.
func TargetReader(image string, exprs []TargetExpr) ImageReader {
	return func(file []byte) ([]ImageRef, error) {
		ref := ImageRef{Name: image}
		found := false
		for _, e := range exprs {
			vals, err := targetedit.Select(file, e.Expr)
			if err != nil {
				return nil, err
			}
			if len(vals) == 0 || vals[0] == "" {
				continue
			}
			img, tag, digest := config.DecodeTargetValue(e.Value, vals[0])
			if img != "" && e.Value != "{digest}" {
				ref.Name = img
			}
			if tag != "" {
				ref.Tag = tag
			}
			if digest != "" {
				ref.Digest = digest
			}
			found = found || tag != "" || digest != ""
		}
		if !found {
			return nil, nil
		}
		return []ImageRef{ref}, nil
	}
}
