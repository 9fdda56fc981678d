package sim

// Amazon Rekognition: DetectLabels, as Lab 1's labelling function calls it.
//   - the image is Image.S3Object (Bucket, Name, optional Version) or Image.Bytes
//     (at most 5 MB); exactly one. An S3 object is read with the CALLER's
//     permissions, as Rekognition does: the caller needs s3:GetObject on it (IAM-
//     evaluated for a role's clients), and the bucket must be in the client's
//     region; a missing object, a bucket elsewhere or a denied read is
//     InvalidS3ObjectException "Unable to get object metadata from S3. Check
//     object key, region and/or access permissions.". An image that is neither
//     JPEG nor PNG (by its first bytes) is InvalidImageFormatException;
//   - the labels are deterministic: drawn from a fixed list by a hash of the
//     bucket and key (or of the bytes), with confidences from 99.x down, filtered
//     by MinConfidence (default 55) and cut at MaxLabels (default 1000);
//   - calls are limited per account and region (the TPS quota): a token bucket of
//     rekognitionTPS, refilled per second of simulated time; past it,
//     ProvisionedThroughputExceededException. World.SetRekognitionTPS changes it.
//
// Its IAM resource is "*" (the Service Authorization Reference lists no resource
// type for rekognition:DetectLabels). Not modelled: Features/Settings (image
// properties), bounding boxes, label categories beyond one per label, and every
// other operation.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rktypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("rekognition", func(b base, c *cloud.Clients) { c.Rekognition = &rekognitionClient{b} })
}

// rekognitionClient implements cloud.Rekognition.
type rekognitionClient struct{ base }

var _ cloud.Rekognition = (*rekognitionClient)(nil)

// rekognitionTPS is DetectLabels' default transactions per second per account
// and region assumed here (AWS's quota page lists the current defaults).
const rekognitionTPS = 50

type rekognitionState struct {
	tps        float64
	tokens     float64
	refilledAt time.Time
}

func rekognitionOf(r *region) *rekognitionState {
	return state(r, "rekognition", func() *rekognitionState {
		return &rekognitionState{tps: rekognitionTPS, tokens: rekognitionTPS, refilledAt: r.w.now}
	})
}

// SetRekognitionTPS sets the DetectLabels rate limit of an account's region
// (tests: a burst that throttles; a class's raised quota).
func (w *World) SetRekognitionTPS(acct, regionName string, tps float64) {
	if acct == "" {
		acct = w.defAcct
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	st := rekognitionOf(w.regionLocked(acct, regionName))
	st.tps, st.tokens, st.refilledAt = tps, tps, w.now
}

// rekognitionLabels is the list labels are drawn from, with their category.
var rekognitionLabels = [][2]string{
	{"Person", "Person Description"}, {"Dog", "Animals and Pets"}, {"Cat", "Animals and Pets"}, {"Tree", "Plants and Flowers"},
	{"Car", "Vehicles and Automotive"}, {"Building", "Buildings and Architecture"}, {"Beach", "Nature and Outdoors"},
	{"Mountain", "Nature and Outdoors"}, {"Food", "Food and Beverage"}, {"Flower", "Plants and Flowers"},
	{"Bicycle", "Vehicles and Automotive"}, {"Sky", "Nature and Outdoors"}, {"Water", "Nature and Outdoors"},
	{"Animal", "Animals and Pets"}, {"Plant", "Plants and Flowers"}, {"Outdoors", "Nature and Outdoors"},
	{"City", "Buildings and Architecture"}, {"Furniture", "Home and Indoors"}, {"Text", "Text and Documents"}, {"Smile", "Person Description"},
}

func invalidS3Object() error {
	return &rktypes.InvalidS3ObjectException{Message: ptr("Unable to get object metadata from S3. Check object key, region and/or access permissions.")}
}

func rkInvalid(m string) error { return &rktypes.InvalidParameterException{Message: ptr(m)} }

// isImage reports whether data starts as a JPEG or a PNG does.
func isImage(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}) || bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
}

// DetectLabels labels an image.
func (c *rekognitionClient) DetectLabels(ctx context.Context, in *rekognition.DetectLabelsInput, _ ...func(*rekognition.Options)) (*rekognition.DetectLabelsOutput, error) {
	return do(ctx, c.base, "rekognition", "DetectLabels", in, func(r *region) (*rekognition.DetectLabelsOutput, error) {
		st := rekognitionOf(r)
		now := c.w.now
		// The rate limit comes first, as AWS throttles before reading the request.
		st.tokens = min(st.tps, st.tokens+st.tps*now.Sub(st.refilledAt).Seconds())
		st.refilledAt = now
		if st.tokens < 1 {
			return nil, &rktypes.ProvisionedThroughputExceededException{Message: ptr("Provisioned rate exceeded")}
		}
		st.tokens--
		if in == nil || in.Image == nil {
			return nil, rkInvalid("Request has invalid parameters")
		}
		img := in.Image
		var seed []byte
		switch {
		case img.S3Object != nil && img.Bytes != nil, img.S3Object == nil && img.Bytes == nil:
			return nil, rkInvalid("Request has invalid parameters")
		case img.Bytes != nil:
			if len(img.Bytes) > 5*1024*1024 {
				return nil, &rktypes.ImageTooLargeException{Message: ptr("Image size is too large.")}
			}
			if !isImage(img.Bytes) {
				return nil, &rktypes.InvalidImageFormatException{Message: ptr("Request has invalid image format")}
			}
			seed = img.Bytes
		default:
			o := img.S3Object
			bk := c.w.s3Find(str(o.Bucket))
			if bk == nil || bk.region != r.name {
				return nil, invalidS3Object()
			}
			var v *s3Version
			if id := str(o.Version); id != "" {
				for _, x := range bk.keys[str(o.Name)] {
					if x.id == id && !x.marker {
						v = x
					}
				}
			} else {
				v = bk.latest(str(o.Name))
			}
			if v == nil || v.marker {
				return nil, invalidS3Object()
			}
			if bk.account != r.account || !c.w.callerMayLocked(c.base, "s3:GetObject", "arn:aws:s3:::"+bk.name+"/"+str(o.Name)) {
				return nil, invalidS3Object()
			}
			if v.size > 15*1024*1024 {
				return nil, &rktypes.ImageTooLargeException{Message: ptr("Image size is too large.")}
			}
			if !isImage(v.body) {
				return nil, &rktypes.InvalidImageFormatException{Message: ptr("Request has invalid image format")}
			}
			seed = []byte(bk.name + "/" + str(o.Name))
		}
		minConf := float32(55)
		if in.MinConfidence != nil {
			if *in.MinConfidence < 0 || *in.MinConfidence > 100 {
				return nil, rkInvalid("Request has invalid parameters")
			}
			minConf = *in.MinConfidence
		}
		maxLabels := 1000
		if in.MaxLabels != nil {
			if *in.MaxLabels < 0 {
				return nil, rkInvalid("Request has invalid parameters")
			}
			maxLabels = int(*in.MaxLabels)
		}
		out := &rekognition.DetectLabelsOutput{LabelModelVersion: ptr("3.0"), Labels: []rktypes.Label{}}
		for _, l := range detectedLabels(seed) {
			if len(out.Labels) >= maxLabels || l.conf < minConf {
				break
			}
			out.Labels = append(out.Labels, rktypes.Label{Name: ptr(l.name), Confidence: ptr(l.conf),
				Instances: []rktypes.Instance{}, Parents: []rktypes.Parent{}, Aliases: []rktypes.LabelAlias{},
				Categories: []rktypes.LabelCategory{{Name: ptr(l.category)}}})
		}
		return out, nil
	})
}

type detected struct {
	name, category string
	conf           float32
}

// detectedLabels are an image's labels, most confident first: 3 to 7 distinct
// labels chosen by the seed's hash, with decreasing confidences.
func detectedLabels(seed []byte) []detected {
	h := sha256.Sum256(seed)
	n := 3 + int(h[0])%5
	used := map[int]bool{}
	conf := float32(99) + float32(h[1]%100)/100
	var out []detected
	for i := 0; len(out) < n && i < 15; i++ {
		k := int(binary.BigEndian.Uint16(h[2+2*i:4+2*i])) % len(rekognitionLabels)
		if used[k] {
			continue
		}
		used[k] = true
		out = append(out, detected{rekognitionLabels[k][0], rekognitionLabels[k][1], conf})
		conf -= 4 + float32(h[(i+20)%32]%200)/100
	}
	return out
}
