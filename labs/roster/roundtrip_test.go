package roster

import (
	"bytes"
	"strings"
	"testing"
)

// TestParseHostileCSV: what spreadsheets and people actually send, and what an
// attacker would. Each case names the rows it must give or the message it must say;
// no message may be Go's own CSV wording.
func TestParseHostileCSV(t *testing.T) {
	cases := map[string]struct {
		csv      string
		names    []string // the rows' names, in order, when the file is good
		line     int      // the line of the first problem, when it is bad
		contains string   // in that problem's message
	}{
		"roster download":               {csv: "id,name,email,account_id\ns01,Ada,ada@example.edu,\ns02,Bea,bea@example.edu,\n", names: []string{"Ada", "Bea"}},
		"CLI output (id and link)":      {csv: "id,name,email,link\ns01,Ada,ada@example.edu,https://labs.example.edu/s/0123\n", names: []string{"Ada"}},
		"id column last, any case":      {csv: "Name,EMAIL, ID \nAda,ada@example.edu,s09\n", names: []string{"Ada"}},
		"BOM, CRLF and quotes":          {csv: "\xef\xbb\xbfid,name,email\r\n\"s01\",\"Doe, Jane\",\"jane@example.edu\"\r\ns02,\"Bo \"\"Bobby\"\" Li\",bo@example.edu\r\n", names: []string{"Doe, Jane", `Bo "Bobby" Li`}},
		"empty lines and blank rows":    {csv: "name,email\n\nAda,ada@example.edu\n,\n  ,  \n\nBea,bea@example.edu\n\n", names: []string{"Ada", "Bea"}},
		"trailing empty header columns": {csv: "name,email,,\nAda,ada@example.edu,,\n", names: []string{"Ada"}},
		"neutralised cells come back":   {csv: "id,name,email\ns01,'=cmd|' /C calc'!A0,ada@example.edu\ns02,'-Bo,bo@example.edu\ns03,O'Neil,o@example.edu\n", names: []string{"=cmd|' /C calc'!A0", "-Bo", "O'Neil"}},
		"extra cell":                    {csv: "name,email\nDoe, Jane,jane@example.edu\n", line: 2, contains: `the line has 3 cells but the header has 2; a comma inside a name must be inside double quotes ("Doe, Jane")`},
		"missing cell":                  {csv: "id,name,email\ns01,Ada\n", line: 2, contains: "the line has 2 cells but the header has 3"},
		"bare quote":                    {csv: "name,email\nBo \"B\" Li,bo@example.edu\n", line: 2, contains: `a quote mark (") is inside a cell that does not start with one`},
		"text after a closing quote":    {csv: "name,email\n\"Bo\" Li,bo@example.edu\n", line: 2, contains: "a quoted cell has text after its closing quote mark"},
		"quote never closed":            {csv: "name,email\nAda,ada@example.edu\n\"Bo,bo@example.edu\nCy,cy@example.edu\n", line: 3, contains: "the quoted cell that starts on line 3 runs on to line 4 without being closed properly"},
		"unknown column":                {csv: "name,email,phone\nAda,ada@example.edu,555\n", line: 1, contains: `unknown column "phone"; the header is name,email[,account_id]; an id column (as in the roster download) is ignored`},
		"formula in e-mail":             {csv: "name,email\nAda,\"=HYPERLINK(\"\"http://evil\"\")\"\n", line: 2, contains: "not a valid e-mail address"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rows, errs := Parse([]byte(tc.csv), Options{})
			if tc.names != nil {
				if len(errs) > 0 {
					t.Fatalf("errors: %v", errs)
				}
				var got []string
				for _, r := range rows {
					got = append(got, r.Name)
				}
				if strings.Join(got, "|") != strings.Join(tc.names, "|") {
					t.Fatalf("names %q; want %q", got, tc.names)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("accepted: %v", rows)
			}
			if errs[0].Line != tc.line || !strings.Contains(errs[0].Message, tc.contains) {
				t.Fatalf("first problem %+v; want line %d saying %q", errs[0], tc.line, tc.contains)
			}
			for _, e := range errs {
				for _, raw := range []string{"bare \"", "extraneous", "non-quoted-field", "wrong number of fields", "record on line", "parse error"} {
					if strings.Contains(e.Message, raw) {
						t.Fatalf("Go's CSV wording reached the instructor: %q", e.Message)
					}
				}
			}
		})
	}
}

// TestExportNeutralisesAndImportsBack: every cell a spreadsheet would run is
// neutralised on the way out, and the same file reads back to the same names.
func TestExportNeutralisesAndImportsBack(t *testing.T) {
	names := []string{"=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@import", "Doe, Jane", `Bo "B" Li`, "Zoë Ünïcode", "'quoted"}
	var recs [][]string
	for i, n := range names {
		recs = append(recs, []string{"s0" + string(rune('1'+i)), n, "p" + string(rune('a'+i)) + "@example.edu", ""})
	}
	var b bytes.Buffer
	if err := Write(&b, []string{"id", "name", "email", "account_id"}, recs); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n")[1:] {
		cells := strings.SplitN(line, ",", 3)
		if len(cells) > 1 {
			cell := strings.TrimPrefix(cells[1], `"`)
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("exported cell %q would run as a formula", cells[1])
			}
		}
	}
	rows, errs := Parse(b.Bytes(), Options{})
	if len(errs) > 0 {
		t.Fatalf("the export does not import back: %v\n%s", errs, b.String())
	}
	for i, r := range rows {
		if r.Name != names[i] {
			t.Fatalf("row %d: %q came back as %q", i, names[i], r.Name)
		}
	}
}
