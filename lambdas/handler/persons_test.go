package handler

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/lambdas/service"
)

// persons calls GET /persons (person "") or GET /persons/{person} (person
// as it arrives, percent-encoded) and decodes a 200 body into out.
func (h *harness) persons(t *testing.T, person string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/persons", HTTPMethod: "GET", QueryStringParameters: query}
	if person != "" {
		req.Resource, req.PathParameters = "/persons/{person}", map[string]string{PersonNameParam: person}
	}
	req.RequestContext.RequestID = "req-persons"
	resp, err := h.api.Persons(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

// TestPersons: GET /persons lists each person once with its face count,
// page by page; GET /persons/{person} unescapes the name and answers its
// faces and images; unknown names, bad limits and tokens are refused.
func TestPersons(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	indexPhoto(t, h, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	indexPhoto(t, h, "index/c.jpg", "biden_2.jpg", "biden")
	indexPhoto(t, h, "index/d.jpg", "group_obama_biden.jpg", "")

	var got []service.PersonSummary
	token := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("GET /persons does not end")
		}
		q := map[string]string{LimitParam: "1"}
		if token != "" {
			q[NextTokenParam] = token
		}
		var list service.PersonList
		if resp := h.persons(t, "", q, &list); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /persons %v: %d %s", q, resp.StatusCode, resp.Body)
		}
		got = append(got, list.Persons...)
		if token = list.NextToken; token == "" {
			break
		}
	}
	slices.SortFunc(got, func(a, b service.PersonSummary) int { return len(a.Person) - len(b.Person) })
	want := []service.PersonSummary{
		{Person: "biden", UserID: service.UserID("biden"), FaceCount: 1},
		{Person: "Barack Obama", UserID: service.UserID("Barack Obama"), FaceCount: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("persons = %+v, want %+v", got, want)
	}

	var p service.Person
	if resp := h.persons(t, "Barack%20Obama", nil, &p); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /persons/Barack%%20Obama: %d %s", resp.StatusCode, resp.Body)
	}
	if p.Person != "Barack Obama" || p.UserID != service.UserID("Barack Obama") || len(p.Faces) != 2 || !slices.Equal(p.Images, []string{"index/a.jpg", "index/b.jpg"}) {
		t.Errorf("person = %+v", p)
	}
	for _, f := range p.Faces {
		if f.Person != "Barack Obama" || f.FaceID == "" {
			t.Errorf("face %+v", f)
		}
	}

	for _, c := range []struct {
		person string
		query  map[string]string
		want   int
	}{
		{"nobody", nil, http.StatusNotFound},
		{"Barack Obama", nil, http.StatusOK},
		{"bad%zz", nil, http.StatusBadRequest},
		{"", map[string]string{LimitParam: "0"}, http.StatusBadRequest},
		{"", map[string]string{LimitParam: "x"}, http.StatusBadRequest},
		{"", map[string]string{NextTokenParam: "%%"}, http.StatusBadRequest},
	} {
		if resp := h.persons(t, c.person, c.query, new(any)); resp.StatusCode != c.want {
			t.Errorf("persons %q %v: %d %s, want %d", c.person, c.query, resp.StatusCode, resp.Body, c.want)
		}
	}
	h.env.DB.FailNext("Scan", 1, "ProvisionedThroughputExceededException", 400)
	if resp := h.persons(t, "", nil, new(any)); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("throttled GET /persons: %d %s", resp.StatusCode, resp.Body)
	}
}
