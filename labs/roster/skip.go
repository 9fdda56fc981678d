package roster

import (
	"context"
	"fmt"

	"github.com/labdash/labdash/db"
)

// parseSkipping is Parse for an import asked to skip students already on the roster
// (matched by e-mail, as Options.Existing has them): those rows come back apart, in
// skipped, instead of as errors. Everything else is checked as Parse checks it, and
// the class size and account checks count only the new students.
func parseSkipping(data []byte, opt Options) (news, skipped []Row, errs []RowError) {
	existing, accounts, count := opt.Existing, opt.ExistingAccounts, opt.ExistingCount
	opt.Existing, opt.ExistingAccounts, opt.ExistingCount = nil, nil, 0
	rows, errs := Parse(data, opt)
	if len(errs) > 0 {
		return nil, nil, errs
	}
	for _, r := range rows {
		switch {
		case existing[r.Email]:
			skipped = append(skipped, r) // its account, if any, is its own
		case r.AccountID != "" && accounts[r.AccountID]:
			errs = append(errs, RowError{Line: r.Line, Field: "account_id", Message: "account " + r.AccountID + " already belongs to another student of this class"})
		default:
			news = append(news, r)
		}
	}
	if len(errs) == 0 && count+len(news) > MaxStudents {
		errs = append(errs, RowError{Field: "file", Message: fullMessage(count, len(news))})
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return news, skipped, nil
}

// CheckSkipping is Check for an import that skips students already on the roster: the
// rows to add, the rows skipped, or every problem.
func CheckSkipping(ctx context.Context, store *db.Store, c *db.Class, data []byte) (news, skipped []Row, errs []RowError, err error) {
	opt, err := optionsFor(ctx, store, c)
	if err != nil {
		return nil, nil, nil, err
	}
	news, skipped, errs = parseSkipping(data, opt)
	return news, skipped, errs, nil
}

// ImportSkipping is Import for a roster that may list students already on the roster
// (a roster download imported back, or a list with new names added): those are left
// as they are, with their links, and returned in skipped; the others are added as
// Import adds them, all or nothing. When every student is on the roster already,
// nothing is written and students is empty.
func ImportSkipping(ctx context.Context, store *db.Store, c *db.Class, data []byte, actor string) (students []db.Student, tokens []string, skipped []Row, rowErrs []RowError, err error) {
	err = store.WithTx(ctx, func(tx *db.Store) error {
		opt, err := optionsFor(ctx, tx, c)
		if err != nil {
			return err
		}
		var rows []Row
		rows, skipped, rowErrs = parseSkipping(data, opt)
		if len(rowErrs) > 0 {
			return ErrInvalid
		}
		if len(rows) == 0 {
			return nil
		}
		news := make([]db.NewStudent, len(rows))
		for i, r := range rows {
			news[i] = db.NewStudent{Name: r.Name, Email: r.Email, AccountID: r.AccountID}
		}
		if students, tokens, err = tx.AddStudents(ctx, c.ID, news); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: c.ID, Actor: actor, Action: "roster.import",
			Detail: fmt.Sprintf("imported %s (%s to %s); skipped %s already on the roster", plural(len(students), "student", "students"),
				students[0].Slug, students[len(students)-1].Slug, plural(len(skipped), "student", "students"))})
	})
	if err != nil {
		return nil, nil, nil, rowErrs, err
	}
	return students, tokens, skipped, nil, nil
}
