package service_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// checkObamaAttributes checks that a are the attributes the stand-in gives
// obama_1.jpg's face, servicetest.Face("obama", 0.35, 0.2, 0.3, 0.4): the
// landmarks placed in that box, roll 1.5, yaw -4, pitch 2, brightness 70
// and sharpness 80.
func checkObamaAttributes(t *testing.T, what string, a contract.FaceAttributes) {
	t.Helper()
	want := []contract.Landmark{
		{Type: "eyeLeft", X: 0.44, Y: 0.36}, {Type: "eyeRight", X: 0.56, Y: 0.36},
		{Type: "nose", X: 0.5, Y: 0.44},
		{Type: "mouthLeft", X: 0.455, Y: 0.52}, {Type: "mouthRight", X: 0.545, Y: 0.52},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
	if len(a.Landmarks) != len(want) {
		t.Fatalf("%s: landmarks %+v, want %+v", what, a.Landmarks, want)
	}
	for i, l := range a.Landmarks {
		if l.Type != want[i].Type || !near(l.X, want[i].X) || !near(l.Y, want[i].Y) {
			t.Errorf("%s: landmark %d = %+v, want %+v", what, i, l, want[i])
		}
	}
	if p := a.Pose; p == nil || !near(p.Roll, 1.5) || !near(p.Yaw, -4) || !near(p.Pitch, 2) {
		t.Errorf("%s: pose %+v, want roll 1.5, yaw -4, pitch 2", what, p)
	}
	if q := a.Quality; q == nil || !near(q.Brightness, 70) || !near(q.Sharpness, 80) {
		t.Errorf("%s: quality %+v, want brightness 70, sharpness 80", what, q)
	}
}

// TestFaceAttributes_storedAtIndexAndAnswered indexes a photo and finds
// the landmarks, pose and quality of IndexFaces' FaceDetail in the image's
// status, the face, the list of faces and the person; a search of all faces
// answers DetectFaces' attributes.
func TestFaceAttributes_storedAtIndexAndAnswered(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")

	st := h.status(t, "obama_1.jpg")
	if len(st.Faces) != 1 {
		t.Fatalf("status faces = %+v", st.Faces)
	}
	checkObamaAttributes(t, "status", st.Faces[0].FaceAttributes)
	face, err := h.Service.Face(t.Context(), st.Faces[0].FaceID)
	if err != nil {
		t.Fatal(err)
	}
	checkObamaAttributes(t, "face", face.FaceAttributes)
	list, err := h.Service.ListFaces(t.Context(), "", 10, "")
	if err != nil || len(list.Faces) != 1 {
		t.Fatalf("ListFaces = %+v, %v", list, err)
	}
	checkObamaAttributes(t, "list", list.Faces[0].FaceAttributes)
	person, err := h.Service.Person(t.Context(), "obama")
	if err != nil || len(person.Faces) != 1 {
		t.Fatalf("Person = %+v, %v", person, err)
	}
	checkObamaAttributes(t, "person", person.Faces[0].FaceAttributes)

	res := h.searchAll(t, photos.MustRead("group_obama_biden.jpg"))
	if len(res.Faces) != 2 {
		t.Fatalf("SearchAll faces = %+v", res.Faces)
	}
	for i, f := range res.Faces {
		if len(f.Landmarks) != 5 || f.Pose == nil || f.Quality == nil {
			t.Errorf("SearchAll face %d has attributes %+v", i, f.FaceAttributes)
		}
		for _, l := range f.Landmarks {
			b := f.BoundingBox
			if l.X < b.Left || l.X > b.Left+b.Width || l.Y < b.Top || l.Y > b.Top+b.Height {
				t.Errorf("SearchAll face %d: landmark %+v outside its box %+v", i, l, b)
			}
		}
	}
}

// TestFaceAttributes_leftOutWhenUnknown checks that a face without
// attributes (indexed before they were stored) answers none of the
// members, rather than empty ones.
func TestFaceAttributes_leftOutWhenUnknown(t *testing.T) {
	b, err := json.Marshal(contract.Face{FaceID: "f"})
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"landmarks", "pose", "quality"} {
		if strings.Contains(string(b), `"`+member+`"`) {
			t.Errorf("%s has %s", b, member)
		}
	}
}
