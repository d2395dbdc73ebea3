package backtest

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// Options control how Read reads leads.
type Options struct {
	// Now is the instant leads are scored at (Unix seconds) when the
	// mapping names no at column.
	Now int64
	// Progress, when set, is called with the number of rows read so far,
	// every 1,024 rows and once at the end.
	Progress func(rows int)
	// MaxProblems is how many problems are kept in full; the others are
	// only counted. Zero means 10.
	MaxProblems int
}

// Problem is a row, or a value in it, that could not be used as it is.
type Problem struct {
	Line    int    `json:"line"`             // 1-based line in the file, as encoding/csv counts lines
	Column  string `json:"column,omitempty"` // the column's name in the header, if one column is at fault
	Message string `json:"message"`
	// Value is the value at fault as the file holds it, trimmed, when one
	// is; Mapped is what the mapping's value map made of it, when it did.
	Value  string `json:"value,omitempty"`
	Mapped string `json:"mapped,omitempty"`
}

// ProblemGroup is every problem of one kind in one column: the message
// they share, how many there were and the first few.
type ProblemGroup struct {
	Column   string    `json:"column,omitempty"`
	Message  string    `json:"message"`  // without the values, which the examples hold
	Count    int       `json:"count"`    // how many times the problem came up
	Examples []Problem `json:"examples"` // the first MaxExamples, in file order
}

// MaxExamples is how many problems a ProblemGroup keeps in full.
const MaxExamples = 3

// shown formats the value of p, and what the value map made of it, for a
// message: "Großbritannien" → "UK".
func (p Problem) shown() string {
	s := strconv.Quote(p.Value)
	if p.Mapped != "" {
		s += " → " + strconv.Quote(p.Mapped)
	}
	return s
}

// String formats p as `line 12, column "employees": message`.
func (p Problem) String() string {
	s := "line " + strconv.Itoa(p.Line)
	if p.Column != "" {
		s += ", column " + strconv.Quote(p.Column)
	}
	return s + ": " + p.Message
}

// Data is what Read keeps of each usable row: the verdict's score, stage
// and fit grade, the point rules that held, the outcome, and the extra
// columns. Rows are indexed 0..Len()-1 in file order.
type Data struct {
	Model    *qualify.Model
	Read     int       // data rows read, the header not counted
	Skipped  int       // rows that could not be used
	Problems []Problem // the first problems, in file order
	More     int       // problems beyond those in Problems
	// Groups are all the problems, grouped by column and message, in the
	// order each group's first problem came up.
	Groups []ProblemGroup
	// Later counts signal instants after the lead's own instant, which
	// were ignored: they happened after the lead was scored.
	Later int

	Score   []float64
	Stage   []int16 // index into Model.Stages
	Grade   []int16 // index into Model.Grades, or -1
	Outcome []bool
	holds   []uint64 // rule bits, words per row
	words   int
	Extra   []*Extra
}

// Len returns the number of usable rows.
func (d *Data) Len() int { return len(d.Outcome) }

// Holds reports whether point rule r held for row i.
func (d *Data) Holds(i, r int) bool {
	return d.holds[i*d.words+r/64]&(1<<(r%64)) != 0
}

// Extra is a column Suggest may turn into candidate rules. It is numeric
// when the mapping says type: number, text when it says type: text, and
// otherwise numeric when at least NumericShare of its present values are
// numbers. In a numeric column the values that are not numbers are
// treated as missing, and one problem says so.
type Extra struct {
	Name string
	// Attr is the name of the attribute field a suggested rule over the
	// column reads: the mapping's `as:`, else the column's name made a
	// field name.
	Attr string
	// Kind is the kind of point rule the column's candidates are: stated
	// in the mapping, engagement points when it states none.
	Kind   qualify.PointKind
	Num    []float64 // per row; NaN when missing or not a number
	Code   []int32   // per row: index into Values, or -1 when missing
	Values []string  // distinct values in order of first appearance, up to maxValues
	Counts []int     // rows per value
	// Missing counts the rows whose value is missing: empty, or one of the
	// mapping's missing values ("NA", "Select", ...).
	Missing int
	typ     ColumnType
	decided bool // numeric is decided, and the values that are not numbers made missing
	numeric bool
	texts   int       // present values that are not numbers
	odd     []Problem // the first of them
	codes   map[string]int32
}

// Numeric reports whether the column is read as numbers: Num holds its
// values, and once Read has decided, Values only those that are numbers.
func (x *Extra) Numeric() bool {
	if !x.decided {
		return x.wantsNumbers() && len(x.Values) > 0
	}
	return x.numeric && len(x.Values) > 0
}

// wantsNumbers reports whether the column is to be read as numbers: by
// its type, else by the share of its present values that are numbers.
func (x *Extra) wantsNumbers() bool {
	switch x.typ {
	case TypeNumber:
		return true
	case TypeText:
		return false
	}
	present := len(x.Code) - x.Missing
	return present > 0 && float64(present-x.texts) >= NumericShare*float64(present)
}

// maxValues bounds the distinct values kept of an extra column; later
// values share the code "other".
const maxValues = 10000

// add adds the value of the next lead; "" is missing.
func (x *Extra) add(v string) { x.addRow(v, v == "", 0) }

// addRow adds the value of the next row, which is on line; missing says
// it stands for no value.
func (x *Extra) addRow(v string, missing bool, line int) {
	if missing {
		x.Num = append(x.Num, math.NaN())
		x.Code = append(x.Code, -1)
		x.Missing++
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		f = math.NaN()
		x.texts++
		if len(x.odd) < MaxExamples {
			x.odd = append(x.odd, Problem{Line: line, Column: x.Name, Value: v,
				Message: strconv.Quote(v) + " is not a number, in a column of numbers; the value is treated as missing"})
		}
	}
	x.Num = append(x.Num, f)
	code, ok := x.codes[v]
	switch {
	case ok:
	case len(x.Values) < maxValues:
		if x.codes == nil {
			x.codes = map[string]int32{}
		}
		code = int32(len(x.Values))
		x.codes[v] = code
		x.Values = append(x.Values, v)
		x.Counts = append(x.Counts, 0)
	default:
		code = int32(len(x.Values) - 1) // the last value stands for every later one
	}
	x.Counts[code]++
	x.Code = append(x.Code, code)
}

// decide decides whether the column is numeric, once every row is read,
// and if it is, makes the values that are not numbers missing. It returns
// the problem that says so, if there were any.
func (x *Extra) decide() *ProblemGroup {
	present := len(x.Code) - x.Missing
	x.numeric, x.decided = x.wantsNumbers(), true
	if !x.numeric || x.texts == 0 {
		return nil
	}
	// Keep the values that are numbers, in order, and renumber the codes.
	recode := make([]int32, len(x.Values))
	var values []string
	var counts []int
	for c, v := range x.Values {
		if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			recode[c] = -1
			continue
		}
		recode[c] = int32(len(values))
		values, counts = append(values, v), append(counts, x.Counts[c])
	}
	for i, c := range x.Code {
		switch {
		case c < 0:
		case math.IsNaN(x.Num[i]):
			x.Code[i] = -1
			x.Missing++
		case recode[c] >= 0:
			x.Code[i] = recode[c]
		default: // a number beyond maxValues sharing the code of a text
			x.Code[i] = int32(len(values) - 1)
		}
	}
	x.Values, x.Counts = values, counts
	x.codes = nil
	what := "read as numbers"
	if x.typ == TypeAuto {
		what = fmt.Sprintf("read as numbers, as %.1f%% of its present values are", 100*float64(present-x.texts)/float64(present))
	} else {
		what += ", as the mapping says"
	}
	g := &ProblemGroup{Column: x.Name, Count: x.texts, Examples: x.odd,
		Message: "values that are not numbers in a column " + what + ": they are treated as missing " +
			"(list them under missing:, or give the column type: text)"}
	return g
}

// ColumnError is an error about the file's columns as a whole: a column
// the mapping needs is not in the header.
type ColumnError struct {
	Column  string   // the column looked for
	What    string   // what the mapping wants it for
	Columns []string // the columns found
}

func (e *ColumnError) Error() string {
	return fmt.Sprintf("%s column %q is not in the file; columns found: %s", e.What, e.Column, strings.Join(e.Columns, ", "))
}

// column is a mapped column of the file.
type column struct {
	index  int // in the record
	name   string
	model  int // the model's field or signal it holds
	values map[string]string
	lower  map[string]string // values by lower-case key
	keep   map[string]bool   // options of a choice field that look missing but are answers
}

// lookup returns what the column's value map maps v to: its entry for v,
// else for v in another case.
func (c *column) lookup(v string) (string, bool) {
	if to, ok := c.values[v]; ok {
		return to, true
	}
	to, ok := c.lower[strings.ToLower(v)]
	return to, ok
}

// reader holds the state of one Read.
type reader struct {
	m      *qualify.Model
	mp     *Mapping
	opt    Options
	csv    *csv.Reader
	header []string
	d      *Data

	outcome, at int
	fields      []column
	signals     []column
	extras      []int // record index per Data.Extra
	positive    map[string]bool
	negative    map[string]bool
	formSignal  int // the model's form signal, when a column maps it; else -1
	input       qualify.Input
	missing     map[string]bool // the missing values, in lower case
	groups      map[[2]string]int
}

// Read reads a CSV of past leads with a header row, scores each lead with
// the model and keeps what the metrics need. It streams the file. Rows it
// cannot use are skipped and a value it cannot use is treated as missing;
// both are recorded as Problems. It returns an error when the file has no
// header, lacks the outcome or at column, or cannot be read.
//
// Each lead is evaluated as if submitted through the signup form at its
// instant, as `winnow eval` and the example leads are, so the form's signal
// and those of chosen options are recorded then, unless the mapping maps a
// column onto that signal: a mapped signal column decides the signal.
func Read(r io.Reader, m *qualify.Model, mp *Mapping, opt Options) (*Data, error) {
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = 10
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	rd := &reader{m: m, mp: mp, opt: opt, csv: cr, input: qualify.Input{}, formSignal: -1,
		d: &Data{Model: m, words: (len(m.Points) + 63) / 64}}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: want a header row naming the columns")
	}
	if err != nil {
		return nil, fmt.Errorf("the header row: %w", err)
	}
	if err := rd.columns(header); err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rd.d.Read++
			rd.d.Skipped++
			rd.problem(Problem{Line: pe.Line, Message: pe.Err.Error() + " (at byte " + strconv.Itoa(pe.Column) + " of the line); the row is skipped"},
				pe.Err.Error()+"; the row is skipped")
			continue
		}
		if err != nil {
			return nil, err
		}
		rd.d.Read++
		rd.row(rec)
		if opt.Progress != nil && rd.d.Read%1024 == 0 {
			opt.Progress(rd.d.Read)
		}
	}
	if opt.Progress != nil {
		opt.Progress(rd.d.Read)
	}
	for _, x := range rd.d.Extra {
		if g := x.decide(); g != nil {
			rd.summary(*g)
		}
	}
	slices.SortStableFunc(rd.d.Groups, func(a, b ProblemGroup) int { return cmp.Compare(a.Examples[0].Line, b.Examples[0].Line) })
	return rd.d, nil
}

// problem records p, whose message is group's with the value filled in;
// group "" is p's message. Problems are grouped by column and group.
func (rd *reader) problem(p Problem, group string) {
	d := rd.d
	if len(d.Problems) < rd.opt.MaxProblems {
		d.Problems = append(d.Problems, p)
	} else {
		d.More++
	}
	if group == "" {
		group = p.Message
	}
	if rd.groups == nil {
		rd.groups = map[[2]string]int{}
	}
	key := [2]string{p.Column, group}
	g, ok := rd.groups[key]
	if !ok {
		g = len(d.Groups)
		rd.groups[key] = g
		d.Groups = append(d.Groups, ProblemGroup{Column: p.Column, Message: group})
	}
	d.Groups[g].Count++
	if len(d.Groups[g].Examples) < MaxExamples {
		d.Groups[g].Examples = append(d.Groups[g].Examples, p)
	}
}

// summary records one problem about a whole column, found once every row
// is read: g, whose first example it is in Problems, at its place in file
// order.
func (rd *reader) summary(g ProblemGroup) {
	d := rd.d
	p := Problem{Line: g.Examples[0].Line, Column: g.Column,
		Message: fmt.Sprintf("%d %s; the first: %s", g.Count, g.Message, examples(g.Examples))}
	i, _ := slices.BinarySearchFunc(d.Problems, p.Line, func(q Problem, line int) int { return cmp.Compare(q.Line, line+1) })
	d.Problems = slices.Insert(d.Problems, i, p)
	if len(d.Problems) > rd.opt.MaxProblems {
		d.Problems = d.Problems[:rd.opt.MaxProblems]
		d.More++
	}
	d.Groups = append(d.Groups, g)
}

// examples lists problems' lines and values: line 12 ("NA?"), line 14 ("x").
func examples(ps []Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("line " + strconv.Itoa(p.Line))
		if p.Value != "" || p.Mapped != "" {
			b.WriteString(" (" + p.shown() + ")")
		}
	}
	return b.String()
}

// columns finds the mapped columns in the header.
func (rd *reader) columns(header []string) error {
	rd.header = make([]string, len(header))
	byName := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			h = strings.ToValidUTF8(h, "\uFFFD")
		}
		rd.header[i] = h
		key := strings.ToLower(h)
		if _, dup := byName[key]; dup {
			rd.problem(Problem{Line: 1, Column: h, Message: "the column is named twice; the first is used"}, "")
			continue
		}
		byName[key] = i
	}
	find := func(name string) int {
		if i, ok := byName[strings.ToLower(strings.TrimSpace(name))]; ok {
			return i
		}
		return -1
	}
	m, mp := rd.m, rd.mp
	if rd.outcome = find(mp.Outcome); rd.outcome < 0 {
		return &ColumnError{Column: mp.Outcome, What: "the outcome", Columns: rd.header}
	}
	rd.at = -1
	if mp.At != "" {
		if rd.at = find(mp.At); rd.at < 0 {
			return &ColumnError{Column: mp.At, What: "the instant (at)", Columns: rd.header}
		}
	}
	missing := func(name, what string) {
		rd.problem(Problem{Line: 1, Column: name, Message: "no such column in the header; " + what + " is missing from every lead (columns found: " + strings.Join(rd.header, ", ") + ")"}, "")
	}
	var fields, signals []mappedColumn
	extra := map[int]bool{}
	var absent []string // extra columns the header lacks, reported after the fields' and signals'
	for _, xc := range mp.Extra {
		i := find(xc.Column)
		if i < 0 {
			absent = append(absent, xc.Column)
			continue
		}
		extra[i] = true
		rd.extras = append(rd.extras, i)
		kind := xc.Kind
		if kind == 0 {
			kind = qualify.EngagementPoints
		}
		attr := xc.Attr
		if attr == "" {
			attr = attrName(xc.Column)
		}
		rd.d.Extra = append(rd.d.Extra, &Extra{Name: rd.header[i], Attr: attr, Kind: kind, typ: xc.Type})
	}
	for _, fc := range mp.Fields {
		fields = append(fields, mappedColumn{fc.Field, fc.Column, fc.Values})
	}
	for _, sc := range mp.Signals {
		signals = append(signals, mappedColumn{sc.Signal, sc.Column, sc.Values})
	}
	byOwnName := func(name string) int {
		if i := find(name); i >= 0 && !extra[i] {
			return i
		}
		return -1
	}
	rd.fields = resolve(fieldNames(m), fields, "field", find, byOwnName, missing, rd.header)
	rd.signals = resolve(signalNames(m), signals, "signal", find, byOwnName, missing, rd.header)
	for _, c := range rd.signals {
		if m.Signals[c.model].Name == m.FormSignal {
			rd.formSignal = c.model
		}
	}
	for _, name := range absent {
		missing(name, "the extra column")
	}
	rd.positive, rd.negative = lowerSet(mp.Positive), lowerSet(mp.Negative)
	rd.missing = lowerSet(mp.Missing)
	rd.missing[""] = true
	for k := range rd.fields {
		c := &rd.fields[k]
		for _, o := range m.Fields[c.model].Options {
			if rd.missing[strings.ToLower(strings.TrimSpace(o.Value))] {
				if c.keep == nil {
					c.keep = map[string]bool{}
				}
				c.keep[o.Value] = true
			}
		}
	}
	return nil
}

// mappedColumn is a column the mapping names for a field or a signal.
type mappedColumn struct {
	model  int // the field's or signal's index
	column string
	values map[string]string
}

// resolve finds the columns of the model's fields or signals, called
// names: those the mapping names, then, for each name it does not map, a
// column of the name's own if there is one that is not an extra column
// (byOwnName). missing reports a column the mapping names that the header
// lacks.
func resolve(names []string, mapped []mappedColumn, what string, find, byOwnName func(string) int, missing func(col, what string), header []string) []column {
	var out []column
	done := make([]bool, len(names))
	for _, mc := range mapped {
		done[mc.model] = true
		i := find(mc.column)
		if i < 0 {
			missing(mc.column, what+" "+names[mc.model])
			continue
		}
		out = append(out, newColumn(i, header[i], mc.model, mc.values))
	}
	for j, name := range names {
		if i := byOwnName(name); !done[j] && i >= 0 {
			out = append(out, newColumn(i, header[i], j, nil))
		}
	}
	return out
}

func newColumn(index int, name string, model int, values map[string]string) column {
	c := column{index: index, name: name, model: model, values: values}
	if len(values) > 0 {
		c.lower = make(map[string]string, len(values))
		for k, v := range values {
			c.lower[strings.ToLower(k)] = v
		}
	}
	return c
}

func lowerSet(values []string) map[string]bool {
	s := make(map[string]bool, len(values))
	for _, v := range values {
		s[strings.ToLower(strings.TrimSpace(v))] = true
	}
	return s
}

// row scores one record and keeps it, or records why it cannot be used.
func (rd *reader) row(rec []string) {
	line, _ := rd.csv.FieldPos(0)
	if len(rec) != len(rd.header) {
		msg := fmt.Sprintf("%d fields where the header names %d", len(rec), len(rd.header))
		col := ""
		if len(rec) < len(rd.header) {
			col = rd.header[len(rec)]
			msg += ": the row ends before this column"
		}
		rd.skip(Problem{Line: line, Column: col, Message: msg + "; the row is skipped"}, "")
		return
	}
	m := rd.m
	raw := strings.TrimSpace(rec[rd.outcome])
	converted := rd.positive[strings.ToLower(raw)]
	if !converted && !rd.negative[strings.ToLower(raw)] {
		known := "; converted: " + strings.Join(rd.mp.Positive, ", ") + "; not converted: " + strings.Join(rd.mp.Negative, ", ") + "; the row is skipped"
		rd.skip(Problem{Line: rd.line(rd.outcome), Column: rd.header[rd.outcome], Value: raw,
			Message: "unknown outcome " + strconv.Quote(raw) + known}, "unknown outcome"+known)
		return
	}
	at := rd.opt.Now
	if rd.at >= 0 {
		t, ok := content.ParseInstant(strings.TrimSpace(rec[rd.at]))
		if !ok {
			const msg = "not an instant like 2026-03-31 or 2026-03-31T09:30:00Z; the row is skipped"
			rd.skip(Problem{Line: rd.line(rd.at), Column: rd.header[rd.at], Value: strings.TrimSpace(rec[rd.at]),
				Message: strconv.Quote(rec[rd.at]) + " is " + msg}, msg)
			return
		}
		at = t
	}

	clear(rd.input)
	for _, c := range rd.fields {
		v := strings.TrimSpace(rec[c.index])
		if to, ok := c.lookup(v); ok {
			v = to
		} else if rd.isMissing(v) && !c.keep[v] {
			v = ""
		}
		rd.input[m.Fields[c.model].Name] = v
	}
	lead, ferrs := m.Lead(rd.input, at)
	for _, fe := range ferrs {
		// An empty answer is missing whether or not the form requires it.
		if fe.Code == qualify.CodeRequired {
			continue
		}
		c := rd.fieldColumn(fe.Field)
		p := Problem{Line: rd.line(c.index), Column: c.name, Value: strings.TrimSpace(rec[c.index])}
		if to, ok := c.lookup(p.Value); ok {
			p.Mapped = to
		}
		why := refusal(&m.Fields[c.model], fe)
		p.Message = "field " + fe.Field + ": " + p.shown() + " is " + why + "; the field is treated as missing"
		rd.problem(p, "field "+fe.Field+": "+why+"; the field is treated as missing")
	}
	if rd.formSignal >= 0 {
		lead.Signals[rd.formSignal] = 0
	}
	for _, c := range rd.signals {
		v := strings.TrimSpace(rec[c.index])
		if c.values != nil {
			// A value map names the values that are signals; the others are not.
			v, _ = c.lookup(v)
		} else if rd.isMissing(v) {
			v = ""
		}
		var t int64
		switch strings.ToLower(v) {
		case "", "no", "false", "0":
		case "yes", "true", "1":
			t = at
		default:
			var ok bool
			if t, ok = content.ParseInstant(v); !ok {
				const msg = "neither an instant (2026-03-31 or RFC 3339) nor yes/no; the signal is treated as missing"
				name := m.Signals[c.model].Name
				rd.problem(Problem{Line: rd.line(c.index), Column: c.name, Value: v,
					Message: "signal " + name + ": " + strconv.Quote(v) + " is " + msg}, "signal "+name+": "+msg)
			}
		}
		if t > at {
			rd.d.Later++
			t = 0
		}
		lead.Signals[c.model] = t
	}

	v := qualify.Evaluate(m, &lead, at)
	d := rd.d
	d.Score = append(d.Score, v.Score)
	d.Stage = append(d.Stage, int16(v.StageIndex))
	d.Grade = append(d.Grade, int16(m.GradeIndex(v.Fit)))
	d.Outcome = append(d.Outcome, converted)
	base := len(d.holds)
	for range d.words {
		d.holds = append(d.holds, 0)
	}
	for _, r := range v.Reasons {
		if r.Kind == qualify.ReasonPoints {
			d.holds[base+r.Index/64] |= 1 << (r.Index % 64)
		}
	}
	for k, i := range rd.extras {
		x := strings.TrimSpace(rec[i])
		missing := rd.isMissing(x)
		if !utf8.ValidString(x) {
			const msg = "not UTF-8 text; the value is treated as missing"
			rd.problem(Problem{Line: rd.line(i), Column: rd.header[i], Value: x,
				Message: "not UTF-8 text (" + strconv.Quote(x) + "); the value is treated as missing"}, msg)
			missing = true
		}
		d.Extra[k].addRow(x, missing, rd.line(i))
	}
}

// isMissing reports whether v, trimmed, is one of the mapping's missing
// values.
func (rd *reader) isMissing(v string) bool {
	return rd.missing[strings.ToLower(v)]
}

func (rd *reader) skip(p Problem, group string) {
	rd.d.Skipped++
	rd.problem(p, group)
}

// refusal says why field f refuses an answer, for people reading a
// backtest: the options of a choice, the range of a number; else the
// form's own message.
func refusal(f *qualify.Field, fe qualify.FieldError) string {
	switch fe.Code {
	case qualify.CodeOption:
		const most = 12
		var opts []string
		for i, o := range f.Options {
			if i == most {
				opts = append(opts, fmt.Sprintf("… %d in all", len(f.Options)))
				break
			}
			opts = append(opts, o.Value)
		}
		return "not one of its options (" + strings.Join(opts, ", ") + ")"
	case qualify.CodeNumber:
		return "not a number"
	case qualify.CodeYesNo:
		return "not yes or no"
	case qualify.CodeEmail:
		return "not an email address"
	case qualify.CodeRange:
		switch {
		case f.HasMin && f.HasMax:
			return "outside its range, " + qualify.FormatNumber(f.Min) + " to " + qualify.FormatNumber(f.Max)
		case f.HasMin:
			return "below its least value, " + qualify.FormatNumber(f.Min)
		case f.HasMax:
			return "above its greatest value, " + qualify.FormatNumber(f.Max)
		}
	}
	return "refused by the form (" + strings.TrimSuffix(fe.Message, ".") + ")"
}

// line returns the line the field at index i of the current record starts on.
func (rd *reader) line(i int) int {
	line, _ := rd.csv.FieldPos(i)
	return line
}

func (rd *reader) fieldColumn(field string) column {
	for _, c := range rd.fields {
		if rd.m.Fields[c.model].Name == field {
			return c
		}
	}
	return column{}
}
