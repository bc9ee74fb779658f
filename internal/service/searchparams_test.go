package service_test

import (
	"math"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestWithSearchParams_thresholdAndMaxFacesApplyToEverySearch indexes
// obama and biden and searches obama_2.jpg: with the configured threshold
// only obama matches; with threshold 0 biden matches too, and maxFaces 1
// keeps the most similar only, in Search, SearchAll and SearchPersons. The
// service the params were applied to keeps its configured values.
func TestWithSearchParams_thresholdAndMaxFacesApplyToEverySearch(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.indexPhoto(t, "index/biden_2.jpg", "biden_2.jpg", "biden")
	img := photos.MustRead("obama_2.jpg")
	zero, one, two := 0.0, 1, 2

	if res := h.search(t, img); len(res.Faces) != 1 || len(res.Faces[0].Matches) != 1 {
		t.Fatalf("configured search: %+v, want obama only", res)
	}
	low, err := h.Service.WithSearchParams(service.SearchParams{FaceMatchThreshold: &zero, MaxFaces: &two})
	if err != nil {
		t.Fatal(err)
	}
	res, err := low.Search(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Faces[0].Matches; len(m) != 2 || m[0].Person != "obama" || m[1].Person != "biden" {
		t.Fatalf("threshold 0: matches %+v, want obama then biden", m)
	}
	persons, err := low.SearchPersons(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	if p := persons.Faces[0].Persons; len(p) != 2 || p[0].Person != "obama" {
		t.Fatalf("threshold 0 by person: %+v, want obama then biden", p)
	}

	first, err := h.Service.WithSearchParams(service.SearchParams{FaceMatchThreshold: &zero, MaxFaces: &one})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := first.Search(t.Context(), img); err != nil || len(res.Faces[0].Matches) != 1 || res.Faces[0].Matches[0].Person != "obama" {
		t.Fatalf("maxFaces 1: %+v, %v; want obama only", res, err)
	}
	if res, err := first.SearchPersons(t.Context(), img); err != nil || len(res.Faces[0].Persons) != 1 || res.Faces[0].Persons[0].Person != "obama" {
		t.Fatalf("maxFaces 1 by person: %+v, %v; want obama only", res, err)
	}
	h.Rek.RecognizeCrops(t, photos.MustRead("group_obama_biden.jpg"))
	all, err := first.SearchAll(t.Context(), photos.MustRead("group_obama_biden.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all.Faces {
		if f.Reason == "" && len(f.Matches) != 1 {
			t.Errorf("maxFaces 1, every face: face %+v has %d matches, want 1", f.BoundingBox, len(f.Matches))
		}
	}

	if c := h.Service.Config(); c.FaceMatchThreshold != contract.DefaultFaceMatchThreshold || c.MaxFaces != contract.DefaultMaxFaces {
		t.Errorf("the configured service changed: threshold %v, maxFaces %d", c.FaceMatchThreshold, c.MaxFaces)
	}
}

// TestWithSearchParams_refusesValuesOutOfBounds checks the bounds: 0-100
// for the threshold (Rekognition's), 1-100 for maxFaces, NaN refused.
func TestWithSearchParams_refusesValuesOutOfBounds(t *testing.T) {
	h := newHarness(t)
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	for _, tc := range []struct {
		p  service.SearchParams
		ok bool
	}{
		{service.SearchParams{FaceMatchThreshold: f(0)}, true},
		{service.SearchParams{FaceMatchThreshold: f(100)}, true},
		{service.SearchParams{FaceMatchThreshold: f(-0.5)}, false},
		{service.SearchParams{FaceMatchThreshold: f(100.01)}, false},
		{service.SearchParams{FaceMatchThreshold: f(math.NaN())}, false},
		{service.SearchParams{MaxFaces: n(1)}, true},
		{service.SearchParams{MaxFaces: n(contract.MaxSearchMaxFaces)}, true},
		{service.SearchParams{MaxFaces: n(0)}, false},
		{service.SearchParams{MaxFaces: n(contract.MaxSearchMaxFaces + 1)}, false},
	} {
		s, err := h.Service.WithSearchParams(tc.p)
		if tc.ok != (err == nil) || (err == nil) != (s != nil) {
			t.Errorf("%+v: service %v, error %v; want ok %v", tc.p, s != nil, err, tc.ok)
			continue
		}
		if err != nil {
			if e := service.AsError(err); e.Kind != service.KindBadRequest || e.Code != contract.CodeInvalidParameter {
				t.Errorf("%+v: error %+v, want 400 %s", tc.p, e, contract.CodeInvalidParameter)
			}
		}
	}
}
