package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/offline"
)

// chromium returns the path of Debian's chromium. Without it the browser
// tests skip, except in CI (CI set, as .ci/run does), where they fail: CI
// must never skip them silently.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed, and CI is set: install Debian's chromium package (.ci/run does)")
		}
		t.Skip("chromium is not installed (apt-get install chromium); the browser tests need it")
	}
	return path
}

// artifacts returns the directory the browser tests save their
// screenshots in: $FACEREC_ARTIFACTS, or testdata/out (ignored by git).
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FACEREC_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// step runs a, dropping its value, as a step of chromedp.Do.
func step[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := a(ctx, target)
		return err
	})
}

// box is a face box as the page draws it: pixels relative to the searched
// photo's top-left corner, the person it names, and the photo's size as
// shown.
type box struct {
	Left, Top, Width, Height float64
	Person                   string
	ImgWidth, ImgHeight      float64
}

// TestConsole_inChromium drives the console in headless Chromium against
// the offline service, in one browser: upload a photo of each of two
// persons and one without a person, and wait for "indexed"; the first
// person's face appears under that person, the third face among the
// unlabelled ones; search the group photo of both and find two boxes at the
// places of the API's BoundingBoxes, named as the API names their best
// matches; switch to matching persons and find the box named as the API
// names it; delete the first person's face from their page and find it gone
// from the page and from the API; erase the second person and find them
// gone from the API; at a phone's width, no sideways scrolling. Each
// confirmation must name what it removes. It saves screenshots of the faces
// and of the search in artifacts.
func TestConsole_inChromium(t *testing.T) {
	exe := chromium(t)
	out := artifacts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	srv, err := offline.Start(ctx, offline.Options{DataDir: t.TempDir()}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	api, err := client.New(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1280, 960))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := filepath.Abs(filepath.Join("..", "examples", "photos"))
	if err != nil {
		t.Fatal(err)
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return step(chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	}

	// Upload one photo per person and wait for each to be indexed.
	run("open the console", chromedp.Navigate(srv.URL+"/#/upload"), chromedp.WaitVisible(chromedp.CSS("#upload-files")))
	for _, up := range []struct{ file, person string }{{"obama_1.jpg", "Barack Obama"}, {"biden_2.jpg", "Joe Biden"}, {"collins_1.png", ""}} {
		run("upload "+up.file,
			// (chromedp's SetValue refuses an empty value.)
			step(chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector('#upload-person').value = %q, true)`, up.person))),
			chromedp.SetUploadFiles(chromedp.CSS("#upload-files"), []string{filepath.Join(dir, up.file)}),
			chromedp.Click(chromedp.CSS("#upload-start")),
			poll(fmt.Sprintf(`document.querySelector('#uploads tr[data-filename=%q]')?.dataset.status === "indexed"`, up.file)),
		)
	}
	faces, err := api.AllFaces(ctx, "Barack Obama", contract.MaxFaceListLimit)
	if err != nil || len(faces) != 1 {
		t.Fatalf("the API lists %+v (%v) for Barack Obama, want one face", faces, err)
	}
	obama := faces[0].FaceID

	// The face appears under its person, as a loaded thumbnail.
	run("see the faces",
		chromedp.Navigate(srv.URL+"/#/faces"),
		poll(fmt.Sprintf(`(() => { const i = document.querySelector('article[data-person="Barack Obama"] img.thumb[data-face-id=%q]'); return !!i && i.complete && i.naturalWidth > 0 })()`, obama)),
		poll(`[...document.querySelectorAll('article[data-person="Joe Biden"] img.thumb')].some(i => i.complete && i.naturalWidth > 0)`),
		poll(`[...document.querySelectorAll('#unlabelled img.thumb')].length === 1 && document.querySelector('#unlabelled img.thumb').naturalWidth > 0`),
	)
	screenshot("console-faces.png")

	// Search the group photo: one box per face, where the API puts it,
	// named as the API names it.
	group := "group_obama_biden.jpg"
	want, err := api.SearchAll(ctx, photos.MustRead(group), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	run("search "+group,
		chromedp.Navigate(srv.URL+"/#/search"),
		chromedp.WaitVisible(chromedp.CSS("#search-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#search-file"), []string{filepath.Join(dir, group)}),
		poll(`document.querySelector('#search-result')?.dataset.state === "done" && document.querySelector('#search-img').complete`),
	)
	boxes, err := chromedp.Run(browser, chromedp.Evaluate[[]box](`(() => {
			const img = document.querySelector('#search-img').getBoundingClientRect();
			return [...document.querySelectorAll('#search-photo .box')].map(b => {
				const r = b.getBoundingClientRect();
				return {Left: r.left - img.left, Top: r.top - img.top, Width: r.width, Height: r.height,
					Person: b.dataset.person, ImgWidth: img.width, ImgHeight: img.height};
			});
		})()`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot("console-search.png")
	if len(boxes) != 2 || len(want.Faces) != 2 {
		t.Fatalf("the page draws %d boxes, the API finds %d faces; want 2 of each", len(boxes), len(want.Faces))
	}
	var names []string
	for i, b := range boxes {
		bb := want.Faces[i].BoundingBox
		// The box's border is drawn inside its rectangle, which is the
		// BoundingBox in pixels of the photo as shown.
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"left", b.Left, bb.Left * b.ImgWidth}, {"top", b.Top, bb.Top * b.ImgHeight},
			{"width", b.Width, bb.Width * b.ImgWidth}, {"height", b.Height, bb.Height * b.ImgHeight},
		} {
			if math.Abs(c.got-c.want) > 1.5 {
				t.Errorf("box %d %s: %.1f px, the API's BoundingBox gives %.1f px", i, c.name, c.got, c.want)
			}
		}
		if len(want.Faces[i].Matches) == 0 || b.Person != want.Faces[i].Matches[0].Person {
			t.Errorf("box %d names %q; the API's matches are %+v", i, b.Person, want.Faces[i].Matches)
		}
		names = append(names, b.Person)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Barack Obama", "Joe Biden"}) {
		t.Errorf("the boxes name %q, want Barack Obama and Joe Biden", names)
	}

	// Switch to matching persons: the largest face's box, named as the
	// API's by=person search names it.
	resp, err := http.Post(srv.URL+"/search?by=person", "image/jpeg", bytes.NewReader(photos.MustRead(group)))
	if err != nil {
		t.Fatal(err)
	}
	var byPerson contract.SearchResult
	err = json.NewDecoder(resp.Body).Decode(&byPerson)
	resp.Body.Close()
	if err != nil || len(byPerson.Faces) != 1 || len(byPerson.Faces[0].Persons) == 0 {
		t.Fatalf("POST /search?by=person: %+v (%v), want one face matching a person", byPerson, err)
	}
	run("search by person",
		chromedp.Click(chromedp.CSS(`input[name=mode][value=person]`)),
		poll(`document.querySelector('#search-result')?.dataset.state === "done"`),
	)
	named, err := chromedp.Run(browser, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#search-photo .box')].map(b => b.dataset.person)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := byPerson.Faces[0].Persons[0].Person; !slices.Equal(named, []string{want}) {
		t.Errorf("by person, the boxes name %q; want one box naming %q", named, want)
	}

	// Delete the face from its person's page, after the confirmation.
	sel := fmt.Sprintf(`#person-faces li[data-face-id=%q]`, obama)
	run("delete the face",
		chromedp.Navigate(srv.URL+"/#/person/Barack%20Obama"),
		chromedp.WaitVisible(chromedp.CSS(sel+" button")),
		chromedp.Click(chromedp.CSS(sel+" button")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
	)
	confirmText := func(what string, want ...string) {
		t.Helper()
		text, err := chromedp.Run(browser, chromedp.TextContent(chromedp.CSS("#confirm-text")))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the confirmation of %s says %q, which does not name %q", what, text, w)
			}
		}
	}
	confirmText("the face's deletion", obama, "index/obama_1.jpg", "stay")
	run("confirm the face's deletion",
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		poll(fmt.Sprintf(`!document.querySelector('%s') && document.querySelector('#notice').textContent.includes("Deleted")`, sel)),
	)
	resp, err = http.Get(srv.URL + "/faces/" + obama)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /faces/%s after the page deleted it: %d, want 404", obama, resp.StatusCode)
	}

	// Erase the other person, after a confirmation naming what goes.
	run("erase Joe Biden",
		chromedp.Navigate(srv.URL+"/#/person/Joe%20Biden"),
		poll(`document.querySelectorAll('#person-faces li').length === 1`),
		chromedp.Click(chromedp.CSS("#person-erase")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
	)
	confirmText("the erasure", "every image uploaded with the name Joe Biden", "index/biden_2.jpg", "1 face of Joe Biden")
	run("confirm the erasure",
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		poll(`location.hash === "#/faces" && document.querySelector('#notice').textContent.includes("Erased Joe Biden")`),
	)
	if persons, err := api.AllPersons(ctx, contract.MaxFaceListLimit); err != nil || slices.ContainsFunc(persons, func(p contract.PersonSummary) bool { return p.Person == "Joe Biden" }) {
		t.Errorf("the API lists %+v (%v) after the page erased Joe Biden", persons, err)
	}

	// Download the unlabelled image from its face's card: the page asks
	// GET /images/{filename} for its link and follows it (the link the
	// anchor it clicks would open is recorded instead, and fetched here).
	run("download the unlabelled image",
		chromedp.Navigate(srv.URL+"/#/faces"),
		poll(`document.querySelectorAll('#unlabelled li').length === 1`),
		step(chromedp.Evaluate[bool](`(HTMLAnchorElement.prototype.click = function () { window.downloaded = { href: this.href, name: this.download, target: this.target } }, true)`)),
		chromedp.Click(chromedp.CSS(`#unlabelled button[aria-label="Download the image index/collins_1.png"]`)),
		poll(`!!window.downloaded`),
	)
	downloaded, err := chromedp.Run(browser, chromedp.Evaluate[struct{ Href, Name, Target string }](`window.downloaded`))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(downloaded.Href); err != nil {
		t.Errorf("GET the page's download link: %v", err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, photos.MustRead("collins_1.png")) || downloaded.Name != "collins_1.png" {
			t.Errorf("the page's download link %s (saved as %q) answers %d with %d bytes; want 200 with collins_1.png's bytes, saved as collins_1.png",
				downloaded.Href, downloaded.Name, resp.StatusCode, len(body))
		}
		// Deployed, the link is another origin's, where the anchor's
		// download attribute is ignored: the answer's attachment names
		// the file, and the new browsing context keeps the console.
		if cd := resp.Header.Get("Content-Disposition"); cd != contract.AttachmentDisposition("index/collins_1.png") || downloaded.Target != "_blank" {
			t.Errorf("the page's download link answers Content-Disposition %q and opens in %q; want an attachment named collins_1.png, opened in _blank", cd, downloaded.Target)
		}
	}

	// Erase the unlabelled image from its face's card (it has no person
	// page), after a confirmation naming it.
	run("erase the unlabelled image",
		chromedp.Navigate(srv.URL+"/#/faces"),
		poll(`document.querySelectorAll('#unlabelled li').length === 1`),
		chromedp.Click(chromedp.CSS(`#unlabelled button[aria-label="Delete the image index/collins_1.png"]`)),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
	)
	confirmText("the image's erasure", "index/collins_1.png", "every version", "1 face")
	run("confirm the image's erasure",
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		poll(`document.querySelector('#notice').textContent.includes("Erased index/collins_1.png") && !document.querySelector('#unlabelled button[aria-label="Delete the image index/collins_1.png"]')`),
	)
	if st, err := api.Status(ctx, "collins_1.png"); err == nil {
		t.Errorf("the API still has collins_1.png after the page erased it: %+v", st)
	}

	// The settings page counts what the service holds (GET /stats): one
	// person (Barack Obama) and his face are left.
	run("count persons and faces",
		chromedp.Navigate(srv.URL+"/#/settings"),
		// GET /info fills the list above the button: the click waits for
		// it, so that the button does not move between aiming and
		// clicking (a suspected cause of a lost click once in CI under
		// heavy load, not reproduced).
		poll(`document.querySelectorAll('#info dt').length > 0`),
		chromedp.Click(chromedp.CSS("#stats-count")),
		// Should the click still be lost (the list stays empty), the page
		// presses the button itself, once, which skips the browser's hit
		// test; the test logs it.
		poll(`(() => {
			const t = document.querySelector('#stats').textContent;
			if (!t && !window.statsReclicked) {
				window.statsReclicked = true;
				document.querySelector('#stats-count').click();
			}
			return t.includes("Persons") && !t.includes("Counting");
		})()`),
	)
	switch reclicked, err := chromedp.Run(browser, chromedp.Evaluate[bool](`!!window.statsReclicked`)); {
	case err != nil:
		t.Errorf("read whether the page pressed Count itself: %v", err)
	case reclicked:
		t.Log("the click on Count was lost: the page pressed the button itself")
	}
	stats, err := chromedp.Run(browser, chromedp.TextContent(chromedp.CSS("#stats")))
	if err != nil {
		t.Fatal(err)
	}
	if want, err := api.Stats(ctx); err != nil || !strings.Contains(stats, fmt.Sprintf("Persons%d", want.PersonCount)) || !strings.Contains(stats, fmt.Sprintf("Faces%d", want.FaceCount)) {
		t.Errorf("the settings page counts %q; the API's /stats says %+v (%v)", stats, want, err)
	}

	// At a phone's width the page does not scroll sideways.
	run("phone width",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/#/faces"),
		chromedp.WaitVisible(chromedp.CSS(`article[data-person="Barack Obama"]`)),
	)
	overflow, err := chromedp.Run(browser, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("at 390 pixels wide the faces page scrolls sideways")
	}
}
