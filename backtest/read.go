package backtest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
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
// when every value in it is a number or empty.
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
	texts   int // present values that are not numbers
	codes   map[string]int32
}

// Numeric reports whether every present value of the column is a number.
func (x *Extra) Numeric() bool { return x.texts == 0 && len(x.Values) > 0 }

// maxValues bounds the distinct values kept of an extra column; later
// values share the code "other".
const maxValues = 10000

func (x *Extra) add(v string) {
	if v == "" {
		x.Num = append(x.Num, math.NaN())
		x.Code = append(x.Code, -1)
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		f = math.NaN()
		x.texts++
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
			rd.problem(Problem{Line: pe.Line, Message: pe.Err.Error() + " (at byte " + strconv.Itoa(pe.Column) + " of the line); the row is skipped"})
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
	return rd.d, nil
}

func (rd *reader) problem(p Problem) {
	if len(rd.d.Problems) < rd.opt.MaxProblems {
		rd.d.Problems = append(rd.d.Problems, p)
	} else {
		rd.d.More++
	}
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
			rd.problem(Problem{Line: 1, Column: h, Message: "the column is named twice; the first is used"})
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
		rd.problem(Problem{Line: 1, Column: name, Message: "no such column in the header; " + what + " is missing from every lead (columns found: " + strings.Join(rd.header, ", ") + ")"})
	}
	var fields, signals []mappedColumn
	for _, fc := range mp.Fields {
		fields = append(fields, mappedColumn{fc.Field, fc.Column, fc.Values})
	}
	for _, sc := range mp.Signals {
		signals = append(signals, mappedColumn{sc.Signal, sc.Column, nil})
	}
	rd.fields = resolve(fieldNames(m), fields, "field", find, missing, rd.header)
	rd.signals = resolve(signalNames(m), signals, "signal", find, missing, rd.header)
	for _, c := range rd.signals {
		if m.Signals[c.model].Name == m.FormSignal {
			rd.formSignal = c.model
		}
	}
	for _, name := range mp.Extra {
		i := find(name)
		if i < 0 {
			missing(name, "the extra column")
			continue
		}
		rd.extras = append(rd.extras, i)
		rd.d.Extra = append(rd.d.Extra, &Extra{Name: rd.header[i]})
	}
	rd.positive, rd.negative = lowerSet(mp.Positive), lowerSet(mp.Negative)
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
// column of the name's own if there is one. missing reports a column the
// mapping names that the header lacks.
func resolve(names []string, mapped []mappedColumn, what string, find func(string) int, missing func(col, what string), header []string) []column {
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
		if i := find(name); !done[j] && i >= 0 {
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
		rd.skip(Problem{Line: line, Column: col, Message: msg + "; the row is skipped"})
		return
	}
	m := rd.m
	raw := strings.TrimSpace(rec[rd.outcome])
	converted := rd.positive[strings.ToLower(raw)]
	if !converted && !rd.negative[strings.ToLower(raw)] {
		rd.skip(Problem{Line: rd.line(rd.outcome), Column: rd.header[rd.outcome],
			Message: "unknown outcome " + strconv.Quote(raw) + "; converted: " + strings.Join(rd.mp.Positive, ", ") +
				"; not converted: " + strings.Join(rd.mp.Negative, ", ") + "; the row is skipped"})
		return
	}
	at := rd.opt.Now
	if rd.at >= 0 {
		t, ok := content.ParseInstant(strings.TrimSpace(rec[rd.at]))
		if !ok {
			rd.skip(Problem{Line: rd.line(rd.at), Column: rd.header[rd.at],
				Message: strconv.Quote(rec[rd.at]) + " is not an instant like 2026-03-31 or 2026-03-31T09:30:00Z; the row is skipped"})
			return
		}
		at = t
	}

	clear(rd.input)
	for _, c := range rd.fields {
		v := strings.TrimSpace(rec[c.index])
		if to, ok := c.values[v]; ok {
			v = to
		} else if to, ok := c.lower[strings.ToLower(v)]; ok {
			v = to
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
		rd.problem(Problem{Line: rd.line(c.index), Column: c.name,
			Message: "field " + fe.Field + ": " + fe.Message + " (" + strconv.Quote(rec[c.index]) + "); the field is treated as missing"})
	}
	if rd.formSignal >= 0 {
		lead.Signals[rd.formSignal] = 0
	}
	for _, c := range rd.signals {
		v := strings.TrimSpace(rec[c.index])
		var t int64
		switch strings.ToLower(v) {
		case "", "no", "false", "0":
		case "yes", "true", "1":
			t = at
		default:
			var ok bool
			if t, ok = content.ParseInstant(v); !ok {
				rd.problem(Problem{Line: rd.line(c.index), Column: c.name,
					Message: "signal " + m.Signals[c.model].Name + ": " + strconv.Quote(v) + " is neither an instant (2026-03-31 or RFC 3339) nor yes/no; the signal is treated as missing"})
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
		if !utf8.ValidString(x) {
			rd.problem(Problem{Line: rd.line(i), Column: rd.header[i], Message: "not UTF-8 text (" + strconv.Quote(x) + "); the value is treated as missing"})
			x = ""
		}
		d.Extra[k].add(x)
	}
}

func (rd *reader) skip(p Problem) {
	rd.d.Skipped++
	rd.problem(p)
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
