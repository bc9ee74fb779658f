package service

import (
	"context"
	"errors"
	"maps"
	"mime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"

	"github.com/facerec/facerec-cdk/contract"
)

// How names map to Rekognition users.
//
// A person's Rekognition user is created with UserID(name) and keeps that
// UserId for good: Rename changes the name, not the user, so that the
// user keeps its faces (no IndexFaces, no AssociateFaces or
// DisassociateFaces). The person item stays keyed by that UserId
// (PersonItemID) and holds the current name, so everything that starts
// from a UserId (search by person, the sweeper's person step) reads the
// name from it as before. What starts from a name asks resolve, which
// reads, beside the person item of UserID(name), the name's alias item
// (AliasItemID: keyed by UserID(name), naming the real UserId): an
// existing table stays readable as it is (a person without an alias is
// at UserID(name)), and no index is added (an ExistingTable could not
// get one). PersonIndex already holds person items by name, but a read of
// it is eventually consistent and walks the person's faces and images
// too; an alias is one key read. An alias exists only where the UserId
// is not the derived one: the new name of a renamed person, or a new
// person whose derived UserId a renamed person holds (claimUserID).

// maxUserIDVariants bounds the alternative UserIds claimUserID tries.
const maxUserIDVariants = 16

// resolve returns the UserId that the name person maps to and the person
// item there: the UserId of person's alias item if it has one, else
// UserID(person), unless the person item there names someone else (a
// renamed person keeps its UserId): then person maps to no user and
// userID is "". item is nil when the user has no person item (none yet,
// or erased). While a rename runs, both names map to the user (the new
// one through its alias item, the old one through the person item's
// Renaming once the person item has the new name), so its S3 events
// relabel the images rather than index them again.
func (s *Service) resolve(ctx context.Context, person string) (userID string, item *PersonItem, err error) {
	userID, err = s.table.GetAlias(ctx, person)
	if err != nil {
		return "", nil, fromAWS("DynamoDB", err)
	}
	aliased := userID != ""
	if !aliased {
		userID = UserID(person)
	}
	found, err := s.table.GetPersons(ctx, []string{userID})
	if err != nil {
		return "", nil, fromAWS("DynamoDB", err)
	}
	p, ok := found[userID]
	if !ok {
		return userID, nil, nil
	}
	if !aliased && p.Person != person && p.Renaming != person {
		return "", nil, nil
	}
	return userID, &p, nil
}

// claimUserID returns the UserId of a new person named person whose
// derived UserId (UserID) a renamed person holds: the first of
// userIDVariant(person, 1, 2, …) that no person item of another name
// holds, recorded in person's alias item. The choice is deterministic, so
// concurrent runs for the same new person agree.
func (s *Service) claimUserID(ctx context.Context, person string) (string, error) {
	for n := 1; n <= maxUserIDVariants; n++ {
		id := userIDVariant(person, n)
		found, err := s.table.GetPersons(ctx, []string{id})
		if err != nil {
			return "", fromAWS("DynamoDB", err)
		}
		if p, ok := found[id]; ok && p.Person != person {
			continue
		}
		if err := s.table.PutAlias(ctx, person, id); err != nil {
			return "", conditionalWriteError(err)
		}
		return id, nil
	}
	return "", newError(KindInternal, contract.CodeInternal, "no free Rekognition UserId for a new person")
}

// samePerson reports whether the names a and b (both non-empty) map to
// the same Rekognition user: a renamed person's old and new names while
// the rename runs, or a name and itself.
func (s *Service) samePerson(ctx context.Context, a, b string) (bool, error) {
	if a == "" || b == "" {
		return false, nil
	}
	ua, ia, err := s.resolve(ctx, a)
	if err != nil || ia == nil {
		return false, err
	}
	ub, ib, err := s.resolve(ctx, b)
	if err != nil || ib == nil {
		return false, err
	}
	return ua == ub, nil
}

// Rename renames the person named person to name and answers the person
// as Person does under its new name. Its Rekognition user stays as it is
// (same UserId, same faces; nothing is indexed, associated or
// disassociated). In order:
//  1. the person item records name as its Renaming, and name gets an
//     alias item naming the user, so that both names map to it while the
//     rename runs, and DeletePerson of either name erases the images of
//     both;
//  2. each image that names the person (those of its faces and its image
//     items, as DeletePerson finds them) is copied onto itself with the
//     new name in its metadata (CopyObject, MetadataDirective REPLACE,
//     conditional on the ETag read; content type and other metadata kept,
//     the bucket's default encryption applies), since the metadata decides
//     the person whenever the image is reconciled again; the copy's
//     ObjectCreated event finds the same bytes under another name of the
//     same user and relabels (Reconcile). Then every noncurrent version of
//     the object is deleted: they carry the old name. Then its face items
//     (conditionally, RelabelFaces) and its image item (conditionally on
//     its Version) take the new name;
//  3. the person item takes the new name, with the old one as its
//     Renaming; the images that name the old name then (uploaded during
//     the rename, even onto a key already renamed) are renamed as in step
//     2; the old name's alias item, if it had one, goes (so does name's,
//     when the user's UserId is UserID(name): renamed back, no alias is
//     needed); last, the person item's Renaming is cleared.
//
// Each step can be repeated: a rename that fails is finished by repeating
// the request (until it is finished both names name the person). Images
// are renamed one after the other, about 8 AWS calls each: a person with
// many images may outlast the API's timeout, and the repeat goes on
// where it stopped. The answer is Person's, which reads PersonIndex
// (eventually consistent): it may miss a face relabelled a moment before. Renaming
// to the same name changes nothing. Errors: KindBadRequest when name
// breaks contract.ValidatePerson, KindNotFound when no person has that
// name, KindConflict with contract.CodePersonExists when name names
// another person (persons are not merged), KindConflict (CodeConflict)
// when an image, the person item or the new name's alias changed during
// the rename (conditional writes; retry) or when another rename of the
// person is unfinished (repeat that one first), mapped AWS errors
// otherwise.
func (s *Service) Rename(ctx context.Context, person, name string) (*contract.Person, error) {
	if err := contract.ValidatePerson(name); err != nil {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "%s", err.Error())
	}
	userID, cur, err := s.resolve(ctx, person)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, newError(KindNotFound, contract.CodeNotFound, "no such person")
	}
	if name == person {
		return s.Person(ctx, person)
	}
	repeat := cur.Renaming != "" && (cur.Person == person && cur.Renaming == name || cur.Person == name && cur.Renaming == person)
	if !repeat && (cur.Renaming != "" || cur.Person != person) {
		return nil, newError(KindConflict, contract.CodeConflict, "another rename of the person is unfinished; repeat it first")
	}
	other, item, err := s.resolve(ctx, name)
	if err != nil {
		return nil, err
	}
	if item != nil && other != userID {
		return nil, newError(KindConflict, contract.CodePersonExists, "another person has that name; persons are not merged")
	}
	oldAlias, err := s.table.GetAlias(ctx, person)
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	// The person item's writes are conditional on the item as last read
	// or written (its name and Renaming), and the alias's on naming no
	// other user: a concurrent rename or erasure makes this one answer 409.
	stored := *cur
	// replace writes next over stored, conditionally, and makes it stored.
	replace := func(next PersonItem) error {
		if err := s.table.ReplacePerson(ctx, next, stored); err != nil {
			return conditionalWriteError(err)
		}
		stored = next
		return nil
	}
	if !repeat {
		if err := replace(PersonItem{Person: person, UserID: userID, Renaming: name}); err != nil {
			return nil, err
		}
	}
	if err := s.table.PutAlias(ctx, name, userID); err != nil {
		return nil, conditionalWriteError(err)
	}
	names := []string{person}
	if item != nil {
		// A repeat: the images a failed run (or their copies' events)
		// already relabelled still need their old versions deleted.
		names = append(names, name)
	}
	refs, _, _, err := s.personImages(ctx, names...)
	if err != nil {
		return nil, err
	}
	versions := 0
	for _, ref := range refs {
		n, err := s.renameImage(ctx, ref, person, name)
		if err != nil {
			return nil, err
		}
		versions += n
	}
	if err := replace(PersonItem{Person: name, UserID: userID, Renaming: person}); err != nil {
		return nil, err
	}
	// An image uploaded under the old name while the rename ran was
	// committed (pending) before its run resolved the old name, so before
	// the person item changed: a second look finds it, unless PersonIndex
	// has not shown it yet. It may be one renamed above and uploaded
	// again under the old name: renameImage copies it again.
	late, _, _, err := s.personImages(ctx, person)
	if err != nil {
		return nil, err
	}
	for _, ref := range late {
		n, err := s.renameImage(ctx, ref, person, name)
		if err != nil {
			return nil, err
		}
		versions += n
	}
	if oldAlias == userID {
		if err := s.table.DeleteAlias(ctx, person); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	if userID == UserID(name) {
		if err := s.table.DeleteAlias(ctx, name); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	if err := replace(PersonItem{Person: name, UserID: userID}); err != nil {
		return nil, err
	}
	// Neither name nor the UserId (which holds the first name) is logged.
	s.log.InfoContext(ctx, "person renamed", "images", len(refs), "versionsDeleted", versions)
	return s.Person(ctx, name)
}

// conditionalWriteError maps the error of a conditional write of a person
// or alias item: ErrVersionConflict (the item is not what the caller
// read: a concurrent rename, erasure or new person) is KindConflict
// (CodeConflict: read again and retry), others are DynamoDB's.
func conditionalWriteError(err error) error {
	if errors.Is(err, ErrVersionConflict) {
		return &Error{Kind: KindConflict, Code: contract.CodeConflict, Message: "the person changed meanwhile; retry", Err: err}
	}
	return fromAWS("DynamoDB", err)
}

// renameImage moves the image ref from the person named from to the name
// to (Rename, step 2) and returns the number of noncurrent versions it
// deleted. An object that is gone, or that names neither (a newer upload),
// is left to its own event.
func (s *Service) renameImage(ctx context.Context, ref imageRef, from, to string) (int, error) {
	head, err := s.objects.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)})
	var missing *s3types.NotFound
	if errors.As(err, &missing) {
		return 0, nil
	}
	if err != nil {
		return 0, fromAWS("S3", err)
	}
	oldETag := strings.Trim(aws.ToString(head.ETag), `"`)
	newETag := oldETag
	switch decodePerson(head.Metadata[contract.PersonMetadataKey]) {
	case from:
		if newETag, err = s.copyWithPerson(ctx, ref, head, to); err != nil {
			return 0, err
		}
	case to:
		// Copied by an earlier run of the rename.
	default:
		return 0, nil
	}
	versions, err := s.deleteVersions(ctx, ref, true)
	if err != nil {
		return 0, err
	}
	return versions, s.relabelImage(ctx, ref, from, to, oldETag, newETag)
}

// copyWithPerson copies the object ref, as head describes it, onto itself
// with its person metadata set to person (encodePerson) and returns the
// new ETag. The copy replaces the metadata (MetadataDirective REPLACE), so
// the content type, the other user metadata, the content headers and the
// storage class (HeadObject's; absent for STANDARD) are given again;
// encryption is not: the copy gets the bucket's default encryption, as
// the upload did. Tags follow S3's default (TaggingDirective COPY); the
// API's uploads have none, and the function is granted no tagging action. It is conditional on head's ETag
// (CopySourceIfMatch): an object replaced meanwhile is KindConflict.
func (s *Service) copyWithPerson(ctx context.Context, ref imageRef, head *s3.HeadObjectOutput, person string) (string, error) {
	meta := maps.Clone(head.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	meta[contract.PersonMetadataKey] = encodePerson(person)
	out, err := s.objects.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:             aws.String(ref.Bucket),
		Key:                aws.String(ref.Key),
		CopySource:         aws.String(copySource(ref.Bucket, ref.Key)),
		CopySourceIfMatch:  head.ETag,
		MetadataDirective:  s3types.MetadataDirectiveReplace,
		Metadata:           meta,
		ContentType:        head.ContentType,
		CacheControl:       head.CacheControl,
		ContentDisposition: head.ContentDisposition,
		ContentEncoding:    head.ContentEncoding,
		ContentLanguage:    head.ContentLanguage,
		StorageClass:       head.StorageClass,
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "PreconditionFailed" {
		return "", &Error{Kind: KindConflict, Code: contract.CodeConflict, Message: "an image of the person changed during the rename; retry", Err: err}
	}
	if err != nil {
		return "", fromAWS("S3", err)
	}
	if out.CopyObjectResult == nil || out.CopyObjectResult.ETag == nil {
		return "", newError(KindInternal, contract.CodeInternal, "S3 CopyObject answered no ETag")
	}
	return strings.Trim(aws.ToString(out.CopyObjectResult.ETag), `"`), nil
}

// relabelImage gives the face items of ref that name from, then its image
// item if it names from, the name to. The image item's write is
// conditional on its Version (a concurrent run that committed first makes
// it read again, up to maxConflictAttempts times); its ETag becomes
// newETag if it was oldETag (the copy's ETag differs for an SSE-KMS
// object), so that the image does not look pending. Faces go first: a
// repeat finds the image item still naming from.
func (s *Service) relabelImage(ctx context.Context, ref imageRef, from, to, oldETag, newETag string) error {
	if err := s.relabelFaces(ctx, ref, from, to); err != nil {
		return err
	}
	return retryOnConflict(func() error {
		img, err := s.table.GetImage(ctx, ref.Bucket, ref.Key)
		if err != nil {
			return fromAWS("DynamoDB", err)
		}
		if img == nil || img.Person != from || img.Status == StatusRemoved {
			return nil
		}
		next := *img
		next.Person = to
		next.Version = img.Version + 1
		next.RunID = uuid.NewString()
		if img.ETag == oldETag {
			next.ETag = newETag
		}
		err = s.table.PutImage(ctx, next, img.Version)
		if errors.Is(err, ErrVersionConflict) {
			return &Error{Kind: KindConflict, Code: contract.CodeConflict, Message: "an image of the person kept changing during the rename; retry", Err: err}
		}
		if err != nil {
			return fromAWS("DynamoDB", err)
		}
		return nil
	})
}

// relabelFaces gives the face items recorded for ref's object that name
// from the name to, each only if it still names from (RelabelFaces).
func (s *Service) relabelFaces(ctx context.Context, ref imageRef, from, to string) error {
	faces, err := s.table.FacesOfObject(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return fromAWS("DynamoDB", err)
	}
	var moved []FaceItem
	for _, f := range faces {
		if f.Person == from {
			f.Person = to
			moved = append(moved, f)
		}
	}
	if len(moved) == 0 {
		return nil
	}
	if err := s.table.RelabelFaces(ctx, moved, from); err != nil {
		return fromAWS("DynamoDB", err)
	}
	return nil
}

// encodePerson returns the value of the person metadata for name: name
// itself if it is printable ASCII, else an RFC 2047 encoded word
// (=?UTF-8?b?...?=), since S3 user metadata is US-ASCII; decodePerson
// reads both.
func encodePerson(name string) string {
	return mime.BEncoding.Encode("UTF-8", name)
}

// copySource returns the CopySource of bucket/key: "bucket/key" with
// every byte of the key but unreserved characters and '/' percent-encoded
// (S3 API reference, CopyObject: the value must be URL-encoded), so that
// '+' and spaces survive.
func copySource(bucket, key string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString(bucket + "/")
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
