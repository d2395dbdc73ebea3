package qualify

import (
	"strconv"
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify/internal/num"
	"github.com/winnowhq/winnow/qualify/internal/str"
)

// Input is a lead's raw answers by field name, as a form posts them.
type Input map[string]string

// Error codes of a FieldError, stable for programs.
const (
	CodeRequired = "required" // a required field is empty
	CodeTooLong  = "too_long" // longer than the field allows
	CodeTooShort = "too_short"
	CodeEmail    = "email"  // not an email address
	CodePhone    = "phone"  // not a telephone number
	CodeNumber   = "number" // not a number
	CodeRange    = "range"  // a number outside the field's range
	CodeOption   = "option" // not one of a choice's options
	CodeYesNo    = "yesno"  // not a yes/no answer
	CodeDate     = "date"   // not a date
	CodeText     = "text"   // not valid text: bad UTF-8 or control characters
)

// FieldError is a problem with one field of a lead's input. Message is
// written for the visitor; the widget and the server show the same one.
type FieldError struct {
	Field   string
	Code    string
	Message string
}

// FieldErrors lists the problems with a lead's input, in field order.
type FieldErrors []FieldError

// Error lists the problems as "field: message", separated by "; ".
func (es FieldErrors) Error() string {
	var b str.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Field)
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Get returns the error for field, if any.
func (es FieldErrors) Get(field string) (FieldError, bool) {
	for _, e := range es {
		if e.Field == field {
			return e, true
		}
	}
	return FieldError{}, false
}

// Default length limits, in characters, for text fields without MaxLen.
const (
	DefaultMaxText     = 200
	DefaultMaxLongText = 5000
	MaxEmail           = 254
	MaxPhone           = 32
)

// MaxLength returns the most characters field f accepts.
func (f *Field) MaxLength() int {
	if f.MaxLen > 0 {
		return f.MaxLen
	}
	switch f.Type {
	case LongText:
		return DefaultMaxLongText
	case Email:
		return MaxEmail
	case Phone:
		return MaxPhone
	case Number, Date:
		return 32
	}
	return DefaultMaxText
}

// Validate checks a lead's input against the model's fields.
func (m *Model) Validate(in Input) FieldErrors {
	_, errs := m.Lead(in, 0)
	return errs
}

// Lead checks a lead's input and returns it laid out for the model. Answers
// are trimmed; an empty answer is missing. When now is set (Unix seconds,
// the instant of the submission), the model's form signal and the signals
// of the chosen options are recorded at now. Input for names the model does not have
// is ignored. On errors the lead holds every field that was valid.
func (m *Model) Lead(in Input, now int64) (Lead, FieldErrors) {
	return m.lead(in, now, nil)
}

// FormLead checks the answers sent with form f (an index into m.Forms),
// as Lead does, but as the form asks them: only the form's own questions
// may be required, its extra questions never are; and when now is set, a
// submission records the form's signal at now besides the model's form
// signal. Answers to fields the form does not ask (a returning lead's
// earlier answers) are read as Lead reads them. An f out of range is
// Lead.
func (m *Model) FormLead(f int, in Input, now int64) (Lead, FieldErrors) {
	if f < 0 || f >= len(m.Forms) {
		return m.lead(in, now, nil)
	}
	return m.lead(in, now, &m.Forms[f])
}

// Answers reads a lead's answers as Lead does, but requires none: for a
// lead described in part, as the fortune teller describes one.
func (m *Model) Answers(in Input) (Lead, FieldErrors) {
	return m.lead(in, 0, &Form{Signal: -1})
}

func (m *Model) lead(in Input, now int64, form *Form) (Lead, FieldErrors) {
	lead := m.NewLead()
	var errs FieldErrors
	record := func(j int) {
		if j >= 0 && lead.Signals[j] < now {
			lead.Signals[j] = now
		}
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		raw := in[f.Name]
		v, e := f.parse(raw, f.Required && (form == nil || has(form.Fields, i)))
		if e.Code != "" {
			errs = append(errs, e)
			continue
		}
		lead.Values[i] = v
		if v.Known && f.Type == Choice {
			if sig := f.Options[v.Int].Signal; sig != "" && now > 0 {
				record(m.SignalIndex(sig))
			}
		}
	}
	if now > 0 && m.FormSignal != "" {
		record(m.SignalIndex(m.FormSignal))
	}
	if now > 0 && form != nil && form.Signal >= 0 && form.Signal < len(lead.Signals) {
		record(form.Signal)
	}
	return lead, errs
}

// Check checks one answer for field f, as the widget does on each input.
func (f *Field) Check(raw string) (FieldError, bool) {
	_, e := f.parse(raw, f.Required)
	return e, e.Code == ""
}

func (f *Field) fail(code, msg string) (Value, FieldError) {
	return Value{}, FieldError{Field: f.Name, Code: code, Message: msg}
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' || len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

func (f *Field) label() string {
	if f.Label != "" {
		return f.Label
	}
	return f.Name
}

// TrimSpace returns s without leading and trailing white space, as
// Unicode defines it (what strings.TrimSpace removes): what a field trims
// from an answer before reading it.
func TrimSpace(s string) string { return str.TrimSpace(s) }

// parse turns one raw answer into a value; required says whether an
// empty answer (or no to a yes/no question) is an error.
func (f *Field) parse(raw string, required bool) (Value, FieldError) {
	if !utf8.ValidString(raw) {
		return f.fail(CodeText, f.label()+" contains characters that are not text")
	}
	s := str.TrimSpace(raw)
	if max := f.MaxLength(); utf8.RuneCountInString(s) > max {
		return f.fail(CodeTooLong, f.label()+" must be at most "+strconv.Itoa(max)+" characters")
	}
	if s == "" {
		if required {
			switch f.Type {
			case Choice:
				return f.fail(CodeRequired, "Select "+lowerFirst(f.label()))
			case YesNo:
				return f.fail(CodeRequired, "Tick this box to continue")
			}
			return f.fail(CodeRequired, "Enter "+lowerFirst(f.label()))
		}
		return Value{}, FieldError{}
	}
	if hiddenControl(s, f.Type == LongText) {
		return f.fail(CodeText, f.label()+" contains control characters")
	}
	switch f.Type {
	case Text, LongText:
		if n := utf8.RuneCountInString(s); n < f.MinLen {
			return f.fail(CodeTooShort, f.label()+" must be at least "+strconv.Itoa(f.MinLen)+" characters")
		}
		return Value{Known: true, Str: s}, FieldError{}
	case Email:
		norm, ok := NormalizeEmail(s)
		if !ok {
			return f.fail(CodeEmail, "Enter an email address like name@company.com")
		}
		return Value{Known: true, Str: norm}, FieldError{}
	case Phone:
		if !ValidPhone(s) {
			return f.fail(CodePhone, "Enter a phone number with 7 to 15 digits, like +44 20 7946 0000")
		}
		return Value{Known: true, Str: s}, FieldError{}
	case Number:
		v, ok := num.ParseDecimal(s)
		if !ok || !plainNumber(s) {
			return f.fail(CodeNumber, f.label()+" must be a number, like 25")
		}
		if f.HasMin && v < f.Min || f.HasMax && v > f.Max {
			return f.fail(CodeRange, f.label()+" must be "+f.rangeText())
		}
		return Value{Known: true, Num: v}, FieldError{}
	case Choice:
		for i, o := range f.Options {
			if o.Value == s {
				return Value{Known: true, Int: int64(i)}, FieldError{}
			}
		}
		return f.fail(CodeOption, "Select one of the options for "+lowerFirst(f.label()))
	case YesNo:
		switch str.ToLower(s) {
		case "yes", "on", "true", "1":
			return Value{Known: true, Int: 1}, FieldError{}
		case "no", "off", "false", "0":
			if required {
				return f.fail(CodeRequired, "Tick this box to continue")
			}
			return Value{Known: true}, FieldError{}
		}
		return f.fail(CodeYesNo, f.label()+" must be yes or no")
	case Date:
		t, ok := ParseDate(s)
		if !ok {
			return f.fail(CodeDate, f.label()+" must be a date like 2026-03-31")
		}
		return Value{Known: true, Int: t}, FieldError{}
	}
	return f.fail(CodeText, f.label()+" has an unknown type")
}

// hiddenControl reports whether s holds a character that is invisible or
// reorders the text around it: C0 and C1 controls (but tabs and line
// breaks in multi-line text), line and paragraph separators, and the
// bidirectional overrides and isolates.
func hiddenControl(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			if !multiline {
				return true
			}
		case r < 0x20 || r >= 0x7f && r <= 0x9f,
			r == 0x2028 || r == 0x2029,
			r >= 0x202a && r <= 0x202e,
			r >= 0x2066 && r <= 0x2069:
			return true
		}
	}
	return false
}

func (f *Field) rangeText() string {
	switch {
	case f.HasMin && f.HasMax:
		return "between " + FormatNumber(f.Min) + " and " + FormatNumber(f.Max)
	case f.HasMin:
		return "at least " + FormatNumber(f.Min)
	}
	return "at most " + FormatNumber(f.Max)
}

// plainNumber accepts an optional minus, digits and an optional fraction:
// no exponents, hex, infinities or underscores.
func plainNumber(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	dot, digits := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// NormalizeEmail checks the syntax of an email address (a dot-atom local
// part, a domain of at least two labels ending in an alphabetic top-level
// domain) and returns it with the domain in lower case.
func NormalizeEmail(s string) (string, bool) {
	if len(s) > MaxEmail {
		return "", false
	}
	at := str.LastIndexByte(s, '@')
	if at <= 0 || at > 64 || at == len(s)-1 {
		return "", false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || str.Contains(local, "..") {
		return "", false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if asciiLetter(c) || isDigit(c) || c == '.' || str.IndexByte("!#$%&'*+/=?^_`{|}~-", c) >= 0 {
			continue
		}
		return "", false
	}
	if len(domain) > 253 {
		return "", false
	}
	labels := 0
	for rest := domain; ; labels++ {
		dot := str.IndexByte(rest, '.')
		label := rest
		if dot >= 0 {
			label = rest[:dot]
		}
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !asciiLetter(c) && !isDigit(c) && c != '-' {
				return "", false
			}
		}
		if dot < 0 {
			if len(label) < 2 || !isPunycode(label) && !allLetters(label) {
				return "", false
			}
			break
		}
		rest = rest[dot+1:]
	}
	if labels < 1 {
		return "", false
	}
	return local + "@" + Domain(domain), true
}

// isPunycode reports whether a domain label is an internationalised
// label in ASCII form, in any case.
func isPunycode(label string) bool {
	return len(label) > 4 && str.EqualFold(label[:4], "xn--")
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !asciiLetter(s[i]) {
			return false
		}
	}
	return true
}

// ValidPhone accepts 7 to 15 digits, an optional leading +, and spaces,
// dots, dashes and parentheses between them.
func ValidPhone(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case c == '+' && i == 0:
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// ParseDate parses a calendar day written YYYY-MM-DD and returns its start
// in UTC as Unix seconds.
func ParseDate(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y64, ok1 := num.Atoi(s[:4])
	mo64, ok2 := num.Atoi(s[5:7])
	d64, ok3 := num.Atoi(s[8:])
	if !ok1 || !ok2 || !ok3 || !isDigit(s[0]) || !isDigit(s[5]) || !isDigit(s[8]) {
		return 0, false
	}
	y, mo, d := int(y64), int(mo64), int(d64)
	if y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	return daysFromCivil(y, mo, d) * SecondsPerDay, true
}

// FormatDate formats Unix seconds as the UTC calendar day YYYY-MM-DD.
func FormatDate(t int64) string {
	y, m, d := civilFromDays(floorDiv(t, SecondsPerDay))
	b := make([]byte, 0, 10)
	b = append(b, pad(y, 4)...)
	b = append(b, '-')
	b = append(b, pad(m, 2)...)
	b = append(b, '-')
	return string(append(b, pad(d, 2)...))
}

func pad(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d (Howard Hinnant's
// algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}
