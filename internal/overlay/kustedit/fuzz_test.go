package kustedit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

// decodeAll decodes every document of src into plain Go values. yaml.v3 refuses a
// `%YAML 1.2` directive, so it is read as 1.1, whose resolution yaml.v3 shares.
func decodeAll(src []byte) ([]any, error) {
	src = bytes.ReplaceAll(src, []byte("%YAML 1.2"), []byte("%YAML 1.1"))
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []any
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		docs = append(docs, v)
	}
}

// expectRelease applies a release to decoded documents the way the editor should: every
// matching images entry gets newTag and digest (or loses a stale digest). It returns how
// many entries matched.
func expectRelease(docs []any, t Target) int {
	m := newImageMatcher()
	matched := 0
	for _, doc := range docs {
		images, _ := field(doc, "images").([]any)
		for _, entry := range images {
			name, _ := field(entry, "name").(string)
			newName, _ := field(entry, "newName").(string)
			hit := false
			for _, n := range t.Names {
				hit = hit || (name != "" && m.matches(n, name)) || (newName != "" && m.matches(n, newName))
			}
			if !hit {
				continue
			}
			matched++
			setField(entry, "newTag", t.Tag)
			if t.Digest != "" {
				setField(entry, "digest", t.Digest)
			} else {
				setField(entry, "digest", nil)
			}
		}
	}
	return matched
}

// field reads key from a decoded mapping; yaml.v3 decodes a mapping with any non-string
// key into map[any]any.
func field(m any, key string) any {
	switch m := m.(type) {
	case map[string]any:
		return m[key]
	case map[any]any:
		return m[key]
	}
	return nil
}

// setField sets key in a decoded mapping, or deletes it when v is nil.
func setField(m any, key string, v any) {
	switch m := m.(type) {
	case map[string]any:
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
	case map[any]any:
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
	}
}

func addGoldenSeeds(f *testing.F, seed func(src []byte)) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		if strings.HasSuffix(p, ".golden") {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seed(src)
	}
}

// FuzzSetImage: for any input and tag the editor either refuses, or its output decodes to
// the input with only the matching entries' newTag and digest changed.
func FuzzSetImage(f *testing.F) {
	addGoldenSeeds(f, func(src []byte) {
		f.Add(src, "api", "v2", false)
		f.Add(src, "registry.example.com/team/api", "1.10", true)
	})
	f.Add([]byte("images:\n- name: api\n  newTag: v1\n"), "api", "true", false)
	f.Fuzz(func(t *testing.T, src []byte, name, tag string, withDigest bool) {
		// The seed files use these names; a mutated name alone would rarely match anything.
		target := Target{Names: []string{"api", "registry.example.com/team/api", name}, Tag: tag}
		if withDigest {
			target.Digest = newDigest
		}
		out, changes, err := SetKustomizationImages(src, target)
		if err != nil {
			return
		}
		want, err := decodeAll(src)
		if err != nil {
			t.Skipf("input accepted by the editor but not decodable into Go values: %v", err)
		}
		got, err := decodeAll(out)
		if err != nil {
			t.Fatalf("output does not parse: %v\ninput:\n%q\noutput:\n%q", err, src, out)
		}
		if n := expectRelease(want, target); n != len(changes) {
			t.Errorf("%d entries match, %d changes reported", n, len(changes))
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("output differs beyond the release (-want +got):\n%s\ninput:\n%q\noutput:\n%q", diff, src, out)
		}
		if !bytes.Equal(out, src) && len(changes) == 0 {
			t.Fatal("bytes changed without a reported change")
		}
	})
}

// onlyImagesDiffer walks decoded input and output in step and allows one kind of
// difference: a string that matches a target name, rewritten to the released reference.
func onlyImagesDiffer(in, out any, t Target, m *imageMatcher, path string) string {
	switch a := in.(type) {
	case map[string]any:
		b, ok := out.(map[string]any)
		if !ok || len(a) != len(b) {
			return path
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok {
				return path + "." + k
			}
			if p := onlyImagesDiffer(v, w, t, m, path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case map[any]any:
		b, ok := out.(map[any]any)
		if !ok || len(a) != len(b) {
			return path
		}
		for k, v := range a {
			w, ok := b[k]
			step := fmt.Sprintf(".%v", k)
			if !ok {
				return path + step
			}
			if p := onlyImagesDiffer(v, w, t, m, path+step); p != "" {
				return p
			}
		}
		return ""
	case []any:
		b, ok := out.([]any)
		if !ok || len(a) != len(b) {
			return path
		}
		for i := range a {
			if p := onlyImagesDiffer(a[i], b[i], t, m, path+"[]"); p != "" {
				return p
			}
		}
		return ""
	case string:
		b, ok := out.(string)
		if !ok {
			return path
		}
		if a == b {
			return ""
		}
		name, _, _ := splitImage(a)
		if !matchesAny(m, a, t.Names) || b != joinImage(name, t.Tag, t.Digest) {
			return path
		}
		return ""
	}
	if !cmp.Equal(in, out, cmpopts.EquateNaNs()) {
		return path
	}
	return ""
}

// FuzzSetPatchImages: a patch edit either fails or changes nothing but matching images.
func FuzzSetPatchImages(f *testing.F) {
	addGoldenSeeds(f, func(src []byte) {
		f.Add(src, "registry.example.com/team/api", "v2", true)
	})
	f.Fuzz(func(t *testing.T, src []byte, name, tag string, withDigest bool) {
		target := Target{Names: []string{"registry.example.com/team/api", name}, Tag: tag}
		if withDigest {
			target.Digest = newDigest
		}
		out, changes, err := SetPatchImages(src, target)
		if err != nil {
			return
		}
		if len(changes) == 0 {
			t.Fatal("no error and no change")
		}
		want, err := decodeAll(src)
		if err != nil {
			t.Skipf("input accepted by the editor but not decodable into Go values: %v", err)
		}
		got, err := decodeAll(out)
		if err != nil {
			t.Fatalf("output does not parse: %v\ninput:\n%q\noutput:\n%q", err, src, out)
		}
		if len(want) != len(got) {
			t.Fatalf("%d documents became %d", len(want), len(got))
		}
		m := newImageMatcher()
		for i := range want {
			if p := onlyImagesDiffer(want[i], got[i], target, m, ""); p != "" {
				t.Fatalf("document %d differs at %q beyond the image\ninput:\n%q\noutput:\n%q", i, p, src, out)
			}
		}
	})
}
