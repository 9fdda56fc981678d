package resources

// AWS::S3::Bucket — the labs' buckets (photos, static site, Macie seed), tagged or
// named with the class prefix. A bucket is deleted only when empty, so Delete first
// pages through every object version and delete marker (ListObjectVersions,
// 1000 a page) and removes them with DeleteObjects (1000 keys a call), then
// deletes the bucket. The bucket's ARN (arn:aws:s3:::NAME) carries no region, so
// every call is sent to the region GetBucketLocation names. One attempt empties
// at most s3PagesPerAttempt pages; a bigger bucket answers Waiting and the next
// attempt goes on.

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

// s3PagesPerAttempt bounds one Delete attempt: 10 pages of 1000 versions.
const s3PagesPerAttempt = 10

func init() {
	Register(Type{
		Name: "AWS::S3::Bucket",
		Gone: []NotFound{{Code: "NoSuchBucket"}},
		Match: func(arn string) bool {
			return Service(arn) == "s3" && Resource(arn) != "" && !strings.Contains(Resource(arn), "/")
		},
		// The bucket's own region, read (GetBucketLocation): a bucket tagged for the
		// class in a region the class does not use is not the class's.
		Locate: func(ctx context.Context, c *cloud.Clients, arn string) (string, error) {
			return bucketRegion(ctx, c, bucketName(arn))
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			name := bucketName(r.ARN)
			region := r.Region
			if region == "" {
				var err error
				if region, err = bucketRegion(ctx, c, name); err != nil {
					return nil, err
				}
			}
			return bucketTags(ctx, c, name, region)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			// Hand-made buckets need not carry tags; the boundary makes their names
			// start with the class prefix. ListBuckets answers for every region
			// (through any one): each bucket is put forward with its own region, and
			// the decision leaves those outside the class's regions.
			var found []Candidate
			var token *string
			for {
				out, err := c.S3.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String(s.ClassID), ContinuationToken: token})
				if err != nil {
					return nil, err
				}
				for _, b := range out.Buckets {
					name := aws.ToString(b.Name)
					if !strings.HasPrefix(name, s.ClassID) {
						continue
					}
					region := aws.ToString(b.BucketRegion)
					if region == "" {
						if region, err = bucketRegion(ctx, c, name); err != nil {
							if isGone("AWS::S3::Bucket", err) {
								continue
							}
							return nil, err
						}
					}
					found = append(found, Candidate{ARN: "arn:aws:s3:::" + name, Region: region, Name: name})
				}
				if token = out.ContinuationToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: bucketName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := bucketName(r.ARN)
			region, err := bucketRegion(ctx, c, name)
			if err != nil {
				return err
			}
			at := inRegion(region)
			// Every version and delete marker, page by page.
			var all []s3types.ObjectIdentifier
			var keyMarker, versionMarker *string
			more := false
			for page := 1; ; page++ {
				out, err := c.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(name), MaxKeys: aws.Int32(1000),
					KeyMarker: keyMarker, VersionIdMarker: versionMarker}, at)
				if err != nil {
					return err
				}
				for _, v := range out.Versions {
					all = append(all, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
				}
				for _, m := range out.DeleteMarkers {
					all = append(all, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				if page == s3PagesPerAttempt {
					more = true
					break
				}
				keyMarker, versionMarker = out.NextKeyMarker, out.NextVersionIdMarker
			}
			for i := 0; i < len(all); i += 1000 {
				batch := all[i:min(i+1000, len(all))]
				out, err := c.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(name),
					Delete: &s3types.Delete{Objects: batch, Quiet: aws.Bool(true)}}, at)
				if err != nil {
					return err
				}
				if len(out.Errors) > 0 {
					e := out.Errors[0]
					return &smithy.GenericAPIError{Code: aws.ToString(e.Code), Fault: smithy.FaultClient,
						Message: fmt.Sprintf("deleting %s version %s: %s (%d of %d keys failed)", aws.ToString(e.Key), aws.ToString(e.VersionId),
							aws.ToString(e.Message), len(out.Errors), len(batch))}
				}
			}
			if more {
				return Waiting("deleting", "removed %d object versions and delete markers; more are left", len(all))
			}
			_, err = c.S3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}, at)
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, bucketName(r.ARN)}, nil },
	})
}

// bucketName is NAME in arn:aws:s3:::NAME.
func bucketName(arn string) string { return Resource(arn) }

// inRegion sends one S3 call to region.
func inRegion(region string) func(*s3.Options) { return func(o *s3.Options) { o.Region = region } }

// bucketRegion asks S3 (through us-east-1, which answers for every bucket) where
// a bucket lives.
func bucketRegion(ctx context.Context, c *cloud.Clients, name string) (string, error) {
	out, err := c.S3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)}, inRegion("us-east-1"))
	if err != nil {
		return "", err
	}
	switch loc := string(out.LocationConstraint); loc {
	case "":
		return "us-east-1", nil
	case "EU":
		return "eu-west-1", nil
	default:
		return loc, nil
	}
}

// bucketTags reads a bucket's tags: none (NoSuchTagSet) is an empty map.
func bucketTags(ctx context.Context, c *cloud.Clients, name, region string) (map[string]string, error) {
	out, err := c.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)}, inRegion(region))
	if IsCode(err, "NoSuchTagSet") {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(out.TagSet))
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}
