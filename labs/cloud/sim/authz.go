package sim

// IAM in the simulator. Clients made by ClientsAs act as an IAM role: every call
// they make, in every region and service (the clients InRegion returns carry the
// same role), passes one authorization step first, authorizeLocked, which do (the
// wrapper every operation runs through) calls with the world locked. It asks
// labs/cloud/authz what IAM would decide: it names the action (authz.ActionOf), takes the action's resource types and condition keys from the
// generated Service Authorization Reference table, builds the request context the
// way AWS does (the resource's ARN and tags, the request's tags, the role's
// principal tags, the requested region, the service keys labdash's policies use)
// and evaluates the role's identity policies and permissions boundary. A denial is
// AWS's AccessDenied error for that service, in AWS's wording. Keys the reference
// does not list for an action are dropped from its context, so a policy that
// fences on a key AWS would not send fails here as it would on AWS.
//
// Clients made by Clients are labdash's own (an administrator): they are not
// evaluated.

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// ClientsAs returns clients that act as the IAM role roleARN of its account, in a
// session named session (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION), with
// every call authorized by IAM evaluation of the role's policies.
func (w *World) ClientsAs(ctx context.Context, roleARN, session, region string) (*cloud.Clients, error) {
	acct, name, ok := roleOf(roleARN)
	if !ok {
		return nil, fmt.Errorf("sim: %q is not an IAM role ARN", roleARN)
	}
	w.mu.Lock()
	_, exists := w.accountLocked(acct).roles[strings.ToLower(name)]
	w.mu.Unlock()
	if !exists {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::" + acct + ":user/labdash-simulated is not authorized to perform: sts:AssumeRole on resource: " + roleARN}
	}
	sessionARN := "arn:aws:sts::" + acct + ":assumed-role/" + name + "/" + session
	c, err := w.clients(ctx, acct, region, sessionARN)
	if err != nil {
		return nil, err
	}
	c.InRegion = func(ctx context.Context, other string) (*cloud.Clients, error) {
		return w.clients(ctx, acct, other, sessionARN)
	}
	return c, nil
}

// roleOf splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func roleOf(arn string) (acct, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", false
	}
	acct, res, ok := strings.Cut(rest, ":role/")
	if !ok || !accountRE.MatchString(acct) || res == "" {
		return "", "", false
	}
	return acct, res[strings.LastIndex(res, "/")+1:], true
}

// principalLocked gathers what IAM evaluates for a role: its attached customer
// managed policies and inline policies, and its permissions boundary. AWS managed
// policies are not modelled: a student role attached to one gets nothing from it
// here (labdash attaches none).
func (w *World) principalLocked(a *account, ro *role, sessionARN string) authz.Principal {
	p := authz.Principal{ARN: sessionARN}
	for _, arn := range ro.attached {
		if mp := a.policies[arn]; mp != nil {
			p.Identity = append(p.Identity, w.parsedLocked(mp.doc))
		}
	}
	for _, name := range sortedKeys(ro.inline) {
		p.Identity = append(p.Identity, w.parsedLocked(ro.inline[name]))
	}
	// IAM refuses to delete a policy a role uses as its boundary, so a role's boundary
	// always exists on AWS. The simulator's CreateRole does not check that it does;
	// a boundary it cannot find is left out rather than guessed.
	if mp := a.policies[ro.boundary]; ro.boundary != "" && mp != nil {
		b := w.parsedLocked(mp.doc)
		p.Boundary = &b
	}
	return p
}

// parsedLocked reads a stored policy document once, as IAM evaluates it
// (authz.DecodePolicy); one that does not read is evaluated as allowing nothing.
func (w *World) parsedLocked(doc string) authz.Policy {
	if w.parsed == nil {
		w.parsed = map[string]authz.Policy{}
	}
	if p, ok := w.parsed[doc]; ok {
		return p
	}
	p, err := authz.DecodePolicy(doc)
	if err != nil {
		p = authz.Policy{}
	}
	w.parsed[doc] = p
	return p
}

// principalContext is the request context every call of the role carries.
func principalContext(ro *role, acct, sessionARN, region string) authz.Context {
	c := authz.Context{}
	c.Set("aws:RequestedRegion", region)
	c.Set("aws:PrincipalArn", ro.arn)
	c.Set("aws:PrincipalAccount", acct)
	c.Set("aws:PrincipalType", "AssumedRole")
	c.Set("aws:userid", ro.id+":"+sessionARN[strings.LastIndex(sessionARN, "/")+1:])
	for _, t := range ro.tags {
		c.Set("aws:PrincipalTag/"+t.k, t.v)
	}
	return c
}

// clientFields names the cloud.Clients field of each simulated service, as
// authz.ActionOf reads it.
var clientFields = map[string]string{
	"acm": "ACM", "acm-pca": "PCA", "application-autoscaling": "AutoScaling", "autoscaling": "ASG", "cloudformation": "CloudFormation",
	"cloudwatch": "CloudWatch", "cognito-idp": "Cognito", "cognito-identity": "CognitoIdentity", "dynamodb": "DynamoDB", "ec2": "EC2", "ecs": "ECS", "events": "Events",
	"elasticbeanstalk": "ElasticBeanstalk", "elbv2": "ELBv2", "globalaccelerator": "GlobalAccelerator", "iam": "IAM",
	"lambda": "Lambda", "logs": "Logs", "macie2": "Macie", "rds": "RDS", "route53": "Route53", "s3": "S3", "sns": "SNS",
	"sqs": "SQS", "sts": "STS", "servicequotas": "Quotas", "tagging": "Tagging", "xray": "XRay",
	"cloudtrail": "CloudTrail", "rekognition": "Rekognition",
}

// authorizeLocked is the one authorization step of every call a ClientsAs client
// makes; do runs it, with the world locked, before the call's body.
func (w *World) authorizeLocked(b base, service, op string, in any) error {
	field, ok := clientFields[service]
	if !ok {
		return fmt.Errorf("sim: IAM: %s is not a cloud.Clients service", service)
	}
	call := cloud.Call{Service: field, Op: op, Account: b.account, Region: b.region, Input: in, Mutating: cloud.IsMutating(op)}
	acct, sessionARN := b.account, b.principal
	roleName := sessionARN[:strings.LastIndex(sessionARN, "/")]
	roleName = roleName[strings.LastIndex(roleName, "/")+1:]
	action, ok := authz.ActionOf(call.Service, call.Op)
	if !ok {
		return fmt.Errorf("sim: IAM: no action is known for %s.%s", call.Service, call.Op)
	}
	if !b.expires.IsZero() && !w.now.Before(b.expires) {
		return expiredToken(action)
	}
	if unsignedActions[action] {
		return nil
	}
	facts, ok := authz.Lookup(action)
	if !ok {
		return fmt.Errorf("sim: IAM: %s is not in the action table (go generate ./labs/cloud/authz)", action)
	}
	prefix, _, _ := strings.Cut(action, ":")
	region := call.Region
	switch prefix {
	case "globalaccelerator":
		region = "us-west-2" // the service's only endpoint
	case "iam", "route53", "sts", "cloudfront":
		region = "us-east-1"
	}
	a := w.accountLocked(acct)
	ro := a.roles[strings.ToLower(roleName)]
	if ro == nil {
		return &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid: role " + roleName + " no longer exists."}
	}
	x := &authzCall{w: w, a: a, r: w.regionLocked(acct, region), call: call, action: action, facts: facts, keys: map[string][]string{}}
	if err := x.build(); err != nil {
		return err
	}
	p := w.principalLocked(a, ro, sessionARN)
	p.Session = b.session
	for _, q := range x.reqs {
		c := principalContext(ro, acct, sessionARN, region)
		for k, v := range q.keys {
			if q.facts.KeyApplies(k, q.rtype) {
				c.Set(k, v...)
			}
		}
		if d := p.Evaluate(authz.Request{Action: q.action, Resource: q.arn, Context: c}); !d.Allowed {
			return accessDenied(prefix, sessionARN, q.action, q.arn, d.Why)
		}
	}
	return nil
}

// unsignedActions need no permission of the caller: GetCallerIdentity ("No
// permissions are required to perform this operation", STS API reference), and the
// calls a browser makes without credentials, which the role's trust policy or the
// identity pool authorizes instead ("You do not need any credentials to call this
// API" for GetId, GetOpenIdToken and GetCredentialsForIdentity; "Calling
// AssumeRoleWithWebIdentity does not require the use of AWS security
// credentials").
var unsignedActions = map[string]bool{
	"sts:GetCallerIdentity": true, "sts:AssumeRoleWithWebIdentity": true,
	"cognito-identity:GetId": true, "cognito-identity:GetOpenIdToken": true, "cognito-identity:GetCredentialsForIdentity": true,
	"cognito-idp:SignUp": true,
}

// expiredToken is the error of a call made with expired temporary credentials.
func expiredToken(action string) error {
	prefix, _, _ := strings.Cut(action, ":")
	code := "ExpiredTokenException"
	switch prefix {
	case "iam", "sts", "elasticloadbalancing", "cloudwatch", "cloudformation", "autoscaling", "rds", "elasticbeanstalk", "sns", "ec2":
		code = "ExpiredToken"
	case "s3":
		code = "ExpiredToken"
	}
	return &smithy.GenericAPIError{Code: code, Message: "The security token included in the request is expired", Fault: smithy.FaultClient}
}

// accessDenied is the error AWS returns, in the service's code and AWS's wording.
func accessDenied(prefix, who, action, resource, why string) error {
	m := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", who, action, resource, why)
	code := "AccessDeniedException" // JSON-protocol services
	switch prefix {
	case "ec2":
		return &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation. " + m, Fault: smithy.FaultClient}
	case "iam", "sts", "elasticloadbalancing", "cloudwatch", "cloudformation", "autoscaling", "rds", "elasticbeanstalk", "s3", "route53":
		code = "AccessDenied"
	case "sns":
		code = "AuthorizationError"
	}
	return &smithy.GenericAPIError{Code: code, Message: m, Fault: smithy.FaultClient}
}

// authzCall builds the requests one call makes IAM evaluate.
type authzCall struct {
	w      *World
	a      *account
	r      *region
	call   cloud.Call
	action string
	facts  *authz.Action
	keys   map[string][]string // request-level keys of the call's own action
	reqs   []authzRequest
}

type authzRequest struct {
	action, arn, rtype string
	facts              *authz.Action
	keys               map[string][]string
}

// on adds a request for the call's action on a resource of type rtype, with the
// resource's tags as aws:ResourceTag.
func (x *authzCall) on(arn, rtype string) {
	if len(x.facts.Resources) == 0 {
		arn, rtype = "*", "" // the reference lists no resource type: IAM sees Resource "*"
	}
	keys := map[string][]string{}
	for k, v := range x.keys {
		keys[k] = v
	}
	for _, t := range x.tagsOf(arn) {
		keys["aws:ResourceTag/"+t.k] = []string{t.v}
	}
	x.reqs = append(x.reqs, authzRequest{action: x.action, arn: arn, rtype: rtype, facts: x.facts, keys: keys})
}

// also adds a request for another action the call needs (iam:PassRole, the
// dependent elasticloadbalancing:AddTags of a tag-on-create, the ECS permissions
// Application Auto Scaling needs on the service it scales).
func (x *authzCall) also(action, arn, rtype string, keys map[string][]string) {
	f, ok := authz.Lookup(action)
	if !ok {
		f = &authz.Action{Name: action}
	}
	if len(f.Resources) == 0 {
		arn, rtype = "*", ""
	}
	if keys == nil {
		keys = map[string][]string{}
	}
	for _, t := range x.tagsOf(arn) {
		keys["aws:ResourceTag/"+t.k] = []string{t.v}
	}
	x.reqs = append(x.reqs, authzRequest{action: action, arn: arn, rtype: rtype, facts: f, keys: keys})
}

// requestTags records the tags a create call asks for as aws:RequestTag/* and aws:TagKeys.
func (x *authzCall) requestTags(tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	var keys []string
	for _, k := range sortedKeys(tags) {
		x.keys["aws:RequestTag/"+k] = []string{tags[k]}
		keys = append(keys, k)
	}
	x.keys["aws:TagKeys"] = keys
}

// tagsOf finds a resource's tags: any taggable the region indexes, ECS tasks, IAM
// roles, and Global Accelerator's listeners and endpoint groups (which carry their
// accelerator's tags).
func (x *authzCall) tagsOf(arn string) tagList {
	if strings.HasPrefix(arn, "arn:aws:globalaccelerator::") {
		if i := strings.Index(arn, "/listener/"); i >= 0 {
			arn = arn[:i]
		}
		if ga := x.w.regions[regionKey{x.r.account, "us-west-2"}]; ga != nil {
			if t := ga.tagIndex[arn]; t != nil && !t.dead {
				return t.tags
			}
		}
		return nil
	}
	if _, name, ok := roleOf(arn); ok {
		if ro := x.a.roles[strings.ToLower(name)]; ro != nil && ro.arn == arn {
			return ro.tags
		}
		return nil
	}
	if t := x.r.tagIndex[arn]; t != nil && !t.dead {
		return t.tags
	}
	if t := x.r.tasks[arn]; t != nil {
		return t.tags
	}
	return nil
}

// inputStruct is the struct a request points to (false for nil or a non-struct).
func inputStruct(in any) (reflect.Value, bool) {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	return v, v.Kind() == reflect.Struct
}

// inputTags reads a request's Tags field, whatever the service's tag type: a list
// of structs with Key and Value, or a map.
func inputTags(in any, field string) map[string]string {
	v, ok := inputStruct(in)
	if !ok {
		return nil
	}
	f := v.FieldByName(field)
	if !f.IsValid() {
		return nil
	}
	out := map[string]string{}
	switch f.Kind() {
	case reflect.Map:
		for _, k := range f.MapKeys() {
			out[k.String()] = f.MapIndex(k).String()
		}
	case reflect.Slice:
		for i := 0; i < f.Len(); i++ {
			e := f.Index(i)
			for e.Kind() == reflect.Pointer {
				e = e.Elem()
			}
			k, val := e.FieldByName("Key"), e.FieldByName("Value")
			if !k.IsValid() || !val.IsValid() {
				continue
			}
			out[deref(k)] = deref(val)
		}
	}
	return out
}

func deref(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	return v.String()
}

// build fills x.reqs for the call.
func (x *authzCall) build() error {
	if f, ok := resourceModels[x.action]; ok {
		if err := f(x); err != nil {
			return err
		}
		if len(x.reqs) == 0 {
			x.on("*", "")
		}
		return nil
	}
	for _, r := range x.facts.Resources {
		if r.Required && x.facts.Access != "Read" && x.facts.Access != "List" {
			return fmt.Errorf("sim: IAM: the simulator does not model the resource of %s, so it cannot authorize a sandbox role's call", x.action)
		}
	}
	// Reads, and actions without a required resource type: Resource "*". (labdash's
	// policies grant reads on "*"; a policy granting a read only on some ARNs would be
	// judged too strictly here, never too loosely.)
	x.requestTags(inputTags(x.call.Input, "Tags"))
	x.on("*", "")
	return nil
}

// templateARN is a launch template's ARN, found by id or name ("launch-template/*"
// when there is none: IAM then judges the request on the pattern).
func (x *authzCall) templateARN(id, name string) string {
	if lt, err := x.r.findTemplate(id, name, ""); err == nil {
		id = lt.id
	}
	if id == "" {
		id = "*"
	}
	return x.r.arn("ec2", "launch-template/"+id)
}

// resourceModels say, per action, which resources a call names.
var resourceModels = map[string]func(x *authzCall) error{}

func model(f func(x *authzCall) error, actions ...string) {
	for _, a := range actions {
		resourceModels[a] = f
	}
}

func init() {
	// ECS
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ecs.CreateClusterInput)
		x.requestTags(inputTags(in, "Tags"))
		x.on(x.r.arn("ecs", "cluster/"+orDefault(in, func() string { return str(in.ClusterName) })), "cluster")
		return nil
	}, "ecs:CreateCluster")
	model(func(x *authzCall) error {
		var refs []string
		switch in := x.call.Input.(type) {
		case *ecs.DeleteClusterInput:
			refs = []string{str(in.Cluster)}
		case *ecs.DescribeClustersInput:
			refs = in.Clusters
		}
		for _, ref := range refs {
			x.on(x.clusterARN(ref), "cluster")
		}
		return nil
	}, "ecs:DeleteCluster", "ecs:DescribeClusters")
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ecs.RegisterTaskDefinitionInput)
		if in == nil {
			return nil
		}
		x.requestTags(inputTags(in, "Tags"))
		rev := 1
		if f := x.r.families[str(in.Family)]; f != nil {
			rev = len(f.revs) + 1
		}
		x.on(x.r.arn("ecs", fmt.Sprintf("task-definition/%s:%d", str(in.Family), rev)), "task-definition")
		for _, role := range []string{str(in.ExecutionRoleArn), str(in.TaskRoleArn)} {
			if role != "" {
				x.also("iam:PassRole", role, "role", map[string][]string{"iam:PassedToService": {"ecs-tasks.amazonaws.com"}})
			}
		}
		return nil
	}, "ecs:RegisterTaskDefinition")
	model(func(x *authzCall) error {
		var ref string
		switch in := x.call.Input.(type) {
		case *ecs.DescribeTaskDefinitionInput:
			ref = str(in.TaskDefinition)
		case *ecs.DeregisterTaskDefinitionInput:
			ref = str(in.TaskDefinition)
		case *ecs.DeleteTaskDefinitionsInput:
			for _, td := range in.TaskDefinitions {
				x.on(x.taskDefARN(td), "task-definition")
			}
			return nil
		}
		x.on(x.taskDefARN(ref), "task-definition")
		return nil
	}, "ecs:DescribeTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions")
	model(func(x *authzCall) error {
		var cluster string
		var names []string
		switch in := x.call.Input.(type) {
		case *ecs.CreateServiceInput:
			cluster, names = str(in.Cluster), []string{str(in.ServiceName)}
			x.requestTags(inputTags(in, "Tags"))
			if td := str(in.TaskDefinition); td != "" {
				x.keys["ecs:task-definition"] = []string{x.taskDefARN(td)}
			}
		case *ecs.UpdateServiceInput:
			cluster, names = str(in.Cluster), []string{str(in.Service)}
		case *ecs.DeleteServiceInput:
			cluster, names = str(in.Cluster), []string{str(in.Service)}
		case *ecs.DescribeServicesInput:
			cluster, names = str(in.Cluster), in.Services
		}
		x.keys["ecs:cluster"] = []string{x.clusterARN(cluster)}
		for _, n := range names {
			x.on(x.serviceARN(cluster, n), "service")
		}
		return nil
	}, "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices")
	model(func(x *authzCall) error {
		var cluster string
		var tasks []string
		switch in := x.call.Input.(type) {
		case *ecs.StopTaskInput:
			cluster, tasks = str(in.Cluster), []string{str(in.Task)}
		case *ecs.DescribeTasksInput:
			cluster, tasks = str(in.Cluster), in.Tasks
		case *ecs.ListTasksInput:
			x.keys["ecs:cluster"] = []string{x.clusterARN(str(in.Cluster))}
			x.on("*", "")
			return nil
		}
		x.keys["ecs:cluster"] = []string{x.clusterARN(cluster)}
		for _, t := range tasks {
			x.on(x.taskARN(cluster, t), "task")
		}
		return nil
	}, "ecs:StopTask", "ecs:DescribeTasks", "ecs:ListTasks")

	// Elastic Load Balancing v2. Creating with tags needs elasticloadbalancing:AddTags
	// on the new resource as well (the reference lists it as a dependent action; the
	// elasticloadbalancing:CreateAction key names the create).
	model(func(x *authzCall) error {
		var arn, rtype, tagged string
		var tags map[string]string
		switch in := x.call.Input.(type) {
		case *elbv2.CreateLoadBalancerInput:
			arn, rtype = x.r.arn("elasticloadbalancing", "loadbalancer/app/"+str(in.Name)+"/0000000000000000"), "loadbalancer/app/"
			tagged, tags = arn, inputTags(in, "Tags")
		case *elbv2.CreateTargetGroupInput:
			arn, rtype = x.r.arn("elasticloadbalancing", "targetgroup/"+str(in.Name)+"/0000000000000000"), "targetgroup"
			tagged, tags = arn, inputTags(in, "Tags")
		case *elbv2.CreateListenerInput:
			arn, rtype = str(in.LoadBalancerArn), "loadbalancer/app/"
			tagged, tags = strings.Replace(arn, ":loadbalancer/", ":listener/", 1)+"/0000000000000000", inputTags(in, "Tags")
		case *elbv2.CreateRuleInput:
			arn, rtype = str(in.ListenerArn), "listener/app"
			tagged, tags = strings.Replace(arn, ":listener/", ":listener-rule/", 1)+"/0000000000000000", inputTags(in, "Tags")
		}
		x.requestTags(tags)
		x.on(arn, rtype)
		if len(tags) > 0 {
			keys := map[string][]string{"elasticloadbalancing:CreateAction": {x.call.Op}}
			for k, v := range x.keys {
				keys[k] = v
			}
			x.also("elasticloadbalancing:AddTags", tagged, "", keys)
		}
		return nil
	}, "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule")
	model(func(x *authzCall) error {
		var arn string
		switch in := x.call.Input.(type) {
		case *elbv2.DeleteLoadBalancerInput:
			arn = str(in.LoadBalancerArn)
		case *elbv2.ModifyLoadBalancerAttributesInput:
			arn = str(in.LoadBalancerArn)
		case *elbv2.DeleteListenerInput:
			arn = str(in.ListenerArn)
		case *elbv2.DeleteRuleInput:
			arn = str(in.RuleArn)
		case *elbv2.DeleteTargetGroupInput:
			arn = str(in.TargetGroupArn)
		case *elbv2.RegisterTargetsInput:
			arn = str(in.TargetGroupArn)
		case *elbv2.DeregisterTargetsInput:
			arn = str(in.TargetGroupArn)
		}
		x.on(arn, "")
		return nil
	}, "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:DeleteListener",
		"elasticloadbalancing:DeleteRule", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets")

	// Application Auto Scaling: the target's ARN names no student; for an ECS service
	// the caller also needs ecs:DescribeServices and ecs:UpdateService on the service
	// (Amazon ECS Developer Guide, "IAM permissions required for Amazon ECS service
	// auto scaling").
	model(func(x *authzCall) error {
		var ns, id, dim string
		switch in := x.call.Input.(type) {
		case *applicationautoscaling.RegisterScalableTargetInput:
			ns, id, dim = string(in.ServiceNamespace), str(in.ResourceId), string(in.ScalableDimension)
			x.requestTags(inputTags(in, "Tags"))
		case *applicationautoscaling.DeregisterScalableTargetInput:
			ns, id, dim = string(in.ServiceNamespace), str(in.ResourceId), string(in.ScalableDimension)
		case *applicationautoscaling.PutScalingPolicyInput:
			ns, id, dim = string(in.ServiceNamespace), str(in.ResourceId), string(in.ScalableDimension)
		case *applicationautoscaling.DeleteScalingPolicyInput:
			ns, id, dim = string(in.ServiceNamespace), str(in.ResourceId), string(in.ScalableDimension)
		}
		x.keys["application-autoscaling:service-namespace"] = []string{ns}
		x.keys["application-autoscaling:scalable-dimension"] = []string{dim}
		if st := x.r.scalables[id]; st != nil {
			x.on(st.arn, "ScalableTarget")
		} else {
			x.on(x.r.arn("application-autoscaling", "scalable-target/0000000000000000000000000000000000"), "ScalableTarget")
		}
		if ns == "ecs" {
			parts := strings.Split(id, "/") // service/CLUSTER/SERVICE
			if len(parts) == 3 {
				svc := x.r.arn("ecs", "service/"+parts[1]+"/"+parts[2])
				cl := map[string][]string{"ecs:cluster": {x.r.arn("ecs", "cluster/"+parts[1])}}
				x.also("ecs:DescribeServices", svc, "service", cl)
				x.also("ecs:UpdateService", svc, "service", map[string][]string{"ecs:cluster": cl["ecs:cluster"]})
			}
		}
		return nil
	}, "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
		"application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy")

	// CloudWatch alarms are named in their ARNs.
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *cloudwatch.PutMetricAlarmInput:
			x.requestTags(inputTags(in, "Tags"))
			x.on(x.r.arn("cloudwatch", "alarm:"+str(in.AlarmName)), "alarm")
		case *cloudwatch.DeleteAlarmsInput:
			for _, n := range in.AlarmNames {
				x.on(x.r.arn("cloudwatch", "alarm:"+n), "alarm")
			}
		}
		return nil
	}, "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms")

	// EC2
	model(func(x *authzCall) error {
		var ids []string
		switch in := x.call.Input.(type) {
		case *ec2.StopInstancesInput:
			ids = in.InstanceIds
		case *ec2.StartInstancesInput:
			ids = in.InstanceIds
		case *ec2.TerminateInstancesInput:
			ids = in.InstanceIds
		}
		for _, id := range ids {
			x.on(x.r.arn("ec2", "instance/"+id), "instance")
		}
		return nil
	}, "ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances")
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ec2.RunInstancesInput)
		if in == nil {
			return nil
		}
		for _, ts := range in.TagSpecifications {
			if ts.ResourceType == "instance" {
				x.requestTags(inputTags(&ts, "Tags"))
			}
		}
		x.keys["ec2:InstanceType"] = []string{string(in.InstanceType)}
		x.on(x.r.arn("ec2", "instance/*"), "instance")
		return nil
	}, "ec2:RunInstances")
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ec2.CreateSecurityGroupInput)
		if in == nil {
			return nil
		}
		for _, ts := range in.TagSpecifications {
			x.requestTags(inputTags(&ts, "Tags"))
		}
		x.on(x.r.arn("ec2", "security-group/*"), "security-group")
		if v := str(in.VpcId); v != "" {
			x.on(x.r.arn("ec2", "vpc/"+v), "vpc")
		}
		return nil
	}, "ec2:CreateSecurityGroup")
	model(func(x *authzCall) error {
		var id string
		switch in := x.call.Input.(type) {
		case *ec2.AuthorizeSecurityGroupIngressInput:
			id = str(in.GroupId)
		case *ec2.DeleteSecurityGroupInput:
			id = str(in.GroupId)
		}
		x.on(x.r.arn("ec2", "security-group/"+id), "security-group")
		return nil
	}, "ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup")

	// EC2 launch templates and Spot requests (Lab 8): the template's ARN carries its
	// id, never its name, so tags are the fence.
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ec2.CreateLaunchTemplateInput)
		if in == nil {
			return nil
		}
		for _, ts := range in.TagSpecifications {
			if ts.ResourceType == ec2types.ResourceTypeLaunchTemplate {
				x.requestTags(inputTags(&ts, "Tags"))
			}
		}
		x.on(x.r.arn("ec2", "launch-template/*"), "launch-template")
		return nil
	}, "ec2:CreateLaunchTemplate")
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ec2.DeleteLaunchTemplateInput)
		if in == nil {
			return nil
		}
		x.on(x.templateARN(str(in.LaunchTemplateId), str(in.LaunchTemplateName)), "launch-template")
		return nil
	}, "ec2:DeleteLaunchTemplate")
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*ec2.CancelSpotInstanceRequestsInput)
		if in == nil {
			return nil
		}
		for _, id := range in.SpotInstanceRequestIds {
			x.on(x.r.arn("ec2", "spot-instances-request/"+id), "spot-instances-request")
		}
		return nil
	}, "ec2:CancelSpotInstanceRequests")

	// EC2 Auto Scaling: groups by name (their ARN's id part is a random UUID, so a
	// create is judged on "autoScalingGroup:*:autoScalingGroupName/NAME"). Creating
	// or updating a group with a launch template also needs ec2:RunInstances on
	// that template, as AWS checks (the Auto Scaling user guide, "Control Amazon EC2
	// launch template usage in Auto Scaling groups").
	model(func(x *authzCall) error {
		var name string
		var lt *astypes.LaunchTemplateSpecification
		switch in := x.call.Input.(type) {
		case *autoscaling.CreateAutoScalingGroupInput:
			name, lt = str(in.AutoScalingGroupName), in.LaunchTemplate
			if m := in.MixedInstancesPolicy; m != nil && m.LaunchTemplate != nil {
				lt = m.LaunchTemplate.LaunchTemplateSpecification
			}
			x.requestTags(inputTags(in, "Tags"))
		case *autoscaling.UpdateAutoScalingGroupInput:
			name, lt = str(in.AutoScalingGroupName), in.LaunchTemplate
			if m := in.MixedInstancesPolicy; m != nil && m.LaunchTemplate != nil {
				lt = m.LaunchTemplate.LaunchTemplateSpecification
			}
		case *autoscaling.DeleteAutoScalingGroupInput:
			name = str(in.AutoScalingGroupName)
		}
		arn := x.r.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/"+name)
		if g := groupState(x.r).groups[name]; g != nil {
			arn = g.arn
		}
		x.on(arn, "autoScalingGroup")
		if lt != nil {
			x.also("ec2:RunInstances", x.templateARN(str(lt.LaunchTemplateId), str(lt.LaunchTemplateName)), "launch-template", nil)
		}
		return nil
	}, "autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup")

	// Global Accelerator: CreateAccelerator has no resource type (Resource "*" only).
	model(func(x *authzCall) error {
		x.requestTags(inputTags(x.call.Input, "Tags"))
		x.on("*", "")
		return nil
	}, "globalaccelerator:CreateAccelerator")
	model(func(x *authzCall) error {
		var arn, rtype string
		switch in := x.call.Input.(type) {
		case *globalaccelerator.DescribeAcceleratorInput:
			arn, rtype = str(in.AcceleratorArn), "accelerator"
		case *globalaccelerator.UpdateAcceleratorInput:
			arn, rtype = str(in.AcceleratorArn), "accelerator"
		case *globalaccelerator.DeleteAcceleratorInput:
			arn, rtype = str(in.AcceleratorArn), "accelerator"
		case *globalaccelerator.CreateListenerInput:
			arn, rtype = str(in.AcceleratorArn), "accelerator"
		case *globalaccelerator.CreateEndpointGroupInput:
			arn, rtype = str(in.ListenerArn), "listener"
		case *globalaccelerator.DeleteListenerInput:
			arn, rtype = str(in.ListenerArn), "listener"
		case *globalaccelerator.DeleteEndpointGroupInput:
			arn, rtype = str(in.EndpointGroupArn), "endpointgroup"
		case *globalaccelerator.UpdateEndpointGroupInput:
			arn, rtype = str(in.EndpointGroupArn), "endpointgroup"
		}
		x.on(arn, rtype)
		return nil
	}, "globalaccelerator:DescribeAccelerator", "globalaccelerator:UpdateAccelerator", "globalaccelerator:DeleteAccelerator", "globalaccelerator:CreateListener",
		"globalaccelerator:CreateEndpointGroup", "globalaccelerator:DeleteListener", "globalaccelerator:DeleteEndpointGroup", "globalaccelerator:UpdateEndpointGroup")

	// IAM: roles by name; iam:PermissionsBoundary is the role's boundary (or the one a
	// CreateRole asks for).
	model(func(x *authzCall) error {
		var name, boundary string
		switch in := x.call.Input.(type) {
		case *iam.CreateRoleInput:
			x.requestTags(inputTags(in, "Tags"))
			path := str(in.Path)
			if path == "" {
				path = "/"
			}
			if b := str(in.PermissionsBoundary); b != "" {
				x.keys["iam:PermissionsBoundary"] = []string{b}
			}
			x.on("arn:aws:iam::"+x.r.account+":role"+path+str(in.RoleName), "role")
			return nil
		case *iam.PutRolePolicyInput:
			name = str(in.RoleName)
		case *iam.DeleteRolePolicyInput:
			name = str(in.RoleName)
		case *iam.GetRolePolicyInput:
			name = str(in.RoleName)
		case *iam.ListRolePoliciesInput:
			name = str(in.RoleName)
		case *iam.GetRoleInput:
			name = str(in.RoleName)
		case *iam.DeleteRoleInput:
			name = str(in.RoleName)
		case *iam.AttachRolePolicyInput:
			name = str(in.RoleName)
		case *iam.DetachRolePolicyInput:
			name = str(in.RoleName)
		case *iam.ListAttachedRolePoliciesInput:
			name = str(in.RoleName)
		case *iam.UpdateAssumeRolePolicyInput:
			name = str(in.RoleName)
		default:
			return fmt.Errorf("sim: IAM: no role name read from %T", in)
		}
		arn := "arn:aws:iam::" + x.r.account + ":role/" + name
		if ro := x.a.roles[strings.ToLower(name)]; ro != nil {
			arn, boundary = ro.arn, ro.boundary
		}
		if boundary != "" {
			x.keys["iam:PermissionsBoundary"] = []string{boundary}
		}
		x.on(arn, "role")
		return nil
	}, "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:GetRole", "iam:DeleteRole",
		"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies", "iam:UpdateAssumeRolePolicy")

	// Route 53: a record change names its hosted zone, and IAM sees the batch's
	// record names (normalized: lowercase, no trailing dot, "*" as \052), types and
	// actions in the route53:ChangeResourceRecordSets* keys (Route 53 Developer
	// Guide, "Using IAM policy conditions for fine-grained access control").
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*route53.ChangeResourceRecordSetsInput)
		if in == nil {
			return nil
		}
		if in.ChangeBatch != nil {
			seen := map[string]bool{}
			for _, ch := range in.ChangeBatch.Changes {
				var name, typ string
				if rr := ch.ResourceRecordSet; rr != nil {
					name = strings.TrimSuffix(strings.ToLower(strings.ReplaceAll(str(rr.Name), "*", `\052`)), ".")
					typ = string(rr.Type)
				}
				for k, v := range map[string]string{"route53:ChangeResourceRecordSetsNormalizedRecordNames": name,
					"route53:ChangeResourceRecordSetsRecordTypes": typ, "route53:ChangeResourceRecordSetsActions": string(ch.Action)} {
					if !seen[k+"\x00"+v] {
						seen[k+"\x00"+v] = true
						x.keys[k] = append(x.keys[k], v)
					}
				}
			}
		}
		x.on("arn:aws:route53:::hostedzone/"+strings.TrimPrefix(str(in.HostedZoneId), "/hostedzone/"), "hostedzone")
		return nil
	}, "route53:ChangeResourceRecordSets")

	// CloudFormation: stacks by name or id.
	model(func(x *authzCall) error {
		var name string
		switch in := x.call.Input.(type) {
		case *cloudformation.DescribeStacksInput:
			name = str(in.StackName)
		case *cloudformation.DescribeStackResourcesInput:
			name = str(in.StackName)
		case *cloudformation.DescribeStackEventsInput:
			name = str(in.StackName)
		case *cloudformation.CreateStackInput:
			name = str(in.StackName)
			x.requestTags(inputTags(in, "Tags"))
		case *cloudformation.DeleteStackInput:
			name = str(in.StackName)
		}
		switch {
		case name == "":
			x.on("*", "")
		case strings.HasPrefix(name, "arn:"):
			x.on(name, "stack")
		case x.r.stackNames[name] != nil:
			x.on(x.r.stackNames[name].id, "stack")
		default:
			x.on(x.r.arn("cloudformation", "stack/"+name+"/00000000-0000-0000-0000-000000000000"), "stack")
		}
		return nil
	}, "cloudformation:DescribeStacks", "cloudformation:DescribeStackResources", "cloudformation:DescribeStackEvents", "cloudformation:CreateStack", "cloudformation:DeleteStack")
}

func orDefault(in any, f func() string) string {
	if reflect.ValueOf(in).IsNil() {
		return "default"
	}
	if s := f(); s != "" {
		return s
	}
	return "default"
}

func (x *authzCall) clusterARN(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	if ref == "" {
		ref = "default"
	}
	return x.r.arn("ecs", "cluster/"+ref)
}

func (x *authzCall) serviceARN(cluster, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return x.r.arn("ecs", "service/"+arnTail(x.clusterARN(cluster), "cluster/")+"/"+ref)
}

func (x *authzCall) taskARN(cluster, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return x.r.arn("ecs", "task/"+arnTail(x.clusterARN(cluster), "cluster/")+"/"+ref)
}

// taskDefARN resolves "family", "family:3" or an ARN to a revision's ARN.
func (x *authzCall) taskDefARN(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	if !strings.Contains(ref, ":") {
		if f := x.r.families[ref]; f != nil && len(f.revs) > 0 {
			return f.revs[len(f.revs)-1].arn
		}
		return x.r.arn("ecs", "task-definition/"+ref+":1")
	}
	return x.r.arn("ecs", "task-definition/"+ref)
}

// SetRoleBoundary replaces a role's permissions boundary ("" removes it), as IAM's
// PutRolePermissionsBoundary and DeleteRolePermissionsBoundary do. Tests use it to
// check each policy layer alone: the identity policies without the boundary.
func (w *World) SetRoleBoundary(roleARN, boundary string) error {
	acct, name, ok := roleOf(roleARN)
	if !ok {
		return fmt.Errorf("sim: %q is not an IAM role ARN", roleARN)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	ro := w.accountLocked(acct).roles[strings.ToLower(name)]
	if ro == nil {
		return fmt.Errorf("sim: no role %s", roleARN)
	}
	ro.boundary = boundary
	return nil
}
