package roster

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := map[string]struct {
		csv      string
		opt      Options
		rows     int
		wantErrs []RowError // each must appear (line and field); extra errors fail too
	}{
		"good file":               {csv: "name,email\nAda,ada@example.edu\nGrace,GRACE@Example.edu\n", rows: 2},
		"account column":          {csv: "name,email,account_id\nAda,ada@example.edu,123456789012\nGrace,grace@example.edu,\n", rows: 2},
		"columns in any order":    {csv: "Email, Name\nada@example.edu,Ada\n", rows: 1},
		"byte-order mark":         {csv: "\xef\xbb\xbfname,email\nAda,ada@example.edu\n", rows: 1},
		"crlf line endings":       {csv: "name,email\r\nAda,ada@example.edu\r\n", rows: 1},
		"wrong header":            {csv: "student,mail\nAda,ada@example.edu\n", wantErrs: []RowError{{Line: 1, Field: "header"}, {Line: 1, Field: "header"}, {Line: 1, Field: "header"}, {Line: 1, Field: "header"}}},
		"missing email column":    {csv: "name\nAda\n", wantErrs: []RowError{{Line: 1, Field: "header"}}},
		"missing e-mail":          {csv: "name,email\nAda,\n", wantErrs: []RowError{{Line: 2, Field: "email"}}},
		"invalid e-mails":         {csv: "name,email\nA,not-an-email\nB,b@nodot\nC,Carl <c@example.edu>\nD,d@example.edu\n", wantErrs: []RowError{{Line: 2, Field: "email"}, {Line: 3, Field: "email"}, {Line: 4, Field: "email"}}},
		"duplicate in file":       {csv: "name,email\nA,a@example.edu\nB,b@example.edu\nA2,A@EXAMPLE.EDU\n", wantErrs: []RowError{{Line: 4, Field: "email"}}},
		"duplicate of existing":   {csv: "name,email\nA,a@example.edu\nB,b@example.edu\n", opt: Options{Existing: map[string]bool{"b@example.edu": true}}, wantErrs: []RowError{{Line: 3, Field: "email"}}},
		"empty name":              {csv: "name,email\n ,a@example.edu\n", wantErrs: []RowError{{Line: 2, Field: "name"}}},
		"field count":             {csv: "name,email\nA,a@example.edu,extra\n", wantErrs: []RowError{{Line: 2, Field: "csv"}}},
		"bare quote":              {csv: "name,email\nA\"x,a@example.edu\nB,b@example.edu\n", wantErrs: []RowError{{Line: 2, Field: "csv"}}},
		"empty file":              {csv: "", wantErrs: []RowError{{Line: 0, Field: "file"}}},
		"blank file":              {csv: " \n\n", wantErrs: []RowError{{Line: 0, Field: "file"}}},
		"header only":             {csv: "name,email\n", wantErrs: []RowError{{Line: 2, Field: "file"}}},
		"account required":        {csv: "name,email\nA,a@example.edu\n", opt: Options{RequireAccount: true}, wantErrs: []RowError{{Line: 2, Field: "account_id"}}},
		"bad account id":          {csv: "name,email,account_id\nA,a@example.edu,12345\n", wantErrs: []RowError{{Line: 2, Field: "account_id"}}},
		"duplicate account":       {csv: "name,email,account_id\nA,a@example.edu,123456789012\nB,b@example.edu,123456789012\n", wantErrs: []RowError{{Line: 3, Field: "account_id"}}},
		"several bad rows listed": {csv: "name,email\n,a@example.edu\nB,bad\nC,c@example.edu\n", wantErrs: []RowError{{Line: 2, Field: "name"}, {Line: 3, Field: "email"}}},
		"non-UTF-8":               {csv: "name,email\nJos\xe9,jose@example.edu\nAda,ada@example.edu\nZo\xeb,zoe@example.edu\n", wantErrs: []RowError{{Line: 2, Field: "encoding"}, {Line: 4, Field: "encoding"}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rows, errs := Parse([]byte(tc.csv), tc.opt)
			if len(tc.wantErrs) == 0 {
				if len(errs) > 0 || len(rows) != tc.rows {
					t.Fatalf("rows=%d errs=%v; want %d rows and no errors", len(rows), errs, tc.rows)
				}
				for _, r := range rows {
					if r.Email != strings.ToLower(r.Email) {
						t.Errorf("e-mail %q not lower-cased", r.Email)
					}
				}
				return
			}
			if rows != nil {
				t.Fatalf("rows returned alongside errors: %v", rows)
			}
			if len(errs) != len(tc.wantErrs) {
				t.Fatalf("errors = %v; want %d", errs, len(tc.wantErrs))
			}
			for i, want := range tc.wantErrs {
				if errs[i].Line != want.Line || errs[i].Field != want.Field || errs[i].Message == "" {
					t.Errorf("error %d = %+v; want line %d field %q with a message", i, errs[i], want.Line, want.Field)
				}
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("name,email\n")
	for i := 0; b.Len() < 10<<20; i++ {
		b.WriteString("Student Name,student")
		b.WriteString(strings.Repeat("x", 20))
		b.WriteString("@example.edu\n")
	}
	rows, errs := Parse(b.Bytes(), Options{})
	if rows != nil || len(errs) != 1 || errs[0].Field != "file" || !strings.Contains(errs[0].Message, "10.0 MB") || !strings.Contains(errs[0].Message, "1.0 MB") {
		t.Fatalf("10 MB roster: errs=%v; want one clear size error naming both sizes", errs)
	}
}

func TestMessagesNameTheProblem(t *testing.T) {
	_, errs := Parse([]byte("name,email\nA,a@example.edu\nB,a@example.edu\n"), Options{})
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "line 2") {
		t.Fatalf("duplicate message should point at the first line: %v", errs)
	}
	_, errs = Parse([]byte("name,email\nA,a@example.edu\n"), Options{Existing: map[string]bool{"a@example.edu": true}})
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "already on the roster") {
		t.Fatalf("existing message: %v", errs)
	}
}

func TestWriteNeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, []string{"name", "email"}, [][]string{
		{"=HYPERLINK(\"http://evil\")", "a@example.edu"},
		{"+1+1", "-2@example.edu"},
		{"@SUM(A1)", "\tx"},
		{"Plain Name", "p@example.edu"},
		{"", "e@example.edu"},
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts with a formula character", cell)
			}
		}
	}
	if recs[1][0] != `'=HYPERLINK("http://evil")` || recs[4][0] != "Plain Name" {
		t.Errorf("neutralised cells = %q, %q", recs[1][0], recs[4][0])
	}
}
