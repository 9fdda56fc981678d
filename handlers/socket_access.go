package handlers

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
)

// Kinds of credential a live socket can be opened with (live.Grant.Kind).
const (
	grantSession = "session" // ID: the session's id hash
	grantToken   = "token"   // ID: the API token's id
	grantLink    = "link"    // ID: the personal link's hash
)

// grantKey holds, on a request identify authenticated, the live.Grant of its
// credential (Kind, ID, User); the websocket handlers add the class and student.
const grantKey = "labdash_grant"

// Close reasons of sockets whose access ended. The actions that end access
// close their sockets at once with the first group; the periodic re-check,
// which only sees that a credential no longer holds, uses the second.
const (
	endLinkRevoked     = "access ended: link revoked"
	endLinkReissued    = "access ended: link reissued"
	endStudentRemoved  = "access ended: student removed"
	endAssistantGone   = "access ended: removed from the class"
	endSignedOut       = "access ended: signed out"
	endTokenDeleted    = "access ended: API token deleted"
	endLinkInvalid     = "access ended: link no longer valid"
	endSessionEnded    = "access ended: session ended"
	endTokenInvalid    = "access ended: API token no longer valid"
	endNoLongerMember  = "access ended: no longer allowed on this class"
	endNotOnRoster     = "access ended: student no longer on the roster"
	endUnknownGrant    = "access ended: unknown credential"
	endWrongCredential = "access ended: credential belongs to another account"
)

// staffGrant is the grant of a signed-in user's socket on classID's topic, or on
// student slug's topic when slug is set. A request without an identified
// credential gets an empty grant, which the re-check ends.
func staffGrant(c *gin.Context, classID, slug string) live.Grant {
	g, _ := c.Get(grantKey)
	grant, _ := g.(live.Grant)
	grant.Class, grant.Student = classID, slug
	return grant
}

// linkGrant is the grant of a socket opened with a student's personal link.
func linkGrant(token string, st *db.Student) live.Grant {
	return live.Grant{Kind: grantLink, ID: db.HashToken(token), Class: st.ClassID, Student: st.Slug}
}

// endSockets closes at once, with reason, the live sockets whose grant matches.
// Call it after the change that ends access has been committed.
func (s *Server) endSockets(reason string, match func(live.Grant) bool) {
	if s.hub != nil {
		s.hub.End(reason, match)
	}
}

// linkSockets matches the sockets opened with a personal link of student slug.
func linkSockets(classID, slug string) func(live.Grant) bool {
	return func(g live.Grant) bool { return g.Kind == grantLink && g.Class == classID && g.Student == slug }
}

// studentSockets matches every socket on student slug's topic: their link's and staff's.
func studentSockets(classID, slug string) func(live.Grant) bool {
	return func(g live.Grant) bool { return g.Class == classID && g.Student == slug }
}

// memberSockets matches userID's sockets on classID, whatever credential opened them.
func memberSockets(userID int64, classID string) func(live.Grant) bool {
	return func(g live.Grant) bool { return g.Kind != grantLink && g.User == userID && g.Class == classID }
}

// credentialSockets matches the sockets opened with one credential.
func credentialSockets(kind, id string) func(live.Grant) bool {
	return func(g live.Grant) bool { return g.Kind == kind && g.ID == id }
}

// authorizeSockets is the hub's periodic re-check (live.AuthorizeFunc): it looks
// up every distinct credential, membership and student of the open sockets in
// five batched queries at most, and returns the grants that no longer hold with
// the reason. It is the backstop for changes the handlers do not see (the CLI,
// another process, an expiring session) and applies the rules the upgrade did.
func (s *Server) authorizeSockets(ctx context.Context, grants []live.Grant) (map[live.Grant]string, error) {
	var sessions, links []string
	var tokens []int64
	var members []db.Membership
	var students []db.StudentRef
	seenMember, seenStudent := map[db.Membership]bool{}, map[db.StudentRef]bool{}
	ended := map[live.Grant]string{}
	for _, g := range grants {
		switch g.Kind {
		case grantSession:
			sessions = append(sessions, g.ID)
		case grantToken:
			id, err := strconv.ParseInt(g.ID, 10, 64)
			if err != nil {
				ended[g] = endUnknownGrant
				continue
			}
			tokens = append(tokens, id)
		case grantLink:
			links = append(links, g.ID)
			continue
		default:
			ended[g] = endUnknownGrant
			continue
		}
		if m := (db.Membership{User: g.User, Class: g.Class}); !seenMember[m] {
			seenMember[m] = true
			members = append(members, m)
		}
		if r := (db.StudentRef{Class: g.Class, Slug: g.Student}); g.Student != "" && !seenStudent[r] {
			seenStudent[r] = true
			students = append(students, r)
		}
	}
	liveSessions, err := s.store.LiveSessions(ctx, sessions)
	if err != nil {
		return nil, err
	}
	liveTokens, err := s.store.LiveAPITokens(ctx, tokens)
	if err != nil {
		return nil, err
	}
	liveLinks, err := s.store.LiveLinks(ctx, links)
	if err != nil {
		return nil, err
	}
	isMember, err := s.store.ClassMembers(ctx, members)
	if err != nil {
		return nil, err
	}
	onRoster, err := s.store.StudentsExist(ctx, students)
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		if _, done := ended[g]; done {
			continue
		}
		if g.Kind == grantLink {
			if st, ok := liveLinks[g.ID]; !ok || st.Class != g.Class || st.Slug != g.Student {
				ended[g] = endLinkInvalid
			}
			continue
		}
		var user int64
		var ok bool
		if g.Kind == grantSession {
			if user, ok = liveSessions[g.ID]; !ok {
				ended[g] = endSessionEnded
				continue
			}
		} else {
			id, _ := strconv.ParseInt(g.ID, 10, 64)
			if user, ok = liveTokens[id]; !ok {
				ended[g] = endTokenInvalid
				continue
			}
		}
		switch {
		case user != g.User:
			ended[g] = endWrongCredential
		case !isMember[db.Membership{User: g.User, Class: g.Class}]:
			ended[g] = endNoLongerMember
		case g.Student != "" && !onRoster[db.StudentRef{Class: g.Class, Slug: g.Student}]:
			ended[g] = endNotOnRoster
		}
	}
	return ended, nil
}
