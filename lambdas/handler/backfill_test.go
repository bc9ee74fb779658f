package handler

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service"
)

// The simulated backfill runs the real index handler and service core
// behind the SQS event source model of faults_test.go, on a model clock
// the pacing waits on, with in-memory stand-ins: at 100,000 objects the
// loopback HTTP stand-ins of awstest would take minutes of CPU, so the
// parts here are plain Go values implementing the service's interfaces
// (only the calls the index path makes).

// modelClock is a service.Clock whose time moves only when the code under
// test sleeps or the event source model advances it. Its epoch is a
// century ahead, so that the deadlines of contexts on it never pass in
// real time.
type modelClock struct {
	epoch   time.Time
	elapsed time.Duration
}

func newModelClock() *modelClock {
	return &modelClock{epoch: time.Now().Add(100 * 365 * 24 * time.Hour)}
}

func (c *modelClock) Now() time.Time { return c.epoch.Add(c.elapsed) }

func (c *modelClock) Sleep(ctx context.Context, d time.Duration) error {
	c.elapsed += max(d, 0)
	return ctx.Err()
}

// Elapsed is the model time since the start.
func (c *modelClock) Elapsed() time.Duration { return c.elapsed }

// AdvanceTo moves the clock to t unless it is later already.
func (c *modelClock) AdvanceTo(t time.Duration) { c.elapsed = max(c.elapsed, t) }

// quotaRekognition stands in for Rekognition's IndexFaces and DeleteFaces
// with a quota: it accepts at most perSecond IndexFaces calls in any
// second of the model clock, throttling the others
// (ProvisionedThroughputExceededException), and throttles a share
// throttled of the calls within the quota at random. Each accepted call
// indexes one face of the image.
type quotaRekognition struct {
	service.Rekognition
	clock     *modelClock
	perSecond int
	throttled float64
	rng       *rand.Rand

	accepted            []time.Duration // model times of the accepted calls
	overQuota, atRandom int
	faces               map[string]string // FaceId → ExternalImageId
	facesOfImage        map[string]int    // ExternalImageId → faces indexed, ever
	ids                 int
}

func (r *quotaRekognition) IndexFaces(_ context.Context, in *rekognition.IndexFacesInput, _ ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	now := r.clock.Elapsed()
	recent := 0
	for i := len(r.accepted) - 1; i >= 0 && r.accepted[i] > now-time.Second; i-- {
		recent++
	}
	if recent >= r.perSecond {
		r.overQuota++
		return nil, &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "Provisioned rate exceeded"}
	}
	if r.rng.Float64() < r.throttled {
		r.atRandom++
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	r.accepted = append(r.accepted, now)
	r.ids++
	id := fmt.Sprintf("face-%06d", r.ids)
	ext := aws.ToString(in.ExternalImageId)
	r.faces[id] = ext
	r.facesOfImage[ext]++
	return &rekognition.IndexFacesOutput{FaceRecords: []rtypes.FaceRecord{{Face: &rtypes.Face{
		FaceId: aws.String(id), ImageId: aws.String("image-" + id), ExternalImageId: in.ExternalImageId,
		BoundingBox: &rtypes.BoundingBox{Width: aws.Float32(0.5), Height: aws.Float32(0.5), Left: aws.Float32(0.25), Top: aws.Float32(0.25)},
		Confidence:  aws.Float32(99.9),
	}}}}, nil
}

func (r *quotaRekognition) DeleteFaces(_ context.Context, in *rekognition.DeleteFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DeleteFacesOutput, error) {
	for _, id := range in.FaceIds {
		delete(r.faces, id)
	}
	return &rekognition.DeleteFacesOutput{DeletedFaces: in.FaceIds}, nil
}

// memoryObjects is a bucket in which every key of keys holds image.
type memoryObjects struct {
	service.ObjectGetter
	image []byte
	keys  map[string]bool
}

func (o memoryObjects) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if !o.keys[aws.ToString(in.Key)] {
		return nil, &s3types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.image)), ContentLength: aws.Int64(int64(len(o.image))), ETag: aws.String(`"e"`)}, nil
}

// memoryTable is a service.FaceTable in memory, for the calls of the index
// path.
type memoryTable struct {
	service.FaceTable
	images map[string]service.ImageItem
	faces  map[string]service.FaceItem
	byKey  map[string][]string // object key → FaceIds
}

func (m *memoryTable) GetImage(_ context.Context, bucket, key string) (*service.ImageItem, error) {
	img, ok := m.images[bucket+"/"+key]
	if !ok {
		return nil, nil
	}
	return &img, nil
}

func (m *memoryTable) PutImage(_ context.Context, img service.ImageItem, prevVersion int) error {
	if m.images[img.Bucket+"/"+img.Key].Version != prevVersion {
		return service.ErrVersionConflict
	}
	m.images[img.Bucket+"/"+img.Key] = img
	return nil
}

func (m *memoryTable) PutFaces(_ context.Context, faces []service.FaceItem) error {
	for _, f := range faces {
		m.faces[f.FaceID] = f
		m.byKey[f.Key] = append(m.byKey[f.Key], f.FaceID)
	}
	return nil
}

func (m *memoryTable) FacesOfObject(_ context.Context, _, key string) ([]service.FaceItem, error) {
	var out []service.FaceItem
	for _, id := range m.byKey[key] {
		if f, ok := m.faces[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

func (m *memoryTable) DeleteItems(_ context.Context, ids []string) error {
	for _, id := range ids {
		delete(m.faces, id)
	}
	return nil
}

// TestBackfill_pacedToTheQuota is the simulated backfill: 100,000
// objects, each sent to the queue as the Backfill state machine sends it
// (contract.BackfillMessage), indexed by the real handler and service,
// paced at 5 IndexFaces a second on the model clock, against a Rekognition
// that allows 5 a second and throttles 20% of the calls at random. Every
// object ends indexed exactly once, nothing is dead-lettered or lost, no
// call exceeds the quota, every throttled message waits as a new delayed
// message (no failed receive), and the backfill takes 100,000 / 5 seconds
// of model time, within 10%.
func TestBackfill_pacedToTheQuota(t *testing.T) {
	const objects, rate = 100_000, 5
	if testing.Short() {
		t.Skip("100,000 objects")
	}
	clock := newModelClock()
	rek := &quotaRekognition{clock: clock, perSecond: rate, throttled: 0.2, rng: rand.New(rand.NewPCG(11, 5)),
		faces: map[string]string{}, facesOfImage: map[string]int{}}
	keys := make([]string, objects)
	bucket := memoryObjects{image: awstest.PNG(t, 96, 96, color.RGBA{R: 1, G: 2, B: 3, A: 255}), keys: map[string]bool{}}
	for i := range keys {
		keys[i] = fmt.Sprintf("index/photo %06d.jpg", i)
		bucket.keys[keys[i]] = true
	}
	table := &memoryTable{images: map[string]service.ImageItem{}, faces: map[string]service.FaceItem{}, byKey: map[string][]string{}}
	cfg, err := contract.FromEnv(func(k string) string {
		return map[string]string{contract.EnvCollectionID: "c", contract.EnvTableName: "t"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	svc := service.New(cfg, service.PaceIndexFaces(rek, service.NewPacer(rate, clock)), bucket, table, quiet)

	src := &eventSource{t: t, rng: rand.New(rand.NewPCG(11, 1)), duplicates: 0.001, Receives: map[string]int{}, Failed: map[string]int{},
		clock: clock, maxInvocations: 2 * objects}
	requeued := 0
	src.handle = NewIndexer(svc, quiet, WithRequeue(func(_ context.Context, body string, delay time.Duration) error {
		requeued++
		src.SendDelayed([]byte(body), delay)
		return nil
	})).Handle
	for _, k := range keys {
		src.Send([]byte(contract.BackfillMessage("facerec-images", k)))
	}
	src.Run()

	if len(src.dlq) != 0 || len(src.Failed) != 0 {
		t.Errorf("%d messages dead-lettered, %d failed a receive; want none", len(src.dlq), len(src.Failed))
	}
	if rek.overQuota != 0 {
		t.Errorf("%d IndexFaces calls over the quota of %d a second", rek.overQuota, rate)
	}
	if len(rek.faces) != objects || len(table.faces) != objects {
		t.Errorf("%d faces in the collection and %d face items for %d objects", len(rek.faces), len(table.faces), objects)
	}
	lost, twice := 0, 0
	for _, k := range keys {
		img := table.images["facerec-images/"+k]
		switch n := rek.facesOfImage[service.ExternalImageID(k)]; {
		case img.Status != contract.StatusIndexed || len(img.FaceIDs) != 1 || n == 0:
			lost++
		case n > 1:
			twice++
		}
	}
	if lost != 0 || twice != 0 {
		t.Errorf("%d objects not indexed, %d indexed more than once", lost, twice)
	}
	want := time.Duration(objects/rate) * time.Second
	if got := src.now; got < want || got > want+want/10 {
		t.Errorf("the backfill took %v of model time, want %v to %v", got, want, want+want/10)
	}
	if requeued != rek.atRandom || requeued < objects/10 {
		t.Errorf("%d messages sent again for %d throttled calls", requeued, rek.atRandom)
	}
	if len(src.Duplicated) == 0 {
		t.Error("no message was delivered twice")
	}
	t.Logf("%d objects in %v of model time (%.2f a second): %d calls throttled at random and sent again, %d duplicate deliveries, %d invocations",
		objects, src.now, float64(objects)/src.now.Seconds(), rek.atRandom, len(src.Duplicated), src.invocations)
}
