package iostreams

import "testing"

func TestCanPrompt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		tty         bool
		neverPrompt bool
		want        bool
	}{
		{"terminal", true, false, true},
		{"pipe", false, false, false},
		{"terminal in CI", true, true, false},
	}
	for _, tt := range tests {
		s, _, _, _ := Test()
		s.SetTTY(tt.tty)
		s.SetNeverPrompt(tt.neverPrompt)
		if got := s.CanPrompt(); got != tt.want {
			t.Errorf("%s: CanPrompt = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTestStreamsAreNotTerminals(t *testing.T) {
	t.Parallel()
	s, _, _, _ := Test()
	if s.IsStdoutTTY() || s.IsStderrTTY() || s.ColorEnabled() || s.CanPrompt() {
		t.Error("test streams must behave like a pipe: no terminal, no colour, no prompt")
	}
	if in, out := s.TerminalFiles(); in != nil || out != nil {
		t.Error("test streams have no terminal files")
	}
}

// System reads CI, GITO_NO_PROMPT and NO_COLOR through the injected getenv.
func TestSystemHonoursEnvironment(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{{"CI": "true"}, {"GITO_NO_PROMPT": "1"}} {
		s := System(func(k string) string { return env[k] })
		s.SetTTY(true)
		if s.CanPrompt() {
			t.Errorf("with %v gito must never prompt", env)
		}
	}
	s := System(func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] })
	if s.ColorEnabled() {
		t.Error("NO_COLOR must turn colour off")
	}
}
