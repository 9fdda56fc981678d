package roster

import (
	"strings"
	"testing"
)

func TestNameProblemRefusesInvisibleAndReversingNames(t *testing.T) {
	refused := map[string]struct{ name, want string }{
		"empty":                        {"", "required"},
		"zero-width space only":        {"\u200B", "no visible character"},
		"many zero-width characters":   {"\u200B\u200C\u200D\u2060\uFEFF", "no visible character"},
		"LRM and RLM only":             {"\u200E\u200F", "no visible character"},
		"soft hyphen only":             {"\u00AD\u00AD", "no visible character"},
		"BOM only":                     {"\uFEFF", "no visible character"},
		"word joiner and invisible op": {"\u2060\u2062\u2063\u2064", "no visible character"},
		"Mongolian vowel separator":    {"\u180E", "no visible character"},
		"tag characters only":          {"\U000E0041\U000E0042", "no visible character"},
		"combining marks without base": {"\u0301\u0308\u034F", "no visible character"},
		"variation selectors only":     {"\uFE0F\uFE0E", "no visible character"},
		"Hangul fillers":               {"\u3164\u115F\u1160\uFFA0", "no visible character"},
		"blank Braille":                {"\u2800\u2800", "no visible character"},
		"ideographic space and ZWSP":   {"\u3000\u200B\u3000", "no visible character"},
		"no-break spaces":              {"\u00A0\u2007\u202F", "no visible character"},
		"private use only":             {"\uE000\uF8FF", "no visible character"},
		"RLO reversing a word":         {"\u202Eevil", "U+202E"},
		"RLO in the middle":            {"Ada \u202Eenilehpez", "U+202E"},
		"LRO":                          {"Ada\u202D Lovelace", "U+202D"},
		"PDF alone":                    {"Ada\u202C", "U+202C"},
		"LRE":                          {"\u202AAda", "U+202A"},
		"RLE":                          {"Ada\u202B", "U+202B"},
		"RLI isolate":                  {"Ada \u2067Lovelace\u2069", "U+2067"},
		"LRI":                          {"\u2066x", "U+2066"},
		"FSI":                          {"x\u2068", "U+2068"},
		"PDI":                          {"x\u2069", "U+2069"},
		"bidi controls only":           {"\u202E\u2066\u2069", "U+202E"},
		"NUL":                          {"Ada\x00", "control characters"},
		"newline":                      {"Ada\nLovelace", "control characters"},
		"tab":                          {"Ada\tLovelace", "control characters"},
		"C1 NEL":                       {"Ada\u0085", "control characters"},
		"line separator":               {"Ada\u2028Lovelace", "line or paragraph separator"},
		"paragraph separator":          {"Ada\u2029", "line or paragraph separator"},
		"invalid UTF-8":                {"Ada\xff", "UTF-8"},
		"too long":                     {strings.Repeat("a", 101), "longer than 100"},
		"too long in runes":            {strings.Repeat("é", 101), "longer than 100"},
	}
	for label, tc := range refused {
		t.Run(label, func(t *testing.T) {
			got := NameProblem(tc.name, 100)
			if got == "" || !strings.Contains(got, tc.want) {
				t.Fatalf("NameProblem(%+q) = %q; want a refusal saying %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestNameProblemKeepsRealNames(t *testing.T) {
	for _, name := range []string{
		"Ada Lovelace",
		"A",
		"7",
		"José Ñúñez",
		"Zoë O'Brien-Smith",
		"李小龍",
		"محمد عبد الله",      // right-to-left script, no controls
		"שרה לוי",            // Hebrew
		"Ada\u200B Lovelace", // a zero-width space beside letters is odd but harmless
		"می\u200Cخواهم",      // Persian needs ZWNJ
		"क्\u200Dष",          // Devanagari with ZWJ
		"👩\u200D💻 Dev",       // emoji ZWJ sequence
		"e\u0301 (combining accent on a base)",
		"Ange\u00ADla",      // soft hyphen inside a word
		"Ada\u200ELovelace", // LRM is a mark, not an override
		"🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", // England flag tag sequence
		"AWS 101 — Spring 2027",
		strings.Repeat("a", 100),
	} {
		if got := NameProblem(name, 100); got != "" {
			t.Errorf("NameProblem(%+q) = %q; want it accepted", name, got)
		}
	}
}
