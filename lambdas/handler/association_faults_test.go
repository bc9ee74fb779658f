package handler

import (
	"fmt"
	"image/color"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// TestIndexPath_associationUnderThrottling: images uploaded with a person
// go through the queue consumer while Rekognition throttles 90% of the
// calls, AssociateFaces and CreateUser included. No image is ever
// `indexed` with its face not associated with its person's user; every
// image ends indexed (associated), pending (its face recorded, its
// association left to the sweeper) or dead-lettered: none is lost, none
// indexed twice. Once the throttling stops, the sweeper associates the
// pending ones without the queue, and a redrive indexes the dead letters:
// then every image is indexed once and associated.
func TestIndexPath_associationUnderThrottling(t *testing.T) {
	h := newFaultHarness(t)
	const images = 40
	keys := make([]string, images)
	personOf := map[string]string{}
	for i := range images {
		img := awstest.PNG(t, 96, 96, color.RGBA{R: uint8(i), G: 7, B: 199, A: 255})
		person := fmt.Sprintf("person %d", i%8)
		h.env.Rek.SetFaces(img, servicetest.Face(person, 0.3, 0.2, 0.4, 0.5))
		keys[i] = fmt.Sprintf("index/p-%03d.png", i)
		personOf[keys[i]] = person
		h.env.PutObject(t, keys[i], img, map[string]string{contract.PersonMetadataKey: person})
	}
	h.env.Rek.FailRandomly(21, 0.9, 0)
	src := newEventSource(t, h, 21, 0.02)
	for _, k := range keys {
		src.Send(s3Event(h.env.Bucket, "ObjectCreated:Put", k))
	}
	src.Run()

	// check counts the images by state and fails on any indexed without
	// association, indexed twice or lost.
	check := func(stage string, dead map[string]bool) (indexed, pending int) {
		t.Helper()
		userOf := map[string]string{}
		for _, f := range h.env.Rek.Faces() {
			for _, k := range keys {
				if service.ExternalImageID(k) == f.ExternalImageID {
					userOf[k] = f.UserID
				}
			}
		}
		for k, st := range imageStates(t, h, keys) {
			switch {
			case st.collectionFaces > 1 || st.itemsOfFace > 1:
				t.Errorf("%s: %s indexed twice: %+v", stage, k, st)
			case st.status == contract.StatusIndexed && (st.collectionFaces != 1 || userOf[k] != service.UserID(personOf[k])):
				t.Errorf("%s: %s is indexed, but its face is not associated with its person (%+v, user %q)", stage, k, st, userOf[k])
			case st.status == contract.StatusIndexed:
				indexed++
			case st.status == contract.StatusPending && st.collectionFaces == 1 && st.itemsOfFace == 1:
				pending++
			case !dead[k]:
				t.Errorf("%s: %s was lost: %+v, not in the dead-letter queue", stage, k, st)
			}
		}
		return indexed, pending
	}
	dead := assertDeadLettersExplained(t, h, src)
	indexed, pending := check("under throttling", dead)
	throttled, _ := h.env.Rek.RandomFaults()
	t.Logf("under 90%% throttling: %d Rekognition calls throttled; %d images indexed, %d pending, %d dead-lettered", throttled, indexed, pending, len(dead))
	if pending == 0 {
		t.Fatal("no image was left pending, so the association path went untested (pick another seed)")
	}

	h.env.Rek.FailRandomly(0, 0, 0)
	res, err := h.core.Service.Sweep(t.Context(), time.Now().Add(contract.MaxIndexRunSeconds*time.Second))
	if err != nil || res.AssociationsRetried != pending {
		t.Fatalf("sweep: %+v, %v; want the %d pending images associated", res, err, pending)
	}
	src.Redrive()
	src.Run()
	if indexed, pending := check("after the sweep and a redrive", nil); indexed != images || pending != 0 {
		t.Errorf("after the sweep and a redrive: %d of %d images indexed, %d pending", indexed, images, pending)
	}
	if n := len(h.env.Rek.Faces()); n != images {
		t.Errorf("%d faces in the collection for %d images", n, images)
	}
}
