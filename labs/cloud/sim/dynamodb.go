package sim

// Amazon DynamoDB: tables (key schema, billing mode, deletion protection, tags)
// and a minimal item store behind PutItem. A new table is CREATING for a few
// simulated seconds, then ACTIVE; DeleteTable turns it DELETING and a few seconds
// later it is gone (ResourceNotFoundException). As AWS: DeleteTable on a table
// with DeletionProtectionEnabled answers ValidationException, DeleteTable and
// UpdateTable on a CREATING or UPDATING table answer ResourceInUseException, a
// second DeleteTable of a DELETING table is not an error, a taken name is
// ResourceInUseException, and data-plane calls on a table that is not yet ACTIVE
// answer ResourceNotFoundException. DescribeTable's ItemCount and TableSizeBytes
// refresh only every 6 hours (LABS.md Lab 4: use Scan to count). PutItem stores
// items by primary key, checks the key attributes' presence and types, and
// evaluates a ConditionExpression of the form attribute_not_exists(path) or
// attribute_exists(path) (ExpressionAttributeNames allowed): a failed condition is
// ConditionalCheckFailedException. The tagging API lists tables as
// dynamodb:table.
//
// Not modelled: reads (GetItem, Query, Scan), UpdateItem/DeleteItem, batch and
// transactional writes, other condition expressions (ValidationException from
// the simulator), the legacy Expected parameter, secondary indexes, streams,
// TTL, backups, global tables, capacity accounting and throttling, item size
// limits; CreateTable and UpdateTable parameters beyond key schema, billing mode,
// throughput, table class, tags and deletion protection answer UnsupportedOperation.

import (
	"context"
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Steps at order 20: tables become ACTIVE.
	registerService("dynamodb", func(b base, c *cloud.Clients) { c.DynamoDB = &ddbClient{b} }, everySecond(20, stepDynamoDB))
}

// ddbClient implements cloud.DynamoDB.
type ddbClient struct{ base }

var _ cloud.DynamoDB = (*ddbClient)(nil)

// ddbCountEvery is how often DescribeTable's ItemCount and TableSizeBytes refresh.
const ddbCountEvery = 6 * time.Hour

type ddbState struct {
	tables map[string]*ddbTable
}

type ddbTable struct {
	tagged
	name, arn, id      string
	attrs              []ddbtypes.AttributeDefinition
	keys               []ddbtypes.KeySchemaElement
	billing            ddbtypes.BillingMode
	rcu, wcu           int64
	class              ddbtypes.TableClass
	protection         bool
	created, activeAt  time.Time
	updatingUntil      time.Time
	deletingAt, goneAt time.Time
	items              map[string]map[string]ddbtypes.AttributeValue // by primary key
	count, size        int64                                         // the last refreshed figures
	countAt            time.Time
}

func ddbOf(r *region) *ddbState {
	return state(r, "dynamodb", func() *ddbState { return &ddbState{tables: map[string]*ddbTable{}} })
}

// stepDynamoDB removes tables whose deletion has finished.
func stepDynamoDB(r *region, now time.Time) {
	st, ok := r.ext["dynamodb"].(*ddbState)
	if !ok {
		return
	}
	for name, t := range st.tables {
		if !t.goneAt.IsZero() && !now.Before(t.goneAt) {
			t.dead = true
			delete(st.tables, name)
		}
	}
}

func (t *ddbTable) status(now time.Time) ddbtypes.TableStatus {
	switch {
	case !t.deletingAt.IsZero():
		return ddbtypes.TableStatusDeleting
	case now.Before(t.activeAt):
		return ddbtypes.TableStatusCreating
	case now.Before(t.updatingUntil):
		return ddbtypes.TableStatusUpdating
	}
	return ddbtypes.TableStatusActive
}

func ddbValidation(format string, a ...any) error {
	return apiError("ValidationException", format, a...)
}

func ddbNotFound(name string) error {
	return &ddbtypes.ResourceNotFoundException{Message: msg("Requested resource not found: Table: %s not found", name)}
}

func ddbInUse(t *ddbTable, now time.Time) error {
	what := "being created"
	switch t.status(now) {
	case ddbtypes.TableStatusUpdating:
		what = "being updated"
	case ddbtypes.TableStatusDeleting:
		what = "being deleted"
	}
	return &ddbtypes.ResourceInUseException{Message: msg("Attempt to change a resource which is still in use: Table is %s: %s", what, t.name)}
}

var ddbNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func (st *ddbState) table(name string) (*ddbTable, error) {
	if !ddbNameRE.MatchString(name) {
		return nil, ddbValidation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	t := st.tables[name]
	if t == nil {
		return nil, ddbNotFound(name)
	}
	return t, nil
}

// CreateTable creates a table; it is CREATING for a few seconds, then ACTIVE.
func (c *ddbClient) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return do(ctx, c.base, "dynamodb", "CreateTable", in, func(r *region) (*dynamodb.CreateTableOutput, error) {
		if in == nil {
			in = &dynamodb.CreateTableInput{}
		}
		name := str(in.TableName)
		if !ddbNameRE.MatchString(name) {
			return nil, ddbValidation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
		}
		if f := firstUnmodelledField(in, "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
			"DeletionProtectionEnabled", "Tags", "TableClass"); f != "" {
			return nil, apiError("UnsupportedOperation", "The simulator does not model %s in CreateTable.", f)
		}
		if err := ddbCheckKeys(in.KeySchema, in.AttributeDefinitions); err != nil {
			return nil, err
		}
		t := &ddbTable{name: name, arn: r.arn("dynamodb", "table/"+name), id: c.w.uuid(), billing: in.BillingMode, class: in.TableClass,
			attrs: cloneJSON(in.AttributeDefinitions), keys: cloneJSON(in.KeySchema), created: c.w.now, countAt: c.w.now,
			activeAt:   c.w.now.Add(c.w.jitter(5*time.Second, 10*time.Second)),
			protection: in.DeletionProtectionEnabled != nil && *in.DeletionProtectionEnabled,
			items:      map[string]map[string]ddbtypes.AttributeValue{}}
		if t.billing == "" {
			t.billing = ddbtypes.BillingModeProvisioned
		}
		if t.class == "" {
			t.class = ddbtypes.TableClassStandard
		}
		if err := t.setThroughput(t.billing, in.ProvisionedThroughput); err != nil {
			return nil, err
		}
		for _, tg := range in.Tags {
			t.tags.set(str(tg.Key), str(tg.Value))
		}
		if err := validTags(t.tags); err != nil {
			return nil, ddbValidation("%v", err)
		}
		st := ddbOf(r)
		if st.tables[name] != nil {
			return nil, &ddbtypes.ResourceInUseException{Message: msg("Table already exists: %s", name)}
		}
		st.tables[name] = t
		r.addTaggable(&t.tagged, t.arn, "dynamodb:table")
		return &dynamodb.CreateTableOutput{TableDescription: t.out(c.w.now)}, nil
	})
}

// ddbCheckKeys validates a key schema against its attribute definitions.
func ddbCheckKeys(keys []ddbtypes.KeySchemaElement, attrs []ddbtypes.AttributeDefinition) error {
	if len(keys) == 0 || len(keys) > 2 {
		return ddbValidation("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2 and greater than or equal to 1")
	}
	if keys[0].KeyType != ddbtypes.KeyTypeHash {
		return ddbValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(keys) == 2 && keys[1].KeyType != ddbtypes.KeyTypeRange {
		return ddbValidation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	defined := map[string]ddbtypes.ScalarAttributeType{}
	for _, a := range attrs {
		switch a.AttributeType {
		case ddbtypes.ScalarAttributeTypeS, ddbtypes.ScalarAttributeTypeN, ddbtypes.ScalarAttributeTypeB:
		default:
			return ddbValidation("1 validation error detected: Value '%s' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", a.AttributeType)
		}
		defined[str(a.AttributeName)] = a.AttributeType
	}
	for _, k := range keys {
		if _, ok := defined[str(k.AttributeName)]; !ok {
			return ddbValidation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
				ddbKeyNames(keys), ddbAttrNames(attrs))
		}
	}
	if len(defined) != len(keys) {
		return ddbValidation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	return nil
}

func ddbKeyNames(keys []ddbtypes.KeySchemaElement) string {
	var n []string
	for _, k := range keys {
		n = append(n, str(k.AttributeName))
	}
	return strings.Join(n, ", ")
}

func ddbAttrNames(attrs []ddbtypes.AttributeDefinition) string {
	var n []string
	for _, a := range attrs {
		n = append(n, str(a.AttributeName))
	}
	return strings.Join(n, ", ")
}

// setThroughput applies a billing mode and its provisioned throughput.
func (t *ddbTable) setThroughput(mode ddbtypes.BillingMode, pt *ddbtypes.ProvisionedThroughput) error {
	switch mode {
	case ddbtypes.BillingModeProvisioned:
		if pt == nil || pt.ReadCapacityUnits == nil || pt.WriteCapacityUnits == nil {
			return ddbValidation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if *pt.ReadCapacityUnits < 1 || *pt.WriteCapacityUnits < 1 {
			return ddbValidation("One or more parameter values were invalid: Provisioned throughput values must be at least 1")
		}
		t.rcu, t.wcu = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	case ddbtypes.BillingModePayPerRequest:
		if pt != nil {
			return ddbValidation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		t.rcu, t.wcu = 0, 0
	default:
		return ddbValidation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	t.billing = mode
	return nil
}

func (t *ddbTable) out(now time.Time) *ddbtypes.TableDescription {
	if now.Sub(t.countAt) >= ddbCountEvery {
		t.count, t.size = int64(len(t.items)), 0
		for _, it := range t.items {
			t.size += ddbItemSize(it)
		}
		t.countAt = now
	}
	d := &ddbtypes.TableDescription{TableName: ptr(t.name), TableArn: ptr(t.arn), TableId: ptr(t.id), TableStatus: t.status(now),
		CreationDateTime: tptr(t.created), AttributeDefinitions: cloneJSON(t.attrs), KeySchema: cloneJSON(t.keys),
		ItemCount: ptr(t.count), TableSizeBytes: ptr(t.size), DeletionProtectionEnabled: ptr(t.protection),
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughputDescription{ReadCapacityUnits: ptr(t.rcu), WriteCapacityUnits: ptr(t.wcu),
			NumberOfDecreasesToday: ptr(int64(0))},
		TableClassSummary: &ddbtypes.TableClassSummary{TableClass: t.class}}
	if t.billing == ddbtypes.BillingModePayPerRequest {
		d.BillingModeSummary = &ddbtypes.BillingModeSummary{BillingMode: t.billing, LastUpdateToPayPerRequestDateTime: tptr(t.created)}
	}
	return d
}

// DescribeTable describes a table, DELETING ones included until they are gone.
func (c *ddbClient) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return do(ctx, c.base, "dynamodb", "DescribeTable", in, func(r *region) (*dynamodb.DescribeTableOutput, error) {
		if in == nil {
			in = &dynamodb.DescribeTableInput{}
		}
		t, err := ddbOf(r).table(str(in.TableName))
		if err != nil {
			return nil, err
		}
		return &dynamodb.DescribeTableOutput{Table: t.out(c.w.now)}, nil
	})
}

// UpdateTable changes deletion protection (at once) or the billing mode and
// throughput (UPDATING for a few seconds) of an ACTIVE table.
func (c *ddbClient) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return do(ctx, c.base, "dynamodb", "UpdateTable", in, func(r *region) (*dynamodb.UpdateTableOutput, error) {
		if in == nil {
			in = &dynamodb.UpdateTableInput{}
		}
		t, err := ddbOf(r).table(str(in.TableName))
		if err != nil {
			return nil, err
		}
		if f := firstUnmodelledField(in, "TableName", "DeletionProtectionEnabled", "BillingMode", "ProvisionedThroughput", "TableClass"); f != "" {
			return nil, apiError("UnsupportedOperation", "The simulator does not model %s in UpdateTable.", f)
		}
		if in.DeletionProtectionEnabled == nil && in.BillingMode == "" && in.ProvisionedThroughput == nil && in.TableClass == "" {
			return nil, ddbValidation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
		}
		if s := t.status(c.w.now); s != ddbtypes.TableStatusActive {
			return nil, ddbInUse(t, c.w.now)
		}
		if in.BillingMode != "" || in.ProvisionedThroughput != nil {
			mode := in.BillingMode
			if mode == "" {
				mode = t.billing
			}
			probe := *t
			if err := probe.setThroughput(mode, in.ProvisionedThroughput); err != nil {
				return nil, err
			}
			t.billing, t.rcu, t.wcu = probe.billing, probe.rcu, probe.wcu
			t.updatingUntil = c.w.now.Add(5 * time.Second)
		}
		if in.TableClass != "" {
			t.class = in.TableClass
			t.updatingUntil = c.w.now.Add(5 * time.Second)
		}
		if in.DeletionProtectionEnabled != nil {
			t.protection = *in.DeletionProtectionEnabled
		}
		return &dynamodb.UpdateTableOutput{TableDescription: t.out(c.w.now)}, nil
	})
}

// DeleteTable starts deleting a table, which is gone a few seconds later.
func (c *ddbClient) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return do(ctx, c.base, "dynamodb", "DeleteTable", in, func(r *region) (*dynamodb.DeleteTableOutput, error) {
		if in == nil {
			in = &dynamodb.DeleteTableInput{}
		}
		t, err := ddbOf(r).table(str(in.TableName))
		if err != nil {
			return nil, err
		}
		switch t.status(c.w.now) {
		case ddbtypes.TableStatusDeleting:
			return &dynamodb.DeleteTableOutput{TableDescription: t.out(c.w.now)}, nil
		case ddbtypes.TableStatusCreating, ddbtypes.TableStatusUpdating:
			return nil, ddbInUse(t, c.w.now)
		}
		if t.protection {
			return nil, ddbValidation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
		}
		t.deletingAt = c.w.now
		t.goneAt = c.w.now.Add(c.w.jitter(5*time.Second, 10*time.Second))
		return &dynamodb.DeleteTableOutput{TableDescription: t.out(c.w.now)}, nil
	})
}

// ListTables lists table names in order, Limit (≤100) per page.
func (c *ddbClient) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return do(ctx, c.base, "dynamodb", "ListTables", in, func(r *region) (*dynamodb.ListTablesOutput, error) {
		if in == nil {
			in = &dynamodb.ListTablesInput{}
		}
		limit := int(i32(in.Limit, 100))
		if limit < 1 || limit > 100 {
			return nil, ddbValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", limit)
		}
		names := sortedKeys(ddbOf(r).tables)
		out := &dynamodb.ListTablesOutput{TableNames: []string{}}
		for _, n := range names {
			if n <= str(in.ExclusiveStartTableName) {
				continue
			}
			if len(out.TableNames) == limit {
				out.LastEvaluatedTableName = ptr(out.TableNames[limit-1])
				break
			}
			out.TableNames = append(out.TableNames, n)
		}
		return out, nil
	})
}

// ListTagsOfResource lists a table's tags by its ARN.
func (c *ddbClient) ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	return do(ctx, c.base, "dynamodb", "ListTagsOfResource", in, func(r *region) (*dynamodb.ListTagsOfResourceOutput, error) {
		if in == nil {
			in = &dynamodb.ListTagsOfResourceInput{}
		}
		arn := str(in.ResourceArn)
		if !strings.HasPrefix(arn, "arn:aws:dynamodb:") {
			return nil, ddbValidation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
		}
		name, ok := strings.CutPrefix(arn, r.arn("dynamodb", "table/"))
		t := ddbOf(r).tables[name]
		if !ok || t == nil {
			return nil, &ddbtypes.ResourceNotFoundException{Message: ptr("Requested resource not found")}
		}
		out := &dynamodb.ListTagsOfResourceOutput{Tags: []ddbtypes.Tag{}}
		for _, tg := range t.tags {
			out.Tags = append(out.Tags, ddbtypes.Tag{Key: ptr(tg.k), Value: ptr(tg.v)})
		}
		return out, nil
	})
}

var ddbCondRE = regexp.MustCompile(`^\s*(attribute_not_exists|attribute_exists)\s*\(\s*(#?[A-Za-z0-9_]+)\s*\)\s*$`)

// PutItem stores an item, replacing the one with the same key, if the condition
// (attribute_exists / attribute_not_exists of one attribute) holds.
func (c *ddbClient) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return do(ctx, c.base, "dynamodb", "PutItem", in, func(r *region) (*dynamodb.PutItemOutput, error) {
		if in == nil {
			in = &dynamodb.PutItemInput{}
		}
		t, err := ddbOf(r).table(str(in.TableName))
		if err != nil {
			return nil, err
		}
		if t.status(c.w.now) == ddbtypes.TableStatusCreating {
			return nil, &ddbtypes.ResourceNotFoundException{Message: ptr("Requested resource not found")}
		}
		if in.Item == nil {
			return nil, ddbValidation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")
		}
		if len(in.Expected) > 0 || in.ConditionalOperator != "" {
			return nil, apiError("UnsupportedOperation", "The simulator does not model the legacy Expected parameter; use ConditionExpression.")
		}
		switch in.ReturnValues {
		case "", ddbtypes.ReturnValueNone, ddbtypes.ReturnValueAllOld:
		default:
			return nil, ddbValidation("Return values set to invalid value")
		}
		key, err := t.itemKey(in.Item)
		if err != nil {
			return nil, err
		}
		old := t.items[key]
		if cond := str(in.ConditionExpression); cond != "" || len(in.ExpressionAttributeNames) > 0 || len(in.ExpressionAttributeValues) > 0 {
			ok, err := ddbCondition(cond, in.ExpressionAttributeNames, in.ExpressionAttributeValues, old)
			if err != nil {
				return nil, err
			}
			if !ok {
				e := &ddbtypes.ConditionalCheckFailedException{Message: ptr("The conditional request failed")}
				if in.ReturnValuesOnConditionCheckFailure == ddbtypes.ReturnValuesOnConditionCheckFailureAllOld && old != nil {
					e.Item = ddbCopyItem(old)
				}
				return nil, e
			}
		}
		t.items[key] = ddbCopyItem(in.Item)
		out := &dynamodb.PutItemOutput{}
		if in.ReturnValues == ddbtypes.ReturnValueAllOld && old != nil {
			out.Attributes = ddbCopyItem(old)
		}
		return out, nil
	})
}

// itemKey checks the item's key attributes and returns its primary key.
func (t *ddbTable) itemKey(item map[string]ddbtypes.AttributeValue) (string, error) {
	types := map[string]ddbtypes.ScalarAttributeType{}
	for _, a := range t.attrs {
		types[str(a.AttributeName)] = a.AttributeType
	}
	var parts []string
	for _, k := range t.keys {
		name := str(k.AttributeName)
		v, ok := item[name]
		if !ok {
			return "", ddbValidation("One or more parameter values were invalid: Missing the key %s in the item", name)
		}
		var got ddbtypes.ScalarAttributeType
		var s string
		switch x := v.(type) {
		case *ddbtypes.AttributeValueMemberS:
			got, s = ddbtypes.ScalarAttributeTypeS, x.Value
		case *ddbtypes.AttributeValueMemberN:
			got, s = ddbtypes.ScalarAttributeTypeN, x.Value
		case *ddbtypes.AttributeValueMemberB:
			got, s = ddbtypes.ScalarAttributeTypeB, base64.StdEncoding.EncodeToString(x.Value)
		}
		if got != types[name] {
			return "", ddbValidation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", name, types[name], ddbTypeName(v))
		}
		if s == "" {
			return "", ddbValidation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
		}
		parts = append(parts, string(got)+":"+s)
	}
	return strings.Join(parts, "\x00"), nil
}

func ddbTypeName(v ddbtypes.AttributeValue) string {
	switch v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return "S"
	case *ddbtypes.AttributeValueMemberN:
		return "N"
	case *ddbtypes.AttributeValueMemberB:
		return "B"
	case *ddbtypes.AttributeValueMemberBOOL:
		return "BOOL"
	case *ddbtypes.AttributeValueMemberNULL:
		return "NULL"
	case *ddbtypes.AttributeValueMemberSS:
		return "SS"
	case *ddbtypes.AttributeValueMemberNS:
		return "NS"
	case *ddbtypes.AttributeValueMemberBS:
		return "BS"
	case *ddbtypes.AttributeValueMemberL:
		return "L"
	case *ddbtypes.AttributeValueMemberM:
		return "M"
	}
	return "unknown"
}

// ddbCondition evaluates attribute_exists(path) / attribute_not_exists(path)
// against the current item (nil when there is none).
func ddbCondition(cond string, names map[string]string, values map[string]ddbtypes.AttributeValue, old map[string]ddbtypes.AttributeValue) (bool, error) {
	if len(values) > 0 {
		return false, ddbValidation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(sortedKeys(values), ", "))
	}
	if cond == "" {
		return false, ddbValidation("ExpressionAttributeNames can only be specified when using expressions")
	}
	m := ddbCondRE.FindStringSubmatch(cond)
	if m == nil {
		return false, ddbValidation("Invalid ConditionExpression: the simulator models only attribute_exists(path) and attribute_not_exists(path), not: %s", cond)
	}
	attr := m[2]
	if strings.HasPrefix(attr, "#") {
		real, ok := names[attr]
		if !ok {
			return false, ddbValidation("Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: %s", attr)
		}
		var unused []string
		for k := range names {
			if k != attr {
				unused = append(unused, k)
			}
		}
		if len(unused) > 0 {
			sort.Strings(unused)
			return false, ddbValidation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unused, ", "))
		}
		attr = real
	} else if len(names) > 0 {
		return false, ddbValidation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(sortedKeys(names), ", "))
	}
	_, exists := old[attr]
	if m[1] == "attribute_exists" {
		return exists, nil
	}
	return !exists, nil
}

func ddbCopyItem(item map[string]ddbtypes.AttributeValue) map[string]ddbtypes.AttributeValue {
	out := make(map[string]ddbtypes.AttributeValue, len(item))
	for k, v := range item {
		out[k] = ddbCopy(v)
	}
	return out
}

// ddbCopy deep-copies an attribute value: stored items share nothing with callers.
func ddbCopy(v ddbtypes.AttributeValue) ddbtypes.AttributeValue {
	switch x := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return &ddbtypes.AttributeValueMemberS{Value: x.Value}
	case *ddbtypes.AttributeValueMemberN:
		return &ddbtypes.AttributeValueMemberN{Value: x.Value}
	case *ddbtypes.AttributeValueMemberB:
		return &ddbtypes.AttributeValueMemberB{Value: append([]byte(nil), x.Value...)}
	case *ddbtypes.AttributeValueMemberBOOL:
		return &ddbtypes.AttributeValueMemberBOOL{Value: x.Value}
	case *ddbtypes.AttributeValueMemberNULL:
		return &ddbtypes.AttributeValueMemberNULL{Value: x.Value}
	case *ddbtypes.AttributeValueMemberSS:
		return &ddbtypes.AttributeValueMemberSS{Value: append([]string(nil), x.Value...)}
	case *ddbtypes.AttributeValueMemberNS:
		return &ddbtypes.AttributeValueMemberNS{Value: append([]string(nil), x.Value...)}
	case *ddbtypes.AttributeValueMemberBS:
		bs := make([][]byte, len(x.Value))
		for i, b := range x.Value {
			bs[i] = append([]byte(nil), b...)
		}
		return &ddbtypes.AttributeValueMemberBS{Value: bs}
	case *ddbtypes.AttributeValueMemberL:
		l := make([]ddbtypes.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = ddbCopy(e)
		}
		return &ddbtypes.AttributeValueMemberL{Value: l}
	case *ddbtypes.AttributeValueMemberM:
		return &ddbtypes.AttributeValueMemberM{Value: ddbCopyItem(x.Value)}
	}
	return v
}

// ddbItemSize approximates an item's size as DynamoDB counts it: names plus values.
func ddbItemSize(item map[string]ddbtypes.AttributeValue) int64 {
	var n int64
	for k, v := range item {
		n += int64(len(k)) + ddbValueSize(v)
	}
	return n
}

func ddbValueSize(v ddbtypes.AttributeValue) int64 {
	switch x := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return int64(len(x.Value))
	case *ddbtypes.AttributeValueMemberN:
		return int64(len(x.Value)/2 + 1)
	case *ddbtypes.AttributeValueMemberB:
		return int64(len(x.Value))
	case *ddbtypes.AttributeValueMemberBOOL, *ddbtypes.AttributeValueMemberNULL:
		return 1
	case *ddbtypes.AttributeValueMemberSS:
		var n int64
		for _, s := range x.Value {
			n += int64(len(s))
		}
		return n
	case *ddbtypes.AttributeValueMemberNS:
		var n int64
		for _, s := range x.Value {
			n += int64(len(s)/2 + 1)
		}
		return n
	case *ddbtypes.AttributeValueMemberBS:
		var n int64
		for _, b := range x.Value {
			n += int64(len(b))
		}
		return n
	case *ddbtypes.AttributeValueMemberL:
		n := int64(3)
		for _, e := range x.Value {
			n += 1 + ddbValueSize(e)
		}
		return n
	case *ddbtypes.AttributeValueMemberM:
		return 3 + ddbItemSize(x.Value)
	}
	return 0
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::DynamoDB::Table", cfnTableResource)
}

// cfnTableResource creates an AWS::DynamoDB::Table for a stack.
func cfnTableResource(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	return r.cfnTable(st, logical, p, rs)
}
