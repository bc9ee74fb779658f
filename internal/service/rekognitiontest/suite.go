package rekognitiontest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// RunConformanceTests runs the suite against the implementation h gives,
// one subtest per behaviour, each on a new collection:
//
//   - IndexFaces returns a FaceRecord per face, with a UUID FaceId, the
//     ImageId of the call, the ExternalImageId given (none if none), the
//     face's BoundingBox (ratios of the image) and Confidence (0-100]; a
//     photo without a face indexes nothing.
//   - IndexFaces with MaxFaces keeps the largest faces; the others are
//     UnindexedFaces with reason EXCEEDS_MAX_FACES, and are not stored.
//   - SearchFacesByImage matches the largest face of the image: faces of
//     its person at or above FaceMatchThreshold (default 80), not the
//     others, most similar first, at most MaxFaces; it reports the
//     SearchedFaceBoundingBox of that face, and an image without a face
//     is an InvalidParameterException saying there are no faces (which
//     the service tells apart from other invalid parameters).
//   - SearchFaces matches a stored face as SearchFacesByImage matches a
//     photo's, never the face itself; an unknown FaceId is an
//     InvalidParameterException.
//   - DescribeCollection counts the faces and the users.
//   - DetectFaces finds both faces of the group photo and none in the
//     photo without a face.
//   - DeleteFaces deletes faces (a later search no longer finds them) and
//     reports unknown FaceIds as UnsuccessfulFaceDeletions with reason
//     FACE_NOT_FOUND.
//   - CreateUser of an existing user succeeds when repeated with the
//     ClientRequestToken that created it, and is a ConflictException
//     otherwise; DeleteUser of a missing user, and AssociateFaces and
//     DisassociateFaces to one, are ResourceNotFoundException.
//   - AssociateFaces, DisassociateFaces and SearchUsersByImage group faces
//     into users and find them (faces that are missing or another user's
//     are reported unsuccessful, with reasons FACE_NOT_FOUND and
//     ASSOCIATED_TO_A_DIFFERENT_USER); DeleteFaces refuses a face of a
//     user (UnsuccessfulFaceDeletions, reason
//     ASSOCIATED_TO_AN_EXISTING_USER, with its UserId) until it leaves
//     the user; DeleteUser frees its faces. SearchUsersByImage of an
//     image without a face is no error: no SearchedFace, no UserMatches
//     (Rekognition API reference, SearchUsersByImage).
//   - Images Rekognition refuses, sent to IndexFaces, SearchFacesByImage,
//     SearchUsersByImage and DetectFaces: InvalidImageFormatException for
//     a file that is not JPEG or PNG, InvalidParameterException for one
//     under 80×80 pixels, ImageTooLargeException above 5 MB (IndexFaces
//     and DetectFaces only: such images are slow to send).
//   - Every call naming a collection that does not exist is a
//     ResourceNotFoundException.
func RunConformanceTests(t *testing.T, h Harness) {
	all := Photos()
	h.ShowPhotos(t, all)
	s := &suite{h: h, photos: map[string]Photo{}}
	for _, p := range all {
		s.photos[p.Name] = p
	}
	for _, tc := range []struct {
		name string
		test func(*testing.T, *suite)
	}{
		{"IndexFaces", testIndexFaces},
		{"IndexFacesMaxFaces", testIndexFacesMaxFaces},
		{"IndexFacesNoFace", testIndexFacesNoFace},
		{"SearchFacesByImage", testSearchFacesByImage},
		{"SearchFaces", testSearchFaces},
		{"DescribeCollection", testDescribeCollection},
		{"ListFacesOfUser", testListFacesOfUser},
		{"ListFacesOfAMissingUser", testListFacesOfAMissingUser},
		{"DetectFaces", testDetectFaces},
		{"DeleteFaces", testDeleteFaces},
		{"CreateUser", testCreateUser},
		{"UserFaces", testUserFaces},
		{"ImageErrors", testImageErrors},
		{"UnknownCollection", testUnknownCollection},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, s) })
	}
}

// suite is the state shared by the subtests.
type suite struct {
	h      Harness
	photos map[string]Photo
}

// collection is the new collection of one subtest.
type collection struct {
	t      *testing.T
	rek    service.Rekognition
	id     *string
	photos map[string]Photo
}

func (s *suite) collection(t *testing.T) *collection {
	t.Helper()
	rek, id := s.h.NewCollection(t)
	return &collection{t: t, rek: rek, id: aws.String(id), photos: s.photos}
}

// photo returns the sample photo name.
func (c *collection) photo(name string) Photo {
	c.t.Helper()
	p, ok := c.photos[name]
	if !ok {
		c.t.Fatalf("no sample photo %q", name)
	}
	return p
}

// image returns the sample photo name as an Image of bytes.
func (c *collection) image(name string) *types.Image {
	c.t.Helper()
	return &types.Image{Bytes: c.photo(name).Data}
}

// index indexes the photo name with the ExternalImageId external (none if
// "") and MaxFaces maxFaces (unset if 0). It fails the test on error.
func (c *collection) index(name, external string, maxFaces int32) *rekognition.IndexFacesOutput {
	c.t.Helper()
	in := &rekognition.IndexFacesInput{CollectionId: c.id, Image: c.image(name)}
	if external != "" {
		in.ExternalImageId = aws.String(external)
	}
	if maxFaces != 0 {
		in.MaxFaces = aws.Int32(maxFaces)
	}
	out, err := c.rek.IndexFaces(c.t.Context(), in)
	if err != nil {
		c.t.Fatalf("IndexFaces of %s: %v", name, err)
	}
	return out
}

// indexOne indexes the photo name, which shows one face, with its name as
// ExternalImageId, and returns the FaceId.
func (c *collection) indexOne(name string) string {
	c.t.Helper()
	out := c.index(name, name, 0)
	if len(out.FaceRecords) != 1 || out.FaceRecords[0].Face == nil {
		c.t.Fatalf("IndexFaces of %s: %d face records, want 1", name, len(out.FaceRecords))
	}
	return aws.ToString(out.FaceRecords[0].Face.FaceId)
}

// search calls SearchFacesByImage with the photo name; threshold and
// maxFaces are left unset when nil.
func (c *collection) search(name string, threshold *float32, maxFaces *int32) (*rekognition.SearchFacesByImageOutput, error) {
	c.t.Helper()
	return c.rek.SearchFacesByImage(c.t.Context(), &rekognition.SearchFacesByImageInput{
		CollectionId: c.id, Image: c.image(name), FaceMatchThreshold: threshold, MaxFaces: maxFaces,
	})
}

// mustSearch is search failing the test on error.
func (c *collection) mustSearch(name string, threshold *float32, maxFaces *int32) *rekognition.SearchFacesByImageOutput {
	c.t.Helper()
	out, err := c.search(name, threshold, maxFaces)
	if err != nil {
		c.t.Fatalf("SearchFacesByImage of %s: %v", name, err)
	}
	return out
}

// searchUsers calls SearchUsersByImage with the photo name.
func (c *collection) searchUsers(name string) (*rekognition.SearchUsersByImageOutput, error) {
	c.t.Helper()
	return c.rek.SearchUsersByImage(c.t.Context(), &rekognition.SearchUsersByImageInput{CollectionId: c.id, Image: c.image(name)})
}

// createUser calls CreateUser; token is left unset when nil.
func (c *collection) createUser(user string, token *string) error {
	c.t.Helper()
	_, err := c.rek.CreateUser(c.t.Context(), &rekognition.CreateUserInput{CollectionId: c.id, UserId: aws.String(user), ClientRequestToken: token})
	return err
}

// deleteFaces calls DeleteFaces, failing the test on error.
func (c *collection) deleteFaces(ids ...string) *rekognition.DeleteFacesOutput {
	c.t.Helper()
	out, err := c.rek.DeleteFaces(c.t.Context(), &rekognition.DeleteFacesInput{CollectionId: c.id, FaceIds: ids})
	if err != nil {
		c.t.Fatalf("DeleteFaces %v: %v", ids, err)
	}
	return out
}

// missingFaceID is a well-formed FaceId that no collection holds.
const missingFaceID = "00000000-0000-4000-8000-000000000000"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// personAt returns the Person of the face of p whose Box holds the centre
// of b, or "" if there is none (or b is nil).
func personAt(p Photo, b *types.BoundingBox) string {
	if b == nil {
		return ""
	}
	x := aws.ToFloat32(b.Left) + aws.ToFloat32(b.Width)/2
	y := aws.ToFloat32(b.Top) + aws.ToFloat32(b.Height)/2
	for _, f := range p.Faces {
		l, t := aws.ToFloat32(f.Box.Left), aws.ToFloat32(f.Box.Top)
		if x >= l && x <= l+aws.ToFloat32(f.Box.Width) && y >= t && y <= t+aws.ToFloat32(f.Box.Height) {
			return f.Person
		}
	}
	return ""
}

// boxError describes what is wrong with b as the box of a face lying
// inside its image (as every face of the sample photos does), or is "".
func boxError(b *types.BoundingBox) string {
	if b == nil || b.Left == nil || b.Top == nil || b.Width == nil || b.Height == nil {
		return fmt.Sprintf("incomplete bounding box %+v", b)
	}
	const eps = 1e-6
	l, t, w, h := *b.Left, *b.Top, *b.Width, *b.Height
	if l < -eps || t < -eps || w <= 0 || h <= 0 || l+w > 1+eps || t+h > 1+eps {
		return fmt.Sprintf("bounding box [%v %v %v %v] is not a box of ratios inside the image", l, t, w, h)
	}
	return ""
}

// checkFace checks the box and confidence of a face reported in the
// photo name, and returns its person ("" if it is none of the photo's
// faces).
func (c *collection) checkFace(what, name string, b *types.BoundingBox, confidence *float32) string {
	c.t.Helper()
	if msg := boxError(b); msg != "" {
		c.t.Errorf("%s: %s", what, msg)
		return ""
	}
	if conf := aws.ToFloat32(confidence); confidence == nil || conf <= 0 || conf > 100 {
		c.t.Errorf("%s: Confidence %v, want (0, 100]", what, conf)
	}
	person := personAt(c.photo(name), b)
	if person == "" {
		c.t.Errorf("%s: box %s is at no face of %s", what, boxString(b), name)
	}
	return person
}

func boxString(b *types.BoundingBox) string {
	return fmt.Sprintf("[%.3f %.3f %.3f %.3f]", aws.ToFloat32(b.Left), aws.ToFloat32(b.Top), aws.ToFloat32(b.Width), aws.ToFloat32(b.Height))
}

// checkRecord checks a FaceRecord of IndexFaces of the photo name with
// the ExternalImageId external (nil: none), and returns the face's
// person.
func (c *collection) checkRecord(r types.FaceRecord, name string, external *string) string {
	c.t.Helper()
	f := r.Face
	if f == nil || r.FaceDetail == nil {
		c.t.Errorf("IndexFaces of %s: FaceRecord without Face or FaceDetail: %+v", name, r)
		return ""
	}
	if !uuidPattern.MatchString(aws.ToString(f.FaceId)) || !uuidPattern.MatchString(aws.ToString(f.ImageId)) {
		c.t.Errorf("IndexFaces of %s: FaceId %q, ImageId %q; want UUIDs", name, aws.ToString(f.FaceId), aws.ToString(f.ImageId))
	}
	if (f.ExternalImageId == nil) != (external == nil) || aws.ToString(f.ExternalImageId) != aws.ToString(external) {
		c.t.Errorf("IndexFaces of %s: ExternalImageId %v, want %v", name, ptrString(f.ExternalImageId), ptrString(external))
	}
	person := c.checkFace("IndexFaces of "+name+": Face", name, f.BoundingBox, f.Confidence)
	if detail := c.checkFace("IndexFaces of "+name+": FaceDetail", name, r.FaceDetail.BoundingBox, r.FaceDetail.Confidence); detail != person {
		c.t.Errorf("IndexFaces of %s: the Face is of %q, its FaceDetail of %q", name, person, detail)
	}
	return person
}

func ptrString(s *string) string {
	if s == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *s)
}

// wantError fails t unless err is (or wraps) an E, the SDK's typed error,
// and returns it.
func wantError[E error](t *testing.T, what string, err error) (E, bool) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Errorf("%s: error %v (%T), want a %T", what, err, err, target)
		return target, false
	}
	return target, true
}

// wantNoFace fails t unless err is Rekognition's answer to an image
// without a face: an InvalidParameterException whose message says there
// are no faces (the service tells it apart by those words).
func wantNoFace(t *testing.T, what string, err error) {
	t.Helper()
	if ipe, ok := wantError[*types.InvalidParameterException](t, what, err); ok && !strings.Contains(strings.ToLower(ipe.ErrorMessage()), "no faces") {
		t.Errorf("%s: message %q does not say there are no faces", what, ipe.ErrorMessage())
	}
}

// failures returns the FaceIds of unsuccessful face operations with their
// reasons joined by "+" and, if any, " of " their UserId.
func failures[T any, R ~string](items []T, get func(T) (*string, *string, []R)) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		id, user, reasons := get(it)
		s := make([]string, len(reasons))
		for i, r := range reasons {
			s[i] = string(r)
		}
		out[aws.ToString(id)] = strings.Join(s, "+")
		if user != nil {
			out[aws.ToString(id)] += " of " + *user
		}
	}
	return out
}

func deletionFailures(u []types.UnsuccessfulFaceDeletion) map[string]string {
	return failures(u, func(d types.UnsuccessfulFaceDeletion) (*string, *string, []types.UnsuccessfulFaceDeletionReason) {
		return d.FaceId, d.UserId, d.Reasons
	})
}

func associationFailures(u []types.UnsuccessfulFaceAssociation) map[string]string {
	return failures(u, func(d types.UnsuccessfulFaceAssociation) (*string, *string, []types.UnsuccessfulFaceAssociationReason) {
		return d.FaceId, d.UserId, d.Reasons
	})
}

func disassociationFailures(u []types.UnsuccessfulFaceDisassociation) map[string]string {
	return failures(u, func(d types.UnsuccessfulFaceDisassociation) (*string, *string, []types.UnsuccessfulFaceDisassociationReason) {
		return d.FaceId, d.UserId, d.Reasons
	})
}

// faceID returns the FaceId of r, or "" if it has no Face.
func faceID(r types.FaceRecord) string {
	if r.Face == nil {
		return ""
	}
	return aws.ToString(r.Face.FaceId)
}

// imageID returns the ImageId of r, or "" if it has no Face.
func imageID(r types.FaceRecord) string {
	if r.Face == nil {
		return ""
	}
	return aws.ToString(r.Face.ImageId)
}

// matchIDs returns the FaceIds of matches, in order.
func matchIDs(matches []types.FaceMatch) []string {
	ids := make([]string, len(matches))
	for i, m := range matches {
		if m.Face != nil {
			ids[i] = aws.ToString(m.Face.FaceId)
		}
	}
	return ids
}

// checkSimilarities fails t unless the similarities of matches are in
// [0, 100], most similar first, and at least min for the first n.
func checkSimilarities(t *testing.T, what string, matches []types.FaceMatch, n int, min float32) {
	t.Helper()
	for i, m := range matches {
		s := aws.ToFloat32(m.Similarity)
		switch {
		case m.Similarity == nil || s < 0 || s > 100:
			t.Errorf("%s: match %d has Similarity %v, want [0, 100]", what, i, s)
		case i < n && s < min:
			t.Errorf("%s: match %d has Similarity %v, want at least %v", what, i, s, min)
		case i > 0 && s > aws.ToFloat32(matches[i-1].Similarity):
			t.Errorf("%s: match %d is more similar (%v) than match %d (%v)", what, i, s, i-1, aws.ToFloat32(matches[i-1].Similarity))
		}
	}
}

const defaultThreshold = float32(contract.DefaultFaceMatchThreshold)

func testIndexFaces(t *testing.T, s *suite) {
	c := s.collection(t)
	one := c.index(obama1, obama1, 0)
	if len(one.FaceRecords) != 1 || len(one.UnindexedFaces) != 0 {
		t.Fatalf("IndexFaces of %s: %d face records and %d unindexed faces, want 1 and 0", obama1, len(one.FaceRecords), len(one.UnindexedFaces))
	}
	if p := c.checkRecord(one.FaceRecords[0], obama1, aws.String(obama1)); p != personObama {
		t.Errorf("IndexFaces of %s indexed the face of %q", obama1, p)
	}
	if aws.ToString(one.FaceModelVersion) == "" {
		t.Errorf("IndexFaces of %s: no FaceModelVersion", obama1)
	}

	two := c.index(group, "uploads:group.jpg", 0)
	if len(two.FaceRecords) != 2 || len(two.UnindexedFaces) != 0 {
		t.Fatalf("IndexFaces of %s: %d face records and %d unindexed faces, want 2 and 0", group, len(two.FaceRecords), len(two.UnindexedFaces))
	}
	var persons []string
	for _, r := range two.FaceRecords {
		persons = append(persons, c.checkRecord(r, group, aws.String("uploads:group.jpg")))
	}
	if slices.Sort(persons); !slices.Equal(persons, []string{personBiden, personObama}) {
		t.Errorf("IndexFaces of %s indexed the faces of %q, want one of each person", group, persons)
	}
	if a, b, other := imageID(two.FaceRecords[0]), imageID(two.FaceRecords[1]), imageID(one.FaceRecords[0]); a != b || a == other {
		t.Errorf("ImageIds %q and %q of one call, %q of another: want one per call", a, b, other)
	}
	ids := []string{faceID(one.FaceRecords[0]), faceID(two.FaceRecords[0]), faceID(two.FaceRecords[1])}
	if slices.Sort(ids); len(slices.Compact(ids)) != 3 {
		t.Errorf("FaceIds are not distinct: %q", ids)
	}

	three := c.index(collins, "", 0)
	if len(three.FaceRecords) != 1 {
		t.Fatalf("IndexFaces of %s: %d face records, want 1", collins, len(three.FaceRecords))
	}
	c.checkRecord(three.FaceRecords[0], collins, nil)
}

func testIndexFacesMaxFaces(t *testing.T, s *suite) {
	c := s.collection(t)
	p := c.photo(group)
	out := c.index(group, group, 1)
	if len(out.FaceRecords) != 1 || len(out.UnindexedFaces) != 1 {
		t.Fatalf("IndexFaces of %s with MaxFaces 1: %d face records and %d unindexed faces, want 1 and 1", group, len(out.FaceRecords), len(out.UnindexedFaces))
	}
	if got := c.checkRecord(out.FaceRecords[0], group, aws.String(group)); got != p.Faces[0].Person {
		t.Errorf("indexed the face of %q, want the largest (%q)", got, p.Faces[0].Person)
	}
	u := out.UnindexedFaces[0]
	if !slices.Equal(u.Reasons, []types.Reason{types.ReasonExceedsMaxFaces}) {
		t.Errorf("unindexed face: Reasons %v, want [EXCEEDS_MAX_FACES]", u.Reasons)
	}
	if u.FaceDetail == nil {
		t.Errorf("unindexed face without FaceDetail")
	} else if got := c.checkFace("unindexed face", group, u.FaceDetail.BoundingBox, u.FaceDetail.Confidence); got != p.Faces[1].Person {
		t.Errorf("left out the face of %q, want the smaller (%q)", got, p.Faces[1].Person)
	}
	// The face left out is not in the collection: at threshold 0 a search
	// of its person finds only the indexed face.
	res := c.mustSearch(biden2, aws.Float32(0), nil)
	if got, want := matchIDs(res.FaceMatches), []string{faceID(out.FaceRecords[0])}; !slices.Equal(got, want) {
		t.Errorf("search at threshold 0 after indexing one face of two: FaceIds %q, want %q", got, want)
	}
}

func testIndexFacesNoFace(t *testing.T, s *suite) {
	c := s.collection(t)
	out := c.index(rocket, rocket, 0)
	if len(out.FaceRecords) != 0 || len(out.UnindexedFaces) != 0 {
		t.Errorf("IndexFaces of %s: %d face records and %d unindexed faces, want none", rocket, len(out.FaceRecords), len(out.UnindexedFaces))
	}
	if res := c.mustSearch(obama1, aws.Float32(0), nil); len(res.FaceMatches) != 0 {
		t.Errorf("search at threshold 0 after indexing no face: %d matches, want none", len(res.FaceMatches))
	}
}

func testSearchFacesByImage(t *testing.T, s *suite) {
	c := s.collection(t)
	ids := map[string]string{}
	for _, name := range []string{obama1, biden2, collins} {
		ids[c.photo(name).Faces[0].Person] = c.indexOne(name)
	}

	out := c.mustSearch(obama2, nil, nil)
	if got := c.checkFace("SearchedFace of "+obama2, obama2, out.SearchedFaceBoundingBox, out.SearchedFaceConfidence); got != personObama {
		t.Errorf("searched the face of %q", got)
	}
	if got, want := matchIDs(out.FaceMatches), []string{ids[personObama]}; !slices.Equal(got, want) {
		t.Fatalf("search of %s at the default threshold: FaceIds %q, want %q (%s only)", obama2, got, want, obama1)
	}
	checkSimilarities(t, "search of "+obama2, out.FaceMatches, 1, defaultThreshold)
	m := out.FaceMatches[0].Face
	if !uuidPattern.MatchString(aws.ToString(m.ImageId)) || aws.ToString(m.ExternalImageId) != obama1 {
		t.Errorf("matched face: ImageId %q, ExternalImageId %q; want a UUID and %q", aws.ToString(m.ImageId), aws.ToString(m.ExternalImageId), obama1)
	}
	c.checkFace("matched face", obama1, m.BoundingBox, m.Confidence)

	// At threshold 0 every face matches, most similar first, at most
	// MaxFaces.
	out = c.mustSearch(obama2, aws.Float32(0), aws.Int32(2))
	got := matchIDs(out.FaceMatches)
	if len(got) != 2 || got[0] != ids[personObama] || (got[1] != ids[personBiden] && got[1] != ids[personCollins]) {
		t.Errorf("search of %s at threshold 0 with MaxFaces 2: FaceIds %q, want %s's face then another (ids %v)", obama2, got, obama1, ids)
	}
	checkSimilarities(t, "search at threshold 0", out.FaceMatches, 1, defaultThreshold)
	if len(out.FaceMatches) == 2 && aws.ToFloat32(out.FaceMatches[1].Similarity) >= defaultThreshold {
		t.Errorf("another person's face has Similarity %v, want under %v", aws.ToFloat32(out.FaceMatches[1].Similarity), defaultThreshold)
	}

	// The largest face of a photo is searched.
	out = c.mustSearch(group, aws.Float32(defaultThreshold), nil)
	largest := c.photo(group).Faces[0].Person
	if got := c.checkFace("SearchedFace of "+group, group, out.SearchedFaceBoundingBox, out.SearchedFaceConfidence); got != largest {
		t.Errorf("search of %s searched the face of %q, want the largest (%q)", group, got, largest)
	}
	if got, want := matchIDs(out.FaceMatches), []string{ids[largest]}; !slices.Equal(got, want) {
		t.Errorf("search of %s: FaceIds %q, want %q", group, got, want)
	}

	_, err := c.search(rocket, nil, nil)
	wantNoFace(t, "search of "+rocket, err)
}

func testDetectFaces(t *testing.T, s *suite) {
	c := s.collection(t)
	out, err := c.rek.DetectFaces(t.Context(), &rekognition.DetectFacesInput{Image: c.image(group)})
	if err != nil {
		t.Fatal(err)
	}
	var persons []string
	for i, d := range out.FaceDetails {
		persons = append(persons, c.checkFace(fmt.Sprintf("DetectFaces of %s: face %d", group, i), group, d.BoundingBox, d.Confidence))
	}
	if slices.Sort(persons); !slices.Equal(persons, []string{personBiden, personObama}) {
		t.Errorf("DetectFaces of %s found the faces of %q, want one of each person", group, persons)
	}
	out, err = c.rek.DetectFaces(t.Context(), &rekognition.DetectFacesInput{Image: c.image(rocket)})
	if err != nil || len(out.FaceDetails) != 0 {
		t.Errorf("DetectFaces of %s: %v, %v; want no face", rocket, out, err)
	}
}

func testDeleteFaces(t *testing.T, s *suite) {
	c := s.collection(t)
	obama, biden := c.indexOne(obama1), c.indexOne(biden2)
	out := c.deleteFaces(obama, missingFaceID)
	if !slices.Equal(out.DeletedFaces, []string{obama}) {
		t.Errorf("DeletedFaces %q, want %q", out.DeletedFaces, obama)
	}
	if got, want := deletionFailures(out.UnsuccessfulFaceDeletions), map[string]string{missingFaceID: "FACE_NOT_FOUND"}; !maps.Equal(got, want) {
		t.Errorf("UnsuccessfulFaceDeletions %v, want %v", got, want)
	}
	if got, want := matchIDs(c.mustSearch(obama2, aws.Float32(0), nil).FaceMatches), []string{biden}; !slices.Equal(got, want) {
		t.Errorf("search at threshold 0 after the delete: FaceIds %q, want %q", got, want)
	}
	out = c.deleteFaces(obama)
	if got, want := deletionFailures(out.UnsuccessfulFaceDeletions), map[string]string{obama: "FACE_NOT_FOUND"}; len(out.DeletedFaces) != 0 || !maps.Equal(got, want) {
		t.Errorf("DeleteFaces of a deleted face: DeletedFaces %q, UnsuccessfulFaceDeletions %v; want none and %v", out.DeletedFaces, got, want)
	}
}

func testCreateUser(t *testing.T, s *suite) {
	c := s.collection(t)
	ctx := t.Context()
	if err := c.createUser("user-1", aws.String("token-1")); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := c.createUser("user-1", aws.String("token-1")); err != nil {
		t.Errorf("CreateUser repeated with its ClientRequestToken: %v, want the same response (success)", err)
	}
	wantError[*types.ConflictException](t, "CreateUser of an existing user with another ClientRequestToken", c.createUser("user-1", aws.String("token-2")))
	wantError[*types.ConflictException](t, "CreateUser of an existing user without a ClientRequestToken", c.createUser("user-1", nil))
	if err := c.createUser("user-2", nil); err != nil {
		t.Errorf("CreateUser of a second user: %v", err)
	}

	deleteUser := func(user string) error {
		_, err := c.rek.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: c.id, UserId: aws.String(user)})
		return err
	}
	if err := deleteUser("user-1"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	wantError[*types.ResourceNotFoundException](t, "DeleteUser of a deleted user", deleteUser("user-1"))
	if err := c.createUser("user-1", aws.String("token-3")); err != nil {
		t.Errorf("CreateUser of a deleted user: %v", err)
	}
	_, err := c.rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: c.id, UserId: aws.String("user-3"), FaceIds: []string{missingFaceID}})
	wantError[*types.ResourceNotFoundException](t, "AssociateFaces to a missing user", err)
	_, err = c.rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: c.id, UserId: aws.String("user-3"), FaceIds: []string{missingFaceID}})
	wantError[*types.ResourceNotFoundException](t, "DisassociateFaces from a missing user", err)
}

func testUserFaces(t *testing.T, s *suite) {
	c := s.collection(t)
	ctx := t.Context()
	o1, o2, b := c.indexOne(obama1), c.indexOne(obama2), c.indexOne(biden2)
	const obama, biden = "obama:1", "biden:1"
	for _, u := range []string{obama, biden} {
		if err := c.createUser(u, nil); err != nil {
			t.Fatalf("CreateUser %s: %v", u, err)
		}
	}
	associate := func(user string, ids ...string) (associated []string, failed map[string]string) {
		t.Helper()
		out, err := c.rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: c.id, UserId: aws.String(user), FaceIds: ids})
		if err != nil {
			t.Fatalf("AssociateFaces %v to %s: %v", ids, user, err)
		}
		for _, f := range out.AssociatedFaces {
			associated = append(associated, aws.ToString(f.FaceId))
		}
		slices.Sort(associated)
		return associated, associationFailures(out.UnsuccessfulFaceAssociations)
	}
	sorted := func(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }
	if got, failed := associate(obama, o1, o2, missingFaceID); !slices.Equal(got, sorted(o1, o2)) || !maps.Equal(failed, map[string]string{missingFaceID: "FACE_NOT_FOUND"}) {
		t.Errorf("AssociateFaces of two faces and a missing one: associated %q, unsuccessful %v", got, failed)
	}
	if got, failed := associate(obama, o1); !slices.Equal(got, []string{o1}) || len(failed) != 0 {
		t.Errorf("AssociateFaces of a face of the user: associated %q, unsuccessful %v; want it associated", got, failed)
	}
	if got, failed := associate(biden, b, o1); !slices.Equal(got, []string{b}) || !maps.Equal(failed, map[string]string{o1: "ASSOCIATED_TO_A_DIFFERENT_USER of " + obama}) {
		t.Errorf("AssociateFaces of a face and another user's: associated %q, unsuccessful %v", got, failed)
	}

	searchUsers := func(name string) []string {
		t.Helper()
		out, err := c.searchUsers(name)
		if err != nil {
			t.Fatalf("SearchUsersByImage of %s: %v", name, err)
		}
		var users []string
		for i, m := range out.UserMatches {
			if s := aws.ToFloat32(m.Similarity); m.Similarity == nil || s < defaultThreshold || s > 100 {
				t.Errorf("SearchUsersByImage of %s: match %d has Similarity %v, want [%v, 100]", name, i, s, defaultThreshold)
			}
			if m.User == nil {
				t.Fatalf("SearchUsersByImage of %s: match %d has no User", name, i)
			}
			users = append(users, aws.ToString(m.User.UserId))
		}
		if out.SearchedFace == nil || out.SearchedFace.FaceDetail == nil {
			t.Errorf("SearchUsersByImage of %s: no SearchedFace", name)
		} else if got, want := c.checkFace("SearchUsersByImage of "+name+": SearchedFace", name, out.SearchedFace.FaceDetail.BoundingBox, out.SearchedFace.FaceDetail.Confidence), c.photo(name).Faces[0].Person; got != want {
			t.Errorf("SearchUsersByImage of %s searched the face of %q, want the largest (%q)", name, got, want)
		}
		return users
	}
	if got := searchUsers(group); !slices.Equal(got, []string{obama}) {
		t.Errorf("SearchUsersByImage of %s: users %q, want %q", group, got, obama)
	}
	if got := searchUsers(biden2); !slices.Equal(got, []string{biden}) {
		t.Errorf("SearchUsersByImage of %s: users %q, want %q", biden2, got, biden)
	}
	if out, err := c.searchUsers(rocket); err != nil || out.SearchedFace != nil || len(out.UserMatches) != 0 {
		t.Errorf("SearchUsersByImage of %s: %+v, %v; want no SearchedFace, no UserMatches and no error", rocket, out, err)
	}

	out := c.deleteFaces(o1)
	if got, want := deletionFailures(out.UnsuccessfulFaceDeletions), map[string]string{o1: "ASSOCIATED_TO_AN_EXISTING_USER of " + obama}; len(out.DeletedFaces) != 0 || !maps.Equal(got, want) {
		t.Errorf("DeleteFaces of a face of a user: DeletedFaces %q, UnsuccessfulFaceDeletions %v; want none and %v", out.DeletedFaces, got, want)
	}
	dis, err := c.rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: c.id, UserId: aws.String(obama), FaceIds: []string{o1, b, missingFaceID}})
	if err != nil {
		t.Fatalf("DisassociateFaces: %v", err)
	}
	if len(dis.DisassociatedFaces) != 1 || aws.ToString(dis.DisassociatedFaces[0].FaceId) != o1 {
		t.Errorf("DisassociatedFaces %+v, want %s only", dis.DisassociatedFaces, o1)
	}
	if got, want := disassociationFailures(dis.UnsuccessfulFaceDisassociations), map[string]string{b: "ASSOCIATED_TO_A_DIFFERENT_USER of " + biden, missingFaceID: "FACE_NOT_FOUND"}; !maps.Equal(got, want) {
		t.Errorf("UnsuccessfulFaceDisassociations %v, want %v", got, want)
	}
	if out = c.deleteFaces(o1); !slices.Equal(out.DeletedFaces, []string{o1}) {
		t.Errorf("DeleteFaces of a face that left its user: DeletedFaces %q, UnsuccessfulFaceDeletions %v", out.DeletedFaces, deletionFailures(out.UnsuccessfulFaceDeletions))
	}

	if _, err := c.rek.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: c.id, UserId: aws.String(obama)}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got := searchUsers(obama1); len(got) != 0 {
		t.Errorf("SearchUsersByImage of %s after DeleteUser: users %q, want none", obama1, got)
	}
	if out = c.deleteFaces(o2); !slices.Equal(out.DeletedFaces, []string{o2}) {
		t.Errorf("DeleteFaces of a face of a deleted user: DeletedFaces %q, UnsuccessfulFaceDeletions %v", out.DeletedFaces, deletionFailures(out.UnsuccessfulFaceDeletions))
	}
}

func testImageErrors(t *testing.T, s *suite) {
	c := s.collection(t)
	ctx := t.Context()
	var tiny bytes.Buffer
	if err := png.Encode(&tiny, image.NewGray(image.Rect(0, 0, contract.MinImageDimension-1, contract.MinImageDimension-1))); err != nil {
		t.Fatal(err)
	}
	large := make([]byte, contract.MaxImageBytes+1)
	copy(large, c.photo(obama1).Data)
	calls := []struct {
		name  string
		large bool // also send an image over 5 MB (slow to sign and send: two calls do)
		call  func(*types.Image) error
	}{
		{"IndexFaces", true, func(img *types.Image) error {
			_, err := c.rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: c.id, Image: img})
			return err
		}},
		{"SearchFacesByImage", false, func(img *types.Image) error {
			_, err := c.rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{CollectionId: c.id, Image: img})
			return err
		}},
		{"SearchUsersByImage", false, func(img *types.Image) error {
			_, err := c.rek.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: c.id, Image: img})
			return err
		}},
		{"DetectFaces", true, func(img *types.Image) error {
			_, err := c.rek.DetectFaces(ctx, &rekognition.DetectFacesInput{Image: img})
			return err
		}},
	}
	for _, call := range calls {
		img := func(b []byte) *types.Image { return &types.Image{Bytes: b} }
		wantError[*types.InvalidImageFormatException](t, call.name+" of a PDF", call.call(img([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"))))
		wantError[*types.InvalidParameterException](t, call.name+" of a 79×79 PNG", call.call(img(tiny.Bytes())))
		if call.large {
			wantError[*types.ImageTooLargeException](t, call.name+" of more than 5 MB", call.call(img(large)))
		}
	}
}

func testUnknownCollection(t *testing.T, s *suite) {
	c := s.collection(t)
	ctx := t.Context()
	none := aws.String("no-such-collection")
	img := c.image(obama1)
	user := aws.String("user-1")
	for _, call := range []struct {
		name string
		call func() error
	}{
		{"IndexFaces", func() error {
			_, err := c.rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: none, Image: img})
			return err
		}},
		{"SearchFacesByImage", func() error {
			_, err := c.rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{CollectionId: none, Image: img})
			return err
		}},
		{"DeleteFaces", func() error {
			_, err := c.rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: none, FaceIds: []string{missingFaceID}})
			return err
		}},
		{"CreateUser", func() error {
			_, err := c.rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: none, UserId: user})
			return err
		}},
		{"AssociateFaces", func() error {
			_, err := c.rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: none, UserId: user, FaceIds: []string{missingFaceID}})
			return err
		}},
		{"DisassociateFaces", func() error {
			_, err := c.rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: none, UserId: user, FaceIds: []string{missingFaceID}})
			return err
		}},
		{"SearchUsersByImage", func() error {
			_, err := c.rek.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: none, Image: img})
			return err
		}},
		{"DeleteUser", func() error {
			_, err := c.rek.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: none, UserId: user})
			return err
		}},
	} {
		wantError[*types.ResourceNotFoundException](t, call.name+" in a collection that does not exist", call.call())
	}
}
