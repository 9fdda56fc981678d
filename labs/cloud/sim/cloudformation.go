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
// given as a {{resolve:ssm:…}} dynamic reference resolves to a fixed AL2023 AMI;
// a target group's Targets are registered). Not modelled:
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
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
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
	failed       string // why its last deletion failed (DELETE_FAILED), or ""
}

type logGroup struct {
	tagged
	name, arn string
	retention int32
}

// cfnClient implements cloud.CloudFormation.
type cfnClient struct{ base }

func (c *cfnClient) enter(ctx context.Context, op string) (*region, error) {
	return c.base.enter(ctx, "cloudformation", op)
}

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

var supportedTypes = map[string]bool{
	"AWS::EC2::SecurityGroup": true, "AWS::EC2::SecurityGroupIngress": true, "AWS::Logs::LogGroup": true, "AWS::ECS::Cluster": true,
	"AWS::ElasticLoadBalancingV2::TargetGroup": true, "AWS::ElasticLoadBalancingV2::LoadBalancer": true,
	"AWS::ElasticLoadBalancingV2::Listener": true, "AWS::IAM::Role": true, "AWS::CloudFormation::WaitConditionHandle": true,
	"AWS::EC2::Instance": true,
}

// CreateStack validates a template and starts creating the stack.
func (c *cfnClient) CreateStack(ctx context.Context, in *cloudformation.CreateStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error) {
	r, err := c.enter(ctx, "CreateStack")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
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
	tmpl, err := parseTemplate(str(in.TemplateBody))
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
		if m["Type"] == "AWS::IAM::Role" {
			needIAM = true
			if p, ok := m["Properties"].(map[string]any); ok && p["RoleName"] != nil {
				namedIAM = true
			}
		}
	}
	if _, ok := tmpl["Conditions"]; ok {
		return nil, validationError("Template format error: the simulator does not support Conditions")
	}
	if needIAM {
		has := map[cftypes.Capability]bool{}
		for _, cp := range in.Capabilities {
			has[cp] = true
		}
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
	r.stackEvent(st, name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusCreateInProgress, "User Initiated")
	r.stacks[st.id] = st
	r.stackNames[name] = st
	r.stackOrder = append(r.stackOrder, st)
	r.addTaggable(&st.tagged, st.id, "cloudformation:stack")
	return &cloudformation.CreateStackOutput{StackId: ptr(st.id)}, nil
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
			re, err := regexp.Compile("^(?:" + pat + ")$")
			if err == nil && !re.MatchString(v) {
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
func (r *region) stepStacks(now time.Time) {
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
		return s.status != cftypes.StackStatusDeleteComplete || now.Sub(s.deletedAt) < 90*24*time.Hour
	})
}

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
		if !supportedTypes[typ] {
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
	for i := len(st.resources) - 1; i >= 0; i-- {
		rs := st.resources[i]
		r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteInProgress, "")
		var err error
		if rs.del != nil {
			err = rs.del()
		}
		rs.failed = ""
		if err != nil {
			rs.failed = err.Error()
			failed = append(failed, rs.logical)
			keep = append([]*stackResource{rs}, keep...)
			r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteFailed, err.Error())
			continue
		}
		r.stackEvent(st, rs.logical, rs.typ, rs.physical, cftypes.ResourceStatusDeleteComplete, "")
	}
	st.resources = keep
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
	switch typ {
	case "AWS::EC2::SecurityGroup":
		name := propStr(p, "GroupName")
		if name == "" {
			name = r.genName(st, logical, 255)
		}
		sg, err := r.createSecurityGroup(name, propStr(p, "GroupDescription"), propStr(p, "VpcId"), st.resourceTags(logical, propTags(p)))
		if err != nil {
			return nil, err
		}
		rules, err := r.cfnRules(propMaps(p, "SecurityGroupIngress"))
		if err == nil {
			err = sg.authorize(rules)
		}
		if err != nil {
			_ = r.deleteSecurityGroup(sg)
			return nil, err
		}
		rs.physical = sg.id
		rs.attrs["GroupId"], rs.attrs["VpcId"] = sg.id, sg.vpc.id
		rs.del = func() error {
			if sg.dead {
				return nil
			}
			return r.deleteSecurityGroup(sg)
		}
	case "AWS::EC2::SecurityGroupIngress":
		sg, err := r.findSG(propStr(p, "GroupId"), propStr(p, "GroupName"))
		if err != nil {
			return nil, err
		}
		rules, err := r.cfnRules([]map[string]any{p})
		if err == nil {
			err = sg.authorize(rules)
		}
		if err != nil {
			return nil, err
		}
		rs.physical = "sgr-" + r.w.hexID(17)
		rs.del = func() error {
			sg.ingress = compactRules(sg.ingress, rules)
			return nil
		}
	case "AWS::Logs::LogGroup":
		name := propStr(p, "LogGroupName")
		if name == "" {
			name = r.genName(st, logical, 512)
		}
		if r.logGroups[name] != nil {
			return nil, fmt.Errorf("Resource of type 'AWS::Logs::LogGroup' with identifier '%s' already exists.", name)
		}
		ret, err := propInt(p, "RetentionInDays")
		if err != nil {
			return nil, err
		}
		lg := &logGroup{name: name, arn: r.arn("logs", "log-group:"+name)}
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
	case "AWS::ECS::Cluster":
		name := propStr(p, "ClusterName")
		if name == "" {
			name = r.genName(st, logical, 255)
		}
		if old := r.clusters[name]; old != nil && old.status == "ACTIVE" {
			return nil, fmt.Errorf("Resource of type 'AWS::ECS::Cluster' with identifier '%s' already exists.", name)
		}
		if !ecsNameRE.MatchString(name) {
			return nil, fmt.Errorf("Invalid ClusterName %q", name)
		}
		cl, err := r.createCluster(name, st.resourceTags(logical, propTags(p)))
		if err != nil {
			return nil, err
		}
		rs.physical = name
		rs.attrs["Arn"] = cl.arn
		rs.del = func() error {
			if cl.status != "ACTIVE" {
				return nil
			}
			return r.deleteCluster(cl)
		}
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		name := propStr(p, "Name")
		if name == "" {
			name = r.genName(st, logical, 32)
		}
		in := &elasticloadbalancingv2.CreateTargetGroupInput{Name: ptr(name), Protocol: elbtypes.ProtocolEnum(propStr(p, "Protocol")),
			TargetType: elbtypes.TargetTypeEnum(propStr(p, "TargetType")), VpcId: nilIfEmpty(propStr(p, "VpcId")),
			HealthCheckPath: nilIfEmpty(propStr(p, "HealthCheckPath")), HealthCheckPort: nilIfEmpty(propStr(p, "HealthCheckPort")),
			HealthCheckProtocol: elbtypes.ProtocolEnum(propStr(p, "HealthCheckProtocol"))}
		var err error
		for k, dst := range map[string]**int32{"Port": &in.Port, "HealthCheckIntervalSeconds": &in.HealthCheckIntervalSeconds,
			"HealthCheckTimeoutSeconds": &in.HealthCheckTimeoutSeconds, "HealthyThresholdCount": &in.HealthyThresholdCount,
			"UnhealthyThresholdCount": &in.UnhealthyThresholdCount} {
			if *dst, err = propInt(p, k); err != nil {
				return nil, err
			}
		}
		if r.tgByName[name] != nil {
			return nil, fmt.Errorf("Resource of type 'AWS::ElasticLoadBalancingV2::TargetGroup' with identifier '%s' already exists.", name)
		}
		tg, err := r.createTargetGroup(in, st.resourceTags(logical, propTags(p)))
		if err != nil {
			return nil, err
		}
		for _, a := range propMaps(p, "TargetGroupAttributes") {
			k := propStr(a, "Key")
			if _, ok := tg.attrs[k]; !ok {
				_ = r.deleteTargetGroup(tg)
				return nil, fmt.Errorf("Target group attribute key '%s' is not recognized", k)
			}
			tg.attrs[k] = propStr(a, "Value")
		}
		for _, td := range propMaps(p, "Targets") {
			port, err := propInt(td, "Port")
			if err != nil {
				_ = r.deleteTargetGroup(tg)
				return nil, err
			}
			id := propStr(td, "Id")
			if x := r.gaInstance(id); tg.targetType != "instance" || x == nil || x.spec.subnet.vpc != tg.vpc {
				_ = r.deleteTargetGroup(tg)
				return nil, fmt.Errorf("The following targets are not valid instances: '%s'", id)
			}
			r.registerTarget(tg, id, i32(port, tg.port), r.gaInstance(id).spec.subnet.az)
		}
		rs.physical = tg.arn
		rs.attrs["TargetGroupArn"], rs.attrs["TargetGroupName"], rs.attrs["TargetGroupFullName"] = tg.arn, tg.name, tgDim(tg)
		rs.attrs["LoadBalancerArns"] = []any{}
		rs.del = func() error {
			if tg.dead {
				return nil
			}
			return r.deleteTargetGroup(tg)
		}
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		name := propStr(p, "Name")
		if name == "" {
			name = r.genName(st, logical, 32)
		}
		lb, err := r.createLoadBalancer(name, elbtypes.LoadBalancerTypeEnum(propStr(p, "Type")), elbtypes.LoadBalancerSchemeEnum(propStr(p, "Scheme")),
			propList(p, "Subnets"), propList(p, "SecurityGroups"), st.resourceTags(logical, propTags(p)))
		if err != nil {
			return nil, err
		}
		rs.physical = lb.arn
		rs.attrs["DNSName"], rs.attrs["LoadBalancerName"], rs.attrs["LoadBalancerFullName"] = lb.dns, lb.name, lbDim(lb)
		rs.attrs["CanonicalHostedZoneID"] = hostedZones[r.name]
		var sgs []any
		for _, s := range lb.sgs {
			sgs = append(sgs, s)
		}
		rs.attrs["SecurityGroups"] = sgs
		rs.del = func() error {
			if lb.dead {
				return nil
			}
			return r.deleteLoadBalancer(lb)
		}
	case "AWS::ElasticLoadBalancingV2::Listener":
		port, err := propInt(p, "Port")
		if err != nil {
			return nil, err
		}
		var actions []elbtypes.Action
		for _, a := range propMaps(p, "DefaultActions") {
			actions = append(actions, elbtypes.Action{Type: elbtypes.ActionTypeEnum(strings.ToLower(propStr(a, "Type"))), TargetGroupArn: nilIfEmpty(propStr(a, "TargetGroupArn"))})
		}
		l, err := r.createListener(propStr(p, "LoadBalancerArn"), port, elbtypes.ProtocolEnum(propStr(p, "Protocol")), actions, p["Certificates"] != nil, st.resourceTags(logical, nil))
		if err != nil {
			return nil, err
		}
		rs.physical = l.arn
		rs.attrs["ListenerArn"] = l.arn
		rs.del = func() error {
			if !l.dead {
				r.deleteListener(l)
			}
			return nil
		}
	case "AWS::IAM::Role":
		name := propStr(p, "RoleName")
		if name == "" {
			name = r.genName(st, logical, 64)
		}
		trust := ""
		switch d := p["AssumeRolePolicyDocument"].(type) {
		case string:
			trust = d
		case map[string]any:
			b, _ := json.Marshal(d)
			trust = string(b)
		}
		maxS, err := propInt(p, "MaxSessionDuration")
		if err != nil {
			return nil, err
		}
		x, err := r.acct.createRole(r.w, name, propStr(p, "Path"), trust, propStr(p, "Description"), propStr(p, "PermissionsBoundary"), i32(maxS, 3600), st.resourceTags(logical, propTags(p)))
		if err != nil {
			return nil, err
		}
		for _, pa := range propList(p, "ManagedPolicyArns") {
			if !policyArnRE.MatchString(pa) {
				delete(r.acct.roles, strings.ToLower(name))
				return nil, fmt.Errorf("ARN %s is not valid.", pa)
			}
			x.attached = append(x.attached, pa)
		}
		rs.physical = name
		rs.attrs["Arn"], rs.attrs["RoleId"] = x.arn, x.id
		rs.del = func() error {
			x.attached = nil
			if err := r.acct.deleteRole(name); err != nil && !strings.Contains(err.Error(), "cannot be found") {
				return err
			}
			return nil
		}
	case "AWS::EC2::Instance":
		image := propStr(p, "ImageId")
		if strings.HasPrefix(image, "{{resolve:ssm:") {
			image = "ami-0c02fb55956c7d316" // the simulator's AL2023 image
		}
		q := &launchRequest{image: image, itype: propStr(p, "InstanceType"), key: propStr(p, "KeyName"), subnetID: propStr(p, "SubnetId"),
			sgIDs: propList(p, "SecurityGroupIds"), sgNames: propList(p, "SecurityGroups")}
		spec, err := r.resolve(q)
		if err != nil {
			return nil, err
		}
		if uint32(len(spec.subnet.used)) >= spec.subnet.size {
			return nil, fmt.Errorf("There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", spec.subnet.id)
		}
		userData, err := decodeUserData(propStr(p, "UserData"))
		if err != nil {
			return nil, err
		}
		x := r.startInstance(spec, st.resourceTags(logical, propTags(p)), "r-"+r.w.hexID(17), 0, "")
		x.userData = userData
		rs.physical = x.id
		rs.attrs["PrivateIp"], rs.attrs["AvailabilityZone"], rs.attrs["InstanceId"] = x.ip, spec.subnet.az, x.id
		rs.attrs["PrivateDnsName"] = "ip-" + strings.ReplaceAll(x.ip, ".", "-") + ".ec2.internal"
		rs.del = func() error {
			r.terminateNow(x)
			return nil
		}
	case "AWS::CloudFormation::WaitConditionHandle":
		rs.physical = "https://cloudformation-waitcondition-" + r.name + ".s3.amazonaws.com/" + r.w.uuid()
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
	r, err := c.enter(ctx, "DescribeStacks")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
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
}

// DescribeStackEvents lists a stack's events, newest first.
func (c *cfnClient) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	r, err := c.enter(ctx, "DescribeStackEvents")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
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
}

// DeleteStack starts deleting a stack; a missing stack is not an error.
func (c *cfnClient) DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	r, err := c.enter(ctx, "DeleteStack")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
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
	r.stackEvent(st, st.name, "AWS::CloudFormation::Stack", st.id, cftypes.ResourceStatusDeleteInProgress, "User Initiated")
	return &cloudformation.DeleteStackOutput{}, nil
}

// DescribeStackResources lists a stack's resources with their status: a resource
// whose deletion failed is DELETE_FAILED with the reason.
func (c *cfnClient) DescribeStackResources(ctx context.Context, in *cloudformation.DescribeStackResourcesInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error) {
	r, err := c.enter(ctx, "DescribeStackResources")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
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
}
