package offline

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
)

// Rekognition's limits on request members, from the Amazon Rekognition
// API reference (the Request Parameters of each action), which the local
// Rekognition checks as the service does, answering
// InvalidParameterException.
const (
	// maxIDLength bounds CollectionId and ExternalImageId: 1–255 characters.
	maxIDLength = 255
	// maxUserIDLength bounds UserId: 1–128 characters.
	maxUserIDLength = 128
	// maxTokenLength bounds ClientRequestToken: 1–64 characters.
	maxTokenLength = 64
	// maxSearchResults bounds MaxFaces of SearchFaces and
	// SearchFacesByImage, MaxResults of ListFaces and ListCollections, and
	// the FaceIds of DeleteFaces and ListFaces: 4096.
	maxSearchResults = 4096
	// maxUsers bounds MaxUsers of SearchUsers and SearchUsersByImage and
	// MaxResults of ListUsers: 500.
	maxUsers = 500
	// maxAssociateFaces bounds the FaceIds of AssociateFaces and
	// DisassociateFaces: 100.
	maxAssociateFaces = 100
	// maxUserFaces is the most faces a user holds (Rekognition's quota):
	// AssociateFaces beyond it is a ServiceQuotaExceededException.
	maxUserFaces = 100
	// defaultListResults is the page size of the List operations when
	// MaxResults is unset (Rekognition documents none; 1000 for faces and
	// collections, as the service answers, and maxUsers for users).
	defaultListResults = 1000
)

var (
	collectionIDPattern    = regexp.MustCompile(`^[a-zA-Z0-9_.\-]+$`)
	externalImageIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-:]+$`)
	userIDPattern          = regexp.MustCompile(`^[a-zA-Z0-9_.\-:]+$`)
	tokenPattern           = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
	faceIDPattern          = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

func invalidParameter(msg string) error {
	return &rtypes.InvalidParameterException{Message: aws.String(msg)}
}

// check returns the first of the errors of the checks that is not nil.
func check(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkPattern checks a string member: present if required, at most
// maxLen characters and matching pattern if present.
func checkPattern(member string, v *string, pattern *regexp.Regexp, maxLen int, required bool) error {
	switch {
	case v == nil && required:
		return invalidParameter(member + " is required")
	case v == nil:
		return nil
	case len(*v) < 1 || len(*v) > maxLen:
		return invalidParameter(fmt.Sprintf("%s must be 1 to %d characters long", member, maxLen))
	case !pattern.MatchString(*v):
		return invalidParameter(fmt.Sprintf("%s must match the pattern %s", member, pattern))
	}
	return nil
}

func checkCollectionID(v *string) error {
	return checkPattern("CollectionId", v, collectionIDPattern, maxIDLength, true)
}

func checkUserID(v *string, required bool) error {
	return checkPattern("UserId", v, userIDPattern, maxUserIDLength, required)
}

func checkFaceID(member string, v *string, required bool) error {
	return checkPattern(member, v, faceIDPattern, len("00000000-0000-0000-0000-000000000000"), required)
}

func checkToken(v *string) error {
	return checkPattern("ClientRequestToken", v, tokenPattern, maxTokenLength, false)
}

// checkRange checks an optional integer member against [lo, hi].
func checkRange(member string, v *int32, lo, hi int32) error {
	if v != nil && (*v < lo || *v > hi) {
		return invalidParameter(fmt.Sprintf("%s must be from %d to %d", member, lo, hi))
	}
	return nil
}

// checkThreshold checks an optional similarity threshold: 0 to 100.
func checkThreshold(member string, v *float32) error {
	if v != nil && !(*v >= 0 && *v <= 100) {
		return invalidParameter(member + " must be from 0 to 100")
	}
	return nil
}

// checkQualityFilter checks an optional QualityFilter.
func checkQualityFilter(q rtypes.QualityFilter) error {
	if q != "" && !slices.Contains(q.Values(), q) {
		return invalidParameter(fmt.Sprintf("QualityFilter must be one of %v", q.Values()))
	}
	return nil
}

// checkFaceIDs checks a list of 1 to max FaceIds.
func checkFaceIDs(ids []string, max int) error {
	if len(ids) < 1 || len(ids) > max {
		return invalidParameter(fmt.Sprintf("FaceIds must hold 1 to %d face ids", max))
	}
	for _, id := range ids {
		if err := checkFaceID("FaceIds", &id, true); err != nil {
			return err
		}
	}
	return nil
}

// page returns the page of keys (sorted) that a List operation answers for
// MaxResults (1 to max when set, else defaultListResults capped at max)
// and NextToken, and the NextToken of the next page (nil on the last).
// A token is the last key of the previous page, base64url-encoded, so
// paging is stable while keys come and go; a token that does not decode is
// an InvalidPaginationTokenException.
func page(keys []string, maxResults *int32, token *string, max int32) ([]string, *string, error) {
	if err := checkRange("MaxResults", maxResults, 1, max); err != nil {
		return nil, nil, err
	}
	n := int(min(defaultListResults, max))
	if maxResults != nil {
		n = int(*maxResults)
	}
	if token != nil {
		after, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(after) == 0 {
			return nil, nil, &rtypes.InvalidPaginationTokenException{Message: aws.String("Invalid pagination token")}
		}
		keys = keys[sort.SearchStrings(keys, string(after)+"\x00"):]
	}
	if len(keys) <= n {
		return keys, nil, nil
	}
	return keys[:n], aws.String(base64.RawURLEncoding.EncodeToString([]byte(keys[n-1]))), nil
}
