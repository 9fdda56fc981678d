package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Batched look-ups that re-check what the open websockets were authorised by.
// The hub re-checks every open socket about once a second, so each of these is
// one query however many credentials it is given (a JSON array bound to one
// parameter and read with json_each), never one per socket. They span several
// tables, so they live here rather than in each table's file.

// StudentRef names a student by class and slug.
type StudentRef struct {
	Class, Slug string
}

// Membership is a user × class pair whose access is in question.
type Membership struct {
	User  int64
	Class string
}

// LiveSessions returns, for each of hashes (session id hashes, see HashToken)
// that names an unexpired session, the session's user. Hashes not in the
// result have ended: signed out, expired or deleted.
func (s *Store) LiveSessions(ctx context.Context, hashes []string) (map[string]int64, error) {
	out := make(map[string]int64, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	err := s.eachOf(ctx, "live sessions", `SELECT id_hash, user_id FROM sessions
		WHERE id_hash IN (SELECT value FROM json_each(?)) AND expires_at > ?`, hashes, func(rows *sql.Rows) error {
		var h string
		var u int64
		if err := rows.Scan(&h, &u); err != nil {
			return err
		}
		out[h] = u
		return nil
	}, s.now().Unix())
	return out, err
}

// LiveAPITokens returns, for each of ids that is still an API token, its user.
func (s *Store) LiveAPITokens(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := s.eachOf(ctx, "live api tokens", `SELECT id, user_id FROM api_tokens
		WHERE id IN (SELECT value FROM json_each(?))`, ids, func(rows *sql.Rows) error {
		var id, u int64
		if err := rows.Scan(&id, &u); err != nil {
			return err
		}
		out[id] = u
		return nil
	})
	return out, err
}

// LiveLinks returns, for each of hashes (personal-link hashes, see HashToken)
// that is a student's current link, that student. A revoked or reissued link,
// or one of a removed student, is not in the result.
func (s *Store) LiveLinks(ctx context.Context, hashes []string) (map[string]StudentRef, error) {
	out := make(map[string]StudentRef, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	err := s.eachOf(ctx, "live links", `SELECT link_hash, class_id, slug FROM students
		WHERE link_hash IN (SELECT value FROM json_each(?))`, hashes, func(rows *sql.Rows) error {
		var h string
		var st StudentRef
		if err := rows.Scan(&h, &st.Class, &st.Slug); err != nil {
			return err
		}
		out[h] = st
		return nil
	})
	return out, err
}

// ClassMembers reports which of pairs still let the user see the class, by
// the rules of ClassAccess: the class's owner while an instructor, or one of
// its assistants. A deleted class or user gives no access.
func (s *Store) ClassMembers(ctx context.Context, pairs []Membership) (map[Membership]bool, error) {
	out := make(map[Membership]bool, len(pairs))
	if len(pairs) == 0 {
		return out, nil
	}
	arr := make([][2]any, len(pairs))
	for i, p := range pairs {
		arr[i] = [2]any{p.User, p.Class}
	}
	err := s.eachOf(ctx, "class members", `SELECT p.u, p.c FROM
		(SELECT json_extract(value, '$[0]') AS u, json_extract(value, '$[1]') AS c FROM json_each(?)) p
		WHERE EXISTS (SELECT 1 FROM classes c JOIN users u ON u.id = c.owner_id
				WHERE c.id = p.c AND u.id = p.u AND u.role = 'instructor')
			OR EXISTS (SELECT 1 FROM class_assistants a WHERE a.class_id = p.c AND a.user_id = p.u)`, arr, func(rows *sql.Rows) error {
		var m Membership
		if err := rows.Scan(&m.User, &m.Class); err != nil {
			return err
		}
		out[m] = true
		return nil
	})
	return out, err
}

// StudentsExist reports which of refs are on their class's roster.
func (s *Store) StudentsExist(ctx context.Context, refs []StudentRef) (map[StudentRef]bool, error) {
	out := make(map[StudentRef]bool, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	arr := make([][2]string, len(refs))
	for i, r := range refs {
		arr[i] = [2]string{r.Class, r.Slug}
	}
	err := s.eachOf(ctx, "students exist", `SELECT st.class_id, st.slug FROM students st JOIN
		(SELECT json_extract(value, '$[0]') AS c, json_extract(value, '$[1]') AS s FROM json_each(?)) p
		ON st.class_id = p.c AND st.slug = p.s`, arr, func(rows *sql.Rows) error {
		var r StudentRef
		if err := rows.Scan(&r.Class, &r.Slug); err != nil {
			return err
		}
		out[r] = true
		return nil
	})
	return out, err
}

// eachOf runs query with keys as its first parameter, one JSON array that the
// query reads with json_each (then extra), and calls scan on every row; what
// names the look-up in errors.
func (s *Store) eachOf(ctx context.Context, what, query string, keys any, scan func(*sql.Rows) error, extra ...any) error {
	arg, err := json.Marshal(keys)
	if err != nil {
		return fmt.Errorf("db: %s: %w", what, err)
	}
	rows, err := s.q.QueryContext(ctx, query, append([]any{string(arg)}, extra...)...)
	if err != nil {
		return fmt.Errorf("db: %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("db: %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: %s: %w", what, err)
	}
	return nil
}
