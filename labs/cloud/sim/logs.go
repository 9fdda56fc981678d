package sim

// CloudWatch Logs: log groups only (no streams or events). The prerequisite
// stacks' AWS::Logs::LogGroup and CreateLogGroup share one store; groups are
// listed by name in byte order with prefix filtering and paging as AWS does, and
// are taggable (the tagging API lists them as logs:log-group).
//
// DescribeLogGroups filters by LogGroupNamePrefix or by LogGroupNamePattern, a
// case-sensitive substring ("DataLogs" matches "aws/DataLogs" but not
// "datalogs"), never both: the two together are InvalidParameterException, as
// the API reference says they are mutually exclusive. With a pattern AWS returns
// only arn, creationTime and logGroupName of each group, and so does the simulator.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("logs", func(b base, c *cloud.Clients) { c.Logs = &logsClient{b} })
}

// logsClient implements cloud.Logs.
type logsClient struct{ base }

var _ cloud.Logs = (*logsClient)(nil)

// CreateLogGroup creates a log group; an existing name is ResourceAlreadyExistsException.
func (c *logsClient) CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	return do(ctx, c.base, "logs", "CreateLogGroup", in, func(r *region) (*cloudwatchlogs.CreateLogGroupOutput, error) {
		if in == nil || str(in.LogGroupName) == "" || len(str(in.LogGroupName)) > 512 {
			return nil, &cwltypes.InvalidParameterException{Message: ptr("1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must have length between 1 and 512")}
		}
		name := str(in.LogGroupName)
		if r.logGroups[name] != nil {
			return nil, &cwltypes.ResourceAlreadyExistsException{Message: ptr("The specified log group already exists")}
		}
		lg := &logGroup{name: name, arn: r.arn("logs", "log-group:"+name), created: r.w.now}
		for k, v := range in.Tags {
			lg.tags.set(k, v)
		}
		r.logGroups[name] = lg
		r.addTaggable(&lg.tagged, lg.arn, "logs:log-group")
		return &cloudwatchlogs.CreateLogGroupOutput{}, nil
	})
}

// DescribeLogGroups lists groups by name prefix or pattern, 50 per page at most.
func (c *logsClient) DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	return do(ctx, c.base, "logs", "DescribeLogGroups", in, func(r *region) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
		if in == nil {
			in = &cloudwatchlogs.DescribeLogGroupsInput{}
		}
		limit := int(i32(in.Limit, 50))
		if limit < 1 || limit > 50 {
			return nil, &cwltypes.InvalidParameterException{Message: ptr("limit must be between 1 and 50")}
		}
		if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
			// The message is the simulator's; the code is AWS's.
			return nil, &cwltypes.InvalidParameterException{Message: ptr("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")}
		}
		after, ok := readToken(in.NextToken)
		if !ok {
			return nil, &cwltypes.InvalidParameterException{Message: ptr("The specified nextToken is invalid.")}
		}
		pattern := in.LogGroupNamePattern != nil
		names := make([]string, 0, len(r.logGroups))
		for n := range r.logGroups {
			if n <= after {
				continue
			}
			if pattern && strings.Contains(n, *in.LogGroupNamePattern) || !pattern && strings.HasPrefix(n, str(in.LogGroupNamePrefix)) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		out := &cloudwatchlogs.DescribeLogGroupsOutput{}
		for i, n := range names {
			if i == limit {
				out.NextToken = pageToken(names[i-1])
				break
			}
			lg := r.logGroups[n]
			g := cwltypes.LogGroup{LogGroupName: ptr(n), Arn: ptr(lg.arn + ":*"), CreationTime: ptr(lg.created.UnixMilli())}
			if !pattern {
				g.LogGroupArn = ptr(lg.arn)
				if lg.retention > 0 {
					g.RetentionInDays = ptr(lg.retention)
				}
			}
			out.LogGroups = append(out.LogGroups, g)
		}
		return out, nil
	})
}

// DeleteLogGroup deletes a log group; an unknown one is ResourceNotFoundException.
func (c *logsClient) DeleteLogGroup(ctx context.Context, in *cloudwatchlogs.DeleteLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
	return do(ctx, c.base, "logs", "DeleteLogGroup", in, func(r *region) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
		if in == nil || str(in.LogGroupName) == "" {
			return nil, &cwltypes.InvalidParameterException{Message: ptr("logGroupName is required")}
		}
		lg := r.logGroups[str(in.LogGroupName)]
		if lg == nil {
			return nil, &cwltypes.ResourceNotFoundException{Message: ptr("The specified log group does not exist.")}
		}
		lg.dead = true
		delete(r.logGroups, lg.name)
		return &cloudwatchlogs.DeleteLogGroupOutput{}, nil
	})
}

// ListTagsForResource lists a log group's tags by its ARN.
func (c *logsClient) ListTagsForResource(ctx context.Context, in *cloudwatchlogs.ListTagsForResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "logs", "ListTagsForResource", in, func(r *region) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
		if in == nil {
			in = &cloudwatchlogs.ListTagsForResourceInput{}
		}
		_, name, _ := strings.Cut(strings.TrimSuffix(str(in.ResourceArn), ":*"), ":log-group:")
		lg := r.logGroups[name]
		if lg == nil {
			return nil, &cwltypes.ResourceNotFoundException{Message: ptr("The specified log group does not exist.")}
		}
		out := &cloudwatchlogs.ListTagsForResourceOutput{Tags: map[string]string{}}
		for _, kv := range lg.tags {
			out.Tags[kv.k] = kv.v
		}
		return out, nil
	})
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::Logs::LogGroup", cfnLogGroup)
}

// cfnLogGroup creates an AWS::Logs::LogGroup for a stack.
func cfnLogGroup(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "LogGroupName")
	if name == "" {
		name = r.genName(st, logical, 512)
	}
	if r.logGroups[name] != nil {
		return fmt.Errorf("Resource of type 'AWS::Logs::LogGroup' with identifier '%s' already exists.", name)
	}
	ret, err := propInt(p, "RetentionInDays")
	if err != nil {
		return err
	}
	lg := &logGroup{name: name, arn: r.arn("logs", "log-group:"+name), created: r.w.now}
	if ret != nil {
		lg.retention = *ret
	}
	lg.tags = st.resourceTags(logical, propTags(p))
	r.logGroups[name] = lg
	r.addTaggable(&lg.tagged, lg.arn, "logs:log-group")
	rs.physical = name
	rs.attrs["Arn"] = lg.arn + ":*"
	rs.del = func() error {
		lg.dead = true
		delete(r.logGroups, name)
		return nil
	}
	return nil
}
