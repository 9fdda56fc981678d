// Package roster reads and writes class rosters as CSV (header name,email[,account_id]).
// The roster download (id,name,email,account_id) imports back as it is: its id column,
// like the link column of the CLI's output and any column with an empty header, is
// read and ignored, and a cell the export neutralised gets its apostrophe back off.
//
// Parsing is all-or-nothing: Parse reports every bad row with its line number and
// the caller writes nothing unless the list is empty. Writing neutralises cells
// that a spreadsheet would run as a formula.
package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits on an imported roster. 1 MiB holds several thousand rows; a class is 10–500.
const (
	MaxBytes     = 1 << 20
	MaxStudents  = 2000
	MaxNameRunes = 100
	MaxEmailLen  = 254
)

// Row is one valid roster line.
type Row struct {
	Line      int
	Name      string
	Email     string // lower-cased
	AccountID string
}

// RowError says what is wrong with one line (line 0: the whole file).
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e RowError) String() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message)
}

// Options are what validation needs to know about the class.
type Options struct {
	// Existing holds lower-cased e-mails already on the roster.
	Existing map[string]bool
	// ExistingAccounts holds account ids already used by students of the class.
	ExistingAccounts map[string]bool
	// RequireAccount is set for account-per-student classes.
	RequireAccount bool
	// ExistingCount is how many students the class has already; the roster after an
	// import (existing plus new) may hold at most MaxStudents.
	ExistingCount int
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// ErrTooLarge is reported (as a RowError on line 0) when the file exceeds MaxBytes.
var ErrTooLarge = errors.New("roster: file too large")

// Parse validates data as a roster and returns its rows, or every problem found.
func Parse(data []byte, opt Options) ([]Row, []RowError) {
	if len(data) > MaxBytes {
		return nil, []RowError{{Field: "file", Message: fmt.Sprintf("the file is %s; a roster may be at most %s (about %d students)",
			humanBytes(len(data)), humanBytes(MaxBytes), MaxStudents)}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel's UTF-8 byte-order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []RowError{{Field: "file", Message: "the file is empty; expected a header line name,email[,account_id] and one line per student"}}
	}
	if errs := encodingErrors(data); len(errs) > 0 {
		return nil, errs
	}

	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false

	header, err := r.Read()
	if err != nil {
		return nil, []RowError{{Line: 1, Field: "header", Message: "cannot read the header line: " + csvMessage(err)}}
	}
	cols, herrs := parseHeader(header)
	if len(herrs) > 0 {
		return nil, herrs
	}

	var rows []Row
	var errs []RowError
	seen := map[string]int{}
	seenAcct := map[string]int{}
	records := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line := pe.Line
				if pe.StartLine > 0 {
					line = pe.StartLine // a quoted cell running on: where it starts
				}
				errs = append(errs, RowError{Line: line, Field: "csv", Message: csvMessage(err)})
				if len(errs) > 1000 {
					break
				}
				continue
			}
			errs = append(errs, RowError{Field: "csv", Message: "the file cannot be read as CSV; save it as \"CSV UTF-8\" and upload it again"})
			break
		}
		line, _ := r.FieldPos(0) // only valid after a successful Read
		if blankRecord(rec) {
			continue // a spreadsheet's empty row (",,,"), or a line of spaces
		}
		if records++; records > MaxStudents {
			errs = append(errs, RowError{Line: line, Field: "file", Message: fmt.Sprintf("a roster may list at most %d students; this is student %d", MaxStudents, MaxStudents+1)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, RowError{Line: line, Field: "csv", Message: cellCountMessage(len(header), len(rec))})
			continue
		}
		row := Row{Line: line, Name: unneutralise(strings.TrimSpace(rec[cols.name])), Email: trimLower(rec[cols.email])}
		if cols.account >= 0 {
			row.AccountID = strings.TrimSpace(rec[cols.account])
		}
		rowErrs := validate(row, opt)
		if row.Email != "" {
			if first, dup := seen[row.Email]; dup {
				rowErrs = append(rowErrs, RowError{Line: line, Field: "email", Message: fmt.Sprintf("%s appears twice in the file (first on line %d)", row.Email, first)})
			} else {
				seen[row.Email] = line
			}
		}
		if row.AccountID != "" {
			if first, dup := seenAcct[row.AccountID]; dup {
				rowErrs = append(rowErrs, RowError{Line: line, Field: "account_id", Message: fmt.Sprintf("account %s appears twice in the file (first on line %d); each student needs their own account", row.AccountID, first)})
			} else {
				seenAcct[row.AccountID] = line
			}
		}
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		rows = append(rows, row)
	}
	if len(errs) == 0 && opt.ExistingCount+len(rows) > MaxStudents {
		errs = append(errs, RowError{Field: "file", Message: fullMessage(opt.ExistingCount, len(rows))})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, []RowError{{Line: 2, Field: "file", Message: "the file has a header but no students"}}
	}
	return rows, nil
}

// fullMessage says why adding n students to a class of existing would pass MaxStudents.
func fullMessage(existing, n int) string {
	room := MaxStudents - existing
	if room <= 0 {
		return fmt.Sprintf("the class already has %d students, the most a class may have; remove students first or split the class", existing)
	}
	return fmt.Sprintf("the class has %s and this adds %d, but a class may have at most %d (room for %d more); remove students first or split the class",
		plural(existing, "student", "students"), n, MaxStudents, room)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

type columns struct{ name, email, account int }

// headerHint ends every header message: what the header may hold.
const headerHint = "the header is name,email[,account_id]; an id column (as in the roster download) is ignored"

// ignoredColumns are read and dropped: the id of the roster download and the link of
// the CLI's import output, so either file imports back as it is.
var ignoredColumns = map[string]bool{"id": true, "link": true}

func parseHeader(h []string) (columns, []RowError) {
	cols := columns{name: -1, email: -1, account: -1}
	var errs []RowError
	for i, raw := range h {
		col := strings.ToLower(strings.TrimSpace(raw))
		if col == "" || ignoredColumns[col] {
			continue
		}
		switch col {
		case "name":
			cols.name = dupCol(&errs, cols.name, i, "name")
		case "email":
			cols.email = dupCol(&errs, cols.email, i, "email")
		case "account_id":
			cols.account = dupCol(&errs, cols.account, i, "account_id")
		default:
			errs = append(errs, RowError{Line: 1, Field: "header", Message: fmt.Sprintf("unknown column %q; %s", truncate(raw, 40), headerHint)})
		}
	}
	if cols.name < 0 {
		errs = append(errs, RowError{Line: 1, Field: "header", Message: "missing column \"name\"; " + headerHint})
	}
	if cols.email < 0 {
		errs = append(errs, RowError{Line: 1, Field: "header", Message: "missing column \"email\"; " + headerHint})
	}
	return cols, errs
}

func dupCol(errs *[]RowError, prev, i int, name string) int {
	if prev >= 0 {
		*errs = append(*errs, RowError{Line: 1, Field: "header", Message: fmt.Sprintf("column %q appears twice", name)})
	}
	return i
}

func validate(r Row, opt Options) []RowError {
	var errs []RowError
	add := func(field, msg string) { errs = append(errs, RowError{Line: r.Line, Field: field, Message: msg}) }
	if msg := NameProblem(r.Name, MaxNameRunes); msg != "" {
		add("name", msg)
	}
	if msg := EmailProblem(r.Email); msg != "" {
		add("email", msg)
	} else if opt.Existing[r.Email] {
		add("email", r.Email+" is already on the roster")
	}
	switch {
	case r.AccountID == "" && opt.RequireAccount:
		add("account_id", "account_id is required: this class gives each student their own AWS account")
	case r.AccountID != "" && !accountRE.MatchString(r.AccountID):
		add("account_id", fmt.Sprintf("%q is not an AWS account id (12 digits)", truncate(r.AccountID, 20)))
	case r.AccountID != "" && opt.ExistingAccounts[r.AccountID]:
		add("account_id", "account "+r.AccountID+" already belongs to another student of this class")
	}
	return errs
}

// EmailProblem returns why email is not a plain address, or "" if it is one.
func EmailProblem(email string) string {
	if email == "" {
		return "e-mail is empty"
	}
	if len(email) > MaxEmailLen {
		return fmt.Sprintf("e-mail is longer than %d characters", MaxEmailLen)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return fmt.Sprintf("%q is not a valid e-mail address", truncate(email, 60))
	}
	_, domain, _ := strings.Cut(email, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return fmt.Sprintf("%q has no valid domain", truncate(email, 60))
	}
	return ""
}

// encodingErrors lists each line that is not valid UTF-8.
func encodingErrors(data []byte) []RowError {
	if utf8.Valid(data) {
		return nil
	}
	var errs []RowError
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			errs = append(errs, RowError{Line: i + 1, Field: "encoding", Message: "the line is not valid UTF-8; save the roster as \"CSV UTF-8\""})
			if len(errs) >= 100 {
				break
			}
		}
	}
	return errs
}

// csvMessage says in plain words what is wrong with a line the CSV reader refused
// (never Go's "bare \" in non-quoted-field").
func csvMessage(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return "the line cannot be read as CSV"
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote mark (") is inside a cell that does not start with one; put the whole cell in double quotes and write the quote mark twice ("")`
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != 0 && pe.StartLine != pe.Line:
		return fmt.Sprintf(`the quoted cell that starts on line %d runs on to line %d without being closed properly; check the quote marks (") from line %d on`, pe.StartLine, pe.Line, pe.StartLine)
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a quoted cell has text after its closing quote mark, or is never closed; a quote mark inside a quoted cell is written twice ("")`
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return "the line has a different number of cells than the header"
	}
	return "the line cannot be read as CSV"
}

// cellCountMessage says why a line with got cells does not fit a header of want.
func cellCountMessage(want, got int) string {
	msg := fmt.Sprintf("the line has %s but the header has %d", plural(got, "cell", "cells"), want)
	if got > want {
		return msg + `; a comma inside a name must be inside double quotes ("Doe, Jane")`
	}
	return msg + "; every line needs a cell for each column of the header, even an empty one"
}

// blankRecord reports whether every cell of rec is empty or spaces.
func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// unneutralise undoes Neutralise: the export puts an apostrophe before a cell that a
// spreadsheet would run as a formula, and the same file imported back should give the
// same name, not one with an apostrophe in front.
func unneutralise(cell string) string {
	if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(cell[1])) {
		return cell[1:]
	}
	return cell
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func normaliseEmail(e string) string { return trimLower(e) }

func trimLower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
