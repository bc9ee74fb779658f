package service_test

import (
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestCompare verifies a photo against a second photo, an indexed face and
// a person, at the configured threshold and at a request's, and refuses
// photos without a face, unknown FaceIds and unknown persons.
func TestCompare(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.indexPhoto(t, "index/biden_2.jpg", "biden_2.jpg", "biden")
	obamaFace := h.status(t, "obama_1.jpg").Faces[0].FaceID
	bidenFace := h.status(t, "biden_2.jpg").Faces[0].FaceID
	ctx := t.Context()
	obama2, noFace := photos.MustRead("obama_2.jpg"), photos.MustRead("noface_rocket.jpg")
	same, other := float64(awstest.SameIdentitySimilarity), float64(awstest.OtherIdentitySimilarity)
	threshold := h.Config.FaceMatchThreshold
	if !(other < threshold && threshold <= same) {
		t.Fatalf("the configured threshold %g does not separate the stand-in's similarities %g and %g", threshold, other, same)
	}

	lenient, err := h.Service.WithSearchParams(service.SearchParams{FaceMatchThreshold: new(float64)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		svc     *service.Service
		compare func(*service.Service) (*contract.Comparison, error)
		want    contract.Comparison
	}{
		{"same person's photos", h.Service, func(s *service.Service) (*contract.Comparison, error) {
			return s.CompareImages(ctx, obama2, photos.MustRead("obama_1.jpg"))
		}, contract.Comparison{Similarity: same, Threshold: threshold, Match: true}},
		{"group photo: its most similar face", h.Service, func(s *service.Service) (*contract.Comparison, error) {
			return s.CompareImages(ctx, obama2, photos.MustRead("group_obama_biden.jpg"))
		}, contract.Comparison{Similarity: same, Threshold: threshold, Match: true}},
		{"other person's photo", h.Service, func(s *service.Service) (*contract.Comparison, error) {
			return s.CompareImages(ctx, obama2, photos.MustRead("biden_2.jpg"))
		}, contract.Comparison{Similarity: other, Threshold: threshold, Match: false}},
		{"other person's photo at threshold 0", lenient, func(s *service.Service) (*contract.Comparison, error) {
			return s.CompareImages(ctx, obama2, photos.MustRead("biden_2.jpg"))
		}, contract.Comparison{Similarity: other, Threshold: 0, Match: true}},
		{"own indexed face", h.Service, func(s *service.Service) (*contract.Comparison, error) { return s.CompareFace(ctx, obama2, obamaFace) },
			contract.Comparison{Similarity: same, Threshold: threshold, Match: true}},
		{"other indexed face", h.Service, func(s *service.Service) (*contract.Comparison, error) { return s.CompareFace(ctx, obama2, bidenFace) },
			contract.Comparison{Similarity: other, Threshold: threshold, Match: false}},
		{"own person", h.Service, func(s *service.Service) (*contract.Comparison, error) { return s.ComparePerson(ctx, obama2, "obama") },
			contract.Comparison{Similarity: same, Threshold: threshold, Match: true}},
		{"other person", h.Service, func(s *service.Service) (*contract.Comparison, error) { return s.ComparePerson(ctx, obama2, "biden") },
			contract.Comparison{Similarity: other, Threshold: threshold, Match: false}},
	} {
		got, err := c.compare(c.svc)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if abs := got.Similarity - c.want.Similarity; abs > 1e-4 || abs < -1e-4 || got.Threshold != c.want.Threshold || got.Match != c.want.Match {
			t.Errorf("%s: %+v, want %+v", c.name, *got, c.want)
		}
	}

	for _, c := range []struct {
		name string
		err  error
		want service.Kind
	}{
		{"source without a face", func() error { _, err := h.Service.CompareImages(ctx, noFace, obama2); return err }(), service.KindBadRequest},
		{"target without a face", func() error { _, err := h.Service.CompareImages(ctx, obama2, noFace); return err }(), service.KindBadRequest},
		{"no source", func() error { _, err := h.Service.CompareImages(ctx, nil, obama2); return err }(), service.KindBadRequest},
		{"face: source without a face", func() error { _, err := h.Service.CompareFace(ctx, noFace, obamaFace); return err }(), service.KindBadRequest},
		{"unknown FaceId", func() error {
			_, err := h.Service.CompareFace(ctx, obama2, "3f1a7b2e-0000-4000-8000-00000000dead")
			return err
		}(), service.KindNotFound},
		{"person: source without a face", func() error { _, err := h.Service.ComparePerson(ctx, noFace, "obama"); return err }(), service.KindBadRequest},
		{"unknown person", func() error { _, err := h.Service.ComparePerson(ctx, obama2, "nobody"); return err }(), service.KindNotFound},
	} {
		if kindOf(c.err) != c.want {
			t.Errorf("%s: %v, want kind %v", c.name, c.err, c.want)
		}
	}
}
