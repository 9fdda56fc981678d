package roster

import (
	"encoding/csv"
	"io"
	"strings"
)

// Neutralise makes a cell safe to open in a spreadsheet: a cell that starts with
// = + - @ (or a tab or carriage return) would be run as a formula, so it gets a
// leading apostrophe, which spreadsheets show as text (OWASP "CSV injection").
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// Write writes header and records as CSV with every cell neutralised.
func Write(w io.Writer, header []string, records [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, rec := range records {
		safe := make([]string, len(rec))
		for i, c := range rec {
			safe[i] = Neutralise(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
