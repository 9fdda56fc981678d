package cloud

// What an API call targets, read from its input: the guard's and the fault
// injector's view of a call.

import (
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// skipFields are input fields that describe rather than name a target: tags,
// filters, an alias record's target, a policy document.
var skipFields = map[string]bool{"Tags": true, "TagList": true, "TagKeys": true, "Filters": true, "AliasTarget": true,
	"PolicyDocument": true, "ResourceRecords": true, "Attributes": true, "ClientToken": true, "IdempotencyToken": true}

// parameterFields are, per operation, input fields that name something the call
// uses but does not change: detaching a policy changes the role, not the policy.
var parameterFields = map[string]map[string]bool{
	"DetachRolePolicy": {"PolicyArn": true},
	"DeleteRolePolicy": {"PolicyName": true},
	// An instance profile holds its role: adding or removing one changes the profile
	// (InstanceProfileName), not the role, which keeps existing with its policies —
	// as DetachRolePolicy changes the role, not the policy. So cleanup may empty a
	// profile of the plan whatever its role, but cannot take a plan role out of a
	// profile that is not in the plan (DeleteRole then fails with DeleteConflict,
	// and nothing outside the plan was touched).
	"AddRoleToInstanceProfile":      {"RoleName": true},
	"RemoveRoleFromInstanceProfile": {"RoleName": true},
	// Emptying a bucket: the object keys and versions are its contents.
	"DeleteObjects": {"Delete": true},
	// Cancelling a Macie job is part of disabling Macie in that account.
	"UpdateClassificationJob": {"JobId": true},
	// An EventBridge target's id is the rule's own label for it: removing one
	// changes the rule (Rule), and the target (a queue) stays as it is.
	"RemoveTargets": {"Ids": true},
}

// Identifiers returns the identifier values in operation op's input: every string
// (or list of strings) in a field whose name ends in Arn, ARN, Name, Id, Ids,
// Identifier, Url or Names, or is one of ECS's, S3's and EventBridge's bare names
// (Cluster(s), Service(s), Tasks, TaskDefinition(s), Bucket, Rule), searched through nested structs and lists
// except descriptive ones (tags, filters, alias targets). Sorted, without repeats.
func Identifiers(op string, input any) []string {
	set := map[string]bool{}
	walk(reflect.ValueOf(input), "", set, 0, parameterFields[op])
	// A Route 53 record set is named by its name, type and set identifier
	// together: an A and a TXT record at www are two resources, and a plan that
	// holds one must not let a change of the other through on the name alone.
	if in, ok := input.(*route53.ChangeResourceRecordSetsInput); ok && in != nil && in.ChangeBatch != nil {
		for _, c := range in.ChangeBatch.Changes {
			if rr := c.ResourceRecordSet; rr != nil {
				set[RecordSetID(aws.ToString(rr.Name), string(rr.Type), aws.ToString(rr.SetIdentifier))] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// RecordSetID is the identifier of one Route 53 record set in a
// ChangeResourceRecordSets call: its name (case and the final dot do not
// matter to Route 53), type and set identifier.
func RecordSetID(name, typ, setID string) string {
	return "route53-recordset:" + strings.ToLower(strings.TrimSuffix(name, ".")) + "|" + strings.ToUpper(typ) + "|" + setID
}

func isIDField(name string) bool {
	switch name {
	case "Cluster", "Clusters", "Service", "Services", "Tasks", "TaskDefinition", "TaskDefinitions", "Bucket", "QueueUrl", "Domain",
		"Rule": // EventBridge's rule name (PutTargets, RemoveTargets)
		return true
	}
	for _, s := range []string{"Arn", "ARN", "Arns", "Name", "Names", "Id", "Ids", "Identifier", "Url"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func walk(v reflect.Value, field string, set map[string]bool, depth int, params map[string]bool) {
	if depth > 12 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), field, set, depth+1, params)
		}
	case reflect.String:
		if field != "" && isIDField(field) && v.String() != "" {
			set[v.String()] = true
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), field, set, depth+1, params)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || skipFields[f.Name] || (depth == 1 && params[f.Name]) {
				continue
			}
			walk(v.Field(i), f.Name, set, depth+1, params)
		}
	}
}
