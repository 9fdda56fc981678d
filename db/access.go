package db

import (
	"context"
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
	arg, err := json.Marshal(hashes)
	if err != nil {
		return nil, fmt.Errorf("db: live sessions: %w", err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT id_hash, user_id FROM sessions
		WHERE id_hash IN (SELECT value FROM json_each(?)) AND expires_at > ?`, string(arg), s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("db: live sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		var u int64
		if err := rows.Scan(&h, &u); err != nil {
			return nil, fmt.Errorf("db: live sessions: %w", err)
		}
		out[h] = u
	}
	return out, rows.Err()
}

// LiveAPITokens returns, for each of ids that is still an API token, its user.
func (s *Store) LiveAPITokens(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("db: live api tokens: %w", err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT id, user_id FROM api_tokens
		WHERE id IN (SELECT value FROM json_each(?))`, string(arg))
	if err != nil {
		return nil, fmt.Errorf("db: live api tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, u int64
		if err := rows.Scan(&id, &u); err != nil {
			return nil, fmt.Errorf("db: live api tokens: %w", err)
		}
		out[id] = u
	}
	return out, rows.Err()
}

// LiveLinks returns, for each of hashes (personal-link hashes, see HashToken)
// that is a student's current link, that student. A revoked or reissued link,
// or one of a removed student, is not in the result.
func (s *Store) LiveLinks(ctx context.Context, hashes []string) (map[string]StudentRef, error) {
	out := make(map[string]StudentRef, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	arg, err := json.Marshal(hashes)
	if err != nil {
		return nil, fmt.Errorf("db: live links: %w", err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT link_hash, class_id, slug FROM students
		WHERE link_hash IN (SELECT value FROM json_each(?))`, string(arg))
	if err != nil {
		return nil, fmt.Errorf("db: live links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		var st StudentRef
		if err := rows.Scan(&h, &st.Class, &st.Slug); err != nil {
			return nil, fmt.Errorf("db: live links: %w", err)
		}
		out[h] = st
	}
	return out, rows.Err()
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
	arg, err := json.Marshal(arr)
	if err != nil {
		return nil, fmt.Errorf("db: class members: %w", err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT p.u, p.c FROM
		(SELECT json_extract(value, '$[0]') AS u, json_extract(value, '$[1]') AS c FROM json_each(?)) p
		WHERE EXISTS (SELECT 1 FROM classes c JOIN users u ON u.id = c.owner_id
				WHERE c.id = p.c AND u.id = p.u AND u.role = 'instructor')
			OR EXISTS (SELECT 1 FROM class_assistants a WHERE a.class_id = p.c AND a.user_id = p.u)`, string(arg))
	if err != nil {
		return nil, fmt.Errorf("db: class members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.User, &m.Class); err != nil {
			return nil, fmt.Errorf("db: class members: %w", err)
		}
		out[m] = true
	}
	return out, rows.Err()
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
	arg, err := json.Marshal(arr)
	if err != nil {
		return nil, fmt.Errorf("db: students exist: %w", err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT st.class_id, st.slug FROM students st JOIN
		(SELECT json_extract(value, '$[0]') AS c, json_extract(value, '$[1]') AS s FROM json_each(?)) p
		ON st.class_id = p.c AND st.slug = p.s`, string(arg))
	if err != nil {
		return nil, fmt.Errorf("db: students exist: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r StudentRef
		if err := rows.Scan(&r.Class, &r.Slug); err != nil {
			return nil, fmt.Errorf("db: students exist: %w", err)
		}
		out[r] = true
	}
	return out, rows.Err()
}
