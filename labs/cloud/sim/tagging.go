package sim

// The Resource Groups Tagging API over the simulator's taggable resources:
// ECS clusters, services and task definitions, load balancers, target groups,
// listeners and listener rules, security groups, CloudFormation stacks and log groups, and the
// other labs' resources that register with addTaggable (S3 buckets, RDS
// instances, Route 53 zones in us-east-1, Lambda functions, DynamoDB tables, SNS
// topics, SQS queues, Cognito pools, Beanstalk environments, Private CAs, EC2
// instances, launch templates and Auto Scaling groups, accelerators in
// us-west-2). As AWS,
// only resources that carry tags are listed, in a stable order, 100 per page at
// most. Tasks are not listed (their tags are read through DescribeTasks).

import (
	"context"
	"strconv"
	"strings"
	"time"

	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	rgttypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/labdash/labdash/labs/cloud"
)

// taggingClient implements cloud.Tagging.
type taggingClient struct{ base }

// GetResources lists tagged resources matching TagFilters (AND across keys, OR
// across values) and ResourceTypeFilters ("ecs:cluster", or a whole service "ecs").
func (c *taggingClient) GetResources(ctx context.Context, in *rgt.GetResourcesInput, _ ...func(*rgt.Options)) (*rgt.GetResourcesOutput, error) {
	return do(ctx, c.base, "tagging", "GetResources", in, func(r *region) (*rgt.GetResourcesOutput, error) {
		var err error
		if in == nil {
			in = &rgt.GetResourcesInput{}
		}
		size := int(i32(in.ResourcesPerPage, 50))
		if size < 1 || size > 100 {
			return nil, &rgttypes.InvalidParameterException{Message: ptr("ResourcesPerPage must be between 1 and 100.")}
		}
		if len(in.TagFilters) > 50 {
			return nil, &rgttypes.InvalidParameterException{Message: ptr("TagFilters can have at most 50 elements.")}
		}
		for _, f := range in.TagFilters {
			if str(f.Key) == "" {
				return nil, &rgttypes.InvalidParameterException{Message: ptr("A TagFilter must have a Key.")}
			}
		}
		if len(in.ResourceARNList) > 0 && (len(in.TagFilters) > 0 || len(in.ResourceTypeFilters) > 0) {
			return nil, &rgttypes.InvalidParameterException{Message: ptr("ResourceARNList cannot be combined with TagFilters or ResourceTypeFilters.")}
		}
		pos, ok := readToken(in.PaginationToken)
		var after uint64
		if ok && pos != "" {
			after, err = strconv.ParseUint(pos, 10, 64)
			ok = err == nil
		}
		if !ok {
			return nil, &rgttypes.PaginationTokenExpiredException{Message: ptr("The pagination token is invalid or has expired.")}
		}
		out := &rgt.GetResourcesOutput{PaginationToken: ptr("")}
		for _, t := range r.taggables {
			if t.dead || t.seq <= after || len(t.tags) == 0 {
				continue
			}
			if len(in.ResourceARNList) > 0 && !contains(in.ResourceARNList, t.arn) {
				continue
			}
			if len(in.ResourceTypeFilters) > 0 {
				hit := false
				for _, f := range in.ResourceTypeFilters {
					if f == t.rtype || (!strings.Contains(f, ":") && strings.HasPrefix(t.rtype, f+":")) {
						hit = true
					}
				}
				if !hit {
					continue
				}
			}
			if !matchTagFilters(t.tags, in.TagFilters) {
				continue
			}
			if len(out.ResourceTagMappingList) == size {
				out.PaginationToken = pageToken(strconv.FormatUint(t.seq-1, 10))
				break
			}
			m := rgttypes.ResourceTagMapping{ResourceARN: ptr(t.arn)}
			for _, x := range t.tags {
				m.Tags = append(m.Tags, rgttypes.Tag{Key: ptr(x.k), Value: ptr(x.v)})
			}
			out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
		}
		return out, nil
	})
}

func matchTagFilters(tags tagList, filters []rgttypes.TagFilter) bool {
	for _, f := range filters {
		v, ok := tags.get(str(f.Key))
		if !ok {
			return false
		}
		if len(f.Values) > 0 && !contains(f.Values, v) {
			return false
		}
	}
	return true
}

// expire runs the minute's housekeeping.
func (r *region) expire(now time.Time) {
	r.expireECS(now)
	r.taggables = compact(r.taggables, func(t *tagged) bool {
		if t.dead && r.tagIndex[t.arn] == t {
			delete(r.tagIndex, t.arn)
		}
		return !t.dead
	})
}

func init() {
	// Each minute, after CloudWatch: stopped tasks and dead resources are forgotten.
	registerService("tagging", func(b base, c *cloud.Clients) { c.Tagging = &taggingClient{b} },
		everyMinute(3, (*region).expire))
}
