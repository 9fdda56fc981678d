package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/labdash/labdash/db"
)

// ErrInvalid is returned by Import when the roster has bad rows; nothing was written.
var ErrInvalid = errors.New("roster: invalid roster")

// Import validates data against class c and, only if every row is good, adds all
// students in one transaction with an audit entry. It returns the new students
// and their personal-link tokens (shown once), or the row errors and ErrInvalid.
func Import(ctx context.Context, store *db.Store, c *db.Class, data []byte, actor string) ([]db.Student, []string, []RowError, error) {
	var students []db.Student
	var tokens []string
	var rowErrs []RowError
	err := store.WithTx(ctx, func(tx *db.Store) error {
		opt, err := optionsFor(ctx, tx, c)
		if err != nil {
			return err
		}
		rows, errs := Parse(data, opt)
		if len(errs) > 0 {
			rowErrs = errs
			return ErrInvalid
		}
		news := make([]db.NewStudent, len(rows))
		for i, r := range rows {
			news[i] = db.NewStudent{Name: r.Name, Email: r.Email, AccountID: r.AccountID}
		}
		students, tokens, err = tx.AddStudents(ctx, c.ID, news)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: c.ID, Actor: actor, Action: "roster.import",
			Detail: fmt.Sprintf("imported %d students (%s to %s)", len(students), students[0].Slug, students[len(students)-1].Slug)})
	})
	if err != nil {
		return nil, nil, rowErrs, err
	}
	return students, tokens, nil, nil
}

// AddOne validates and adds a single student, as a one-row roster.
func AddOne(ctx context.Context, store *db.Store, c *db.Class, r Row, actor string) (*db.Student, string, []RowError, error) {
	var st db.Student
	var token string
	var rowErrs []RowError
	r.Name, r.Email, r.AccountID = strings.TrimSpace(r.Name), normaliseEmail(r.Email), strings.TrimSpace(r.AccountID)
	err := store.WithTx(ctx, func(tx *db.Store) error {
		opt, err := optionsFor(ctx, tx, c)
		if err != nil {
			return err
		}
		errs := validate(r, opt)
		if opt.ExistingCount+1 > MaxStudents {
			errs = append(errs, RowError{Line: r.Line, Field: "name", Message: fullMessage(opt.ExistingCount, 1)})
		}
		if len(errs) > 0 {
			rowErrs = errs
			return ErrInvalid
		}
		sts, toks, err := tx.AddStudents(ctx, c.ID, []db.NewStudent{{Name: r.Name, Email: r.Email, AccountID: r.AccountID}})
		if err != nil {
			return err
		}
		st, token = sts[0], toks[0]
		return tx.Audit(ctx, db.AuditEntry{ClassID: c.ID, Actor: actor, Action: "student.add", Detail: fmt.Sprintf("added %s (%s)", st.Slug, st.Email)})
	})
	if err != nil {
		return nil, "", rowErrs, err
	}
	return &st, token, nil, nil
}

// Check validates data against class c without writing anything (the import preview).
func Check(ctx context.Context, store *db.Store, c *db.Class, data []byte) ([]Row, []RowError, error) {
	opt, err := optionsFor(ctx, store, c)
	if err != nil {
		return nil, nil, err
	}
	rows, errs := Parse(data, opt)
	return rows, errs, nil
}

// AlreadyImported reports whether every student of a roster file is on class c's
// roster already, and nothing else is wrong with the file: the same roster (or the
// same confirmation) sent a second time.
func AlreadyImported(ctx context.Context, store *db.Store, c *db.Class, data []byte) (bool, error) {
	opt, err := optionsFor(ctx, store, c)
	if err != nil {
		return false, err
	}
	existing := opt.Existing
	opt.Existing, opt.ExistingCount = nil, 0
	rows, errs := Parse(data, opt)
	if len(errs) > 0 || len(rows) == 0 {
		return false, nil
	}
	for _, r := range rows {
		if !existing[r.Email] {
			return false, nil
		}
	}
	return true, nil
}

// optionsFor reads what validation must know about class c's current roster.
func optionsFor(ctx context.Context, tx *db.Store, c *db.Class) (Options, error) {
	sts, err := tx.Students(ctx, c.ID)
	if err != nil {
		return Options{}, err
	}
	opt := Options{Existing: map[string]bool{}, ExistingAccounts: map[string]bool{}, RequireAccount: c.Isolation == db.IsolationPerStudent, ExistingCount: len(sts)}
	for _, s := range sts {
		opt.Existing[strings.ToLower(s.Email)] = true
		if s.AccountID != "" {
			opt.ExistingAccounts[s.AccountID] = true
		}
	}
	return opt, nil
}
