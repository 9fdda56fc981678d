package sandbox

import _ "embed"

// DashboardRoleTemplate is the CloudFormation template an instructor deploys in each
// student account of an account-per-student class (one stack per account, or a
// StackSet, in one region): LabDashboardRole, which labdash assumes with the class
// id as sts:ExternalId, and LabStudentConsoleRole (StudentConsoleRoleName), which
// the student's console link assumes through it. docs/aws-setup.md shows how.
//
//go:embed dashboard-role.yaml
var DashboardRoleTemplate []byte
