package resources_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// wireCalls counts the requests the loopback endpoint answered.
var wireCalls atomic.Int64

// gaOps are the Global Accelerator operations labdash calls.
var gaOps = map[string]bool{}

func init() {
	for _, op := range []string{"ListAccelerators", "CreateAccelerator", "DescribeAccelerator", "UpdateAccelerator", "DeleteAccelerator",
		"ListListeners", "CreateListener", "DescribeListener", "DeleteListener", "ListEndpointGroups", "CreateEndpointGroup",
		"DescribeEndpointGroup", "UpdateEndpointGroup", "DeleteEndpointGroup", "ListTagsForResource"} {
		gaOps[op] = true
	}
}

// wireGA returns e's clients with Global Accelerator replaced by the real SDK
// client, talking AWS's JSON 1.1 protocol over loopback to the simulator.
func wireGA(t *testing.T, e *env) *cloud.Clients {
	t.Helper()
	west := e.region("us-west-2")
	h := &sim.JSONServer{Prefix: "GlobalAccelerator_V20180706", Client: west.GlobalAccelerator, Allowed: gaOps}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wireCalls.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := *e.c
	c.GlobalAccelerator = globalaccelerator.New(globalaccelerator.Options{Region: "us-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	return &c
}

// TestGlobalAcceleratorOverTheWire runs the cleanup's Global Accelerator types
// through the real aws-sdk-go-v2 client (moto does not serve the service): an
// accelerator with a listener and an endpoint group is found, disabled, waited
// for and deleted, children first.
func TestGlobalAcceleratorOverTheWire(t *testing.T) {
	e := simEnv(t)
	e.world.SetGADeployTime(3 * time.Minute)
	c := wireGA(t, e)
	ga := c.GlobalAccelerator
	acc, err := ga.CreateAccelerator(e.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(classID + "s01-ga"), IdempotencyToken: aws.String("a"),
		Enabled: aws.Bool(true), Tags: []gatypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(acc.Accelerator.IpSets); n != 1 || len(acc.Accelerator.IpSets[0].IpAddresses) != 2 || acc.Accelerator.CreatedTime == nil || acc.Accelerator.CreatedTime.Year() < 2000 {
		t.Fatalf("accelerator over the wire: %+v", acc.Accelerator)
	}
	l, err := ga.CreateListener(e.ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: acc.Accelerator.AcceleratorArn, IdempotencyToken: aws.String("l"),
		Protocol: gatypes.ProtocolTcp, PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ga.CreateEndpointGroup(e.ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: l.Listener.ListenerArn, EndpointGroupRegion: aws.String("eu-west-1"),
		IdempotencyToken: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	// A typed error survives the trip.
	_, err = ga.DeleteAccelerator(e.ctx, &globalaccelerator.DeleteAcceleratorInput{AcceleratorArn: acc.Accelerator.AcceleratorArn})
	var notDisabled *gatypes.AcceleratorNotDisabledException
	if !errors.As(err, &notDisabled) {
		t.Fatalf("deleting an enabled accelerator over the wire: %v, want AcceleratorNotDisabledException", err)
	}
	accRef := resources.Ref{ARN: aws.ToString(acc.Accelerator.AcceleratorArn), Type: "AWS::GlobalAccelerator::Accelerator", Region: "us-west-2", Account: c.Account, Student: "s01"}
	s := resources.Scope{ClassID: classID, Students: []string{"s01"}, Owned: map[string]resources.Ref{accRef.ARN: accRef}}
	var refs []resources.Ref
	for _, typ := range []string{"AWS::GlobalAccelerator::Listener", "AWS::GlobalAccelerator::EndpointGroup"} {
		tt, _ := resources.Lookup(typ)
		found, err := judge(e.ctx, tt, c, s)
		if err != nil || len(found) != 1 || found[0].Proof == "" {
			t.Fatalf("%s lister over the wire: %+v %v", typ, found, err)
		}
		own(s, found)
		refs = append([]resources.Ref{found[0].Ref}, refs...) // endpoint groups are deleted before their listener
	}
	tags, err := mustType(t, "AWS::GlobalAccelerator::Accelerator").Tags(e.ctx, c, accRef)
	if err != nil || tags["labdash:class"] != classID {
		t.Fatalf("accelerator tags over the wire: %v %v", tags, err)
	}
	before := wireCalls.Load()
	for _, r := range append(refs, accRef) {
		e.DeleteUntilGone(c, r, 60)
		e.Gone(c, r)
	}
	if n := wireCalls.Load() - before; n < 8 {
		t.Errorf("only %d requests reached the loopback endpoint during the cleanup", n)
	}
}

func mustType(t *testing.T, name string) resources.Type {
	typ, ok := resources.Lookup(name)
	if !ok {
		t.Fatalf("no type %s", name)
	}
	return typ
}
