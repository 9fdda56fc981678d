package slots

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
)

// TestGrantsAreFenced: every write the grants allow is on the student's own
// names (the prefix variable in the ARN), or on a tag condition, or is one of the
// two named exceptions: SetIdentityPoolRoles, which has no resource type (the gap
// grants.go names), and CreateIdentityPool, fenced by its request tags.
func TestGrantsAreFenced(t *testing.T) {
	g := labs.GrantScope{ClassID: "c42", Account: "111122223333", Regions: []string{"us-east-1"}}
	reads := []string{"List", "Describe", "Get", "Filter", "Simulate"}
	for _, st := range grants(g) {
		b, _ := json.Marshal(st.Resource)
		res := string(b)
		mine := strings.Contains(res, "c42"+labs.StudentVar+"-")
		tagged := st.Condition != nil && (strings.Contains(mustJSON(st.Condition), "aws:ResourceTag/labdash:student") || strings.Contains(mustJSON(st.Condition), "aws:RequestTag/labdash:student"))
		for _, a := range st.Action.([]string) {
			_, op, _ := strings.Cut(a, ":")
			read := false
			for _, p := range reads {
				read = read || strings.HasPrefix(op, p)
			}
			switch {
			case read, mine, tagged:
			case a == "cognito-identity:SetIdentityPoolRoles" && res == `"*"`:
			default:
				t.Errorf("%s: %s on %s is neither the student's nor fenced by a tag", st.Sid, a, res)
			}
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
