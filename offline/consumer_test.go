package offline_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/internal/consumertest"
)

// consumerMain is a program of another module that uses the face engine,
// the offline service and the client: it detects the faces of the group
// photo with the engine, starts the service with one call on a free
// loopback port in the data directory os.Args[1], indexes obama_1.jpg as
// "Barack Obama" and biden_2.jpg as "Joe Biden" through the client, waits
// until both are indexed, searches obama_2.jpg and prints
//
//	faces group_obama_biden.jpg N
//	match obama_2.jpg "PERSON" SIMILARITY KEY
//
// It exits with status 1, saying why, when anything fails.
const consumerMain = `package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/faceengine"
	"github.com/facerec/facerec-cdk/offline"
)

func main() {
	log.SetFlags(0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	engine, err := faceengine.New("")
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(photos.MustRead("group_obama_biden.jpg")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("faces group_obama_biden.jpg %d\n", len(engine.Detect(img)))

	srv, err := offline.Start(ctx, offline.Options{DataDir: os.Args[1], Log: slog.New(slog.DiscardHandler)}, "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(srv.URL, "")
	if err != nil {
		log.Fatal(err)
	}
	for file, person := range map[string]string{"obama_1.jpg": "Barack Obama", "biden_2.jpg": "Joe Biden"} {
		if _, err := c.Index(ctx, file, photos.MustRead(file), "", person); err != nil {
			log.Fatalf("index %s: %v", file, err)
		}
	}
	for _, file := range []string{"obama_1.jpg", "biden_2.jpg"} {
		for {
			st, err := c.Status(ctx, file)
			if err != nil {
				log.Fatalf("status of %s: %v", file, err)
			}
			if st.Status == contract.StatusIndexed {
				break
			}
			if st.Status != contract.StatusPending {
				log.Fatalf("%s: %+v", file, st)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	res, err := c.Search(ctx, photos.MustRead("obama_2.jpg"), "image/jpeg")
	if err != nil {
		log.Fatal(err)
	}
	if len(res.Faces) == 0 || len(res.Faces[0].Matches) == 0 {
		log.Fatalf("search obama_2.jpg: no match: %+v", res)
	}
	m := res.Faces[0].Matches[0]
	fmt.Printf("match obama_2.jpg %q %.1f %s\n", m.Person, m.Similarity, m.Key)
	if err := srv.Close(); err != nil {
		log.Fatal(err)
	}
}
`

// TestConsumerModule builds and runs consumerMain in a module of its own
// that requires this one through a replace directive, as a program outside
// the repository would: the public packages faceengine, offline and client
// (with examples/photos) must be importable, and the service it starts
// with one call must find Barack Obama, not Joe Biden, in obama_2.jpg. It
// builds a second module, so -short skips it.
func TestConsumerModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program in a second module")
	}
	tmp := t.TempDir()
	consumer := filepath.Join(tmp, "consumer")
	consumertest.Write(t, consumer, consumertest.ModuleDir(t), map[string]string{"main.go": consumerMain})
	bin := filepath.Join(tmp, "consumer.bin")
	start := time.Now()
	if out, err := consumertest.Go(consumer, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build the consumer: %v\n%s", err, out)
	}
	t.Logf("consumer built in %v", time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start = time.Now()
	out, err := exec.CommandContext(ctx, bin, filepath.Join(tmp, "data")).CombinedOutput()
	if err != nil {
		t.Fatalf("the consumer failed: %v\n%s", err, out)
	}
	t.Logf("consumer ran in %v:\n%s", time.Since(start).Round(time.Millisecond), out)

	faces := regexp.MustCompile(`(?m)^faces group_obama_biden\.jpg (\d+)$`).FindSubmatch(out)
	if faces == nil || string(faces[1]) != "2" {
		t.Errorf("the engine detected %q faces in the group photo, want 2", faces)
	}
	match := regexp.MustCompile(`(?m)^match obama_2\.jpg "([^"]*)" ([\d.]+) (\S+)$`).FindSubmatch(out)
	if match == nil {
		t.Fatalf("the consumer printed no match:\n%s", out)
	}
	similarity, _ := strconv.ParseFloat(string(match[2]), 64)
	if string(match[1]) != "Barack Obama" || similarity < 80 || string(match[3]) != "index/obama_1.jpg" {
		t.Errorf("first match %q %v %s, want Barack Obama (index/obama_1.jpg) with similarity >= 80", match[1], similarity, match[3])
	}
}
