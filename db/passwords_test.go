package db

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestDummyHashCostMatchesRealHashes checks that a sign-in for an unknown e-mail pays
// the same bcrypt cost as one for a real account hashed at the configured cost: the
// dummy was once made at bcrypt.MinCost, 2 ms against 658 ms for a known account.
func TestDummyHashCostMatchesRealHashes(t *testing.T) {
	for name, cost := range map[string]int{
		"unset (the default)":        0,
		"bcrypt.MinCost (the tests)": bcrypt.MinCost,
		"below bcrypt.MinCost":       bcrypt.MinCost - 1,
		"a configured cost":          bcrypt.MinCost + 2,
		"the default, named":         DefaultPasswordCost,
	} {
		t.Run(name, func(t *testing.T) {
			realHash, err := HashPassword("a real account's password", cost)
			if err != nil {
				t.Fatal(err)
			}
			want, err := bcrypt.Cost([]byte(realHash))
			if err != nil {
				t.Fatal(err)
			}
			got, err := bcrypt.Cost(dummyHash(cost))
			if err != nil {
				t.Fatalf("the dummy hash is not a bcrypt hash: %v", err)
			}
			if got != want {
				t.Fatalf("dummy hash for cost %d has bcrypt cost %d; real accounts have %d", cost, got, want)
			}
		})
	}
	realHash, _ := HashPassword("x", 0)
	if c, _ := bcrypt.Cost([]byte(realHash)); c != DefaultPasswordCost {
		t.Fatalf("HashPassword at cost 0 has cost %d; want DefaultPasswordCost %d", c, DefaultPasswordCost)
	}
}

// TestCheckPasswordComparesAgainstTheDummyOfItsCost checks that an empty hash is
// compared against the dummy of the cost CheckPassword is given (and made once),
// rather than against one of some other cost or not at all.
func TestCheckPasswordComparesAgainstTheDummyOfItsCost(t *testing.T) {
	dummies.Lock()
	saved := dummies.byCost
	dummies.byCost = nil
	dummies.Unlock()
	t.Cleanup(func() {
		dummies.Lock()
		dummies.byCost = saved
		dummies.Unlock()
	})
	cost := bcrypt.MinCost + 1
	if CheckPassword("", "anything", cost) {
		t.Fatal("an empty hash matched")
	}
	first := dummyHash(cost)
	dummies.Lock()
	made := len(dummies.byCost)
	dummies.Unlock()
	if made != 1 {
		t.Fatalf("after one check at cost %d, %d dummy hashes exist; want the one of that cost", cost, made)
	}
	if c, _ := bcrypt.Cost(first); c != cost {
		t.Fatalf("the dummy compared against has cost %d; want %d", c, cost)
	}
	if CheckPassword("", "labdash-dummy-password", cost) {
		t.Fatal("an empty hash matched the dummy's own password")
	}
	if again := dummyHash(cost); &again[0] != &first[0] {
		t.Fatal("the dummy hash was made again; want it made once per cost")
	}
	realHash, _ := HashPassword("a real account's password", cost)
	if !CheckPassword(realHash, "a real account's password", cost) || CheckPassword(realHash, "wrong", cost) {
		t.Fatal("CheckPassword does not tell the right password from a wrong one")
	}
}
