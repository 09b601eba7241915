package kustedit

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// SetKustomizationImages sets newTag (and digest) on every `images:` entry matching t.Names.
func SetKustomizationImages(src []byte, t Target) ([]byte, []Change, error) {
	if err := t.validate(); err != nil {
		return nil, nil, err
	}
	k, err := loadKustomization(src)
	if err != nil {
		return nil, nil, err
	}
	_, seq, err := k.images()
	if err != nil {
		return nil, nil, err
	}
	if seq == nil {
		return nil, nil, fmt.Errorf("%w: no images entries (want %s)", ErrNoMatch, strings.Join(t.Names, ", "))
	}
	m := newImageMatcher()
	var found []string
	for _, e := range seq.Content {
		f, err := readEntry(e)
		if err != nil {
			return nil, nil, err
		}
		if !f.matches(m, t.Names) {
			found = append(found, scalarString(f.name))
			continue
		}
		if err := k.setEntry(e, f, t); err != nil {
			return nil, nil, err
		}
	}
	if len(k.changes) == 0 {
		return nil, nil, fmt.Errorf("%w: images has no entry for %s (found: %s)",
			ErrNoMatch, strings.Join(t.Names, ", "), strings.Join(found, ", "))
	}
	out, err := k.apply()
	if err != nil {
		return nil, nil, err
	}
	return out, k.changes, nil
}

// editable refuses nodes whose text cannot simply be replaced.
func editable(n *yaml.Node, what string) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return fmt.Errorf("line %d: %s is an alias", n.Line, what)
	case n.Anchor != "":
		return fmt.Errorf("line %d: %s carries an anchor", n.Line, what)
	case n.Kind != yaml.ScalarNode:
		return fmt.Errorf("line %d: %s is not a string", n.Line, what)
	case n.Style&yaml.TaggedStyle != 0 && n.ShortTag() != "!!str":
		return fmt.Errorf("line %d: %s carries the tag %s", n.Line, what, n.Tag)
	}
	return nil
}

// setEntry plans the edits of one matching images entry.
func (k *kustomization) setEntry(e *yaml.Node, f entryFields, t Target) error {
	idx := len(k.changes)
	k.changes = append(k.changes, Change{Image: scalarString(f.name), NewTag: t.Tag, NewDigest: t.Digest})
	ch := &k.changes[idx]
	if ch.Image == "" {
		ch.Image = scalarString(f.newName)
	}

	var inserts [][2]string // key, value
	anchorKey := "name"
	if _, ni := mappingValue(e, "newName"); ni >= 0 {
		if _, i := mappingValue(e, "name"); ni > i {
			anchorKey = "newName"
		}
	}
	if f.newTag != nil {
		if err := editable(f.newTag, "newTag"); err != nil {
			return err
		}
		ch.OldTag = scalarString(f.newTag)
		if err := k.replaceScalar(f.newTag, t.Tag, idx); err != nil {
			return err
		}
	} else {
		inserts = append(inserts, [2]string{"newTag", t.Tag})
		k.mutate = append(k.mutate, insertPair(e, anchorKey, "newTag", strNode(t.Tag)))
	}

	if f.digest != nil {
		if err := editable(f.digest, "digest"); err != nil {
			return err
		}
		ch.OldDigest = scalarString(f.digest)
		if t.Digest != "" {
			if err := k.replaceScalar(f.digest, t.Digest, -1); err != nil {
				return err
			}
		} else {
			// With a digest kept, the image would still be pulled by that digest and the new
			// tag would have no effect, so a plain-tag release drops it.
			ch.DigestRemoved = ch.OldDigest != ""
			if err := k.removePair(e, "digest"); err != nil {
				return err
			}
		}
	} else if t.Digest != "" {
		if f.newTag != nil {
			k.mutate = append(k.mutate, insertPair(e, "newTag", "digest", strNode(t.Digest)))
			return k.insertPairs(e, "newTag", [][2]string{{"digest", t.Digest}}, -1)
		}
		inserts = append(inserts, [2]string{"digest", t.Digest})
		k.mutate = append(k.mutate, insertPair(e, "newTag", "digest", strNode(t.Digest)))
	}
	if len(inserts) == 0 {
		return nil
	}
	if _, i := mappingValue(e, anchorKey); i < 0 {
		return fmt.Errorf("line %d: images entry has no name", e.Line)
	}
	return k.insertPairs(e, anchorKey, inserts, idx)
}

// replaceScalar rewrites the text of scalar n to hold v, in n's quoting style.
func (p *plan) replaceScalar(n *yaml.Node, v string, change int) error {
	start, end, err := p.src.scalarSpan(n)
	if err != nil {
		return err
	}
	p.mutate = append(p.mutate, setScalar(n, v))
	if n.Value == v && n.ShortTag() == "!!str" {
		p.add(splice{start: start, end: start, change: change}) // already there: no bytes change
		return nil
	}
	text := render(v, styleOf(n))
	if start == end && start > 0 && p.src.src[start-1] == ':' {
		text = " " + text // an empty value right after its key
	}
	p.add(splice{start: start, end: end, text: text, change: change})
	return nil
}

// insertPairs adds key: value pairs to mapping e right after the pair keyed after: as new
// lines in a block mapping, inline in a flow mapping.
func (p *plan) insertPairs(e *yaml.Node, after string, pairs [][2]string, change int) error {
	v, i := mappingValue(e, after)
	end, err := p.src.nodeEnd(v)
	if err != nil {
		return err
	}
	key := e.Content[i]
	valueStyle := styleOf(v)
	if e.Style&yaml.FlowStyle != 0 {
		var b strings.Builder
		for _, kv := range pairs {
			b.WriteString(", " + quoteKey(kv[0], styleOf(key)) + ": " + render(kv[1], valueStyle))
		}
		p.add(splice{start: end, end: end, text: b.String(), change: change, mark: 2})
		return nil
	}
	indent := strings.Repeat(" ", e.Content[0].Column-1)
	var lines []string
	for _, kv := range pairs {
		lines = append(lines, indent+kv[0]+": "+render(kv[1], valueStyle))
	}
	p.addLines(end, lines, change)
	return nil
}

// addLines inserts whole lines after the line holding off.
func (p *plan) addLines(off int, lines []string, change int) {
	at, hasBreak := p.src.afterLine(off)
	eol := p.src.eol
	if hasBreak {
		p.add(splice{start: at, end: at, text: strings.Join(lines, eol) + eol, change: change})
		return
	}
	p.add(splice{start: at, end: at, text: eol + strings.Join(lines, eol), change: change, mark: len(eol)})
}

func quoteKey(k string, q quoteStyle) string {
	switch q {
	case doubleQuote:
		return `"` + k + `"`
	case singleQuote:
		return "'" + k + "'"
	}
	return k
}

// removePair deletes key and its value from mapping e: the whole line in a block mapping,
// the pair and one comma in a flow mapping.
func (p *plan) removePair(e *yaml.Node, key string) error {
	v, i := mappingValue(e, key)
	k := e.Content[i]
	kStart, err := p.src.offset(k)
	if err != nil {
		return err
	}
	vEnd, err := p.src.nodeEnd(v)
	if err != nil {
		return err
	}
	p.mutate = append(p.mutate, removePair(e, key))
	hasNext := i+2 < len(e.Content)
	var nextStart int
	if hasNext {
		if nextStart, err = p.src.offset(e.Content[i+2]); err != nil {
			return err
		}
	}
	if e.Style&yaml.FlowStyle == 0 && p.src.onlySpaceBefore(kStart) {
		from := p.src.lineStarts[p.src.lineOf(kStart)]
		to, _ := p.src.afterLine(vEnd)
		p.add(splice{start: from, end: to, change: -1})
		return nil
	}
	switch {
	case hasNext:
		// First key on a "- " line, or a flow pair followed by another: the next key moves up.
		p.add(splice{start: kStart, end: nextStart, change: -1})
	case i > 0 && e.Style&yaml.FlowStyle != 0:
		prevEnd, err := p.src.nodeEnd(e.Content[i-1])
		if err != nil {
			return err
		}
		comma := p.src.skipBlanks(prevEnd)
		if p.src.lineOf(comma) == p.src.lineOf(kStart) || comma >= len(p.src.src) || p.src.src[comma] != ',' {
			p.add(splice{start: prevEnd, end: vEnd, change: -1})
			return nil
		}
		// The last pair sits on a later line: drop the comma and the pair but keep the
		// comments in between.
		p.add(splice{start: comma, end: comma + 1, change: -1})
		if p.src.onlySpaceBefore(kStart) && p.src.skipBlanks(vEnd) == p.src.lineEnds[p.src.lineOf(vEnd)] {
			to, _ := p.src.afterLine(vEnd)
			p.add(splice{start: p.src.lineStarts[p.src.lineOf(kStart)], end: to, change: -1})
			return nil
		}
		p.add(splice{start: kStart, end: vEnd, change: -1})
	default:
		return fmt.Errorf("line %d: cannot remove %s, the only key of its entry", k.Line, key)
	}
	return nil
}
