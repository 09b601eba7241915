package signing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gito-dev/gito/internal/regularfile"
)

// AllowedSigners is a parsed OpenSSH allowed-signers file (see ssh-keygen(1), ALLOWED SIGNERS).
type AllowedSigners struct {
	// Name is how errors refer to the file, usually its repo-relative path.
	Name    string
	Entries []AllowedSigner
}

// AllowedSigner is one line of an allowed-signers file.
type AllowedSigner struct {
	Line int
	// Principals is the comma-separated pattern list as written (wildcards, '!' negation).
	Principals string
	// CertAuthority means Key is a CA whose user certificates are trusted.
	CertAuthority bool
	// Namespaces is the namespaces= pattern list; empty means every namespace.
	Namespaces string
	// ValidAfter and ValidBefore bound the key's use; zero means unbounded.
	ValidAfter  time.Time
	ValidBefore time.Time
	Key         ssh.PublicKey

	blob []byte // Key in wire format, kept so matching does not re-marshal every line
}

// keyBlob returns Key in wire format, also for entries built by hand (without caching, so
// concurrent verifications never write to a shared AllowedSigners).
func (e *AllowedSigner) keyBlob() []byte {
	if e.blob == nil {
		return e.Key.Marshal()
	}
	return e.blob
}

// LoadAllowedSigners reads and parses an allowed-signers file; name is used in errors.
func LoadAllowedSigners(path, name string) (*AllowedSigners, error) {
	data, err := regularfile.Read(path, name)
	if err != nil {
		return nil, fmt.Errorf("read allowed signers %s: %w", name, err)
	}
	return ParseAllowedSigners(name, data, time.Local)
}

// ParseAllowedSigners parses allowed-signers content. Timestamps without a Z suffix are read
// in loc, as OpenSSH reads them in the system time zone. Unlike OpenSSH, which logs and skips a
// bad line, any bad line is an error naming name:line: a typo must not silently drop a signer.
func ParseAllowedSigners(name string, data []byte, loc *time.Location) (*AllowedSigners, error) {
	as := &AllowedSigners{Name: name}
	for i, line := range strings.Split(string(data), "\n") {
		e, err := parseAllowedSignerLine(line, loc)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		if e == nil {
			continue
		}
		e.Line = i + 1
		as.Entries = append(as.Entries, *e)
	}
	return as, nil
}

// parseAllowedSignerLine parses "principals [options] keytype base64 [comment]"; nil, nil for
// blank and comment lines.
func parseAllowedSignerLine(line string, loc *time.Location) (*AllowedSigner, error) {
	line = strings.TrimLeft(line, " \t\r\n")
	line = strings.TrimRight(line, "\r")
	if line == "" || line[0] == '#' {
		return nil, nil
	}
	principals, rest, err := nextField(line)
	if err != nil {
		return nil, fmt.Errorf("principals: %w", err)
	}
	principals = strings.Trim(principals, `"`)
	if principals == "" {
		return nil, errors.New("empty principals")
	}
	if rest == "" {
		return nil, errors.New("missing key")
	}
	e := &AllowedSigner{Principals: principals}
	if key, ok := parseKeyFields(rest); ok {
		e.Key, e.blob = key, key.Marshal()
		return e, nil
	}
	if looksLikeKeyType(rest) {
		return nil, fmt.Errorf("invalid key %q", truncate(rest, 40))
	}
	opts, rest, err := nextField(rest)
	if err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	if rest == "" {
		return nil, errors.New("missing key")
	}
	if err := e.parseOptions(opts, loc); err != nil {
		return nil, err
	}
	key, ok := parseKeyFields(rest)
	if !ok {
		return nil, fmt.Errorf("invalid key %q", truncate(rest, 40))
	}
	e.Key, e.blob = key, key.Marshal()
	return e, nil
}

// nextField splits off a whitespace-delimited field in which double quotes protect spaces.
func nextField(s string) (field, rest string, err error) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case (c == ' ' || c == '\t') && !inQuote:
			return s[:i], strings.TrimLeft(s[i:], " \t"), nil
		}
	}
	if inQuote {
		return "", "", errors.New("unterminated quote")
	}
	return s, "", nil
}

// parseKeyFields parses "keytype base64 [comment]" and checks the type matches the blob.
func parseKeyFields(s string) (ssh.PublicKey, bool) {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return nil, false
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, false
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil || key.Type() != fields[0] {
		return nil, false
	}
	return key, true
}

func (e *AllowedSigner) parseOptions(opts string, loc *time.Location) error {
	seen := map[string]bool{}
	for _, opt := range splitOptions(opts) {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if seen[name] {
			return fmt.Errorf("option %s given twice", name)
		}
		seen[name] = true
		switch name {
		case "cert-authority":
			if hasValue {
				return errors.New("option cert-authority takes no value")
			}
			e.CertAuthority = true
		case "namespaces", "valid-after", "valid-before":
			v, err := dequote(name, value, hasValue)
			if err != nil {
				return err
			}
			switch name {
			case "namespaces":
				e.Namespaces = v
			case "valid-after":
				e.ValidAfter, err = parseTimestamp(v, loc)
			case "valid-before":
				e.ValidBefore, err = parseTimestamp(v, loc)
			}
			if err != nil {
				return fmt.Errorf("option %s: %w", name, err)
			}
		case "":
			return errors.New("empty option")
		default:
			return fmt.Errorf("unknown option %q", name)
		}
	}
	return nil
}

// splitOptions splits on commas outside double quotes.
func splitOptions(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// dequote requires a double-quoted value, as OpenSSH does ("missing start quote" otherwise).
func dequote(name, value string, hasValue bool) (string, error) {
	if !hasValue {
		return "", fmt.Errorf("option %s needs a value", name)
	}
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return "", fmt.Errorf(`option %s: value must be double-quoted (%s="...")`, name, name)
	}
	v := value[1 : len(value)-1]
	if v == "" {
		return "", fmt.Errorf("option %s: empty value", name)
	}
	return v, nil
}

// parseTimestamp reads YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]; Z means UTC, otherwise loc.
func parseTimestamp(s string, loc *time.Location) (time.Time, error) {
	v := s
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		v, loc = v[:len(v)-1], time.UTC
	}
	var layout string
	switch len(v) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, fmt.Errorf("%q is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]", s)
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]", s)
	}
	return t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func sameKey(a, b ssh.PublicKey) bool { return bytes.Equal(a.Marshal(), b.Marshal()) }

// looksLikeKeyType tells a broken key from options: no option starts like a key type.
func looksLikeKeyType(s string) bool {
	for _, p := range []string{"ssh-", "ecdsa-", "sk-"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
