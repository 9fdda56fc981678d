package resources_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// TestS3BucketSim empties a versioned bucket of more than 1000 versions and
// delete markers (two ListObjectVersions pages, two DeleteObjects calls) and a
// bucket in another region than the client's.
func TestS3BucketSim(t *testing.T) {
	e := simEnv(t)
	testS3Bucket(t, e, 700) // 1400 versions + 350 delete markers
	// A bucket in eu-west-1: found by the eu-west-1 lister only, deleted through
	// any region's clients (the sweep's ARN carries no region).
	eu := e.region("eu-west-1")
	name := classID + "s01-eu"
	e.s3Bucket(eu, name, true, nil)
	e.s3Fill(eu, name, 3)
	typ, _ := resources.Lookup("AWS::S3::Bucket")
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}}
	// A class in us-east-1 only: the bucket is outside it, whatever its name and tags.
	if found, err := judge(e.ctx, typ, e.c, scope); err != nil || len(s3FoundByARN(found, "arn:aws:s3:::"+name)) != 1 ||
		s3FoundByARN(found, "arn:aws:s3:::"+name)[0].Proof != "" || !strings.Contains(s3FoundByARN(found, "arn:aws:s3:::"+name)[0].Reason, "outside the class") {
		t.Errorf("a class in us-east-1 only, and an eu-west-1 bucket named for it: %+v %v", found, err)
	}
	found, err := judge(e.ctx, typ, eu, scope)
	if err != nil {
		t.Fatal(err)
	}
	hit := s3FoundByARN(found, "arn:aws:s3:::"+name)
	if len(hit) != 1 || hit[0].Region != "eu-west-1" || hit[0].Proof == "" {
		t.Fatalf("eu-west-1 lister: %+v", found)
	}
	ref := resources.Ref{ARN: "arn:aws:s3:::" + name, Type: "AWS::S3::Bucket", Account: e.c.Account} // as the sweep knows it: no region
	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	if _, err := eu.S3.GetBucketLocation(e.ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)}); resources.ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("eu-west-1 bucket: %v, want NoSuchBucket", err)
	}
}

func TestS3BucketMoto(t *testing.T) { testS3Bucket(t, motoEnv(t), 4) }

// testS3Bucket: the lister proves the student's class-prefixed bucket and not the
// decoys (another class's prefix, a look-alike tagged for another class); Delete
// empties every version and marker and removes the bucket; the decoys keep every
// version; a second run is harmless.
func testS3Bucket(t *testing.T, e *env, keys int) {
	mine := classID + "s01-photos"
	other := "c9zzzs01-photos"
	lookalike := classID + "s02-photos"
	e.s3Bucket(e.c, mine, true, nil)
	e.s3Bucket(e.c, other, true, nil)
	e.s3Bucket(e.c, lookalike, true, []s3types.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")}})
	want := e.s3Fill(e.c, mine, keys)
	otherN := e.s3Fill(e.c, other, 3)
	lookN := e.s3Fill(e.c, lookalike, 3)
	if got := len(e.s3Versions(e.c, mine)); got != want {
		t.Fatalf("seeded %d versions and markers, listed %d", want, got)
	}

	typ, _ := resources.Lookup("AWS::S3::Bucket")
	if !typ.Match("arn:aws:s3:::"+mine) || typ.Match("arn:aws:s3:::"+mine+"/photos/a.jpg") {
		t.Error("Match: a bucket ARN must match, an object ARN must not")
	}
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case "arn:aws:s3:::" + mine:
			if f.Proof == "" || f.Student != "s01" || f.Region != e.c.Region {
				t.Errorf("own bucket not proven: %+v", f)
			}
			ref = f.Ref
		case "arn:aws:s3:::" + lookalike:
			if f.Proof != "" || !strings.Contains(f.Reason, "c9zzz") {
				t.Errorf("look-alike tagged for another class: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", mine, found)
	}
	if tags, err := typ.Tags(e.ctx, e.c, resources.Ref{ARN: "arn:aws:s3:::" + lookalike}); err != nil || tags["labdash:class"] != "c9zzz" {
		t.Errorf("Tags of the look-alike: %v %v", tags, err)
	}
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || len(tags) != 0 {
		t.Errorf("Tags of an untagged bucket: %v %v, want none", tags, err)
	}
	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Tags of the deleted bucket: %v, want ErrGone", err)
	}
	if n := len(e.s3Versions(e.c, other)); n != otherN {
		t.Errorf("decoy %s has %d versions, want %d", other, n, otherN)
	}
	if n := len(e.s3Versions(e.c, lookalike)); n != lookN {
		t.Errorf("decoy %s has %d versions, want %d", lookalike, n, lookN)
	}
}

func (e *env) s3Bucket(c *cloud.Clients, name string, versioned bool, tags []s3types.Tag) {
	e.t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if c.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.Region)}
	}
	if _, err := c.S3.CreateBucket(e.ctx, in); err != nil {
		e.t.Fatalf("create bucket %s: %v", name, err)
	}
	if versioned {
		if _, err := c.S3.PutBucketVersioning(e.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			e.t.Fatal(err)
		}
	}
	if len(tags) > 0 {
		if _, err := c.S3.PutBucketTagging(e.ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: tags}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// s3Fill writes keys objects twice each and deletes every other key (a delete
// marker): it returns the number of versions and markers.
func (e *env) s3Fill(c *cloud.Clients, bucket string, keys int) int {
	e.t.Helper()
	for round := 0; round < 2; round++ {
		for i := 0; i < keys; i++ {
			if _, err := c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("photos/%04d.jpg", i)),
				Body: strings.NewReader(fmt.Sprint(round))}); err != nil {
				e.t.Fatalf("put: %v", err)
			}
		}
	}
	var marks []s3types.ObjectIdentifier
	for i := 0; i < keys; i += 2 {
		marks = append(marks, s3types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("photos/%04d.jpg", i))})
	}
	for i := 0; i < len(marks); i += 1000 {
		if _, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket),
			Delete: &s3types.Delete{Objects: marks[i:min(i+1000, len(marks))]}}); err != nil {
			e.t.Fatalf("delete markers: %v", err)
		}
	}
	return 2*keys + len(marks)
}

// s3Versions lists every version and delete marker of a bucket.
func (e *env) s3Versions(c *cloud.Clients, bucket string) []string {
	e.t.Helper()
	var all []string
	var km, vm *string
	for {
		out, err := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), KeyMarker: km, VersionIdMarker: vm})
		if err != nil {
			e.t.Fatalf("list versions of %s: %v", bucket, err)
		}
		for _, v := range out.Versions {
			all = append(all, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
		}
		for _, m := range out.DeleteMarkers {
			all = append(all, aws.ToString(m.Key)+"@"+aws.ToString(m.VersionId))
		}
		if !aws.ToBool(out.IsTruncated) {
			return all
		}
		km, vm = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

func s3FoundByARN(found []cleanup.Item, arn string) []cleanup.Item {
	var out []cleanup.Item
	for _, f := range found {
		if f.ARN == arn {
			out = append(out, f)
		}
	}
	return out
}
