package sim

// Amazon S3: buckets with versioning, objects as versions and delete markers, and
// bucket tags. Modelled as AWS does it:
//   - one bucket namespace for every account and region; a bucket lives in one
//     region (CreateBucket's LocationConstraint must name the client's region, none
//     in us-east-1), is listed by the tagging API there (arn:aws:s3:::NAME,
//     s3:bucket), and any other call on it through another region's client answers
//     PermanentRedirect — except GetBucketLocation and ListBuckets, which answer
//     from anywhere. A client's region can be switched per call with the SDK's
//     option function (o.Region), as on AWS;
//   - PutObject adds a version (a fresh id when versioning is Enabled, the "null"
//     version otherwise, replacing the previous null one); DeleteObjects without a
//     VersionId adds a delete marker in a versioned bucket and removes the object in
//     one that never was; with a VersionId it removes that version or marker for
//     good; at most 1000 keys per call (MalformedXML beyond);
//   - ListObjectVersions lists versions and markers by key, newest first, at most
//     MaxKeys (≤1000) per page, resuming after KeyMarker/VersionIdMarker (a marker
//     that has since been deleted still marks its place);
//   - DeleteBucket answers BucketNotEmpty while any version or marker is left;
//     GetBucketTagging answers NoSuchTagSet for a bucket without tags.
//
// Objects keep their bytes and Content-Type (GetObject, ListObjectsV2). Website
// hosting, bucket policies and bucket-level Block Public Access are in
// s3_website.go; event notifications (PutObject's events to SNS, SQS and
// Lambda) in s3_notify.go.
//
// Not modelled: ListObjects (v1), Delimiter/CommonPrefixes (NotImplemented),
// multipart uploads, ACLs, account-level Block Public Access,
// Object Lock and MFA delete, storage classes other than STANDARD, and access by
// other accounts (AccessDenied).

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("s3", func(b base, c *cloud.Clients) { c.S3 = &s3Client{b} })
}

// s3Client implements cloud.S3.
type s3Client struct{ base }

var _ cloud.S3 = (*s3Client)(nil)

// s3State is one region's buckets by name.
type s3State struct {
	buckets map[string]*s3Bucket
}

type s3Bucket struct {
	tagged
	name, region, account string
	created               time.Time
	versioning            s3types.BucketVersioningStatus // "" until versioning is first configured
	keys                  map[string][]*s3Version        // newest first
	seq                   uint64
	seqOf                 map[string]uint64 // every version id ever issued → its sequence, for list markers
	// Lab 4's static website (s3_website.go).
	website *s3types.WebsiteConfiguration
	policy  string                                  // the bucket policy as put; "" for none
	bpa     *s3types.PublicAccessBlockConfiguration // nil: none configured
	// Lab 1's event notifications (s3_notify.go); nil for none.
	notify *s3types.NotificationConfiguration
}

type s3Version struct {
	id       string
	seq      uint64
	marker   bool
	etag     string
	size     int64
	modified time.Time
	body     []byte // the object's bytes (GetObject, the website)
	ctype    string // Content-Type given to PutObject; "" for none
}

func s3Of(r *region) *s3State {
	return state(r, "s3", func() *s3State { return &s3State{buckets: map[string]*s3Bucket{}} })
}

// s3Find looks a bucket up in the global namespace. The world's lock must be held.
func (w *World) s3Find(name string) *s3Bucket {
	for _, r := range w.order {
		if st, ok := r.ext["s3"].(*s3State); ok {
			if b := st.buckets[name]; b != nil {
				return b
			}
		}
	}
	return nil
}

// addressed is the client in the region the call is addressed to: its own, or
// the one an option function set (o.Region), as the SDK routes it.
func (c *s3Client) addressed(op string, optFns []func(*s3.Options)) (base, error) {
	b := c.base
	if len(optFns) > 0 {
		o := s3.Options{Region: b.region}
		for _, f := range optFns {
			f(&o)
		}
		if o.Region != b.region {
			if !regionRE.MatchString(o.Region) {
				c.w.counter.Inc("s3", op)
				return base{}, apiError("AuthorizationHeaderMalformed", "The authorization header is malformed; the region '%s' is wrong.", o.Region)
			}
			b.region = o.Region
		}
	}
	return b, nil
}

var s3NameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func s3NoSuchBucket(name string) error {
	return &s3types.NoSuchBucket{Message: ptr("The specified bucket does not exist")}
}

// bucket returns the named bucket as seen from region r: NoSuchBucket when there
// is none, AccessDenied when another account owns it, PermanentRedirect when it
// lives in another region.
func (c *s3Client) bucket(r *region, name string, anyRegion bool) (*s3Bucket, error) {
	if name == "" {
		return nil, apiError("InvalidBucketName", "The specified bucket is not valid.")
	}
	b := c.w.s3Find(name)
	switch {
	case b == nil:
		return nil, s3NoSuchBucket(name)
	case b.account != r.account:
		return nil, &s3types.AccessDenied{Message: ptr("Access Denied")}
	case !anyRegion && b.region != r.name:
		return nil, apiError("PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
	}
	return b, nil
}

// s3Owner is the account's canonical user, as S3 reports owners.
func s3Owner(account string) *s3types.Owner {
	return &s3types.Owner{ID: ptr(hashID(64, "s3-canonical-user", account))}
}

// s3VersionID returns a fresh version id shaped like S3's (32 URL-safe characters).
func (w *World) s3VersionID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
	var b [32]byte
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
	return string(b[:])
}

func (b *s3Bucket) newVersion(now time.Time, id string) *s3Version {
	b.seq++
	if b.seqOf == nil {
		b.seqOf = map[string]uint64{}
	}
	if id != "null" {
		b.seqOf[id] = b.seq
	}
	return &s3Version{id: id, seq: b.seq, modified: now}
}

// dropNull removes key's "null" version, if any.
func (b *s3Bucket) dropNull(key string) {
	b.keys[key] = compact(b.keys[key], func(v *s3Version) bool { return v.id != "null" })
}

// add puts v on top of key's versions.
func (b *s3Bucket) add(key string, v *s3Version) {
	b.keys[key] = append([]*s3Version{v}, b.keys[key]...)
}

func (b *s3Bucket) empty() bool {
	for _, vs := range b.keys {
		if len(vs) > 0 {
			return false
		}
	}
	return true
}

// ListBuckets lists the account's buckets in every region, by name.
func (c *s3Client) ListBuckets(ctx context.Context, in *s3.ListBucketsInput, optFns ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	b, err := c.addressed("ListBuckets", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "ListBuckets", in, func(r *region) (*s3.ListBucketsOutput, error) {
		if in == nil {
			in = &s3.ListBucketsInput{}
		}
		limit := int(i32(in.MaxBuckets, 10000))
		if limit < 1 || limit > 10000 {
			return nil, apiError("InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000.")
		}
		after, ok := readToken(in.ContinuationToken)
		if !ok {
			return nil, apiError("InvalidArgument", "The continuation token provided is incorrect")
		}
		var all []*s3Bucket
		for _, reg := range c.w.order {
			st, ok := reg.ext["s3"].(*s3State)
			if !ok || reg.account != r.account {
				continue
			}
			for _, b := range st.buckets {
				if strings.HasPrefix(b.name, str(in.Prefix)) && b.name > after && (str(in.BucketRegion) == "" || str(in.BucketRegion) == b.region) {
					all = append(all, b)
				}
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
		out := &s3.ListBucketsOutput{Owner: s3Owner(r.account), Prefix: in.Prefix}
		for i, b := range all {
			if i == limit {
				out.ContinuationToken = pageToken(all[i-1].name)
				break
			}
			out.Buckets = append(out.Buckets, s3types.Bucket{Name: ptr(b.name), CreationDate: tptr(b.created), BucketRegion: ptr(b.region),
				BucketArn: ptr("arn:aws:s3:::" + b.name)})
		}
		return out, nil
	})
}

// CreateBucket creates a bucket in the client's region.
func (c *s3Client) CreateBucket(ctx context.Context, in *s3.CreateBucketInput, optFns ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	b, err := c.addressed("CreateBucket", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "CreateBucket", in, func(r *region) (*s3.CreateBucketOutput, error) {
		if in == nil {
			in = &s3.CreateBucketInput{}
		}
		name := str(in.Bucket)
		if !s3NameRE.MatchString(name) || strings.Contains(name, "..") || ipLike(name) {
			return nil, apiError("InvalidBucketName", "The specified bucket is not valid.")
		}
		loc := ""
		var tags tagList
		if cfg := in.CreateBucketConfiguration; cfg != nil {
			loc = string(cfg.LocationConstraint)
			for _, t := range cfg.Tags {
				tags.set(str(t.Key), str(t.Value))
			}
		}
		switch {
		case r.name == "us-east-1" && loc == "us-east-1":
			return nil, apiError("InvalidLocationConstraint", "The specified location-constraint is not valid")
		case r.name != "us-east-1" && loc == "":
			return nil, apiError("IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		case loc != "" && loc != r.name:
			return nil, apiError("IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", loc)
		}
		if err := validTags(tags); err != nil {
			return nil, apiError("InvalidTag", "%v", err)
		}
		if b := c.w.s3Find(name); b != nil {
			if b.account != r.account {
				return nil, &s3types.BucketAlreadyExists{Message: ptr("The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")}
			}
			if r.name == "us-east-1" && b.region == "us-east-1" {
				// us-east-1's legacy behaviour: creating a bucket you already own there succeeds.
				return &s3.CreateBucketOutput{Location: ptr("/" + name), BucketArn: ptr("arn:aws:s3:::" + name)}, nil
			}
			return nil, &s3types.BucketAlreadyOwnedByYou{Message: ptr("Your previous request to create the named bucket succeeded and you already own it.")}
		}
		b := &s3Bucket{name: name, region: r.name, account: r.account, created: c.w.now, keys: map[string][]*s3Version{}, bpa: newBucketBPA()}
		b.tags = tags
		s3Of(r).buckets[name] = b
		r.addTaggable(&b.tagged, "arn:aws:s3:::"+name, "s3:bucket")
		out := &s3.CreateBucketOutput{Location: ptr("/" + name), BucketArn: ptr("arn:aws:s3:::" + name)}
		if r.name != "us-east-1" {
			out.Location = ptr("http://" + name + ".s3.amazonaws.com/")
		}
		return out, nil
	})
}

func ipLike(name string) bool {
	_, err := parseIPv4(name)
	return err == nil
}

// DeleteBucket deletes an empty bucket: BucketNotEmpty while any version or delete
// marker is left.
func (c *s3Client) DeleteBucket(ctx context.Context, in *s3.DeleteBucketInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketOutput, error) {
	b, err := c.addressed("DeleteBucket", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "DeleteBucket", in, func(r *region) (*s3.DeleteBucketOutput, error) {
		if in == nil {
			in = &s3.DeleteBucketInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if !b.empty() {
			if b.versioning != "" {
				return nil, apiError("BucketNotEmpty", "The bucket you tried to delete is not empty. You must delete all versions in the bucket.")
			}
			return nil, apiError("BucketNotEmpty", "The bucket you tried to delete is not empty")
		}
		b.dead = true
		delete(s3Of(r).buckets, b.name)
		return &s3.DeleteBucketOutput{}, nil
	})
}

// GetBucketTagging returns the bucket's tags; NoSuchTagSet when it has none.
func (c *s3Client) GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	b, err := c.addressed("GetBucketTagging", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetBucketTagging", in, func(r *region) (*s3.GetBucketTaggingOutput, error) {
		if in == nil {
			in = &s3.GetBucketTaggingInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if len(b.tags) == 0 {
			return nil, apiError("NoSuchTagSet", "The TagSet does not exist")
		}
		out := &s3.GetBucketTaggingOutput{TagSet: []s3types.Tag{}}
		for _, t := range b.tags {
			out.TagSet = append(out.TagSet, s3types.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

// PutBucketTagging replaces the bucket's tags.
func (c *s3Client) PutBucketTagging(ctx context.Context, in *s3.PutBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	b, err := c.addressed("PutBucketTagging", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "PutBucketTagging", in, func(r *region) (*s3.PutBucketTaggingOutput, error) {
		if in == nil {
			in = &s3.PutBucketTaggingInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if in.Tagging == nil {
			return nil, apiError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		var tags tagList
		for _, t := range in.Tagging.TagSet {
			k := str(t.Key)
			if _, dup := tags.get(k); dup {
				return nil, apiError("InvalidTag", "Cannot provide multiple Tags with the same key")
			}
			if strings.HasPrefix(k, "aws:") {
				return nil, apiError("InvalidTag", "System tags cannot be added/updated by requester")
			}
			tags.set(k, str(t.Value))
		}
		if err := validTags(tags); err != nil {
			return nil, apiError("InvalidTag", "%v", err)
		}
		b.tags = tags
		return &s3.PutBucketTaggingOutput{}, nil
	})
}

// GetBucketLocation answers from any region: "" for us-east-1, else the region.
func (c *s3Client) GetBucketLocation(ctx context.Context, in *s3.GetBucketLocationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	b, err := c.addressed("GetBucketLocation", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetBucketLocation", in, func(r *region) (*s3.GetBucketLocationOutput, error) {
		if in == nil {
			in = &s3.GetBucketLocationInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), true)
		if err != nil {
			return nil, err
		}
		out := &s3.GetBucketLocationOutput{}
		if b.region != "us-east-1" {
			out.LocationConstraint = s3types.BucketLocationConstraint(b.region)
		}
		return out, nil
	})
}

// PutBucketVersioning turns versioning on (Enabled) or suspends it.
func (c *s3Client) PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error) {
	b, err := c.addressed("PutBucketVersioning", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "PutBucketVersioning", in, func(r *region) (*s3.PutBucketVersioningOutput, error) {
		if in == nil {
			in = &s3.PutBucketVersioningInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if in.VersioningConfiguration == nil {
			return nil, apiError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		switch st := in.VersioningConfiguration.Status; st {
		case s3types.BucketVersioningStatusEnabled, s3types.BucketVersioningStatusSuspended:
			b.versioning = st
		default:
			return nil, apiError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		return &s3.PutBucketVersioningOutput{}, nil
	})
}

// PutObject stores a new version of a key (only its size and ETag are kept).
func (c *s3Client) PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := c.addressed("PutObject", optFns)
	if err != nil {
		return nil, err
	}
	res, err := do(ctx, b, "s3", "PutObject", in, func(r *region) (s3Put, error) {
		if in == nil {
			in = &s3.PutObjectInput{}
		}
		h := md5.New()
		var size int64
		var body []byte
		if in.Body != nil {
			data, err := io.ReadAll(in.Body)
			if err != nil {
				return s3Put{}, fmt.Errorf("sim: s3 PutObject: read body: %w", err)
			}
			h.Write(data)
			body, size = data, int64(len(data))
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return s3Put{}, err
		}
		key := str(in.Key)
		switch {
		case key == "":
			return s3Put{}, apiError("InvalidArgument", "A key must be specified")
		case len(key) > 1024:
			return s3Put{}, apiError("KeyTooLongError", "Your key is too long")
		}
		id := "null"
		if b.versioning == s3types.BucketVersioningStatusEnabled {
			id = c.w.s3VersionID()
		} else {
			b.dropNull(key)
		}
		v := b.newVersion(c.w.now, id)
		v.etag, v.size, v.body, v.ctype = `"`+hex.EncodeToString(h.Sum(nil))+`"`, size, body, str(in.ContentType)
		b.add(key, v)
		out := &s3.PutObjectOutput{ETag: ptr(v.etag)}
		if b.versioning == s3types.BucketVersioningStatusEnabled {
			out.VersionId = ptr(id)
		}
		return s3Put{out, c.w.s3NotifyLocked(b, key, v, c.caller())}, nil
	})
	if err != nil {
		return nil, err
	}
	c.w.runDeliveries(ctx, res.deliveries) // the notifications' functions run after the lock
	return res.out, nil
}

// s3Put is PutObject's answer and the notification deliveries it makes.
type s3Put struct {
	out        *s3.PutObjectOutput
	deliveries []lambdaDelivery
}

// s3Entry is one row of ListObjectVersions: a version or a delete marker.
type s3Entry struct {
	key    string
	v      *s3Version
	latest bool
}

// ListObjectVersions lists versions and delete markers by key, newest first.
func (c *s3Client) ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, optFns ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	b, err := c.addressed("ListObjectVersions", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "ListObjectVersions", in, func(r *region) (*s3.ListObjectVersionsOutput, error) {
		if in == nil {
			in = &s3.ListObjectVersionsInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if str(in.Delimiter) != "" {
			return nil, apiError("NotImplemented", "The simulator does not model Delimiter in ListObjectVersions.")
		}
		maxKeys := int(i32(in.MaxKeys, 1000))
		if maxKeys < 0 {
			return nil, apiError("InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647")
		}
		maxKeys = min(maxKeys, 1000)
		keyMarker, vMarker := str(in.KeyMarker), str(in.VersionIdMarker)
		var markerSeq uint64
		if vMarker != "" {
			if keyMarker == "" {
				return nil, apiError("InvalidArgument", "A version-id marker cannot be specified without a key marker.")
			}
			if vMarker == "null" {
				for _, v := range b.keys[keyMarker] {
					if v.id == "null" {
						markerSeq = v.seq
					}
				}
			} else if s, ok := b.seqOf[vMarker]; ok {
				markerSeq = s
			} else {
				return nil, apiError("InvalidArgument", "Invalid version id specified")
			}
		}
		keys := make([]string, 0, len(b.keys))
		for k, vs := range b.keys {
			if len(vs) > 0 && strings.HasPrefix(k, str(in.Prefix)) && k >= keyMarker {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		out := &s3.ListObjectVersionsOutput{Name: ptr(b.name), Prefix: in.Prefix, KeyMarker: in.KeyMarker, VersionIdMarker: in.VersionIdMarker,
			MaxKeys: ptr(int32(maxKeys)), IsTruncated: ptr(false)}
		n := 0
		var last *s3Entry
		for _, k := range keys {
			for i, v := range b.keys[k] {
				if k == keyMarker && (vMarker == "" || (markerSeq != 0 && v.seq >= markerSeq) || (markerSeq == 0 && vMarker == "null")) {
					continue // at or before the marker
				}
				if n == maxKeys {
					out.IsTruncated = ptr(true)
					if last != nil {
						out.NextKeyMarker, out.NextVersionIdMarker = ptr(last.key), ptr(last.v.id)
					}
					return out, nil
				}
				n++
				last = &s3Entry{key: k, v: v, latest: i == 0}
				if v.marker {
					out.DeleteMarkers = append(out.DeleteMarkers, s3types.DeleteMarkerEntry{Key: ptr(k), VersionId: ptr(v.id), IsLatest: ptr(i == 0),
						LastModified: tptr(v.modified), Owner: s3Owner(b.account)})
				} else {
					out.Versions = append(out.Versions, s3types.ObjectVersion{Key: ptr(k), VersionId: ptr(v.id), IsLatest: ptr(i == 0),
						LastModified: tptr(v.modified), ETag: ptr(v.etag), Size: ptr(v.size), StorageClass: s3types.ObjectVersionStorageClassStandard,
						Owner: s3Owner(b.account)})
				}
			}
		}
		return out, nil
	})
}

// DeleteObjects deletes up to 1000 keys or versions in one request; each key's
// outcome is in Deleted (unless Quiet) or Errors.
func (c *s3Client) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	b, err := c.addressed("DeleteObjects", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "DeleteObjects", in, func(r *region) (*s3.DeleteObjectsOutput, error) {
		if in == nil {
			in = &s3.DeleteObjectsInput{}
		}
		b, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if in.Delete == nil || len(in.Delete.Objects) == 0 || len(in.Delete.Objects) > 1000 {
			return nil, apiError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		quiet := in.Delete.Quiet != nil && *in.Delete.Quiet
		out := &s3.DeleteObjectsOutput{}
		for _, o := range in.Delete.Objects {
			key, vid := str(o.Key), str(o.VersionId)
			if key == "" {
				out.Errors = append(out.Errors, s3types.Error{Key: o.Key, VersionId: o.VersionId, Code: ptr("InvalidArgument"), Message: ptr("Invalid key")})
				continue
			}
			d := s3types.DeletedObject{Key: ptr(key)}
			switch {
			case vid != "":
				d.VersionId = ptr(vid)
				vs := b.keys[key]
				for i, v := range vs {
					if v.id == vid {
						if v.marker {
							d.DeleteMarker, d.DeleteMarkerVersionId = ptr(true), ptr(vid)
						}
						b.keys[key] = append(vs[:i:i], vs[i+1:]...)
						break
					}
				}
			case b.versioning == "":
				delete(b.keys, key)
			default:
				id := "null"
				if b.versioning == s3types.BucketVersioningStatusEnabled {
					id = c.w.s3VersionID()
				} else {
					b.dropNull(key)
				}
				m := b.newVersion(c.w.now, id)
				m.marker = true
				b.add(key, m)
				d.DeleteMarker, d.DeleteMarkerVersionId = ptr(true), ptr(id)
			}
			if len(b.keys[key]) == 0 {
				delete(b.keys, key)
			}
			if !quiet {
				out.Deleted = append(out.Deleted, d)
			}
		}
		return out, nil
	})
}
