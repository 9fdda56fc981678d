package roster

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameProblem returns why name cannot be a student's, a class's or a user's name, or
// "" if it can. Every path that takes a name (forms, CSV, API, CLI) calls it, so a name
// refused in one place is refused everywhere. The caller trims surrounding spaces first;
// nothing is stripped silently here: a name that needs changing is refused with why.
//
// Refused: an empty or over-long name, invalid UTF-8, control characters and line
// separators, bidirectional embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) anywhere, since they make "evil" display as "live", and a name with no
// visible character at all (only zero-width, format, combining or blank characters).
// Format characters beside visible ones (a zero-width joiner in an emoji or an Indic
// name, a soft hyphen) are kept: they are how some names are written.
func NameProblem(name string, maxRunes int) string {
	switch {
	case name == "":
		return "name is required"
	case !utf8.ValidString(name):
		return "name is not valid UTF-8 text"
	case utf8.RuneCountInString(name) > maxRunes:
		return fmt.Sprintf("name is longer than %d characters", maxRunes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "name contains control characters"
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.In(r, unicode.Zl, unicode.Zp) }):
		return "name contains a line or paragraph separator"
	}
	if i := strings.IndexFunc(name, isBidiControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return fmt.Sprintf("name contains the invisible direction control U+%04X, which makes text display reversed; type the name without it", r)
	}
	if !strings.ContainsFunc(name, isVisible) {
		return "name has no visible character (only spaces, zero-width or formatting characters); type the name with letters or digits"
	}
	return ""
}

// isBidiControl reports whether r is a bidirectional embedding, override or isolate.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// blankLetters are letters and symbols that render as nothing (Hangul fillers, the
// blank Braille pattern), used to make names that look empty.
var blankLetters = map[rune]bool{'\u115F': true, '\u1160': true, '\u3164': true, '\uFFA0': true, '\u2800': true}

// isVisible reports whether r draws something on its own: a letter, digit,
// punctuation or symbol that is not one of the blank ones. Spaces, format characters
// (Cf), combining marks without a base, private-use and unassigned code points do not.
func isVisible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !blankLetters[r]
}
