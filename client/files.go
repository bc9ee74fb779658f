package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/facerec/facerec-cdk/contract"
)

const octetStream = "application/octet-stream"

// ContentType returns the media type of an image file from its extension,
// case-insensitively: image/jpeg for .jpg and .jpeg, image/png for .png,
// application/octet-stream otherwise.
func ContentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	}
	return octetStream
}

// Defaults of the IndexOptions fields; a field that is zero or negative
// takes its default.
const (
	// DefaultConcurrency is the default number of concurrent requests of
	// IndexFiles.
	DefaultConcurrency = 4
	// DefaultWaitTimeout is the default time IndexFiles waits for the
	// uploaded images to be processed.
	DefaultWaitTimeout = 60 * time.Second
	// DefaultPollInterval is the default pause between two rounds of
	// status requests of IndexFiles.
	DefaultPollInterval = time.Second
)

// IndexOptions configures IndexFiles.
type IndexOptions struct {
	// Person is the name recorded with every uploaded face; may be
	// empty.
	Person string
	// Concurrency bounds the requests in flight; default
	// DefaultConcurrency (4).
	Concurrency int
	// Progress receives a progress bar of the uploads, then of the
	// processing when Wait is set; nil shows none.
	Progress io.Writer
	// Wait makes IndexFiles poll the status of the uploaded images until
	// each is indexed or rejected, or WaitTimeout has passed.
	Wait bool
	// WaitTimeout bounds the wait; default DefaultWaitTimeout (60 s).
	WaitTimeout time.Duration
	// PollInterval is the pause between two rounds of status requests;
	// default DefaultPollInterval (1 s).
	PollInterval time.Duration
}

// FileResult is what happened to one file given to IndexFiles.
type FileResult struct {
	// Path is the local path of the file.
	Path string
	// Key is the object key the upload answered; empty when the upload
	// failed.
	Key string
	// Status is the last known indexing status: "pending" after the
	// upload, "indexed" or "rejected" once processed (when waiting);
	// empty when the upload failed.
	Status string
	// Reason says why the image was rejected.
	Reason string
	// Faces is the number of faces indexed from the image.
	Faces int
	// Err is the upload error, or the status error while waiting; nil
	// otherwise (a wait that timed out is not an error: Status stays
	// "pending").
	Err error
}

// Summary is the outcome of IndexFiles.
type Summary struct {
	// Uploaded, Failed and Skipped count the files uploaded, those
	// whose upload failed, and the directory entries left out
	// (len(SkippedFiles)).
	Uploaded, Failed, Skipped int
	// SkippedFiles names each directory entry left out, with why, in the
	// order met.
	SkippedFiles []SkippedFile
	// Waited tells that the statuses were polled; the counts below are
	// zero otherwise.
	Waited bool
	// Indexed, Rejected and Pending count the uploaded files by their
	// last known status; Pending ones were not processed within the
	// wait timeout or their status could not be read.
	Indexed, Rejected, Pending int
	// Faces is the number of faces indexed, all files together.
	Faces int
	// Files has one entry per file uploaded or failed, in the order of
	// the given paths (directory entries by name).
	Files []FileResult
}

// SkippedFile is a directory entry IndexFiles left out.
type SkippedFile struct {
	// Path is the entry's local path.
	Path string
	// Reason says why it was left out, such as "not a .jpg, .jpeg or
	// .png file".
	Reason string
}

// IndexFiles uploads image files with c.Index, opts.Concurrency at a time,
// each under its base name and for opts.Person, showing a progress bar on
// opts.Progress, then, with opts.Wait, polls c.Status until every uploaded
// file is processed or opts.WaitTimeout has passed.
//
// Each path is a file, uploaded whatever its extension, or a directory,
// walked with its subdirectories (in lexical order): its .jpg, .jpeg and
// .png files (by extension, case-insensitively) are uploaded; other files,
// entries that are not regular files (symbolic links to directories are
// not followed) and subdirectories that cannot be read are skipped, each
// named in Summary.SkippedFiles with its reason. Every file is stored
// under its base name: files larger than the service accepts
// (contract.MaxS3ImageBytes), files in another image format than JPEG or
// PNG (contract.UnacceptedImage: GIF, WebP...) and files with the base
// name of an earlier one (they would overwrite it; in another
// subdirectory, say) fail without being sent.
//
// Per-file failures are in the Summary, not the error. The error is
// non-nil when a path cannot be read (nothing is uploaded then) or when
// ctx ends (the Summary then tells what was done).
func IndexFiles(ctx context.Context, c *Client, paths []string, opts IndexOptions) (Summary, error) {
	files, skipped, err := expand(paths)
	if err != nil {
		return Summary{}, err
	}
	results := make([]FileResult, len(files))
	todo := make([]int, 0, len(files))
	first := map[string]string{}
	for i, path := range files {
		results[i].Path = path
		name := filepath.Base(path)
		if prev, ok := first[name]; ok {
			results[i].Err = fmt.Errorf("same filename as %s; not uploaded", prev)
			continue
		}
		first[name] = path
		todo = append(todo, i)
	}
	limit := orDefault(opts.Concurrency, DefaultConcurrency)

	bar := newBar(opts.Progress, len(todo), "uploading")
	forEach(limit, todo, func(i int) {
		r := &results[i]
		r.Key, r.Err = upload(ctx, c, r.Path, opts.Person)
		if r.Err == nil {
			r.Status = contract.StatusPending
		}
		_ = bar.Add(1) // the bar's write errors do not matter
	})

	if opts.Wait {
		wait(ctx, c, results, limit, opts)
	}
	sum := summarize(results, len(skipped), opts.Wait)
	sum.SkippedFiles = skipped
	return sum, ctx.Err()
}

// expand lists the files to upload, walking directories, and the
// entries skipped. It fails only when a given path cannot be read.
func expand(paths []string) (files []string, skipped []SkippedFile, err error) {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			skip := func(reason string) { skipped = append(skipped, SkippedFile{Path: path, Reason: reason}) }
			switch {
			case err != nil && path == p:
				return err
			case err != nil:
				skip("could not be read: " + err.Error())
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			case d.IsDir():
				return nil
			}
			mode := d.Type()
			if mode&fs.ModeSymlink != 0 {
				target, err := os.Stat(path)
				if err != nil {
					skip("a symbolic link that cannot be followed: " + err.Error())
					return nil
				}
				if target.IsDir() {
					skip("a symbolic link to a directory; not followed")
					return nil
				}
				mode = target.Mode().Type()
			}
			switch {
			case !mode.IsRegular():
				skip("not a regular file")
			case ContentType(path) == octetStream:
				skip("not a .jpg, .jpeg or .png file")
			default:
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return files, skipped, nil
}

// upload sends one file and returns its object key.
func upload(ctx context.Context, c *Client, path, person string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.Size() > contract.MaxS3ImageBytes {
		return "", fmt.Errorf("%d bytes is more than the %d the service accepts", fi.Size(), contract.MaxS3ImageBytes)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if msg, other := contract.UnacceptedImage(body); other {
		return "", errors.New(msg)
	}
	return c.Index(ctx, filepath.Base(path), body, ContentType(path), person)
}

// wait polls, round after round, the status of the uploaded files still
// pending, until none is or opts.WaitTimeout has passed, and records it in
// results.
func wait(ctx context.Context, c *Client, results []FileResult, limit int, opts IndexOptions) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(opts.WaitTimeout, DefaultWaitTimeout))
	defer cancel()
	pending := func() []int {
		var idx []int
		for i, r := range results {
			if r.Err == nil && r.Status == contract.StatusPending {
				idx = append(idx, i)
			}
		}
		return idx
	}
	todo := pending()
	if len(todo) == 0 {
		return
	}
	bar := newBar(opts.Progress, len(todo), "processing")
	defer func() {
		if !bar.IsFinished() {
			_ = bar.Exit() // ends the line of a bar left short by the timeout
		}
	}()
	for {
		forEach(limit, todo, func(i int) {
			r := &results[i]
			st, err := c.Status(ctx, filepath.Base(r.Path))
			if err != nil {
				if ctx.Err() == nil {
					r.Err = fmt.Errorf("status: %w", err)
				}
				return
			}
			r.Status, r.Reason, r.Faces = st.Status, st.Reason, len(st.Faces)
			if st.Status != contract.StatusPending {
				_ = bar.Add(1)
			}
		})
		if todo = pending(); len(todo) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(orDefault(opts.PollInterval, DefaultPollInterval)):
		}
	}
}

// newBar returns a progress bar of n steps on w, invisible when w is nil.
func newBar(w io.Writer, n int, description string) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.NewOptions(n, progressbar.OptionSetWriter(io.Discard), progressbar.OptionSetVisibility(false))
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

// forEach calls fn for every index of idx, at most limit at a time, and
// returns when all calls have.
func forEach(limit int, idx []int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, i := range idx {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

// summarize counts the results.
func summarize(results []FileResult, skipped int, waited bool) Summary {
	s := Summary{Skipped: skipped, Waited: waited, Files: results}
	for _, r := range results {
		if r.Key == "" {
			s.Failed++
			continue
		}
		s.Uploaded++
		if !waited {
			continue
		}
		switch r.Status {
		case contract.StatusIndexed:
			s.Indexed++
			s.Faces += r.Faces
		case contract.StatusRejected:
			s.Rejected++
		default:
			s.Pending++
		}
	}
	return s
}

// Print writes the counts, then one line per skipped directory entry
// with its reason, and per file that failed or, when the statuses were
// polled, per uploaded file: its faces, its rejection reason, or that it
// is still pending.
func (s Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "%d uploaded, %d failed, %d skipped\n", s.Uploaded, s.Failed, s.Skipped)
	if s.Waited {
		fmt.Fprintf(w, "%d indexed (%s), %d rejected, %d still pending\n", s.Indexed, Count(s.Faces, "face"), s.Rejected, s.Pending)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range s.SkippedFiles {
		fmt.Fprintf(tw, "  %s\tskipped\t%s\n", f.Path, f.Reason)
	}
	for _, f := range s.Files {
		switch {
		case f.Err != nil:
			fmt.Fprintf(tw, "  %s\terror\t%v\n", f.Path, f.Err)
		case !s.Waited:
		case f.Status == contract.StatusIndexed:
			fmt.Fprintf(tw, "  %s\tindexed\t%s\n", f.Path, Count(f.Faces, "face"))
		case f.Status == contract.StatusRejected:
			fmt.Fprintf(tw, "  %s\trejected\t%s\n", f.Path, f.Reason)
		default:
			fmt.Fprintf(tw, "  %s\t%s\tnot processed within the wait timeout\n", f.Path, f.Status)
		}
	}
	_ = tw.Flush()
}
