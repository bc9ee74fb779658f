package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/facerec/facerec-cdk/contract"
)

// Unit is the EMF unit of every metric the functions publish: they are
// all counts.
const Unit = "Count"

// Counts holds the counts of one invocation: a total per metric and, for
// the metrics counted by reason, a count per reason. It is safe for
// concurrent use. The zero value is not usable; create it with NewCounts.
type Counts struct {
	mu       sync.Mutex
	total    map[string]int
	byReason map[string]map[string]int // reason → metric → count
}

// NewCounts returns Counts in which each of names is reported, with 0 if
// nothing is added to it.
func NewCounts(names ...string) *Counts {
	c := &Counts{total: map[string]int{}, byReason: map[string]map[string]int{}}
	for _, n := range names {
		c.total[n] = 0
	}
	return c
}

// Add adds n to the metric name.
func (c *Counts) Add(name string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total[name] += n
}

// AddReason adds n to the metric name for reason only, not to its total:
// a thing with several reasons is counted once in the total (Add) and once
// under each of its reasons. An empty reason is ignored.
func (c *Counts) AddReason(name, reason string, n int) {
	if reason == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.byReason[reason]
	if m == nil {
		m = map[string]int{}
		c.byReason[reason] = m
	}
	m[name] += n
}

// Total returns the count of the metric name (0 if nothing was added).
func (c *Counts) Total(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total[name]
}

// Emitter writes Counts as EMF documents to a writer, one JSON object a
// line, each in one Write call. It is safe for concurrent use: the lines
// of one Emit are written together. A nil *Emitter writes nothing.
type Emitter struct {
	mu           sync.Mutex // serializes writes to w
	w            io.Writer
	collectionID string
	now          func() time.Time
}

// NewEmitter returns an Emitter writing to w the metrics of the collection
// collectionID (the value of the contract.MetricsDimensionCollectionId
// dimension), time-stamped with the current time.
func NewEmitter(w io.Writer, collectionID string) *Emitter {
	return &Emitter{w: w, collectionID: collectionID, now: time.Now}
}

// Document is one EMF document: the "_aws" metadata and the target
// members (dimension values and metric values) at the top level.
type Document struct {
	// AWS is the "_aws" metadata member.
	AWS Metadata `json:"_aws"`
	// Members are the dimension values (strings) and metric values
	// (numbers) the directives name, written as top-level members.
	Members map[string]any `json:"-"`
}

// Metadata is the "_aws" member of a Document.
type Metadata struct {
	// Timestamp is the metrics' time in milliseconds since the Unix epoch.
	Timestamp int64 `json:"Timestamp"`
	// CloudWatchMetrics lists the directives (one per document here).
	CloudWatchMetrics []Directive `json:"CloudWatchMetrics"`
}

// Directive tells CloudWatch which members are metrics of Namespace and
// which are their dimensions.
type Directive struct {
	// Namespace is contract.MetricsNamespace.
	Namespace string `json:"Namespace"`
	// Dimensions are dimension sets, each a list of member names.
	Dimensions [][]string `json:"Dimensions"`
	// Metrics names the metric members, with their unit.
	Metrics []MetricDefinition `json:"Metrics"`
}

// MetricDefinition names one metric member and its unit.
type MetricDefinition struct {
	// Name is the member holding the value, and the metric's name.
	Name string `json:"Name"`
	// Unit is Unit.
	Unit string `json:"Unit"`
}

// MarshalJSON writes the "_aws" member and Members as one object.
func (d Document) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(d.Members)+1)
	maps.Copy(m, d.Members)
	m["_aws"] = d.AWS
	return json.Marshal(m)
}

// UnmarshalJSON reads the "_aws" member into AWS and every other member
// into Members (numbers as float64).
func (d *Document) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	raw, err := json.Marshal(m["_aws"])
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &d.AWS); err != nil {
		return fmt.Errorf("_aws: %w", err)
	}
	delete(m, "_aws")
	d.Members = m
	return nil
}

// Documents returns the EMF documents of c: the totals under the
// CollectionId dimension, then one document per reason (in reason order)
// under CollectionId and Reason. Metrics are in name order.
func (e *Emitter) Documents(c *Counts) []Document {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := e.now().UnixMilli()
	docs := []Document{e.document(ts, c.total, nil)}
	for _, reason := range slices.Sorted(maps.Keys(c.byReason)) {
		docs = append(docs, e.document(ts, c.byReason[reason], map[string]string{contract.MetricsDimensionReason: reason}))
	}
	return docs
}

// document builds one document of values, with the CollectionId dimension
// and the extra dimensions.
func (e *Emitter) document(ts int64, values map[string]int, extra map[string]string) Document {
	dims := []string{contract.MetricsDimensionCollectionId}
	members := map[string]any{contract.MetricsDimensionCollectionId: e.collectionID}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		dims = append(dims, k)
		members[k] = extra[k]
	}
	var defs []MetricDefinition
	for _, name := range slices.Sorted(maps.Keys(values)) {
		defs = append(defs, MetricDefinition{Name: name, Unit: Unit})
		members[name] = values[name]
	}
	return Document{
		AWS: Metadata{Timestamp: ts, CloudWatchMetrics: []Directive{{
			Namespace: contract.MetricsNamespace, Dimensions: [][]string{dims}, Metrics: defs,
		}}},
		Members: members,
	}
}

// Emit writes the documents of c, one a line. Counts without any metric
// write nothing.
func (e *Emitter) Emit(c *Counts) error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.Documents(c) {
		if len(d.AWS.CloudWatchMetrics[0].Metrics) == 0 {
			continue
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if _, err := e.w.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("write metrics: %w", err)
		}
	}
	return nil
}
