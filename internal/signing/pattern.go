package signing

import "strings"

// matchPattern reports whether s matches an OpenSSH pattern: '*' matches any run of
// characters, '?' exactly one; everything else matches itself, case-sensitively. It
// backtracks only to the last '*', so it stays linear-ish on hostile input.
func matchPattern(s, pattern string) bool {
	si, pi := 0, 0
	star, starS := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]) && pattern[pi] != '*':
			si++
			pi++
		case pi < len(pattern) && pattern[pi] == '*':
			star, starS = pi, si
			pi++
		case star >= 0:
			starS++
			si, pi = starS, star+1
		default:
			return false
		}
	}
	return strings.Trim(pattern[pi:], "*") == ""
}

// matchPatternList follows OpenSSH's match_pattern_list: a comma-separated list where a
// matching negated entry ("!pat") rejects outright, otherwise any matching entry accepts.
func matchPatternList(s, list string) bool {
	matched := false
	for _, p := range strings.Split(list, ",") {
		negated := strings.HasPrefix(p, "!")
		if !matchPattern(s, strings.TrimPrefix(p, "!")) {
			continue
		}
		if negated {
			return false
		}
		matched = true
	}
	return matched
}
