package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/offline"
)

// TestServe_searchByPerson indexes obama twice and biden once with
// `facerec serve` and its local engine, then searches by person over
// HTTP: obama_2.jpg finds obama first, with both his faces; once obama_1.jpg
// is deleted (its face leaves obama's user first), obama has one face left.
// GET /persons and GET /persons/{person} list both persons and obama's
// faces and images.
func TestServe_searchByPerson(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"obama_2.jpg", "obama"}, upload{"biden_2.jpg", "biden"})
	ctx := context.Background()
	for _, f := range []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg"} {
		waitIndexed(t, c, f)
	}
	searchByPerson := func() []contract.PersonMatch {
		t.Helper()
		resp, err := http.Post(srv.url+"/search?by=person", "image/jpeg", bytes.NewReader(photos.MustRead("obama_2.jpg")))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res contract.SearchResult
		if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK || len(res.Faces) != 1 {
			t.Fatalf("search by person: %d %+v %v", resp.StatusCode, res, err)
		}
		return res.Faces[0].Persons
	}
	if p := searchByPerson(); len(p) == 0 || p[0].Person != "obama" || len(p[0].FaceIDs) != 2 {
		t.Fatalf("search by person of obama_2.jpg: %+v, want obama first with two faces", p)
	}
	persons, err := c.AllPersons(ctx, 1)
	if err != nil || len(persons) != 2 {
		t.Fatalf("persons: %+v %v", persons, err)
	}
	for _, p := range persons {
		if want := map[string]int{"obama": 2, "biden": 1}[p.Person]; p.FaceCount != want || p.UserID != service.UserID(p.Person) {
			t.Errorf("person %+v, want %d faces", p, want)
		}
	}
	resp, err := http.Get(srv.url + "/persons/obama")
	if err != nil {
		t.Fatal(err)
	}
	var obama contract.Person
	err = json.NewDecoder(resp.Body).Decode(&obama)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(obama.Faces) != 2 || strings.Join(obama.Images, ",") != "index/obama_1.jpg,index/obama_2.jpg" {
		t.Errorf("GET /persons/obama: %d %+v %v", resp.StatusCode, obama, err)
	}
	if _, err := c.Delete(ctx, "obama_1.jpg"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for p := searchByPerson(); len(p) == 0 || p[0].Person != "obama" || len(p[0].FaceIDs) != 1; p = searchByPerson() {
		if time.Now().After(deadline) {
			t.Fatalf("after deleting obama_1.jpg: %+v, want obama with one face", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServe_deletePerson indexes obama twice and biden once with `facerec
// serve`, then erases obama with `facerec delete --person`: both obama
// images are deleted, a search of obama_2.jpg by person no longer finds
// obama, and GET /persons lists biden only.
func TestServe_deletePerson(t *testing.T) {
	dir := t.TempDir()
	srv, c := serveAndUpload(t, dir, upload{"obama_1.jpg", "obama"}, upload{"obama_2.jpg", "obama"}, upload{"biden_2.jpg", "biden"})
	ctx := context.Background()
	for _, f := range []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg"} {
		waitIndexed(t, c, f)
	}
	var out bytes.Buffer
	if err := deleteImages(ctx, []string{"--endpoint", srv.url, "--person", "obama"}, &out, io.Discard); err != nil {
		t.Fatalf("facerec delete --person obama: %v", err)
	}
	if want := "person obama: deleted 2 faces and 2 images (index/obama_1.jpg, index/obama_2.jpg); kept 0 images\n"; out.String() != want {
		t.Errorf("facerec delete --person obama printed %q, want %q", out.String(), want)
	}
	resp, err := http.Post(srv.url+"/search?by=person", "image/jpeg", bytes.NewReader(photos.MustRead("obama_2.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	var res contract.SearchResult
	err = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(res.Faces) != 1 {
		t.Fatalf("search by person: %d %+v %v", resp.StatusCode, res, err)
	}
	for _, p := range res.Faces[0].Persons {
		if p.Person == "obama" {
			t.Errorf("search by person of obama_2.jpg still finds obama: %+v", p)
		}
	}
	persons, err := c.AllPersons(ctx, 10)
	if err != nil || len(persons) != 1 || persons[0].Person != "biden" {
		t.Errorf("persons after erasing obama: %+v %v", persons, err)
	}
	if err := deleteImages(ctx, []string{"--endpoint", srv.url, "--person", "obama"}, io.Discard, io.Discard); err == nil {
		t.Error("erasing obama twice succeeded")
	}

	// No orphans in the real local parts: collection, users, table, bucket.
	waitIndexed(t, c, "biden_2.jpg")
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	l, err := offline.Open(offline.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n := l.Rekognition.Len(); n != 1 {
		t.Errorf("the local collection holds %d faces after erasing obama, want biden's 1", n)
	}
	users, err := l.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{
		CollectionId: aws.String(offline.CollectionID), Image: &rtypes.Image{Bytes: photos.MustRead("obama_1.jpg")},
		UserMatchThreshold: aws.Float32(0)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users.UserMatches {
		ids = append(ids, aws.ToString(u.User.UserId))
	}
	if slices.Contains(ids, service.UserID("obama")) || !slices.Contains(ids, service.UserID("biden")) {
		t.Errorf("local users %v: want biden's and not obama's", ids)
	}
	for _, key := range []string{"index/obama_1.jpg", "index/obama_2.jpg"} {
		if faces, err := l.Table.FacesOfObject(ctx, offline.BucketName, key); err != nil || len(faces) != 0 {
			t.Errorf("%s: face items %+v %v left", key, faces, err)
		}
		if _, err := l.Objects.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(offline.BucketName), Key: aws.String(key)}); err == nil {
			t.Errorf("%s is still stored", key)
		}
	}
}
