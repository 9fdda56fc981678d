package sim

// DynamoDB item reads and batch writes (Lab 4's slotWheels table):
//   - GetItem: Key must be exactly the table's key attributes with their types
//     ("The provided key element does not match the schema" otherwise); an absent
//     item answers no Item; ProjectionExpression of top-level attribute names
//     (#name placeholders allowed) limits the attributes returned;
//   - Scan: items in a stable order (by primary key), Limit items a page with
//     LastEvaluatedKey, resumed by ExclusiveStartKey; Select COUNT answers Count and
//     ScannedCount without Items; FilterExpression and index scans answer
//     UnsupportedOperation from the simulator;
//   - BatchWriteItem: 1 to 25 put or delete requests over any tables, each exactly
//     one of PutRequest/DeleteRequest, no two on the same item
//     ("Provided list of item keys contains duplicates"); nothing is left
//     unprocessed (no throttling is modelled).
// Data-plane calls on a table that is not ACTIVE yet answer ResourceNotFoundException.

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dataTable returns a table a data-plane call may use.
func (c *ddbClient) dataTable(r *region, name string) (*ddbTable, error) {
	t, err := ddbOf(r).table(name)
	if err != nil {
		return nil, err
	}
	if t.status(c.w.now) == ddbtypes.TableStatusCreating || t.status(c.w.now) == ddbtypes.TableStatusDeleting {
		return nil, &ddbtypes.ResourceNotFoundException{Message: ptr("Requested resource not found")}
	}
	return t, nil
}

// keyOf checks that key is exactly the table's key and returns its primary key.
func (t *ddbTable) keyOf(key map[string]ddbtypes.AttributeValue) (string, error) {
	if len(key) != len(t.keys) {
		return "", ddbValidation("The provided key element does not match the schema")
	}
	k, err := t.itemKey(key)
	if err != nil {
		return "", ddbValidation("The provided key element does not match the schema")
	}
	return k, nil
}

var ddbNameTokenRE = regexp.MustCompile(`^#?[A-Za-z0-9_]+$`)

// project keeps the attributes a ProjectionExpression names (top-level names only).
func project(item map[string]ddbtypes.AttributeValue, expr string, names map[string]string) (map[string]ddbtypes.AttributeValue, error) {
	if strings.TrimSpace(expr) == "" {
		return ddbCopyItem(item), nil
	}
	out := map[string]ddbtypes.AttributeValue{}
	for _, tok := range strings.Split(expr, ",") {
		tok = strings.TrimSpace(tok)
		if !ddbNameTokenRE.MatchString(tok) {
			return nil, apiError("UnsupportedOperation", "The simulator models ProjectionExpression of top-level attribute names only: %q", tok)
		}
		name := tok
		if strings.HasPrefix(tok, "#") {
			n, ok := names[tok]
			if !ok {
				return nil, ddbValidation("Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: %s", tok)
			}
			name = n
		}
		if v, ok := item[name]; ok {
			out[name] = ddbCopy(v)
		}
	}
	return out, nil
}

// getItemLocked reads one item as GetItem does. The world's lock must be held.
func (c *ddbClient) getItemLocked(r *region, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	t, err := c.dataTable(r, str(in.TableName))
	if err != nil {
		return nil, err
	}
	if in.Key == nil {
		return nil, ddbValidation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	if len(in.AttributesToGet) > 0 {
		return nil, apiError("UnsupportedOperation", "The simulator does not model the legacy AttributesToGet parameter; use ProjectionExpression.")
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	out := &dynamodb.GetItemOutput{}
	if item := t.items[k]; item != nil {
		p, err := project(item, str(in.ProjectionExpression), in.ExpressionAttributeNames)
		if err != nil {
			return nil, err
		}
		out.Item = p
	}
	return out, nil
}

// GetItem reads one item by its key.
func (c *ddbClient) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return do(ctx, c.base, "dynamodb", "GetItem", in, func(r *region) (*dynamodb.GetItemOutput, error) {
		if in == nil {
			in = &dynamodb.GetItemInput{}
		}
		return c.getItemLocked(r, in)
	})
}

// Scan reads the table's items in primary-key order, Limit a page.
func (c *ddbClient) Scan(ctx context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return do(ctx, c.base, "dynamodb", "Scan", in, func(r *region) (*dynamodb.ScanOutput, error) {
		if in == nil {
			in = &dynamodb.ScanInput{}
		}
		t, err := c.dataTable(r, str(in.TableName))
		if err != nil {
			return nil, err
		}
		switch {
		case str(in.FilterExpression) != "" || len(in.ScanFilter) > 0:
			return nil, apiError("UnsupportedOperation", "The simulator does not model Scan filters.")
		case str(in.IndexName) != "":
			return nil, ddbValidation("The table does not have the specified index: %s", str(in.IndexName))
		case in.Segment != nil || in.TotalSegments != nil:
			return nil, apiError("UnsupportedOperation", "The simulator does not model parallel scans.")
		}
		switch in.Select {
		case "", ddbtypes.SelectAllAttributes, ddbtypes.SelectCount:
		case ddbtypes.SelectSpecificAttributes:
			if str(in.ProjectionExpression) == "" {
				return nil, ddbValidation("Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet")
			}
		default:
			return nil, ddbValidation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", in.Select)
		}
		if in.Select == ddbtypes.SelectCount && str(in.ProjectionExpression) != "" {
			return nil, ddbValidation("Cannot specify the ProjectionExpression when choosing to get a COUNT")
		}
		limit := -1
		if in.Limit != nil {
			if *in.Limit < 1 {
				return nil, ddbValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
			}
			limit = int(*in.Limit)
		}
		after := ""
		if in.ExclusiveStartKey != nil {
			k, err := t.keyOf(in.ExclusiveStartKey)
			if err != nil {
				return nil, ddbValidation("The provided starting key is invalid: The provided key element does not match the schema")
			}
			after = k
		}
		keys := make([]string, 0, len(t.items))
		for k := range t.items {
			if after == "" || k > after {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		out := &dynamodb.ScanOutput{}
		if in.Select != ddbtypes.SelectCount {
			out.Items = []map[string]ddbtypes.AttributeValue{}
		}
		n := 0
		for _, k := range keys {
			if n == limit {
				break
			}
			n++
			if in.Select != ddbtypes.SelectCount {
				p, err := project(t.items[k], str(in.ProjectionExpression), in.ExpressionAttributeNames)
				if err != nil {
					return nil, err
				}
				out.Items = append(out.Items, p)
			}
			if n == limit && n < len(keys) {
				out.LastEvaluatedKey = map[string]ddbtypes.AttributeValue{}
				for _, ks := range t.keys {
					name := str(ks.AttributeName)
					out.LastEvaluatedKey[name] = ddbCopy(t.items[k][name])
				}
			}
		}
		out.Count, out.ScannedCount = int32(n), int32(n)
		return out, nil
	})
}

// BatchWriteItem puts and deletes up to 25 items over one or more tables.
func (c *ddbClient) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return do(ctx, c.base, "dynamodb", "BatchWriteItem", in, func(r *region) (*dynamodb.BatchWriteItemOutput, error) {
		if in == nil {
			in = &dynamodb.BatchWriteItemInput{}
		}
		if len(in.RequestItems) == 0 {
			return nil, ddbValidation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		total := 0
		for _, reqs := range in.RequestItems {
			if len(reqs) == 0 {
				return nil, ddbValidation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
			}
			total += len(reqs)
		}
		if total > 25 {
			return nil, ddbValidation("Too many items requested for the BatchWriteItem call")
		}
		type op struct {
			t    *ddbTable
			key  string
			item map[string]ddbtypes.AttributeValue // nil: delete
		}
		var ops []op
		seen := map[*ddbTable]map[string]bool{}
		for _, name := range sortedKeys(in.RequestItems) {
			t, err := c.dataTable(r, name)
			if err != nil {
				return nil, err
			}
			if seen[t] == nil {
				seen[t] = map[string]bool{}
			}
			for _, wr := range in.RequestItems[name] {
				var o op
				switch {
				case (wr.PutRequest == nil) == (wr.DeleteRequest == nil):
					return nil, ddbValidation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
				case wr.PutRequest != nil:
					if wr.PutRequest.Item == nil {
						return nil, ddbValidation("1 validation error detected: Value null at 'requestItems.%s.member.putRequest.item' failed to satisfy constraint: Member must not be null", name)
					}
					k, err := t.itemKey(wr.PutRequest.Item)
					if err != nil {
						return nil, err
					}
					o = op{t: t, key: k, item: wr.PutRequest.Item}
				default:
					k, err := t.keyOf(wr.DeleteRequest.Key)
					if err != nil {
						return nil, err
					}
					o = op{t: t, key: k}
				}
				if seen[t][o.key] {
					return nil, ddbValidation("Provided list of item keys contains duplicates")
				}
				seen[t][o.key] = true
				ops = append(ops, o)
			}
		}
		// Validated as a whole: apply.
		for _, o := range ops {
			if o.item == nil {
				delete(o.t.items, o.key)
			} else {
				o.t.items[o.key] = ddbCopyItem(o.item)
			}
		}
		return &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]ddbtypes.WriteRequest{}}, nil
	})
}
