package facerecognition

// Upgrade safety: a synth that would make CloudFormation replace or remove
// the service's Rekognition collection or DynamoDB table fails, unless the
// props set AllowReplacement.
//
// A synth is offline and cannot see the deployed stack, so the check compares
// with the previous template of the same stack in the app's output directory
// (cdk.out), which the last `cdk synth` or `cdk deploy` left there: CDK writes
// the new template only after the construct validations have passed, and the
// CDK CLI keeps the directory between runs. The check sees the collection and
// table as their CloudFormation properties (escape-hatch property overrides
// are not seen); it has nothing to compare with when the output directory is
// new (a clean checkout in CI, a test).

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// serviceMetadataKey tags each guarded resource in the template with the node
// path of its FaceRecognitionService, so that a later synth can tell which
// service a previous resource belonged to.
const serviceMetadataKey = "facerec:service"

// guardedType describes a CloudFormation resource type whose replacement
// drops the face index.
type guardedType struct {
	// label names the type in messages.
	label string
	// replacementValues returns, from the resource's template Properties,
	// the values whose change makes CloudFormation replace the resource (the
	// properties marked "Update requires: Replacement" in the CloudFormation
	// template reference), by name.
	replacementValues func(props map[string]any) map[string]any
}

// guardedTypes are the guarded resource types, by CloudFormation type.
var guardedTypes = map[string]guardedType{
	"AWS::Rekognition::Collection": {
		label: "Rekognition collection",
		replacementValues: func(p map[string]any) map[string]any {
			return map[string]any{"CollectionId": p["CollectionId"]}
		},
	},
	"AWS::DynamoDB::Table": {
		label: "DynamoDB table",
		replacementValues: func(p map[string]any) map[string]any {
			return map[string]any{
				"TableName":             p["TableName"],
				"KeySchema":             p["KeySchema"],
				"LocalSecondaryIndexes": p["LocalSecondaryIndexes"],
				// DynamoDB cannot change the type of a key attribute; its
				// AttributeDefinitions entry is where the template gives it.
				"AttributeDefinitions of key attributes": keyAttributeTypes(p),
			}
		},
	},
}

// keyAttributeTypes returns the AttributeType of each attribute of the
// table's KeySchema and of its local secondary indexes' KeySchemas, by
// attribute name, from the table's template Properties; nil if there are none.
func keyAttributeTypes(p map[string]any) any {
	keyNames := map[string]bool{}
	addKeys := func(schema any) {
		list, _ := schema.([]any)
		for _, k := range list {
			if m, ok := k.(map[string]any); ok {
				if name, ok := m["AttributeName"].(string); ok {
					keyNames[name] = true
				}
			}
		}
	}
	addKeys(p["KeySchema"])
	lsis, _ := p["LocalSecondaryIndexes"].([]any)
	for _, lsi := range lsis {
		if m, ok := lsi.(map[string]any); ok {
			addKeys(m["KeySchema"])
		}
	}
	defs, _ := p["AttributeDefinitions"].([]any)
	types := map[string]any{}
	for _, d := range defs {
		m, _ := d.(map[string]any)
		if name, ok := m["AttributeName"].(string); ok && keyNames[name] {
			types[name] = m["AttributeType"]
		}
	}
	if len(types) == 0 {
		return nil
	}
	return types
}

// templateResource is a resource of a template, as its JSON.
type templateResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	Metadata   map[string]any `json:"Metadata"`
}

// guardedResource is a guarded resource of the synth being validated.
type guardedResource struct {
	typ       string
	logicalID string
	values    map[string]any // the guardedType's replacementValues
}

// replacementCheck is the validation that refuses replacements; it
// implements constructs.IValidation.
type replacementCheck struct {
	service   constructs.Construct
	resources []awscdk.CfnResource // the service's guarded resources
}

// guardAgainstReplacement tags the guarded resources under s with
// serviceMetadataKey and, unless the props allow replacement, adds the
// validation that compares them with the previous template. It runs last in
// the constructor, so it finds whichever guarded resources the props made.
func (s *FaceRecognitionService) guardAgainstReplacement(cfg *settings) {
	check := &replacementCheck{service: s.Construct}
	for _, c := range *s.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if r, ok := c.(awscdk.CfnResource); ok {
			if _, guarded := guardedTypes[*r.CfnResourceType()]; guarded {
				r.AddMetadata(jsii.String(serviceMetadataKey), s.Node().Path())
				check.resources = append(check.resources, r)
			}
		}
	}
	if !cfg.allowReplacement {
		s.Node().AddValidation(check)
	}
}

// Validate implements constructs.IValidation: it returns one message listing
// what deploying this synth would replace or remove, or none (an empty list:
// jsii refuses a nil one).
func (c *replacementCheck) Validate() *[]*string {
	stack := awscdk.Stack_Of(c.service)
	previousFile := filepath.Join(*awscdk.Stage_Of(stack).Outdir(), *stack.TemplateFile())
	previous, err := readTemplateResources(previousFile)
	if err != nil {
		return jsii.Strings(fmt.Sprintf("facerecognition: cannot read the previous template to check for replacements: %v; "+
			"delete it, or set FaceRecognitionServiceProps.AllowReplacement to true", err))
	}
	if previous == nil {
		return &[]*string{}
	}
	current := make([]guardedResource, len(c.resources))
	for i, r := range c.resources {
		current[i] = currentResource(stack, r)
	}
	problems := replacements(*c.service.Node().Path(), previous, current, func(path string) bool {
		return constructAt(stack, path)
	})
	if len(problems) == 0 {
		return &[]*string{}
	}
	return jsii.Strings(fmt.Sprintf("facerecognition: compared with the previous template %s, deploying this synth would\n    - %s\n"+
		"A replaced or removed collection or table takes the face index with it: the new one starts empty, "+
		"the old one is left behind unused (RemovalPolicy RETAIN) or deleted (DESTROY), and every image must be indexed again. "+
		"Undo the change, or set FaceRecognitionServiceProps.AllowReplacement to true to deploy it anyway.",
		previousFile, strings.Join(problems, "\n    - ")))
}

// readTemplateResources returns the guarded resources of the template file
// by logical ID: nil without error if the file does not exist.
func readTemplateResources(file string) (map[string]templateResource, error) {
	raw, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var template struct {
		Resources map[string]templateResource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &template); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := map[string]templateResource{}
	for id, r := range template.Resources {
		if _, guarded := guardedTypes[r.Type]; guarded {
			out[id] = r
		}
	}
	return out, nil
}

// currentResource renders r as the synth will write it: its logical ID and
// its properties resolved, then rendered with CloudFormation's names (the
// order CfnResource follows), as JSON values.
func currentResource(stack awscdk.Stack, r awscdk.CfnResource) guardedResource {
	resolved, _ := stack.Resolve(r.CfnProperties()).(map[string]any)
	props := map[string]any{}
	if rendered := r.RenderProperties(&resolved); rendered != nil {
		raw, err := json.Marshal(*rendered)
		if err != nil {
			panic(fmt.Sprintf("facerecognition: rendering %s: %v", *r.Node().Path(), err))
		}
		if err := json.Unmarshal(raw, &props); err != nil {
			panic(fmt.Sprintf("facerecognition: rendering %s: %v", *r.Node().Path(), err))
		}
	}
	typ := *r.CfnResourceType()
	return guardedResource{
		typ:       typ,
		logicalID: fmt.Sprint(stack.Resolve(stack.GetLogicalId(r))),
		values:    guardedTypes[typ].replacementValues(props),
	}
}

// constructAt reports whether the stack holds a construct at the node path.
func constructAt(stack awscdk.Stack, path string) bool {
	rel, ok := strings.CutPrefix(path, *stack.Node().Path()+"/")
	if !ok {
		return false
	}
	var node constructs.IConstruct = stack
	for _, id := range strings.Split(rel, "/") {
		if node = node.Node().TryFindChild(jsii.String(id)); node == nil {
			return false
		}
	}
	return true
}

// replacements compares the service at servicePath, whose guarded resources
// are current, with the previous template's guarded resources, and describes
// each replacement or removal deploying would cause, sorted. A previous
// resource belongs to the service if it is tagged with servicePath or has the
// logical ID and type of one of current. A service that owned no previous
// resource is new at its path: if the previous template has resources of a
// service whose path no longer exists (exists reports whether a construct is
// at a path), this one may be that service moved or renamed, and those
// resources are reported too.
func replacements(servicePath string, previous map[string]templateResource, current []guardedResource, exists func(path string) bool) []string {
	byID := map[string]guardedResource{}
	for _, r := range current {
		byID[r.logicalID] = r
	}
	var problems []string
	owned := 0
	for id, prev := range previous {
		cur, sameID := byID[id]
		sameID = sameID && cur.typ == prev.Type
		if !sameID && prev.Metadata[serviceMetadataKey] != servicePath {
			continue
		}
		owned++
		label := guardedTypes[prev.Type].label
		switch successors := ofType(prev.Type, current); {
		case sameID:
			if changes := changedValues(guardedTypes[prev.Type].replacementValues(prev.Properties), cur.values); changes != "" {
				problems = append(problems, fmt.Sprintf("replace the %s %s: %s", label, id, changes))
			}
		case successors != "":
			problems = append(problems, fmt.Sprintf("replace the %s %s by %s: its logical ID changed (a construct was moved or renamed)", label, id, successors))
		default:
			problems = append(problems, fmt.Sprintf("remove the %s %s from the stack", label, id))
		}
	}
	if owned > 0 {
		sort.Strings(problems)
		return problems
	}
	for id, prev := range previous {
		oldPath, _ := prev.Metadata[serviceMetadataKey].(string)
		if oldPath == "" || exists(oldPath) {
			continue
		}
		if successors := ofType(prev.Type, current); successors != "" {
			problems = append(problems, fmt.Sprintf("replace the %s %s by %s, if this service is the one that was at %s (no longer in the stack), moved or renamed",
				guardedTypes[prev.Type].label, id, successors, oldPath))
		}
	}
	sort.Strings(problems)
	return problems
}

// ofType lists the logical IDs of the current resources of type typ.
func ofType(typ string, current []guardedResource) string {
	var ids []string
	for _, r := range current {
		if r.typ == typ {
			ids = append(ids, r.logicalID)
		}
	}
	return strings.Join(ids, ", ")
}

// changedValues describes the values that differ between before and after,
// in name order: "" if none do.
func changedValues(before, after map[string]any) string {
	names := make([]string, 0, len(before))
	for name := range before {
		names = append(names, name)
	}
	sort.Strings(names)
	var changes []string
	for _, name := range names {
		if !reflect.DeepEqual(before[name], after[name]) {
			changes = append(changes, fmt.Sprintf("%s changes from %s to %s", name, jsonText(before[name]), jsonText(after[name])))
		}
	}
	return strings.Join(changes, "; ")
}

// jsonText is v as compact JSON, or "(none)" if v is nil.
func jsonText(v any) string {
	if v == nil {
		return "(none)"
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}
