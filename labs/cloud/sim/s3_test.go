package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/labdash/labdash/labs/cloud"
)

func (e *env) bucket(c *cloud.Clients, name string, versioned bool, opt ...func(*s3.Options)) {
	e.t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if c.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.Region)}
	}
	if _, err := c.S3.CreateBucket(e.ctx, in, opt...); err != nil {
		e.t.Fatalf("create bucket %s: %v", name, err)
	}
	if versioned {
		if _, err := c.S3.PutBucketVersioning(e.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) put(c *cloud.Clients, bucket, key, body string) *s3.PutObjectOutput {
	e.t.Helper()
	out, err := c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		e.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return out
}

// versions lists every version and marker of bucket as "key@id" (markers "key@id*"),
// page by page with MaxKeys=size, sorted; it fails on an entry listed twice.
func (e *env) versions(c *cloud.Clients, bucket string, size int32) []string {
	e.t.Helper()
	seen := map[string]bool{}
	var km, vm *string
	for pages := 0; ; pages++ {
		out, err := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(size), KeyMarker: km, VersionIdMarker: vm})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(out.Versions)+len(out.DeleteMarkers) > int(size) {
			e.t.Fatalf("page of %d entries, MaxKeys %d", len(out.Versions)+len(out.DeleteMarkers), size)
		}
		var page []string
		for _, v := range out.Versions {
			page = append(page, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
		}
		for _, m := range out.DeleteMarkers {
			page = append(page, aws.ToString(m.Key)+"@"+aws.ToString(m.VersionId)+"*")
		}
		for _, x := range page {
			if seen[x] {
				e.t.Fatalf("MaxKeys %d: %s listed twice", size, x)
			}
			seen[x] = true
		}
		if !aws.ToBool(out.IsTruncated) {
			return sortedKeys(seen)
		}
		if pages > 10000 {
			e.t.Fatal("ListObjectVersions never ends")
		}
		km, vm = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

func TestS3VersionedBucket(t *testing.T) {
	e := newEnv(t)
	c := e.c
	e.bucket(c, "c42s07-photos", true)
	v1 := e.put(c, "c42s07-photos", "photos/a.jpg", "one")
	v2 := e.put(c, "c42s07-photos", "photos/a.jpg", "two")
	if aws.ToString(v1.VersionId) == "" || aws.ToString(v1.VersionId) == aws.ToString(v2.VersionId) {
		t.Fatalf("versions %v %v", v1.VersionId, v2.VersionId)
	}
	e.put(c, "c42s07-photos", "photos/b.jpg", "b")
	del, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String("c42s07-photos"),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("photos/a.jpg")}}}})
	if err != nil || len(del.Deleted) != 1 || !aws.ToBool(del.Deleted[0].DeleteMarker) || aws.ToString(del.Deleted[0].DeleteMarkerVersionId) == "" {
		t.Fatalf("delete without version: %+v %v", del, err)
	}
	out, err := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("c42s07-photos")})
	if err != nil || len(out.Versions) != 3 || len(out.DeleteMarkers) != 1 {
		t.Fatalf("list: %d versions %d markers, %v", len(out.Versions), len(out.DeleteMarkers), err)
	}
	if m := out.DeleteMarkers[0]; !aws.ToBool(m.IsLatest) || aws.ToString(m.Key) != "photos/a.jpg" {
		t.Errorf("marker %+v not latest", m)
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == "photos/a.jpg" && aws.ToBool(v.IsLatest) {
			t.Errorf("a version of a deleted key is latest: %+v", v)
		}
	}
	_, err = c.S3.DeleteBucket(e.ctx, &s3.DeleteBucketInput{Bucket: aws.String("c42s07-photos")})
	if apiCode(err) != "BucketNotEmpty" {
		t.Fatalf("delete non-empty bucket: %v, want BucketNotEmpty", err)
	}
	// Removing every version and marker by id empties it.
	var ids []s3types.ObjectIdentifier
	for _, v := range out.Versions {
		ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
	}
	for _, m := range out.DeleteMarkers {
		ids = append(ids, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
	}
	if _, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String("c42s07-photos"), Delete: &s3types.Delete{Objects: ids}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.DeleteBucket(e.ctx, &s3.DeleteBucketInput{Bucket: aws.String("c42s07-photos")}); err != nil {
		t.Fatalf("delete emptied bucket: %v", err)
	}
	if _, err := c.S3.GetBucketLocation(e.ctx, &s3.GetBucketLocationInput{Bucket: aws.String("c42s07-photos")}); !errorsAs[*s3types.NoSuchBucket](err) {
		t.Fatalf("deleted bucket: %v, want NoSuchBucket", err)
	}
}

func TestS3ListObjectVersionsPaging(t *testing.T) {
	e := newEnv(t)
	c := e.c
	e.bucket(c, "c42s07-paging", true)
	for i := 0; i < 30; i++ {
		e.put(c, "c42s07-paging", fmt.Sprintf("k%02d", i%7), "x")
	}
	var marks []s3types.ObjectIdentifier
	for i := 0; i < 7; i += 2 {
		marks = append(marks, s3types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("k%02d", i))})
	}
	if _, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String("c42s07-paging"), Delete: &s3types.Delete{Objects: marks}}); err != nil {
		t.Fatal(err)
	}
	whole := e.versions(c, "c42s07-paging", 1000)
	if len(whole) != 34 {
		t.Fatalf("%d entries, want 30 versions + 4 markers", len(whole))
	}
	for _, size := range []int32{1, 3, 7, 33} {
		if got := e.versions(c, "c42s07-paging", size); strings.Join(got, ",") != strings.Join(whole, ",") {
			t.Errorf("MaxKeys %d: %d entries, differ from one page", size, len(got))
		}
	}
	// A marker whose version has since been deleted still marks its place.
	p1, err := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("c42s07-paging"), MaxKeys: aws.Int32(5)})
	if err != nil || !aws.ToBool(p1.IsTruncated) {
		t.Fatalf("page 1: %v", err)
	}
	var first []s3types.ObjectIdentifier
	for _, v := range p1.Versions {
		first = append(first, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
	}
	for _, m := range p1.DeleteMarkers {
		first = append(first, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
	}
	if _, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String("c42s07-paging"), Delete: &s3types.Delete{Objects: first}}); err != nil {
		t.Fatal(err)
	}
	p2, err := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("c42s07-paging"), KeyMarker: p1.NextKeyMarker,
		VersionIdMarker: p1.NextVersionIdMarker})
	if err != nil || len(p2.Versions)+len(p2.DeleteMarkers) != 29 {
		t.Fatalf("after deleting page 1: %d entries, %v; want 29", len(p2.Versions)+len(p2.DeleteMarkers), err)
	}
	// DeleteObjects takes at most 1000 keys.
	big := make([]s3types.ObjectIdentifier, 1001)
	for i := range big {
		big[i] = s3types.ObjectIdentifier{Key: aws.String(fmt.Sprint(i))}
	}
	if _, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String("c42s07-paging"), Delete: &s3types.Delete{Objects: big}}); apiCode(err) != "MalformedXML" {
		t.Errorf("1001 keys: %v, want MalformedXML", err)
	}
	if _, err := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("c42s07-paging"), VersionIdMarker: aws.String("x")}); apiCode(err) != "InvalidArgument" {
		t.Errorf("version marker without key marker: %v", err)
	}
}

func TestS3UnversionedAndTags(t *testing.T) {
	e := newEnv(t)
	c := e.c
	e.bucket(c, "c42s07-site", false)
	if out := e.put(c, "c42s07-site", "index.html", "<h1>"); out.VersionId != nil {
		t.Errorf("unversioned put has version %v", out.VersionId)
	}
	e.put(c, "c42s07-site", "index.html", "<h2>")
	out, _ := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("c42s07-site")})
	if len(out.Versions) != 1 || aws.ToString(out.Versions[0].VersionId) != "null" {
		t.Fatalf("unversioned bucket versions: %+v", out.Versions)
	}
	if _, err := c.S3.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String("c42s07-site"),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("index.html")}}}}); err != nil {
		t.Fatal(err)
	}
	if out, _ := c.S3.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("c42s07-site")}); len(out.Versions)+len(out.DeleteMarkers) != 0 {
		t.Fatalf("deleted object of an unversioned bucket left %+v", out)
	}
	if _, err := c.S3.GetBucketTagging(e.ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("c42s07-site")}); apiCode(err) != "NoSuchTagSet" {
		t.Errorf("untagged bucket: %v, want NoSuchTagSet", err)
	}
	if _, err := c.S3.PutBucketTagging(e.ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("c42s07-site"), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("labdash:class"), Value: aws.String("c42")}}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.S3.GetBucketTagging(e.ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("c42s07-site")})
	if err != nil || len(tags.TagSet) != 1 {
		t.Fatalf("tags %+v %v", tags, err)
	}
	// Another account cannot have the name, nor see the bucket.
	other, _ := e.w.Clients(e.ctx, "444455556666", "us-east-1")
	if _, err := other.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("c42s07-site")}); !errorsAs[*s3types.BucketAlreadyExists](err) {
		t.Errorf("other account, same name: %v, want BucketAlreadyExists", err)
	}
	if _, err := other.S3.GetBucketTagging(e.ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("c42s07-site")}); apiCode(err) != "AccessDenied" {
		t.Errorf("other account reads tags: %v, want AccessDenied", err)
	}
	if _, err := c.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")}); apiCode(err) != "InvalidBucketName" {
		t.Errorf("bad name: %v", err)
	}
}

func TestS3Regions(t *testing.T) {
	e := newEnv(t)
	eu, _ := e.w.Clients(e.ctx, "", "eu-west-1")
	if _, err := eu.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("c42s07-eu")}); apiCode(err) != "IllegalLocationConstraintException" {
		t.Fatalf("no location constraint outside us-east-1: %v", err)
	}
	if _, err := eu.S3.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("c42s07-eu"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
		LocationConstraint: "eu-west-1", Tags: []s3types.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}}}); err != nil {
		t.Fatal(err)
	}
	loc, err := e.c.S3.GetBucketLocation(e.ctx, &s3.GetBucketLocationInput{Bucket: aws.String("c42s07-eu")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Fatalf("location from us-east-1: %v %v", loc, err)
	}
	if _, err := e.c.S3.GetBucketTagging(e.ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("c42s07-eu")}); apiCode(err) != "PermanentRedirect" {
		t.Errorf("wrong region: %v, want PermanentRedirect", err)
	}
	if _, err := e.c.S3.GetBucketTagging(e.ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("c42s07-eu")}, func(o *s3.Options) { o.Region = "eu-west-1" }); err != nil {
		t.Errorf("region set per call: %v", err)
	}
	list, err := e.c.S3.ListBuckets(e.ctx, &s3.ListBucketsInput{})
	if err != nil || len(list.Buckets) != 1 || aws.ToString(list.Buckets[0].BucketRegion) != "eu-west-1" {
		t.Fatalf("ListBuckets from us-east-1: %+v %v", list, err)
	}
	// The tagging API lists the bucket in its own region only.
	for _, tc := range []struct {
		c    *cloud.Clients
		want int
	}{{eu, 1}, {e.c, 0}} {
		out, err := tc.c.Tagging.GetResources(context.Background(), &rgt.GetResourcesInput{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range out.ResourceTagMappingList {
			if aws.ToString(m.ResourceARN) == "arn:aws:s3:::c42s07-eu" {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("tagging API in %s lists the bucket %d times, want %d", tc.c.Region, n, tc.want)
		}
	}
	if _, err := eu.S3.DeleteBucket(e.ctx, &s3.DeleteBucketInput{Bucket: aws.String("c42s07-eu")}); err != nil {
		t.Fatal(err)
	}
	out, _ := eu.Tagging.GetResources(context.Background(), &rgt.GetResourcesInput{})
	if len(out.ResourceTagMappingList) != 0 {
		t.Errorf("deleted bucket still listed: %+v", out.ResourceTagMappingList)
	}
}
