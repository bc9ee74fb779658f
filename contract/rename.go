package contract

// RenamePerson is the JSON body of PATCH /persons/{person}, which renames
// the person: its faces, images and Rekognition user (same UserId, same
// faces) stay, under the new name. The answer is a Person under the new
// name.
type RenamePerson struct {
	// Person is the new name; it must pass ValidatePerson. A name another
	// person has is refused (409, CodePersonExists): persons are not
	// merged. The person's own name changes nothing.
	Person string `json:"person"`
}
