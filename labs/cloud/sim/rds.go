package sim

// Amazon RDS: DB instances (not clusters). An instance is "creating" for a few
// simulated minutes, "backing-up" (its first automated backup, when
// BackupRetentionPeriod is not 0) for the last third of that wait, then
// "available" with its endpoint. StopDBInstance makes an available instance
// "stopping" then "stopped"; StartDBInstance, or AWS itself 7 days after it
// stopped, makes it "starting" then "available" again; DeleteDBInstance turns it
// "deleting" and a few minutes later it is gone (DBInstanceNotFound). As AWS:
// deleting an instance with DeletionProtection answers InvalidParameterCombination,
// ModifyDBInstance needs an available instance (InvalidDBInstanceState), a delete
// must either skip the final snapshot or name one, identifiers are stored in
// lowercase, and the per-region "DB instances" quota (rds/L-7B6409FD, 40 unless
// World.SetQuota says otherwise) answers InstanceQuotaExceeded. An instance holds
// its VPC security groups (the default VPC's default group when none is given)
// until it is gone, so deleting them answers DependencyViolation meanwhile. The
// tagging API lists instances as rds:db.
//
// DB subnet groups are in rds_subnets.go. Not modelled: Aurora and clusters,
// snapshots (a final snapshot is accepted and not kept; StopDBInstance's snapshot
// answers UnsupportedOperation), automated backups as resources (so
// DeleteAutomatedBackups is accepted and changes nothing), read replicas,
// parameter and option groups, Multi-AZ fail-over, storage autoscaling, and every ModifyDBInstance
// setting but DeletionProtection (others answer UnsupportedOperation).

import (
	"context"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Steps at order 60: database instances.
	registerService("rds", func(b base, c *cloud.Clients) { c.RDS = &rdsClient{b} }, everySecond(60, stepRDS))
}

// rdsClient implements cloud.RDS.
type rdsClient struct{ base }

var _ cloud.RDS = (*rdsClient)(nil)

type rdsState struct {
	instances map[string]*rdsInstance // by lowercase identifier
	order     []*rdsInstance
	groups    map[string]*rdsSubnetGroup // DB subnet groups by lowercase name
}

type rdsInstance struct {
	tagged
	id, arn, resourceID            string
	class, engine, version, user   string
	dbName, az, storageType        string
	storage, port, backupRetention int32
	protection, multiAZ, public    bool
	encrypted                      bool
	sgs                            []string
	subnetGroup                    *rdsSubnetGroup // nil: the default VPC
	created, backupAt, availableAt time.Time       // creating until backupAt, backing-up until availableAt
	deletingAt, goneAt             time.Time       // zero until DeleteDBInstance
	// stop/start: zero stopAt when never stopped; startAt zero until StartDBInstance
	// (AWS starts it again on its own 7 days after it stopped).
	stopAt, stoppedAt, startAt time.Time
	startFor                   time.Duration // how long "starting" lasts
}

// rdsAutoStart is how long a stopped instance stays stopped: "The instance
// restarts automatically after 7 days" (StopDBInstance, RDS API reference).
const rdsAutoStart = 7 * 24 * time.Hour

func rdsOf(r *region) *rdsState {
	return state(r, "rds", func() *rdsState {
		return &rdsState{instances: map[string]*rdsInstance{}, groups: map[string]*rdsSubnetGroup{}}
	})
}

// status is the instance's DBInstanceStatus at now.
func (x *rdsInstance) status(now time.Time) string {
	switch {
	case !x.deletingAt.IsZero():
		return "deleting"
	case now.Before(x.backupAt):
		return "creating"
	case now.Before(x.availableAt):
		return "backing-up"
	case x.stopAt.IsZero():
		return "available"
	case now.Before(x.stoppedAt):
		return "stopping"
	}
	start := x.startAt
	if start.IsZero() {
		start = x.stoppedAt.Add(rdsAutoStart)
	}
	switch {
	case now.Before(start):
		return "stopped"
	case now.Before(start.Add(x.startFor)):
		return "starting"
	}
	return "available"
}

// stepRDS removes instances whose deletion has finished.
func stepRDS(r *region, now time.Time) {
	st, ok := r.ext["rds"].(*rdsState)
	if !ok {
		return
	}
	gone := false
	for _, x := range st.order {
		if !x.goneAt.IsZero() && !now.Before(x.goneAt) {
			x.dead, gone = true, true
			r.useSGs(x.sgs, -1)
			delete(st.instances, x.id)
		}
	}
	if gone {
		st.order = compact(st.order, func(x *rdsInstance) bool { return !x.dead })
	}
}

var rdsIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

func rdsNotFound(id string) error {
	return &rdstypes.DBInstanceNotFoundFault{Message: msg("DBInstance %s not found.", id)}
}

// find resolves an identifier or ARN.
func (st *rdsState) find(r *region, idOrArn string) (*rdsInstance, error) {
	id := strings.ToLower(idOrArn)
	if strings.HasPrefix(idOrArn, "arn:") {
		if !strings.HasPrefix(idOrArn, r.arn("rds", "db:")) {
			return nil, rdsNotFound(idOrArn)
		}
		id = strings.ToLower(strings.TrimPrefix(idOrArn, r.arn("rds", "db:")))
	}
	x := st.instances[id]
	if x == nil {
		return nil, rdsNotFound(idOrArn)
	}
	return x, nil
}

var rdsPorts = map[string]int32{"mysql": 3306, "mariadb": 3306, "postgres": 5432, "oracle-ee": 1521, "oracle-se2": 1521,
	"sqlserver-ex": 1433, "sqlserver-web": 1433, "sqlserver-se": 1433, "sqlserver-ee": 1433}

var rdsVersions = map[string]string{"mysql": "8.0.40", "mariadb": "10.11.10", "postgres": "16.6", "oracle-ee": "19.0.0.0.ru-2024-10.rur-2024-10.r1",
	"oracle-se2": "19.0.0.0.ru-2024-10.rur-2024-10.r1", "sqlserver-ex": "16.00.4165.4.v1", "sqlserver-web": "16.00.4165.4.v1",
	"sqlserver-se": "16.00.4165.4.v1", "sqlserver-ee": "16.00.4165.4.v1"}

// CreateDBInstance creates an instance; it is "creating" for a few minutes.
func (c *rdsClient) CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, _ ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error) {
	return do(ctx, c.base, "rds", "CreateDBInstance", in, func(r *region) (*rds.CreateDBInstanceOutput, error) { return createDBInstance(r, in) })
}

// createDBInstance is CreateDBInstance's model, shared with CloudFormation. The world's lock must be held.
func createDBInstance(r *region, in *rds.CreateDBInstanceInput) (*rds.CreateDBInstanceOutput, error) {
	if in == nil {
		in = &rds.CreateDBInstanceInput{}
	}
	st := rdsOf(r)
	id := strings.ToLower(str(in.DBInstanceIdentifier))
	if !rdsIDRE.MatchString(id) || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return nil, apiError("InvalidParameterValue", "The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	}
	engine := str(in.Engine)
	port, ok := rdsPorts[engine]
	if !ok {
		return nil, apiError("InvalidParameterValue", "Invalid DB engine: %s", engine)
	}
	class := str(in.DBInstanceClass)
	if !strings.HasPrefix(class, "db.") {
		return nil, apiError("InvalidParameterValue", "Invalid DB Instance class: %s", class)
	}
	storage := i32(in.AllocatedStorage, 0)
	if storage < 20 || storage > 65536 {
		return nil, apiError("InvalidParameterValue", "Invalid storage size for engine name %s and storage type gp2: %d", engine, storage)
	}
	if str(in.MasterUsername) == "" {
		return nil, apiError("InvalidParameterValue", "The parameter MasterUsername must be provided and must not be blank.")
	}
	managed := in.ManageMasterUserPassword != nil && *in.ManageMasterUserPassword
	switch pw := str(in.MasterUserPassword); {
	case managed && pw != "":
		return nil, apiError("InvalidParameterCombination", "You can't specify MasterUserPassword and ManageMasterUserPassword at the same time.")
	case !managed && len(pw) < 8:
		return nil, apiError("InvalidParameterValue", "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
	}
	if st.instances[id] != nil {
		return nil, &rdstypes.DBInstanceAlreadyExistsFault{Message: ptr("DB instance already exists")}
	}
	if n, q := len(st.instances), rdsQuota(r.w, r); float64(n) >= q {
		return nil, &rdstypes.InstanceQuotaExceededFault{Message: msg("Cannot create more than %d DB instances", int(q))}
	}
	var group *rdsSubnetGroup
	vpcOf := r.defaultVPC()
	if n := str(in.DBSubnetGroupName); n != "" && !strings.EqualFold(n, "default") {
		if group = st.groups[strings.ToLower(n)]; group == nil {
			return nil, rdsGroupNotFound(n)
		}
		vpcOf = group.vpc
	}
	sgs := in.VpcSecurityGroupIds
	for _, sg := range sgs {
		g := r.sgs[sg]
		if g == nil {
			return nil, apiError("InvalidParameterValue", "The security group '%s' does not exist", sg)
		}
		if g.vpc != vpcOf {
			return nil, apiError("InvalidParameterCombination", "The DB instance and EC2 security group are in different VPCs. The DB instance is in %s and the EC2 security group is in %s", vpcOf.id, g.vpc.id)
		}
	}
	if len(sgs) == 0 {
		sgs = []string{vpcOf.defaultSG.id}
	}
	az := str(in.AvailabilityZone)
	if az == "" {
		az = r.name + "a"
		if group != nil {
			az = group.subnets[0].az
		}
	} else if group != nil && !group.coversAZ(az) {
		return nil, apiError("InvalidParameterCombination", "The DB subnet group %s has no subnet in Availability Zone %s.", group.name, az)
	}
	version := str(in.EngineVersion)
	if version == "" {
		version = rdsVersions[engine]
	}
	x := &rdsInstance{id: id, arn: r.arn("rds", "db:"+id), resourceID: "db-" + strings.ToUpper(r.w.hexID(26)),
		class: class, engine: engine, version: version, user: str(in.MasterUsername), dbName: str(in.DBName), az: az,
		storageType: "gp2", storage: storage, port: i32(in.Port, port), backupRetention: i32(in.BackupRetentionPeriod, 1),
		protection: in.DeletionProtection != nil && *in.DeletionProtection, multiAZ: in.MultiAZ != nil && *in.MultiAZ,
		public: in.PubliclyAccessible != nil && *in.PubliclyAccessible, encrypted: in.StorageEncrypted != nil && *in.StorageEncrypted,
		sgs: append([]string(nil), sgs...), subnetGroup: group, created: r.w.now, availableAt: r.w.now.Add(r.w.jitter(5*time.Minute, 4*time.Minute))}
	// The last third of the wait is the first automated backup ("backing-up"), as
	// DescribeDBInstances shows a new instance with backups enabled.
	x.backupAt = x.availableAt
	if x.backupRetention > 0 {
		x.backupAt = x.created.Add(x.availableAt.Sub(x.created) * 2 / 3)
	}
	if s := str(in.StorageType); s != "" {
		x.storageType = s
	}
	for _, t := range in.Tags {
		x.tags.set(str(t.Key), str(t.Value))
	}
	if err := validTags(x.tags); err != nil {
		return nil, apiError("InvalidParameterValue", "%v", err)
	}
	st.instances[id] = x
	st.order = append(st.order, x)
	r.useSGs(x.sgs, +1)
	r.addTaggable(&x.tagged, x.arn, "rds:db")
	return &rds.CreateDBInstanceOutput{DBInstance: x.out(r, r.w.now)}, nil
}

// rdsQuota is the region's applied "DB instances" quota.
func rdsQuota(w *World, r *region) float64 {
	if v, ok := w.quotas[r.account+"/"+r.name+"/rds/L-7B6409FD"]; ok {
		return v
	}
	if v, ok := w.quotas[r.account+"/*/rds/L-7B6409FD"]; ok {
		return v // as GetServiceQuota answers
	}
	return defaultQuotas["rds/L-7B6409FD"].value
}

func (x *rdsInstance) out(r *region, now time.Time) *rdstypes.DBInstance {
	o := &rdstypes.DBInstance{
		DBInstanceIdentifier: ptr(x.id), DBInstanceArn: ptr(x.arn), DbiResourceId: ptr(x.resourceID),
		DBInstanceClass: ptr(x.class), Engine: ptr(x.engine), EngineVersion: ptr(x.version), DBInstanceStatus: ptr(x.status(now)),
		MasterUsername: ptr(x.user), DBName: optStr(x.dbName), AllocatedStorage: ptr(x.storage), StorageType: ptr(x.storageType),
		AvailabilityZone: ptr(x.az), MultiAZ: ptr(x.multiAZ), PubliclyAccessible: ptr(x.public), StorageEncrypted: ptr(x.encrypted),
		DeletionProtection: ptr(x.protection), BackupRetentionPeriod: ptr(x.backupRetention), DbInstancePort: ptr(int32(0)),
		CopyTagsToSnapshot: ptr(false), AutoMinorVersionUpgrade: ptr(true), LicenseModel: ptr("general-public-license"),
		PendingModifiedValues: &rdstypes.PendingModifiedValues{},
	}
	if g := x.subnetGroup; g != nil {
		o.DBSubnetGroup = g.out()
	}
	for _, sg := range x.sgs {
		o.VpcSecurityGroups = append(o.VpcSecurityGroups, rdstypes.VpcSecurityGroupMembership{VpcSecurityGroupId: ptr(sg), Status: ptr("active")})
	}
	if s := x.status(now); s != "creating" {
		o.InstanceCreateTime = tptr(x.availableAt)
		o.Endpoint = &rdstypes.Endpoint{Address: ptr(x.id + "." + hashID(12, "rds-endpoint", r.account, r.name) + "." + r.name + ".rds.amazonaws.com"),
			Port: ptr(x.port), HostedZoneId: ptr("Z" + strings.ToUpper(hashID(13, "rds-zone", r.name)))}
	}
	for _, t := range x.tags {
		o.TagList = append(o.TagList, rdstypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
	}
	return o
}

// DescribeDBInstances describes one instance (by identifier or ARN) or pages
// through all of them (MaxRecords 20–100), with the db-instance-id and engine filters.
func (c *rdsClient) DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	return do(ctx, c.base, "rds", "DescribeDBInstances", in, func(r *region) (*rds.DescribeDBInstancesOutput, error) {
		if in == nil {
			in = &rds.DescribeDBInstancesInput{}
		}
		st := rdsOf(r)
		if id := str(in.DBInstanceIdentifier); id != "" {
			x, err := st.find(r, id)
			if err != nil {
				return nil, err
			}
			return &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{*x.out(r, c.w.now)}}, nil
		}
		limit := int(i32(in.MaxRecords, 100))
		if limit < 20 || limit > 100 {
			return nil, apiError("InvalidParameterValue", "Invalid value %d for MaxRecords. Must be between 20 and 100", limit)
		}
		for _, f := range in.Filters {
			if n := str(f.Name); n != "db-instance-id" && n != "engine" {
				return nil, apiError("InvalidParameterValue", "Unrecognized filter name: %s", n)
			}
		}
		after, ok := readToken(in.Marker)
		if !ok {
			return nil, apiError("InvalidParameterValue", "Invalid marker: %s", str(in.Marker))
		}
		var ids []string
		for id, x := range st.instances {
			if id > after && rdsFilters(x, in.Filters) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		out := &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{}}
		for i, id := range ids {
			if i == limit {
				out.Marker = pageToken(ids[i-1])
				break
			}
			out.DBInstances = append(out.DBInstances, *st.instances[id].out(r, c.w.now))
		}
		return out, nil
	})
}

func rdsFilters(x *rdsInstance, fs []rdstypes.Filter) bool {
	for _, f := range fs {
		var v []string
		switch str(f.Name) {
		case "db-instance-id":
			v = []string{x.id, x.arn}
		case "engine":
			v = []string{x.engine}
		}
		hit := false
		for _, want := range f.Values {
			hit = hit || contains(v, want)
		}
		if !hit {
			return false
		}
	}
	return true
}

// ModifyDBInstance changes DeletionProtection, at once, on an available instance.
func (c *rdsClient) ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, _ ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error) {
	return do(ctx, c.base, "rds", "ModifyDBInstance", in, func(r *region) (*rds.ModifyDBInstanceOutput, error) {
		if in == nil {
			in = &rds.ModifyDBInstanceInput{}
		}
		x, err := rdsOf(r).find(r, str(in.DBInstanceIdentifier))
		if err != nil {
			return nil, err
		}
		if f := firstUnmodelledField(in, "DBInstanceIdentifier", "DeletionProtection", "ApplyImmediately"); f != "" {
			return nil, apiError("UnsupportedOperation", "The simulator models only DeletionProtection in ModifyDBInstance, not %s.", f)
		}
		if x.status(c.w.now) != "available" {
			return nil, &rdstypes.InvalidDBInstanceStateFault{Message: ptr("Database instance is not in available state.")}
		}
		if in.DeletionProtection != nil {
			x.protection = *in.DeletionProtection
		}
		return &rds.ModifyDBInstanceOutput{DBInstance: x.out(r, c.w.now)}, nil
	})
}

// DeleteDBInstance starts deleting an instance, which is gone a few minutes later.
func (c *rdsClient) DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, _ ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error) {
	return do(ctx, c.base, "rds", "DeleteDBInstance", in, func(r *region) (*rds.DeleteDBInstanceOutput, error) {
		if in == nil {
			in = &rds.DeleteDBInstanceInput{}
		}
		x, err := rdsOf(r).find(r, str(in.DBInstanceIdentifier))
		if err != nil {
			return nil, err
		}
		skip := in.SkipFinalSnapshot != nil && *in.SkipFinalSnapshot
		final := str(in.FinalDBSnapshotIdentifier)
		switch {
		case skip && final != "":
			return nil, apiError("InvalidParameterCombination", "Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.")
		case !skip && final == "":
			return nil, apiError("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
		case x.protection:
			return nil, apiError("InvalidParameterCombination", "Cannot delete protected DB Instance, please disable deletion protection and try again.")
		case !x.deletingAt.IsZero():
			return nil, &rdstypes.InvalidDBInstanceStateFault{Message: msg("Instance %s is already being deleted.", x.id)}
		case x.status(c.w.now) == "stopping" || x.status(c.w.now) == "starting":
			return nil, &rdstypes.InvalidDBInstanceStateFault{Message: msg("Instance %s is not in a state in which it can be deleted: %s.", x.id, x.status(c.w.now))}
		case !skip && x.status(c.w.now) == "creating":
			return nil, &rdstypes.InvalidDBInstanceStateFault{Message: msg("Instance %s is currently creating - a final snapshot cannot be taken.", x.id)}
		}
		x.deletingAt = c.w.now
		x.goneAt = c.w.now.Add(c.w.jitter(3*time.Minute, 4*time.Minute))
		return &rds.DeleteDBInstanceOutput{DBInstance: x.out(r, c.w.now)}, nil
	})
}

// StopDBInstance stops an available instance: "stopping" for a minute or two,
// then "stopped" until StartDBInstance or, as AWS, 7 days later.
func (c *rdsClient) StopDBInstance(ctx context.Context, in *rds.StopDBInstanceInput, _ ...func(*rds.Options)) (*rds.StopDBInstanceOutput, error) {
	return do(ctx, c.base, "rds", "StopDBInstance", in, func(r *region) (*rds.StopDBInstanceOutput, error) {
		if in == nil {
			in = &rds.StopDBInstanceInput{}
		}
		x, err := rdsOf(r).find(r, str(in.DBInstanceIdentifier))
		if err != nil {
			return nil, err
		}
		if in.DBSnapshotIdentifier != nil {
			return nil, apiError("UnsupportedOperation", "The simulator does not model DB snapshots (DBSnapshotIdentifier).")
		}
		if s := x.status(c.w.now); s != "available" {
			return nil, &rdstypes.InvalidDBInstanceStateFault{Message: msg("Instance %s is not in available state.", x.id)}
		}
		x.stopAt, x.startAt = c.w.now, time.Time{}
		x.stoppedAt = c.w.now.Add(c.w.jitter(time.Minute, time.Minute))
		x.startFor = c.w.jitter(4*time.Minute, 2*time.Minute)
		return &rds.StopDBInstanceOutput{DBInstance: x.out(r, c.w.now)}, nil
	})
}

// StartDBInstance starts a stopped instance: "starting" for a few minutes, then "available".
func (c *rdsClient) StartDBInstance(ctx context.Context, in *rds.StartDBInstanceInput, _ ...func(*rds.Options)) (*rds.StartDBInstanceOutput, error) {
	return do(ctx, c.base, "rds", "StartDBInstance", in, func(r *region) (*rds.StartDBInstanceOutput, error) {
		if in == nil {
			in = &rds.StartDBInstanceInput{}
		}
		x, err := rdsOf(r).find(r, str(in.DBInstanceIdentifier))
		if err != nil {
			return nil, err
		}
		if s := x.status(c.w.now); s != "stopped" {
			return nil, &rdstypes.InvalidDBInstanceStateFault{Message: msg("Instance %s is not stopped, it cannot be started.", x.id)}
		}
		x.startAt = c.w.now
		return &rds.StartDBInstanceOutput{DBInstance: x.out(r, c.w.now)}, nil
	})
}

// ListTagsForResource lists an instance's or a DB subnet group's tags by its ARN.
func (c *rdsClient) ListTagsForResource(ctx context.Context, in *rds.ListTagsForResourceInput, _ ...func(*rds.Options)) (*rds.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "rds", "ListTagsForResource", in, func(r *region) (*rds.ListTagsForResourceOutput, error) {
		if in == nil {
			in = &rds.ListTagsForResourceInput{}
		}
		name := str(in.ResourceName)
		if !strings.HasPrefix(name, "arn:") {
			return nil, apiError("InvalidParameterValue", "Invalid resource name: %s", name)
		}
		var tags tagList
		if g, ok := strings.CutPrefix(name, r.arn("rds", "subgrp:")); ok {
			grp := rdsOf(r).groups[g]
			if grp == nil {
				return nil, rdsGroupNotFound(g)
			}
			tags = grp.tags
		} else {
			x, err := rdsOf(r).find(r, name)
			if err != nil {
				return nil, err
			}
			tags = x.tags
		}
		out := &rds.ListTagsForResourceOutput{TagList: []rdstypes.Tag{}}
		for _, t := range tags {
			out.TagList = append(out.TagList, rdstypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

// firstUnmodelledField returns the name of the first exported field of *in that is set
// (not its zero value) and not among modelled, or "".
func firstUnmodelledField(in any, modelled ...string) string {
	v := reflect.ValueOf(in).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || contains(modelled, f.Name) {
			continue
		}
		if !v.Field(i).IsZero() {
			return f.Name
		}
	}
	return ""
}
