package sim

// CloudFormation, enough to deploy the labs' prerequisite templates. CreateStack
// validates the template and parameters at once (ValidationError for a template
// that does not parse, unknown or missing parameters, AllowedPattern and
// AllowedValues violations, VPC/subnet/security-group ids that do not exist,
// references to undefined resources, missing IAM capabilities). The stack is
// CREATE_IN_PROGRESS for 30–60 s; then its resources are created in dependency
// order and Outputs resolved (CREATE_COMPLETE), or, if a resource fails — an
// unsupported type, a duplicate name — the created ones are deleted and the
// stack ends ROLLBACK_COMPLETE with a reason naming the resource and the
// problem. DeleteStack takes about 10 s and deletes the resources in reverse
// order (DELETE_FAILED if one is still in use). Stack tags, plus the
// aws:cloudformation:* tags, go to every resource that takes tags.
//
// Supported resource types: AWS::EC2::SecurityGroup, AWS::EC2::SecurityGroupIngress,
// AWS::Logs::LogGroup, AWS::ECS::Cluster, AWS::ElasticLoadBalancingV2::TargetGroup,
// AWS::ElasticLoadBalancingV2::LoadBalancer, AWS::ElasticLoadBalancingV2::Listener,
// AWS::IAM::Role, AWS::CloudFormation::WaitConditionHandle and AWS::EC2::Instance
// (ImageId, InstanceType, SubnetId, SecurityGroupIds, UserData, Tags; an ImageId
// given as a {{resolve:ssm:…}} dynamic reference, or a parameter of type
// AWS::SSM::Parameter::Value<AWS::EC2::Image::Id> naming one of AWS's public
// /aws/service/ami-amazon-linux-latest/ parameters, resolves to a fixed AL2023 AMI;
// a target group's Targets are registered), and Lab 7's prerequisites:
// AWS::DynamoDB::Table, AWS::SNS::Topic (Ref is its ARN), AWS::SNS::Subscription,
// AWS::SQS::Queue (Ref is its URL; Arn), AWS::SQS::QueuePolicy (accepted, not
// stored: queue policies are not modelled), AWS::IAM::RolePolicy (an inline
// policy), AWS::IAM::InstanceProfile (Ref is its name; Arn),
// AWS::ElasticBeanstalk::Application, AWS::ElasticBeanstalk::ApplicationVersion
// (only its label, the Ref, is recorded), AWS::ElasticBeanstalk::Environment
// (OptionSettings as CreateEnvironment reads them; EndpointURL; the stack does
// not wait for it to be Ready, and deleting it starts its termination) and
// AWS::XRay::Group (Ref is its ARN; GroupARN). IAM types need CAPABILITY_IAM,
// custom-named ones (RoleName, InstanceProfileName, …) CAPABILITY_NAMED_IAM.
// Resources are created at once, without waiting for a table to be ACTIVE.
// Not modelled:
// updates, change sets, conditions and mappings, nested stacks, exports,
// TemplateURL, stack policies, termination protection.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/labdash/labdash/labs/cloud"
)

const (
	stackCreateTime   = 30 * time.Second // plus up to stackCreateJitter
	stackCreateJitter = 30 * time.Second
	stackDeleteTime   = 10 * time.Second
)

type stack struct {
	tagged
	name, id     string
	desc         string
	status       cftypes.StackStatus
	reason       string
	tmpl         map[string]any
	params       map[string]any
	paramOut     []cftypes.Parameter
	capabilities []cftypes.Capability
	createdAt    time.Time
	deletedAt    time.Time
	dueAt        time.Time
	outputs      []cftypes.Output
	events       []cftypes.StackEvent // oldest first
	resources    []*stackResource     // creation order
}

type stackResource struct {
	logical, typ string
	physical     string
	attrs        map[string]any
	del          func() error
	// gone, when set, reports whether a deletion del started has finished (a
	// Beanstalk environment terminates, a DynamoDB table leaves DELETING): the
	// stack stays DELETE_IN_PROGRESS until it has, as CloudFormation waits.
	gone       func() bool
	delStarted bool
	failed     string // why its last deletion failed (DELETE_FAILED), or ""
}

type logGroup struct {
	tagged
	name, arn string
	retention int32
	created   time.Time
	events    []logEvent // oldest first, at most maxLogEvents (logs_events.go)
	seq       uint64
}

// cfnClient implements cloud.CloudFormation.
type cfnClient struct{ base }

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// cfnHandlers create a stack's resources, by CloudFormation type; each service
// registers its own types with registerCFN, in the service's file.
var cfnHandlers = map[string]func(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error{}

// registerCFN adds the handler that creates resources of a CloudFormation type: it
// sets rs's physical id, attributes and deletion. A type registered twice panics.
func registerCFN(typ string, create func(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error) {
	if cfnHandlers[typ] != nil {
		panic("sim: CloudFormation type " + typ + " registered twice")
	}
	cfnHandlers[typ] = create
}

// cfnSupported reports whether the simulator's CloudFormation creates typ.
func cfnSupported(typ string) bool { return cfnHandlers[typ] != nil }

// iamTypes are the resource types that need CAPABILITY_IAM, with the property
// whose presence (a custom name) needs CAPABILITY_NAMED_IAM instead.
var iamTypes = map[string]string{
	"AWS::IAM::Role": "RoleName", "AWS::IAM::InstanceProfile": "InstanceProfileName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
	"AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName", "AWS::IAM::Policy": "", "AWS::IAM::RolePolicy": "",
	"AWS::IAM::AccessKey": "", "AWS::IAM::UserToGroupAddition": "",
}

// CreateStack validates a template and starts creating the stack.
func (c *cfnClient) CreateStack(ctx context.Context, in *cloudformation.CreateStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error) {
	return do(ctx, c.base, "cloudformation", "CreateStack", in, func(r *region) (*cloudformation.CreateStackOutput, error) {
		if in == nil {
			in = &cloudformation.CreateStackInput{}
		}
		name := str(in.StackName)
		if !stackNameRE.MatchString(name) {
			return nil, validationError("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
		}
		if r.stackNames[name] != nil {
			return nil, &cftypes.AlreadyExistsException{Message: msg("Stack [%s] already exists", name)}
		}
		if in.TemplateURL != nil {
			return nil, validationError("The simulator does not fetch TemplateURL; pass TemplateBody")
		}
		if str(in.TemplateBody) == "" {
			return nil, validationError("Either Template URL or Template Body must be specified.")
		}
		if len(str(in.TemplateBody)) > 51200 {
			return nil, validationError("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200")
		}
		tmpl, err := c.w.templateLocked(str(in.TemplateBody))
		if err != nil {
			return nil, validationError("Template format error: %v", err)
		}
		resources, ok := tmpl["Resources"].(map[string]any)
		if !ok || len(resources) == 0 {
			return nil, validationError("Template format error: At least one Resources member must be defined.")
		}
		needIAM, namedIAM := false, false
		for logical, def := range resources {
			m, ok := def.(map[string]any)
			if !ok {
				return nil, validationError("Template format error: [/Resources/%s] resource definition is malformed", logical)
			}
			if _, ok := m["Type"].(string); !ok {
				return nil, validationError("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", logical)
			}
			if _, ok := m["Condition"]; ok {
				return nil, validationError("Template format error: the simulator does not support Conditions (resource %s)", logical)
			}
			if nameProp, ok := iamTypes[m["Type"].(string)]; ok {
				needIAM = true
				if p, ok := m["Properties"].(map[string]any); ok && nameProp != "" && p[nameProp] != nil {
					namedIAM = true
				}
			}
		}
		if _, ok := tmpl["Conditions"]; ok {
			return nil, validationError("Template format error: the simulator does not support Conditions")
		}
		has := map[cftypes.Capability]bool{}
		for _, cp := range in.Capabilities {
			switch cp {
			case cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityNamedIam, cftypes.CapabilityCapabilityAutoExpand:
			default:
				return nil, validationError("1 validation error detected: Value '[%s]' at 'capabilities' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CAPABILITY_AUTO_EXPAND, CAPABILITY_NAMED_IAM, CAPABILITY_IAM]]", cp)
			}
			has[cp] = true
		}
		if needIAM {
			if namedIAM && !has[cftypes.CapabilityCapabilityNamedIam] {
				return nil, &cftypes.InsufficientCapabilitiesException{Message: ptr("Requires capabilities : [CAPABILITY_NAMED_IAM]")}
			}
			if !has[cftypes.CapabilityCapabilityIam] && !has[cftypes.CapabilityCapabilityNamedIam] {
				return nil, &cftypes.InsufficientCapabilitiesException{Message: ptr("Requires capabilities : [CAPABILITY_IAM]")}
			}
		}
		var tags tagList
		for _, t := range in.Tags {
			tags.set(str(t.Key), str(t.Value))
		}
		if err := validTags(tags); err != nil {
			return nil, validationError("%v", err)
		}
		st := &stack{name: name, id: r.arn("cloudformation", "stack/"+name+"/"+r.w.uuid()), tmpl: tmpl, createdAt: r.w.now,
			capabilities: append([]cftypes.Capability(nil), in.Capabilities...)}
		st.desc, _ = tmpl["Description"].(string)
		st.tags = tags
		if err := r.stackParams(st, in.Parameters); err != nil {
			return nil, err
		}
		// Check every reference resolves before accepting the stack.
		ev := &evalCtx{r: r, st: st, params: st.params, res: map[string]*stackResource{}, pending: true}
		for logical, def := range resources {
			ev.res[logical] = &stackResource{logical: logical}
			_ = def
		}
		for _, logical := range sortedKeys(resources) {
			m := resources[logical].(map[string]any)
			if _, err := ev.resolve(m["Properties"], 0); err != nil {
				return nil, validationError("%v", err)
			}
		}
		if outs, ok := tmpl["Outputs"].(map[string]any); ok {
			for _, k := range sortedKeys(outs) {
				if _, err := ev.resolve(outs[k], 0); err != nil {
					return nil, validationError("%v", err)
				}
			}
		}
		if _, err := createOrder(resources); err != nil {
			return nil, validationError("%v", err)
		}
		st.status = cftypes.StackStatusCreateInProgress
		st.reason = "User Initiated"
		st.dueAt = r.w.now.Add(r.w.jitter(stackCreateTime, stackCreateJitter))
		r.stackWake = time.Time{}
		r.stackEvent(st, name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusCreateInProgress, "User Initiated")
		r.stacks[st.id] = st
		r.stackNames[name] = st
		r.stackOrder = append(r.stackOrder, st)
		r.addTaggable(&st.tagged, st.id, "cloudformation:stack")
		return &cloudformation.CreateStackOutput{StackId: ptr(st.id)}, nil
	})
}

// stackParams resolves and validates the template's parameters.
func (r *region) stackParams(st *stack, given []cftypes.Parameter) error {
	decl, _ := st.tmpl["Parameters"].(map[string]any)
	in := map[string]string{}
	for _, p := range given {
		k := str(p.ParameterKey)
		if _, ok := decl[k]; !ok {
			return validationError("Parameters: [%s] do not exist in the template", k)
		}
		in[k] = str(p.ParameterValue)
	}
	st.params = map[string]any{}
	var missing []string
	for _, k := range sortedKeys(decl) {
		d, _ := decl[k].(map[string]any)
		typ, _ := d["Type"].(string)
		v, ok := in[k]
		if !ok {
			if def, has := d["Default"]; has {
				v, ok = scalarString(def), true
			}
		}
		if !ok {
			missing = append(missing, k)
			continue
		}
		if pat, _ := d["AllowedPattern"].(string); pat != "" && !strings.HasPrefix(typ, "List<") {
			if re := r.w.patternLocked(pat); re != nil && !re.MatchString(v) {
				return validationError("Parameter '%s' must match pattern %s", k, pat)
			}
		}
		if av, ok := d["AllowedValues"].([]any); ok {
			hit := false
			for _, a := range av {
				if scalarString(a) == v {
					hit = true
				}
			}
			if !hit {
				return validationError("Parameter '%s' must be one of AllowedValues", k)
			}
		}
		var list []string
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					list = append(list, x)
				}
			}
		}
		switch typ {
		case "String", "":
		case "Number":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return validationError("Parameter '%s' must be a number.", k)
			}
		case "AWS::EC2::VPC::Id":
			if r.vpcs[v] == nil {
				return validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist. Rollback requested by user.", v, k)
			}
		case "AWS::EC2::Subnet::Id":
			if r.subnets[v] == nil {
				return validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist. Rollback requested by user.", v, k)
			}
		case "AWS::EC2::SecurityGroup::Id":
			if r.sgs[v] == nil {
				return validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist. Rollback requested by user.", v, k)
			}
		case "List<AWS::EC2::Subnet::Id>", "List<AWS::EC2::SecurityGroup::Id>", "List<AWS::EC2::AvailabilityZone::Name>", "CommaDelimitedList", "List<String>", "List<Number>":
			for _, x := range list {
				if (typ == "List<AWS::EC2::Subnet::Id>" && r.subnets[x] == nil) || (typ == "List<AWS::EC2::SecurityGroup::Id>" && r.sgs[x] == nil) {
					return validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist. Rollback requested by user.", x, k)
				}
			}
		case "AWS::EC2::AvailabilityZone::Name", "AWS::EC2::KeyPair::KeyName", "AWS::SSM::Parameter::Value<String>":
		case "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>":
			// Only AWS's public AMI parameters are modelled; each resolves to the
			// simulator's AL2023 image (Ref gives the image id, as on AWS).
			if !strings.HasPrefix(v, "/aws/service/ami-amazon-linux-latest/") {
				return validationError("Unable to fetch parameters [%s] from parameter store for this account.", v)
			}
			st.paramOut = append(st.paramOut, cftypes.Parameter{ParameterKey: ptr(k), ParameterValue: ptr(v), ResolvedValue: ptr(simAL2023AMI)})
			st.params[k] = simAL2023AMI
			continue
		default:
			return validationError("Template format error: Unrecognized parameter type: %s", typ)
		}
		if list != nil || strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			st.params[k] = append([]string{}, list...)
		} else {
			st.params[k] = v
		}
		pv := v
		if noEcho, _ := d["NoEcho"].(bool); noEcho || d["NoEcho"] == "true" {
			pv = "****"
		}
		st.paramOut = append(st.paramOut, cftypes.Parameter{ParameterKey: ptr(k), ParameterValue: ptr(pv)})
	}
	if len(missing) > 0 {
		return validationError("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return nil
}

func (r *region) stackEvent(st *stack, logical, typ, physical string, status cftypes.ResourceStatus, reason string) {
	st.events = append(st.events, cftypes.StackEvent{
		EventId: ptr(r.w.uuid()), StackId: ptr(st.id), StackName: ptr(st.name), LogicalResourceId: ptr(logical),
		PhysicalResourceId: nilIfEmpty(physical), ResourceType: ptr(typ), Timestamp: ptr(r.w.now), ResourceStatus: status,
		ResourceStatusReason: nilIfEmpty(reason),
	})
}

// stepStacks finishes creations and deletions that are due.
// It looks at the stacks only at r.stackWake, the earliest time one is due or a
// deleted one leaves the list; setting a dueAt outside this loop zeroes it.
func (r *region) stepStacks(now time.Time) {
	if !r.stackWake.IsZero() && now.Before(r.stackWake) {
		return
	}
	for _, st := range r.stackOrder {
		if st.dueAt.IsZero() || now.Before(st.dueAt) {
			continue
		}
		st.dueAt = time.Time{}
		switch st.status {
		case cftypes.StackStatusCreateInProgress:
			r.createStackResources(st)
		case cftypes.StackStatusDeleteInProgress:
			r.deleteStackResources(st)
		}
	}
	r.stackOrder = compact(r.stackOrder, func(s *stack) bool {
		return s.status != cftypes.StackStatusDeleteComplete || now.Sub(s.deletedAt) < stackKeepDeleted
	})
	wake := now.Add(stackKeepDeleted)
	for _, st := range r.stackOrder {
		if !st.dueAt.IsZero() && st.dueAt.Before(wake) {
			wake = st.dueAt
		}
		if st.status == cftypes.StackStatusDeleteComplete && st.deletedAt.Add(stackKeepDeleted).Before(wake) {
			wake = st.deletedAt.Add(stackKeepDeleted)
		}
	}
	r.stackWake = wake
}

// stackKeepDeleted is how long a deleted stack stays listed.
const stackKeepDeleted = 90 * 24 * time.Hour

// stackTags are the tags a stack's resources get.
func (st *stack) resourceTags(logical string, own tagList) tagList {
	t := own.clone()
	for _, x := range st.tags {
		if _, ok := t.get(x.k); !ok {
			t.set(x.k, x.v)
		}
	}
	t.set("aws:cloudformation:stack-name", st.name)
	t.set("aws:cloudformation:stack-id", st.id)
	t.set("aws:cloudformation:logical-id", logical)
	return t
}

func (r *region) createStackResources(st *stack) {
	resources := st.tmpl["Resources"].(map[string]any)
	order, _ := createOrder(resources)
	ev := &evalCtx{r: r, st: st, params: st.params, res: map[string]*stackResource{}}
	var failed, failReason string
	for _, logical := range order {
		m := resources[logical].(map[string]any)
		typ := m["Type"].(string)
		r.stackEvent(st, logical, typ, "", cftypes.ResourceStatusCreateInProgress, "")
		var rs *stackResource
		var err error
		if !cfnSupported(typ) {
			err = fmt.Errorf("Unsupported resource type %s: the simulator cannot create it", typ)
		} else {
			var props any
			props, err = ev.resolve(m["Properties"], 0)
			if err == nil {
				pm, _ := props.(map[string]any)
				if pm == nil {
					pm = map[string]any{}
				}
				rs, err = r.createStackResource(st, logical, typ, pm)
			}
		}
		if err != nil {
			failed, failReason = logical, err.Error()
			r.stackEvent(st, logical, typ, "", cftypes.ResourceStatusCreateFailed, failReason)
			break
		}
		ev.res[logical] = rs
		st.resources = append(st.resources, rs)
		r.stackEvent(st, logical, typ, rs.physical, cftypes.ResourceStatusCreateComplete, "")
	}
	if failed == "" {
		if outs, ok := st.tmpl["Outputs"].(map[string]any); ok {
			for _, k := range sortedKeys(outs) {
				o, _ := outs[k].(map[string]any)
				v, err := ev.resolve(o["Value"], 0)
				if err != nil {
					failed, failReason = k, err.Error()
					break
				}
				out := cftypes.Output{OutputKey: ptr(k), OutputValue: ptr(scalarString(v))}
				if d, ok := o["Description"].(string); ok {
					out.Description = ptr(d)
				}
				if ex, ok := o["Export"].(map[string]any); ok {
					if n, err := ev.resolve(ex["Name"], 0); err == nil {
						out.ExportName = ptr(scalarString(n))
					}
				}
				st.outputs = append(st.outputs, out)
			}
		}
	}
	if failed == "" {
		st.status, st.reason = cftypes.StackStatusCreateComplete, ""
		r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusCreateComplete, "")
		return
	}
	st.outputs = nil
	reason := fmt.Sprintf("The following resource(s) failed to create: [%s]. Rollback requested by user.", failed)
	st.status, st.reason = cftypes.StackStatusRollbackInProgress, reason
	r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusRollbackInProgress, reason)
	for i := len(st.resources) - 1; i >= 0; i-- {
		rs := st.resources[i]
		if rs.del != nil {
			_ = rs.del()
		}
		r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteComplete, "")
	}
	st.resources = nil
	st.status = cftypes.StackStatusRollbackComplete
	st.reason = reason + " " + failed + ": " + failReason
	r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusRollbackComplete, "")
}

func (r *region) deleteStackResources(st *stack) {
	var failed []string
	var keep []*stackResource
	pending := false
	for i := len(st.resources) - 1; i >= 0; i-- {
		rs := st.resources[i]
		var err error
		if !rs.delStarted && pending {
			// A later resource is still being deleted and this one may be what it
			// depends on (resources are in creation order): CloudFormation deletes
			// a resource only after those that depend on it are gone.
			keep = append([]*stackResource{rs}, keep...)
			continue
		}
		if !rs.delStarted {
			r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteInProgress, "")
			if rs.del != nil {
				err = rs.del()
			}
		}
		rs.failed = ""
		if err != nil {
			rs.failed = err.Error()
			failed = append(failed, rs.logical)
			keep = append([]*stackResource{rs}, keep...)
			r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteFailed, err.Error())
			continue
		}
		if rs.gone != nil && !rs.gone() {
			rs.delStarted, pending = true, true // still going: look again later
			keep = append([]*stackResource{rs}, keep...)
			continue
		}
		r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteComplete, "")
	}
	st.resources = keep
	if len(failed) == 0 && pending {
		st.dueAt = r.w.now.Add(10 * time.Second)
		return
	}
	for _, rs := range keep {
		rs.delStarted = false // a failed deletion is retried whole by the next DeleteStack
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		st.status, st.reason = cftypes.StackStatusDeleteFailed, fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(failed, ", "))
		r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusDeleteFailed, st.reason)
		return
	}
	st.status, st.reason, st.deletedAt, st.dead = cftypes.StackStatusDeleteComplete, "", r.w.now, true
	if r.stackNames[st.name] == st {
		delete(r.stackNames, st.name)
	}
	r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusDeleteComplete, "")
}

// genName is the physical name CloudFormation gives an unnamed resource.
func (r *region) genName(st *stack, logical string, max int) string {
	n := st.name + "-" + logical + "-" + strings.ToUpper(r.w.hexID(12))
	if len(n) > max {
		n = n[len(n)-max:]
		n = strings.TrimLeft(n, "-")
	}
	return n
}

// createStackResource creates one resource through the same models as the APIs.
func (r *region) createStackResource(st *stack, logical, typ string, p map[string]any) (*stackResource, error) {
	rs := &stackResource{logical: logical, typ: typ, attrs: map[string]any{}}
	create := cfnHandlers[typ]
	if create == nil {
		return nil, fmt.Errorf("Unsupported resource type %s: the simulator cannot create it", typ)
	}
	if err := create(r, st, logical, p, rs); err != nil {
		return nil, err
	}
	return rs, nil
}

// cfnRules turns template ingress rules into security-group rules.
func (r *region) cfnRules(list []map[string]any) ([]sgRule, error) {
	var perms []sgRule
	for _, m := range list {
		proto := strings.ToLower(propStr(m, "IpProtocol"))
		from, err := propInt(m, "FromPort")
		if err != nil {
			return nil, err
		}
		to, err := propInt(m, "ToPort")
		if err != nil {
			return nil, err
		}
		rl := sgRule{proto: proto, from: i32(from, -1), to: i32(to, -1), cidr: propStr(m, "CidrIp"), srcSG: propStr(m, "SourceSecurityGroupId"), desc: propStr(m, "Description")}
		if rl.proto == "" {
			return nil, fmt.Errorf("Property IpProtocol cannot be empty.")
		}
		if rl.cidr == "" && rl.srcSG == "" {
			return nil, fmt.Errorf("Either CidrIp or SourceSecurityGroupId must be specified")
		}
		if rl.srcSG != "" && r.sgs[rl.srcSG] == nil {
			return nil, fmt.Errorf("The security group '%s' does not exist", rl.srcSG)
		}
		if rl.cidr != "" {
			if _, err := parsePrefix(rl.cidr); err != nil {
				return nil, fmt.Errorf("Value (%s) for parameter cidrIp is invalid. This is not a valid CIDR block.", rl.cidr)
			}
		}
		perms = append(perms, rl)
	}
	return perms, nil
}

func compactRules(have, drop []sgRule) []sgRule {
	var out []sgRule
	for _, h := range have {
		keep := true
		for _, d := range drop {
			if h == d {
				keep = false
			}
		}
		if keep {
			out = append(out, h)
		}
	}
	return out
}

// stackByRef finds a stack by name (live stacks) or id (including deleted ones).
func (r *region) stackByRef(ref string) *stack {
	if strings.HasPrefix(ref, "arn:") {
		return r.stacks[ref]
	}
	return r.stackNames[ref]
}

func (r *region) stackOut(st *stack) cftypes.Stack {
	out := cftypes.Stack{
		StackId: ptr(st.id), StackName: ptr(st.name), Description: nilIfEmpty(st.desc), StackStatus: st.status, StackStatusReason: nilIfEmpty(st.reason),
		CreationTime: ptr(st.createdAt), DeletionTime: tptr(st.deletedAt), DisableRollback: ptr(false), EnableTerminationProtection: ptr(false),
		Capabilities: append([]cftypes.Capability(nil), st.capabilities...), NotificationARNs: []string{},
		DriftInformation: &cftypes.StackDriftInformation{StackDriftStatus: cftypes.StackDriftStatusNotChecked},
	}
	for _, p := range st.paramOut {
		out.Parameters = append(out.Parameters, cftypes.Parameter{ParameterKey: ptr(str(p.ParameterKey)), ParameterValue: ptr(str(p.ParameterValue))})
	}
	for _, o := range st.outputs {
		out.Outputs = append(out.Outputs, cftypes.Output{OutputKey: ptr(str(o.OutputKey)), OutputValue: ptr(str(o.OutputValue)), Description: o.Description, ExportName: o.ExportName})
	}
	for _, t := range st.tags {
		out.Tags = append(out.Tags, cftypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
	}
	return out
}

// DescribeStacks describes one stack by name or id, or every live stack.
func (c *cfnClient) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	return do(ctx, c.base, "cloudformation", "DescribeStacks", in, func(r *region) (*cloudformation.DescribeStacksOutput, error) {
		if in == nil {
			in = &cloudformation.DescribeStacksInput{}
		}
		out := &cloudformation.DescribeStacksOutput{}
		if ref := str(in.StackName); ref != "" {
			st := r.stackByRef(ref)
			if st == nil {
				return nil, validationError("Stack with id %s does not exist", ref)
			}
			out.Stacks = []cftypes.Stack{r.stackOut(st)}
			return out, nil
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, validationError("Invalid NextToken")
		}
		n := 0
		for i, st := range r.stackOrder {
			if i < start || st.status == cftypes.StackStatusDeleteComplete {
				continue
			}
			if n == 100 {
				out.NextToken = intToken(i)
				break
			}
			out.Stacks = append(out.Stacks, r.stackOut(st))
			n++
		}
		return out, nil
	})
}

// DescribeStackEvents lists a stack's events, newest first.
func (c *cfnClient) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	return do(ctx, c.base, "cloudformation", "DescribeStackEvents", in, func(r *region) (*cloudformation.DescribeStackEventsOutput, error) {
		if in == nil || str(in.StackName) == "" {
			return nil, validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
		}
		st := r.stackByRef(str(in.StackName))
		if st == nil {
			return nil, validationError("Stack [%s] does not exist", str(in.StackName))
		}
		out := &cloudformation.DescribeStackEventsOutput{}
		for i := len(st.events) - 1; i >= 0; i-- {
			out.StackEvents = append(out.StackEvents, *cloneJSON(&st.events[i]))
		}
		return out, nil
	})
}

// DeleteStack starts deleting a stack; a missing stack is not an error.
func (c *cfnClient) DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	return do(ctx, c.base, "cloudformation", "DeleteStack", in, func(r *region) (*cloudformation.DeleteStackOutput, error) {
		if in == nil || str(in.StackName) == "" {
			return nil, validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
		}
		st := r.stackByRef(str(in.StackName))
		if len(in.RetainResources) > 0 && (st == nil || st.status != cftypes.StackStatusDeleteFailed) {
			return nil, validationError("Invalid operation on stack [%s]. RetainResources can only be specified when stack is in DELETE_FAILED state", str(in.StackName))
		}
		if st == nil || st.status == cftypes.StackStatusDeleteComplete || st.status == cftypes.StackStatusDeleteInProgress {
			return &cloudformation.DeleteStackOutput{}, nil
		}
		if len(in.RetainResources) > 0 {
			var keep []*stackResource
			for _, rs := range st.resources {
				if !contains(in.RetainResources, rs.logical) {
					keep = append(keep, rs)
				}
			}
			st.resources = keep // retained: left as they are, no longer the stack's
		}
		st.status, st.reason = cftypes.StackStatusDeleteInProgress, "User Initiated"
		st.dueAt = r.w.now.Add(stackDeleteTime)
		r.stackWake = time.Time{}
		r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusDeleteInProgress, "User Initiated")
		return &cloudformation.DeleteStackOutput{}, nil
	})
}

// DescribeStackResources lists a stack's resources with their status: a resource
// whose deletion failed is DELETE_FAILED with the reason.
func (c *cfnClient) DescribeStackResources(ctx context.Context, in *cloudformation.DescribeStackResourcesInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error) {
	return do(ctx, c.base, "cloudformation", "DescribeStackResources", in, func(r *region) (*cloudformation.DescribeStackResourcesOutput, error) {
		if in == nil || str(in.StackName) == "" {
			return nil, validationError("Either StackName or PhysicalResourceId must be specified.")
		}
		st := r.stackByRef(str(in.StackName))
		if st == nil {
			return nil, validationError("Stack with id %s does not exist", str(in.StackName))
		}
		out := &cloudformation.DescribeStackResourcesOutput{}
		for _, rs := range st.resources {
			status, reason := cftypes.ResourceStatusCreateComplete, ""
			switch {
			case rs.failed != "":
				status, reason = cftypes.ResourceStatusDeleteFailed, rs.failed
			case st.status == cftypes.StackStatusDeleteInProgress:
				status = cftypes.ResourceStatusDeleteInProgress
			}
			if id := str(in.LogicalResourceId); id != "" && id != rs.logical {
				continue
			}
			out.StackResources = append(out.StackResources, cftypes.StackResource{
				StackName: ptr(st.name), StackId: ptr(st.id), LogicalResourceId: ptr(rs.logical), PhysicalResourceId: ptr(rs.physical),
				ResourceType: ptr(rs.typ), ResourceStatus: status, ResourceStatusReason: optStr(reason), Timestamp: ptr(st.createdAt),
			})
		}
		return out, nil
	})
}

// The Lab 7 prerequisite types (labs/catalog/xray/template.yaml). Each builds the
// same objects as its service's Create* operation, so Describe*, the tagging API
// and the service's own deletes see them. The world's lock is held throughout.

var cfnProfileNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// cfnPolicyDoc is a policy document property as JSON text.
func cfnPolicyDoc(v any) string {
	switch d := v.(type) {
	case string:
		return d
	case map[string]any:
		b, _ := json.Marshal(d)
		return string(b)
	}
	return ""
}

func (r *region) cfnTable(st *stack, logical string, p map[string]any, rs *stackResource) error {
	for _, k := range sortedKeys(p) {
		switch k {
		case "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput", "DeletionProtectionEnabled", "TableClass", "Tags":
		default:
			return fmt.Errorf("The simulator does not model property %s of AWS::DynamoDB::Table", k)
		}
	}
	name := propStr(p, "TableName")
	if name == "" {
		name = r.genName(st, logical, 255)
	}
	if !ddbNameRE.MatchString(name) {
		return fmt.Errorf("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	var attrs []ddbtypes.AttributeDefinition
	for _, a := range propMaps(p, "AttributeDefinitions") {
		attrs = append(attrs, ddbtypes.AttributeDefinition{AttributeName: ptr(propStr(a, "AttributeName")), AttributeType: ddbtypes.ScalarAttributeType(propStr(a, "AttributeType"))})
	}
	var keys []ddbtypes.KeySchemaElement
	for _, k := range propMaps(p, "KeySchema") {
		keys = append(keys, ddbtypes.KeySchemaElement{AttributeName: ptr(propStr(k, "AttributeName")), KeyType: ddbtypes.KeyType(propStr(k, "KeyType"))})
	}
	if err := ddbCheckKeys(keys, attrs); err != nil {
		return err
	}
	t := &ddbTable{name: name, arn: r.arn("dynamodb", "table/"+name), id: r.w.uuid(), class: ddbtypes.TableClass(propStr(p, "TableClass")),
		attrs: attrs, keys: keys, created: r.w.now, countAt: r.w.now, activeAt: r.w.now.Add(r.w.jitter(5*time.Second, 10*time.Second)),
		protection: propStr(p, "DeletionProtectionEnabled") == "true", items: map[string]map[string]ddbtypes.AttributeValue{}}
	if t.class == "" {
		t.class = ddbtypes.TableClassStandard
	}
	billing := ddbtypes.BillingMode(propStr(p, "BillingMode"))
	if billing == "" {
		billing = ddbtypes.BillingModeProvisioned
	}
	var pt *ddbtypes.ProvisionedThroughput
	if m, ok := p["ProvisionedThroughput"].(map[string]any); ok {
		pt = &ddbtypes.ProvisionedThroughput{}
		for k, dst := range map[string]**int64{"ReadCapacityUnits": &pt.ReadCapacityUnits, "WriteCapacityUnits": &pt.WriteCapacityUnits} {
			n, err := propInt(m, k)
			if err != nil {
				return err
			}
			if n != nil {
				*dst = ptr(int64(*n))
			}
		}
	}
	if err := t.setThroughput(billing, pt); err != nil {
		return err
	}
	t.tags = st.resourceTags(logical, propTags(p))
	dst := ddbOf(r)
	if dst.tables[name] != nil {
		return fmt.Errorf("Resource of type 'AWS::DynamoDB::Table' with identifier '%s' already exists.", name)
	}
	dst.tables[name] = t
	r.addTaggable(&t.tagged, t.arn, "dynamodb:table")
	rs.physical = name
	rs.attrs["Arn"] = t.arn
	rs.del = func() error {
		if t.dead || !t.deletingAt.IsZero() {
			return nil
		}
		if t.protection {
			return ddbValidation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
		}
		t.deletingAt = r.w.now
		t.goneAt = r.w.now.Add(r.w.jitter(5*time.Second, 10*time.Second))
		return nil
	}
	rs.gone = func() bool { return t.dead }
	return nil
}

func (r *region) cfnTopic(st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "TopicName")
	fifo := propStr(p, "FifoTopic") == "true"
	if name == "" {
		if name = r.genName(st, logical, 256); fifo {
			name = r.genName(st, logical, 251) + ".fifo"
		}
	}
	if !snsNameRE.MatchString(strings.TrimSuffix(name, ".fifo")) || len(name) > 256 || strings.HasSuffix(name, ".fifo") != fifo {
		return snsInvalid("Invalid parameter: Topic Name")
	}
	sst := snsOf(r)
	arn := r.arn("sns", name)
	if sst.topics[arn] != nil {
		return fmt.Errorf("Resource of type 'AWS::SNS::Topic' with identifier '%s' already exists.", arn)
	}
	t := &snsTopic{name: name, attrs: map[string]string{}, created: r.w.now}
	if fifo {
		t.attrs["FifoTopic"] = "true"
	}
	for _, k := range []string{"DisplayName", "ContentBasedDeduplication", "KmsMasterKeyId", "SignatureVersion", "TracingConfig"} {
		if v := propStr(p, k); v != "" {
			t.attrs[k] = v
		}
	}
	t.tags = st.resourceTags(logical, propTags(p))
	sst.topics[arn] = t
	sst.order = append(sst.order, t)
	r.addTaggable(&t.tagged, arn, "sns:topic")
	for _, sp := range propMaps(p, "Subscription") {
		if _, err := r.cfnSubscribe(t, propStr(sp, "Protocol"), propStr(sp, "Endpoint"), false); err != nil {
			r.cfnDropTopic(t)
			return err
		}
	}
	rs.physical = arn
	rs.attrs["TopicArn"], rs.attrs["TopicName"] = arn, name
	rs.del = func() error {
		r.cfnDropTopic(t)
		return nil
	}
	return nil
}

// cfnDropTopic deletes a topic and its subscriptions, as DeleteTopic does.
func (r *region) cfnDropTopic(t *snsTopic) {
	if t.dead {
		return
	}
	sst := snsOf(r)
	for _, s := range t.subs {
		delete(sst.subs, s.arn)
	}
	t.subs = nil
	t.dead = true
	delete(sst.topics, t.arn)
	sst.order = compact(sst.order, func(x *snsTopic) bool { return x != t })
}

// cfnSubscribe subscribes an endpoint to t with Subscribe's rules (sqs and lambda
// endpoints in this account are confirmed at once; the same protocol and endpoint
// again is the existing subscription).
func (r *region) cfnSubscribe(t *snsTopic, proto, ep string, raw bool) (*snsSub, error) {
	if !snsProtocols[proto] {
		return nil, snsInvalid("Invalid parameter: Amazon SNS does not support this protocol string: %s", proto)
	}
	pending := false
	switch proto {
	case "sqs", "lambda", "firehose":
		p := strings.SplitN(ep, ":", 6)
		if len(p) != 6 || p[0] != "arn" || p[2] != proto {
			return nil, snsInvalid("Invalid parameter: %s endpoint ARN", map[string]string{"sqs": "SQS", "lambda": "Lambda", "firehose": "Firehose"}[proto])
		}
		pending = p[4] != r.account
	case "email", "email-json":
		if !strings.Contains(ep, "@") {
			return nil, snsInvalid("Invalid parameter: Email address")
		}
		pending = true
	case "http", "https":
		if !strings.HasPrefix(ep, proto+"://") {
			return nil, snsInvalid("Invalid parameter: Endpoint must match the specified protocol")
		}
		pending = true
	default:
		if ep == "" {
			return nil, snsInvalid("Invalid parameter: Endpoint")
		}
	}
	for _, s := range t.subs {
		if s.protocol == proto && s.endpoint == ep {
			return s, nil
		}
	}
	s := &snsSub{arn: t.arn + ":" + r.w.uuid(), topic: t, protocol: proto, endpoint: ep, owner: r.account, pending: pending, created: r.w.now, raw: raw}
	t.subs = append(t.subs, s)
	snsOf(r).subs[s.arn] = s
	return s, nil
}

func (r *region) cfnQueue(st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "QueueName")
	fifo := propStr(p, "FifoQueue") == "true"
	if name == "" {
		if name = r.genName(st, logical, 80); fifo {
			name = r.genName(st, logical, 75) + ".fifo"
		}
	}
	if !sqsNameRE.MatchString(strings.TrimSuffix(name, ".fifo")) || len(name) > 80 || strings.HasSuffix(name, ".fifo") != fifo {
		return apiError("InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	attrs := map[string]string{}
	for k, v := range sqsDefaults {
		attrs[k] = v
	}
	for _, k := range sortedKeys(p) {
		_, isDefault := sqsDefaults[k]
		switch {
		case k == "QueueName" || k == "Tags":
		case k == "RedrivePolicy" || k == "RedriveAllowPolicy":
			attrs[k] = cfnPolicyDoc(p[k])
		case isDefault || sqsSettable[k]:
			attrs[k] = propStr(p, k)
		default:
			return fmt.Errorf("The simulator does not model property %s of AWS::SQS::Queue", k)
		}
	}
	if v, ok := p["VisibilityTimeout"]; ok {
		if n, err := strconv.Atoi(scalarString(v)); err != nil || n < 0 || n > 43200 {
			return &sqstypes.InvalidAttributeValue{Message: msg("Invalid value for the parameter VisibilityTimeout.")}
		}
	}
	qs := sqsOf(r)
	if qs.queues[name] != nil {
		return fmt.Errorf("Resource of type 'AWS::SQS::Queue' with identifier '%s' already exists.", name)
	}
	if at, ok := qs.deleted[name]; ok && r.w.now.Sub(at) < sqsDeletedWait {
		return &sqstypes.QueueDeletedRecently{Message: ptr("You must wait 60 seconds after deleting a queue before you can create another with the same name."),
			ErrorCodeOverride: ptr("AWS.SimpleQueueService.QueueDeletedRecently")}
	}
	delete(qs.deleted, name)
	q := &sqsQueue{name: name, url: sqsQueueURL(r.name, r.account, name), created: r.w.now, modified: r.w.now, attrs: attrs}
	q.tags = st.resourceTags(logical, propTags(p))
	qs.queues[name] = q
	arn := r.arn("sqs", name)
	r.addTaggable(&q.tagged, arn, "sqs:queue")
	rs.physical = q.url
	rs.attrs["Arn"], rs.attrs["QueueName"], rs.attrs["QueueUrl"] = arn, name, q.url
	rs.del = func() error {
		if q.dead {
			return nil
		}
		q.dead = true
		delete(qs.queues, name)
		qs.deleted[name] = r.w.now
		return nil
	}
	return nil
}

func (r *region) cfnEBApp(st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "ApplicationName")
	if name == "" {
		name = r.genName(st, logical, 100)
	}
	if len(name) > 100 || strings.Contains(name, "/") {
		return ebInvalid("Value '%s' at 'applicationName' failed to satisfy constraint: Member must have length between 1 and 100", name)
	}
	es := ebOf(r)
	if es.apps[name] != nil {
		return ebInvalid("Application %s already exists.", name)
	}
	a := &ebApp{name: name, desc: propStr(p, "Description"), created: r.w.now, updated: r.w.now}
	a.tags = st.resourceTags(logical, nil)
	es.apps[name] = a
	es.appOrder = append(es.appOrder, a)
	r.addTaggable(&a.tagged, r.arn("elasticbeanstalk", "application/"+name), "elasticbeanstalk:application")
	rs.physical = name
	rs.del = func() error {
		if a.dead {
			return nil
		}
		for _, e := range es.envs {
			if e.app == name && e.termAt.IsZero() {
				return ebInvalid("Unable to delete application %s because it has running environments. Terminate the environments before deleting the application, or use the TerminateEnvByForce option.", name)
			}
		}
		a.dead = true
		delete(es.apps, name)
		es.appOrder = compact(es.appOrder, func(x *ebApp) bool { return x != a })
		return nil
	}
	return nil
}

// cfnEBEnv launches an environment with CreateEnvironment's rules: the same
// validation, option settings (EnvironmentType, environment properties, X-Ray,
// instance profile), CNAME, endpoint, tags and Launching → Ready timing.
// Deleting it starts its termination (Terminating, then Terminated).
func (r *region) cfnEBEnv(st *stack, logical string, p map[string]any, rs *stackResource) error {
	es := ebOf(r)
	appName := propStr(p, "ApplicationName")
	if es.apps[appName] == nil {
		return ebInvalid("No Application named '%s' found.", appName)
	}
	name := propStr(p, "EnvironmentName")
	if name == "" {
		name = strings.Trim(r.genName(st, logical, 40), "-")
	}
	if !ebEnvNameRE.MatchString(name) {
		return ebInvalid("Value %s at 'EnvironmentName' failed to satisfy constraint: Member must have length between 4 and 40 and contain only letters, digits, and the dash character and may not start or end with a dash", name)
	}
	solution, platform, template := propStr(p, "SolutionStackName"), propStr(p, "PlatformArn"), propStr(p, "TemplateName")
	if solution == "" && platform == "" && template == "" {
		return ebInvalid("No platform specified: specify a SolutionStackName, a PlatformArn or a TemplateName.")
	}
	tier := ebtypes.EnvironmentTier{Name: ptr("WebServer"), Type: ptr("Standard"), Version: ptr("1.0")}
	if tm, ok := p["Tier"].(map[string]any); ok && propStr(tm, "Name") == "Worker" {
		tier = ebtypes.EnvironmentTier{Name: ptr("Worker"), Type: ptr("SQS/HTTP"), Version: ptr("1.0")}
	}
	var opts []ebOption
	for _, o := range propMaps(p, "OptionSettings") {
		opts = append(opts, ebOption{propStr(o, "Namespace"), propStr(o, "OptionName"), propStr(o, "Value")})
	}
	single, props, xrayOn, profile, err := parseEBOptions(opts)
	if err != nil {
		return err
	}
	cname := ""
	if str(tier.Name) == "WebServer" {
		prefix := propStr(p, "CNAMEPrefix")
		if prefix == "" {
			prefix = name
		}
		if !ebCNAMERE.MatchString(prefix) {
			return ebInvalid("Value '%s' at 'CNAMEPrefix' failed to satisfy constraint: Member must have length between 4 and 63", prefix)
		}
		cname = strings.ToLower(prefix) + "." + r.name + ".elasticbeanstalk.com"
	}
	for _, e := range es.envs {
		if !e.termAt.IsZero() {
			continue
		}
		if e.name == name {
			return ebInvalid("Environment %s already exists.", name)
		}
		if cname != "" && e.cname == cname {
			return ebInvalid("DNS name (%s) is not available.", cname)
		}
	}
	e := &ebEnv{id: "e-" + strings.ToLower(r.w.alnum(10)), name: name, app: appName, desc: propStr(p, "Description"), cname: cname, single: single,
		tier: tier, stack: solution, platform: platform, template: template, version: propStr(p, "VersionLabel"),
		created: r.w.now, props: props, xray: xrayOn, profile: profile}
	e.readyAt = r.w.now.Add(r.w.jitter(4*time.Minute, 2*time.Minute)).Truncate(time.Second)
	if cname != "" {
		if single {
			e.endpoint = "54." + r.w.octets(3)
		} else {
			e.endpoint = "awseb-" + e.id + "-" + r.w.alnum(12) + "." + r.name + ".elb.amazonaws.com"
		}
	}
	e.tags = st.resourceTags(logical, propTags(p))
	e.tags.set("elasticbeanstalk:environment-name", name)
	e.tags.set("elasticbeanstalk:environment-id", e.id)
	es.envs = append(es.envs, e)
	r.addTaggable(&e.tagged, r.arn("elasticbeanstalk", "environment/"+appName+"/"+name), "elasticbeanstalk:environment")
	rs.physical = name
	rs.attrs["EndpointURL"] = e.endpoint
	rs.del = func() error {
		(&ebClient{base{w: r.w, account: r.account, region: r.name}}).terminate(r, es, e)
		return nil
	}
	rs.gone = func() bool { return e.status(r.w.now) == ebtypes.EnvironmentStatusTerminated }
	return nil
}

func (r *region) cfnXRayGroup(st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "GroupName")
	if !xrGroupRE.MatchString(name) {
		return xrInvalid("Invalid group name: %s", name)
	}
	if name == "Default" {
		return xrInvalid("Default is a reserved group name.")
	}
	xs := xrayOf(r)
	if xs.groups[name] != nil {
		return xrInvalid("Group already exists")
	}
	f, err := parseXRFilter(propStr(p, "FilterExpression"))
	if err != nil {
		return err
	}
	g := &xrGroup{name: name, filter: propStr(p, "FilterExpression"), parsed: f}
	g.tags = st.resourceTags(logical, propTags(p))
	xs.groups[name] = g
	xs.gOrder = append(xs.gOrder, g)
	arn := r.arn("xray", "group/"+name+"/"+strings.ToUpper(r.w.alnum(26)))
	r.addTaggable(&g.tagged, arn, "xray:group")
	rs.physical = arn
	rs.attrs["GroupARN"] = arn
	rs.del = func() error {
		if g.dead {
			return nil
		}
		g.dead = true
		if xs.groups[name] == g {
			delete(xs.groups, name)
		}
		xs.gOrder = compact(xs.gOrder, func(x *xrGroup) bool { return x != g })
		return nil
	}
	return nil
}

// ebEnvFromARN returns the environment name of an Elastic Beanstalk environment
// ARN (arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APP/ENV).
func ebEnvFromARN(arn string) (string, bool) {
	if !strings.Contains(arn, ":elasticbeanstalk:") || !strings.Contains(arn, ":environment/") {
		return "", false
	}
	return arn[strings.LastIndex(arn, "/")+1:], true
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::CloudFormation::WaitConditionHandle", cfnWaitConditionHandle)
}

// cfnWaitConditionHandle creates an AWS::CloudFormation::WaitConditionHandle for a stack.
func cfnWaitConditionHandle(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	rs.physical = "https://cloudformation-waitcondition-" + r.name + ".s3.amazonaws.com/" + r.w.uuid()
	return nil
}

func init() {
	// Stacks create and delete their resources after the services they drive have stepped.
	registerService("cloudformation", func(b base, c *cloud.Clients) { c.CloudFormation = &cfnClient{b} },
		everySecond(6, (*region).stepStacks))
}
