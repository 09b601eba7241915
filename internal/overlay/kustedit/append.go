package kustedit

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// AppendKustomizationImage adds an `images:` entry for name, creating the key when missing,
// in the indentation style the file already uses.
func AppendKustomizationImage(src []byte, name string, t Target) ([]byte, Change, error) {
	if t.Names == nil {
		t.Names = []string{name}
	}
	if err := t.validate(); err != nil {
		return nil, Change{}, err
	}
	if name == "" || !printable(name) || strings.ContainsAny(name, " \t") {
		return nil, Change{}, fmt.Errorf("invalid image name %q", name)
	}
	k, err := loadKustomization(src)
	if err != nil {
		return nil, Change{}, err
	}
	key, seq, err := k.images()
	if err != nil {
		return nil, Change{}, err
	}
	if seq != nil && seq.Kind == yaml.SequenceNode {
		m := newImageMatcher()
		for _, e := range seq.Content {
			f, err := readEntry(e)
			if err != nil {
				return nil, Change{}, err
			}
			if f.matches(m, []string{name}) {
				return nil, Change{}, fmt.Errorf("line %d: images already has an entry for %s", e.Line, name)
			}
		}
	}
	k.changes = []Change{{Image: name, NewTag: t.Tag, NewDigest: t.Digest, Appended: true}}
	entry := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map",
		Content: []*yaml.Node{strNode("name"), strNode(name), strNode("newTag"), strNode(t.Tag)}}
	if t.Digest != "" {
		entry.Content = append(entry.Content, strNode("digest"), strNode(t.Digest))
	}
	fields := [][2]string{{"name", name}, {"newTag", t.Tag}}
	if t.Digest != "" {
		fields = append(fields, [2]string{"digest", t.Digest})
	}

	switch {
	case seq == nil:
		err = k.appendImagesKey(entry, fields)
	case seq.Kind == yaml.ScalarNode:
		err = k.fillEmptyImages(key, seq, entry, fields)
	case seq.Style&yaml.FlowStyle != 0:
		err = k.appendFlowEntry(seq, entry, fields)
	default:
		err = k.appendBlockEntry(seq, entry, fields)
	}
	if err != nil {
		return nil, Change{}, err
	}
	out, err := k.apply()
	if err != nil {
		return nil, Change{}, err
	}
	return out, k.changes[0], nil
}

// documentEndMarker matches a `...` line, which ends the kustomization document.
var documentEndMarker = regexp.MustCompile(`(?m)^\.\.\.[ \t]*(?:#[^\r\n]*)?\r?$`)

// blockEntryLines renders an entry as block lines: "<dash>- name: x", "<keys>newTag: y".
func blockEntryLines(dashCol, keyCol int, fields [][2]string, tagStyle quoteStyle) []string {
	lines := make([]string, 0, len(fields))
	for i, kv := range fields {
		q := plainQuote
		if kv[0] != "name" {
			q = tagStyle
		}
		line := kv[0] + ": " + render(kv[1], q)
		if i == 0 {
			line = strings.Repeat(" ", dashCol-1) + "-" + strings.Repeat(" ", keyCol-dashCol-1) + line
		} else {
			line = strings.Repeat(" ", keyCol-1) + line
		}
		lines = append(lines, line)
	}
	return lines
}

func flowEntry(fields [][2]string, keyStyle, tagStyle quoteStyle) string {
	parts := make([]string, 0, len(fields))
	for _, kv := range fields {
		q := tagStyle
		if kv[0] == "name" {
			q = keyStyle // a JSON-like entry quotes every string
		}
		parts = append(parts, quoteKey(kv[0], keyStyle)+": "+render(kv[1], q))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// seqIndent returns how far the dashes of the file's block sequences sit right of their key,
// taken from the first block sequence under a top-level key (0 when there is none).
func (k *kustomization) seqIndent() int {
	if k.root == nil {
		return 0
	}
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		v := k.root.Content[i+1]
		if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && v.Column > k.root.Content[i].Column {
			return v.Column - k.root.Content[i].Column
		}
	}
	return 0
}

// appendImagesKey adds `images:` with the entry at the end of the file.
func (k *kustomization) appendImagesKey(entry *yaml.Node, fields [][2]string) error {
	if k.root != nil && k.root.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("line %d: cannot add images to a flow-style kustomization", k.root.Line)
	}
	if k.docIndex >= 0 && k.docIndex != len(k.docs)-1 {
		return fmt.Errorf("cannot add images: the kustomization is followed by another YAML document")
	}
	keyCol := 1
	if k.root != nil {
		keyCol = k.root.Column
	}
	dashCol := keyCol + k.seqIndent()
	lines := append([]string{strings.Repeat(" ", keyCol-1) + "images:"},
		blockEntryLines(dashCol, dashCol+2, fields, plainQuote)...)
	s := k.src
	eol := s.eol
	text := strings.Join(lines, eol)
	mark := len(lines[0]) + len(eol)
	switch {
	case s.lineStarts[0] == len(s.src) || s.endsWithBreak(): // empty, or ends a line
		text += eol
	default:
		text = eol + text
		mark += len(eol)
	}
	at, from := len(s.src), 0
	if k.root != nil {
		from = s.lineStarts[k.root.Line-1]
	}
	if loc := documentEndMarker.FindIndex(s.src[from:]); loc != nil {
		// `...` closes the document: the key goes on the lines before it.
		if strings.HasPrefix(text, eol) {
			text, mark = text[len(eol):], mark-len(eol)
		}
		if !strings.HasSuffix(text, eol) {
			text += eol
		}
		at = from + loc[0]
	}
	k.add(splice{start: at, end: at, text: text, change: 0, mark: mark})

	value := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{entry}}
	k.mutate = append(k.mutate, func() {
		if len(k.docs) == 0 {
			k.docs = append(k.docs, &yaml.Node{Kind: yaml.DocumentNode})
		}
		doc := k.docs[len(k.docs)-1]
		root := k.root
		if root == nil {
			root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			doc.Content = []*yaml.Node{root}
		}
		root.Content = append(root.Content, strNode("images"), value)
	})
	return nil
}

// fillEmptyImages turns `images:` (empty or null) into a block list holding the entry.
func (k *kustomization) fillEmptyImages(key, null *yaml.Node, entry *yaml.Node, fields [][2]string) error {
	if err := editable(null, "images"); err != nil {
		return err
	}
	start, end, err := k.src.scalarSpan(null)
	if err != nil {
		return err
	}
	if start != end { // `images: ~` or `images: null`: drop the null and its separating blanks
		from := start
		for from > 0 && (k.src.src[from-1] == ' ' || k.src.src[from-1] == '\t') {
			from--
		}
		k.add(splice{start: from, end: end, change: -1})
	}
	dashCol := key.Column + k.seqIndent()
	k.addLines(end, blockEntryLines(dashCol, dashCol+2, fields, plainQuote), 0)
	k.mutate = append(k.mutate, func() {
		*null = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{entry}}
	})
	return nil
}

// appendBlockEntry adds the entry after the last entry of a block list, in its layout.
func (k *kustomization) appendBlockEntry(seq, entry *yaml.Node, fields [][2]string) error {
	last := seq.Content[len(seq.Content)-1]
	end, err := k.src.nodeEnd(last)
	if err != nil {
		return fmt.Errorf("cannot find the end of the images list: %w", err)
	}
	tagStyle := plainQuote
	if v, _ := mappingValue(last, "newTag"); v != nil {
		tagStyle = styleOf(v)
	}
	var lines []string
	if last.Style&yaml.FlowStyle != 0 {
		keyStyle := plainQuote
		if len(last.Content) > 0 {
			keyStyle = styleOf(last.Content[0])
		}
		lines = []string{strings.Repeat(" ", seq.Column-1) + "- " + flowEntry(fields, keyStyle, tagStyle)}
	} else {
		keyCol := seq.Column + 2
		if len(last.Content) > 0 && last.Content[0].Line == last.Line && last.Content[0].Column > seq.Column {
			keyCol = last.Content[0].Column
		}
		lines = blockEntryLines(seq.Column, keyCol, fields, tagStyle)
	}
	k.addLines(end, lines, 0)
	k.mutate = append(k.mutate, func() { seq.Content = append(seq.Content, entry) })
	return nil
}

// appendFlowEntry adds the entry inside a flow list: `images: [{...}, {...}]`.
func (k *kustomization) appendFlowEntry(seq, entry *yaml.Node, fields [][2]string) error {
	keyStyle, tagStyle := plainQuote, plainQuote
	var at int
	sep := ", "
	if len(seq.Content) == 0 {
		start, err := k.src.nodeStart(seq)
		if err != nil {
			return err
		}
		at, sep = start+1, ""
	} else {
		last := seq.Content[len(seq.Content)-1]
		end, err := k.src.nodeEnd(last)
		if err != nil {
			return err
		}
		at = end
		if len(last.Content) > 0 {
			keyStyle = styleOf(last.Content[0])
		}
		if v, _ := mappingValue(last, "newTag"); v != nil {
			tagStyle = styleOf(v)
		}
	}
	k.add(splice{start: at, end: at, text: sep + flowEntry(fields, keyStyle, tagStyle), change: 0, mark: len(sep)})
	k.mutate = append(k.mutate, func() { seq.Content = append(seq.Content, entry) })
	return nil
}
