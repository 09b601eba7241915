package yamllimit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		bomb       bool
	}{
		{name: "plain", data: "a: 1\nb: [x, y]\n"},
		{name: "ordinary anchors", data: "env: &env {A: 1, B: 2}\nx: *env\ny: *env\nhost: '*.example.com'\n"},
		{name: "not yaml", data: "mode=prod\n*weird: [\n"},
		{name: "four levels", data: laughs(4)},
		{name: "billion laughs", data: laughs(9), bomb: true},
		{name: "second document", data: "a: 1\n---\n" + laughs(9), bomb: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Check("base/cm.yaml", []byte(tc.data))
			if tc.bomb != (err != nil) || tc.bomb && (!errors.Is(err, ErrAliasBomb) || !strings.HasPrefix(err.Error(), "base/cm.yaml: ")) {
				t.Fatalf("Check = %v, bomb %v", err, tc.bomb)
			}
		})
	}
}
