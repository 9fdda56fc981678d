// Package cleanup deletes everything a class owns in AWS and nothing else
// (DESIGN.md §5): plan → confirm → execute → verify, as a job that survives a
// restart.
//
//   - Plan (Planner) is a dry run: the ledger, a tag sweep per account and region
//     and each type's lister, every candidate with its proof of ownership or the
//     reason it is skipped; ordered by the types' dependency ranks, with an
//     hourly cost; bound to a hash.
//   - Confirm (Executor.Confirm) binds a job to that hash, the account, the
//     regions and the class's name typed out.
//   - Run (Executor.Run) deletes: one goroutine per resource, a resource waits
//     until its student's (or, for class-level ones, the whole class's) resources
//     of lower rank are finished; calls are bounded overall and per service; each
//     attempt's error is classified (retry later, back off, terminal, gone); every
//     wait has a deadline. Every client is wrapped by the guard
//     (resources.Guard), which refuses a mutating call outside the plan. A type
//     with DeleteBatch (Route 53 records) deletes one student's resources under
//     one writer key in one call first, each item keeping its own status; a
//     refused batch applied nothing, and each then runs its own state machine.
//   - Verify re-plans: what is still owned is listed as left over, with why.
//
// What each resource type needs — its lister, ownership test, deleter and
// dependencies — lives in labs/cleanup/resources, one file per type.
package cleanup
