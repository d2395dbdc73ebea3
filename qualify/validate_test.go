package qualify_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/winnowhq/winnow/qualify"
)

// caseName names a subtest after its input, shortening long inputs and
// quoting those that are not plain printable text.
func caseName(s string) string {
	if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\t\n\r\x7f") {
		return strconv.Quote(s)
	}
	if n := utf8.RuneCountInString(s); n > 40 {
		return string([]rune(s)[:16]) + "…(" + strconv.Itoa(n) + " chars)"
	}
	return s
}

func TestNormalizeEmail(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	label63 := strings.Repeat("b", 63)
	domain189 := label63 + "." + label63 + "." + strings.Repeat("c", 61)
	tests := []struct {
		in, want string
	}{
		{"ana@example.com", "ana@example.com"},
		{"ana+leads@example.com", "ana+leads@example.com"},
		{"ana.m.souza@example.com", "ana.m.souza@example.com"},
		{"first_last-1@example.org", "first_last-1@example.org"},
		{"o'connor@example.ie", "o'connor@example.ie"},
		{"ana@my-company.com", "ana@my-company.com"},
		{"ana@mail.eu.example.com", "ana@mail.eu.example.com"},
		{"ana@example.xn--p1ai", "ana@example.xn--p1ai"},
		{"ana@123.example.com", "ana@123.example.com"},
		{"a@b.co", "a@b.co"},
		{"Ana.Souza@Example.COM", "Ana.Souza@example.com"},
		{"ANA@MAIL.EXAMPLE.DE", "ANA@mail.example.de"},
		{"ANA@EXAMPLE.XN--P1AI", "ANA@example.xn--p1ai"},
		{local64 + "@example.com", local64 + "@example.com"},
		{"ana@" + label63 + ".com", "ana@" + label63 + ".com"},
		{local64 + "@" + domain189, local64 + "@" + domain189},
	}
	for _, tt := range tests {
		t.Run(caseName(tt.in), func(t *testing.T) {
			got, ok := qualify.NormalizeEmail(tt.in)
			if !ok || got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, %v, want %q, true", tt.in, got, ok, tt.want)
			}
		})
	}
}

func TestNormalizeEmailInvalid(t *testing.T) {
	tests := []string{
		"",
		"ana",
		"ana.example.com",
		"ana@",
		"@example.com",
		"a@b@c.io",
		"ana@souza@example.com",
		".ana@example.com",
		"ana.@example.com",
		"ana..souza@example.com",
		"ana souza@example.com",
		"ana@exa mple.com",
		" ana@example.com",
		`"ana"@example.com`,
		`"ana souza"@example.com`,
		"ana(work)@example.com",
		"ana@localhost",
		"ana@example",
		"ana@example.123",
		"ana@example.c0m",
		"ana@example.c",
		"ana@-example.com",
		"ana@example-.com",
		"ana@example.-com",
		"ana@example.com-",
		"ana@.example.com",
		"ana@example..com",
		"ana@example.com.",
		"ana@example_co.com",
		"ana@[192.168.0.1]",
		"ana@" + strings.Repeat("b", 64) + ".com",
		strings.Repeat("a", 65) + "@example.com",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 62),
		"josé@example.com",
		"ana@exämple.com",
		"ana@例え.jp",
		"ana@example.рф",
	}
	for _, in := range tests {
		t.Run(caseName(in), func(t *testing.T) {
			if got, ok := qualify.NormalizeEmail(in); ok {
				t.Errorf("NormalizeEmail(%q) = %q, true, want false", in, got)
			}
		})
	}
}

func TestValidPhone(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1234567", true},
		{"123456789012345", true},
		{"+442079460000", true},
		{"+44 20 7946 0000", true},
		{"(020) 7946-0000", true},
		{"020.7946.0000", true},
		{"+1 (555) 010-9999", true},
		{"123456", false},
		{"1234567890123456", false},
		{"+44 (0) 20 7946 0000 123", false},
		{"", false},
		{"+", false},
		{"+ - . ( )", false},
		{"555-CALL-NOW", false},
		{"0207946000x", false},
		{"020 7946 0000 ext 5", false},
		{"44+2079460000", false},
		{"++442079460000", false},
		{"(+44) 20 7946 0000", false},
		{"020/7946/0000", false},
		{"020_7946_0000", false},
		{"020\t7946\t0000", false},
		{"٠٢٠٧٩٤٦٠٠٠٠", false},
	}
	for _, tt := range tests {
		t.Run(caseName(tt.in), func(t *testing.T) {
			if got := qualify.ValidPhone(tt.in); got != tt.want {
				t.Errorf("ValidPhone(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1970-01-01", 0},
		{"1970-01-02", 86400},
		{"2000-02-29", 951782400},
		{"2000-03-01", 951868800},
		{"2024-02-29", 1709164800},
		{"2026-03-02", 1772409600},
		{"2100-12-31", 4133894400},
		{"2400-02-29", 13574563200},
		{"9999-12-31", 253402214400},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := qualify.ParseDate(tt.in)
			if !ok || got != tt.want {
				t.Errorf("ParseDate(%q) = %d, %v, want %d, true", tt.in, got, ok, tt.want)
			}
			if got, want := qualify.FormatDate(tt.want), tt.in; got != want {
				t.Errorf("FormatDate(%d) = %q, want %q", tt.want, got, want)
			}
		})
	}
}

func TestParseDateInvalid(t *testing.T) {
	tests := []string{
		"",
		"2026-1-01",
		"2026-01-1",
		"2026-001-01",
		"02026-01-01",
		"2026/01/01",
		"2026.01.01",
		"20260101",
		"01-01-2026",
		"1969-12-31",
		"0001-01-01",
		"2026-13-01",
		"2026-00-10",
		"2026-01-00",
		"2026-01-32",
		"2026-04-31",
		"2026-06-31",
		"2026-09-31",
		"2026-11-31",
		"2026-02-29",
		"2023-02-29",
		"2100-02-29",
		"2200-02-29",
		"2024-02-30",
		"+026-01-01",
		"-026-01-01",
		"2026-+1-01",
		"2026-01-+1",
		"2026- 1-01",
		"2026-01- 1",
		" 2026-01-1",
		"2026-1a-01",
		"2026-01-01T00:00:00Z",
		"2026-01-01 ",
		"２０２６-01-01",
	}
	for _, in := range tests {
		t.Run(caseName(in), func(t *testing.T) {
			if got, ok := qualify.ParseDate(in); ok {
				t.Errorf("ParseDate(%q) = %d, true, want false", in, got)
			}
		})
	}
}

func TestDateEveryDay(t *testing.T) {
	monthDays := func(y, m int) int {
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
	two := func(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }
	var day int64
	failures := 0
	for y := 1970; y <= 2100 && failures < 10; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= monthDays(y, m); d++ {
				s := strconv.Itoa(y) + "-" + two(m) + "-" + two(d)
				want := day * qualify.SecondsPerDay
				if got, ok := qualify.ParseDate(s); !ok || got != want {
					t.Errorf("ParseDate(%q) = %d, %v, want %d, true", s, got, ok, want)
					failures++
				}
				if got := qualify.FormatDate(want); got != s {
					t.Errorf("FormatDate(%d) = %q, want %q", want, got, s)
					failures++
				}
				if got := qualify.FormatDate(want + qualify.SecondsPerDay - 1); got != s {
					t.Errorf("FormatDate(%d) = %q, want %q", want+qualify.SecondsPerDay-1, got, s)
					failures++
				}
				day++
			}
		}
	}
}

func TestDateRoundTrip(t *testing.T) {
	start, _ := qualify.ParseDate("1970-01-01")
	end, _ := qualify.ParseDate("2100-12-31")
	n := 0
	for t0 := start; t0 <= end; t0 += 37 * qualify.SecondsPerDay {
		s := qualify.FormatDate(t0)
		if got, ok := qualify.ParseDate(s); !ok || got != t0 {
			t.Errorf("ParseDate(FormatDate(%d)) = ParseDate(%q) = %d, %v, want %d, true", t0, s, got, ok, t0)
		}
		if got := qualify.FormatDate(mustParseDate(t, s)); got != s {
			t.Errorf("FormatDate(ParseDate(%q)) = %q, want %q", s, got, s)
		}
		n++
	}
	if n < 1290 {
		t.Errorf("checked %d days, want at least 1290", n)
	}
}

func mustParseDate(t *testing.T, s string) int64 {
	t.Helper()
	v, ok := qualify.ParseDate(s)
	if !ok {
		t.Fatalf("ParseDate(%q) failed", s)
	}
	return v
}

func TestFormatDateBeforeEpoch(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{-1, "1969-12-31"},
		{-86400, "1969-12-31"},
		{-86401, "1969-12-30"},
		{-11676096000, "1600-01-01"},
		{86399, "1970-01-01"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.in, 10), func(t *testing.T) {
			if got := qualify.FormatDate(tt.in); got != tt.want {
				t.Errorf("FormatDate(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

var (
	companyField  = qualify.Field{Name: "company", Type: qualify.Text, Label: "Company name", Required: true}
	titleField    = qualify.Field{Name: "title", Type: qualify.Text}
	codeField     = qualify.Field{Name: "code", Type: qualify.Text, Label: "Code", MaxLen: 5}
	aboutField    = qualify.Field{Name: "about", Type: qualify.Text, Label: "About you", MinLen: 3}
	notesField    = qualify.Field{Name: "notes", Type: qualify.LongText, Label: "Notes", Required: true}
	emailField    = qualify.Field{Name: "email", Type: qualify.Email, Label: "Work email", Required: true}
	phoneField    = qualify.Field{Name: "phone", Type: qualify.Phone, Label: "Phone"}
	staffField    = qualify.Field{Name: "staff", Type: qualify.Number, Label: "Employees", HasMin: true, Min: 1, HasMax: true, Max: 100000}
	budgetField   = qualify.Field{Name: "budget", Type: qualify.Number, Label: "Budget", Required: true, HasMin: true, Min: 0}
	discountField = qualify.Field{Name: "discount", Type: qualify.Number, Label: "Discount", HasMax: true, Max: 2.5}
	amountField   = qualify.Field{Name: "amount", Type: qualify.Number}
	sizeField     = qualify.Field{Name: "size", Type: qualify.Choice, Label: "Company size", Required: true, Options: []qualify.Option{
		{Value: "small", Label: "1–10"},
		{Value: "medium", Label: "11–200", Signal: "mid_market"},
		{Value: "large", Label: "200+", Signal: "enterprise"},
	}}
	newsField    = qualify.Field{Name: "news", Type: qualify.YesNo, Label: "Newsletter"}
	consentField = qualify.Field{Name: "consent", Type: qualify.YesNo, Label: "Consent", Required: true}
	startField   = qualify.Field{Name: "start", Type: qualify.Date, Label: "Start date"}
	urlField     = qualify.Field{Name: "url", Type: qualify.Text, Label: "URL", Required: true}
)

func TestLeadField(t *testing.T) {
	type fe = qualify.FieldError
	type val = qualify.Value
	tests := []struct {
		field   qualify.Field
		in      string
		want    val
		wantErr fe
	}{
		{companyField, "Acme", val{Known: true, Str: "Acme"}, fe{}},
		{companyField, "  Acme Ltd \t\n", val{Known: true, Str: "Acme Ltd"}, fe{}},
		{companyField, "", val{}, fe{"company", "required", "Enter company name"}},
		{companyField, " \t ", val{}, fe{"company", "required", "Enter company name"}},
		{titleField, "", val{}, fe{}},
		{titleField, "   ", val{}, fe{}},
		{urlField, "", val{}, fe{"url", "required", "Enter URL"}},
		{companyField, strings.Repeat("é", 200), val{Known: true, Str: strings.Repeat("é", 200)}, fe{}},
		{companyField, " " + strings.Repeat("é", 200) + " ", val{Known: true, Str: strings.Repeat("é", 200)}, fe{}},
		{companyField, strings.Repeat("é", 201), val{}, fe{"company", "too_long", "Company name must be at most 200 characters"}},
		{titleField, strings.Repeat("x", 201), val{}, fe{"title", "too_long", "title must be at most 200 characters"}},
		{codeField, "abcde", val{Known: true, Str: "abcde"}, fe{}},
		{codeField, "abcdef", val{}, fe{"code", "too_long", "Code must be at most 5 characters"}},
		{aboutField, "abc", val{Known: true, Str: "abc"}, fe{}},
		{aboutField, "ab", val{}, fe{"about", "too_short", "About you must be at least 3 characters"}},
		{aboutField, " ab ", val{}, fe{"about", "too_short", "About you must be at least 3 characters"}},
		{aboutField, "äöü", val{Known: true, Str: "äöü"}, fe{}},
		{companyField, "Acme\xff", val{}, fe{"company", "text", "Company name contains characters that are not text"}},
		{amountField, "4\xc3", val{}, fe{"amount", "text", "amount contains characters that are not text"}},
		{companyField, "Acme\tLtd", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme\nLtd", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme\x00", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme\x7f", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme\x1b[31m", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme\u0085Ltd", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme\u2028Ltd", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme \u202egnp.exe", val{}, fe{"company", "text", "Company name contains control characters"}},
		{companyField, "Acme \u2067Ltd\u2069", val{}, fe{"company", "text", "Company name contains control characters"}},
		{notesField, "line one\r\nline two\tand a tab", val{Known: true, Str: "line one\r\nline two\tand a tab"}, fe{}},
		{notesField, strings.Repeat("é", 5000), val{Known: true, Str: strings.Repeat("é", 5000)}, fe{}},
		{notesField, strings.Repeat("é", 5001), val{}, fe{"notes", "too_long", "Notes must be at most 5000 characters"}},
		{notesField, "bell\x07", val{}, fe{"notes", "text", "Notes contains control characters"}},
		{notesField, "del\x7f", val{}, fe{"notes", "text", "Notes contains control characters"}},
		{notesField, "\n\t", val{}, fe{"notes", "required", "Enter notes"}},
		{emailField, " Ana.Souza@Example.COM ", val{Known: true, Str: "Ana.Souza@example.com"}, fe{}},
		{emailField, "ana@example", val{}, fe{"email", "email", "Enter an email address like name@company.com"}},
		{emailField, "", val{}, fe{"email", "required", "Enter work email"}},
		{emailField, strings.Repeat("a", 250) + "@b.io", val{}, fe{"email", "too_long", "Work email must be at most 254 characters"}},
		{phoneField, " +44 20 7946 0000 ", val{Known: true, Str: "+44 20 7946 0000"}, fe{}},
		{phoneField, "12345", val{}, fe{"phone", "phone", "Enter a phone number with 7 to 15 digits, like +44 20 7946 0000"}},
		{phoneField, strings.Repeat("1", 33), val{}, fe{"phone", "too_long", "Phone must be at most 32 characters"}},
		{amountField, "40", val{Known: true, Num: 40}, fe{}},
		{amountField, "-2.5", val{Known: true, Num: -2.5}, fe{}},
		{amountField, " 007 ", val{Known: true, Num: 7}, fe{}},
		{amountField, "0.125", val{Known: true, Num: 0.125}, fe{}},
		{amountField, "1e3", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "1E3", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "0x10", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "0x1p4", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "NaN", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "Inf", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "-Infinity", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "1_000", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "1,000", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "+5", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "--5", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "1.2.3", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "-", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, ".", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "-.", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "12 000", val{}, fe{"amount", "number", "amount must be a number, like 25"}},
		{amountField, "", val{}, fe{}},
		{amountField, strings.Repeat("9", 33), val{}, fe{"amount", "too_long", "amount must be at most 32 characters"}},
		{staffField, "1", val{Known: true, Num: 1}, fe{}},
		{staffField, "100000", val{Known: true, Num: 100000}, fe{}},
		{staffField, "0", val{}, fe{"staff", "range", "Employees must be between 1 and 100000"}},
		{staffField, "0.5", val{}, fe{"staff", "range", "Employees must be between 1 and 100000"}},
		{staffField, "100000.01", val{}, fe{"staff", "range", "Employees must be between 1 and 100000"}},
		{budgetField, "0", val{Known: true, Num: 0}, fe{}},
		{budgetField, "-1", val{}, fe{"budget", "range", "Budget must be at least 0"}},
		{budgetField, "", val{}, fe{"budget", "required", "Enter budget"}},
		{discountField, "2.5", val{Known: true, Num: 2.5}, fe{}},
		{discountField, "-100", val{Known: true, Num: -100}, fe{}},
		{discountField, "3", val{}, fe{"discount", "range", "Discount must be at most 2.5"}},
		{sizeField, "small", val{Known: true, Int: 0}, fe{}},
		{sizeField, "medium", val{Known: true, Int: 1}, fe{}},
		{sizeField, " large ", val{Known: true, Int: 2}, fe{}},
		{sizeField, "Large", val{}, fe{"size", "option", "Select one of the options for company size"}},
		{sizeField, "1–10", val{}, fe{"size", "option", "Select one of the options for company size"}},
		{sizeField, "med", val{}, fe{"size", "option", "Select one of the options for company size"}},
		{sizeField, "1", val{}, fe{"size", "option", "Select one of the options for company size"}},
		{sizeField, "", val{}, fe{"size", "required", "Select company size"}},
		{newsField, "yes", val{Known: true, Int: 1}, fe{}},
		{newsField, "YES", val{Known: true, Int: 1}, fe{}},
		{newsField, "On", val{Known: true, Int: 1}, fe{}},
		{newsField, "true", val{Known: true, Int: 1}, fe{}},
		{newsField, "1", val{Known: true, Int: 1}, fe{}},
		{newsField, "no", val{Known: true}, fe{}},
		{newsField, "OFF", val{Known: true}, fe{}},
		{newsField, "False", val{Known: true}, fe{}},
		{newsField, "0", val{Known: true}, fe{}},
		{newsField, "", val{}, fe{}},
		{newsField, "y", val{}, fe{"news", "yesno", "Newsletter must be yes or no"}},
		{newsField, "2", val{}, fe{"news", "yesno", "Newsletter must be yes or no"}},
		{newsField, "checked", val{}, fe{"news", "yesno", "Newsletter must be yes or no"}},
		{consentField, "yes", val{Known: true, Int: 1}, fe{}},
		{consentField, "no", val{}, fe{"consent", "required", "Tick this box to continue"}},
		{consentField, "0", val{}, fe{"consent", "required", "Tick this box to continue"}},
		{consentField, "", val{}, fe{"consent", "required", "Tick this box to continue"}},
		{consentField, "maybe", val{}, fe{"consent", "yesno", "Consent must be yes or no"}},
		{startField, "2026-03-02", val{Known: true, Int: 1772409600}, fe{}},
		{startField, " 2024-02-29 ", val{Known: true, Int: 1709164800}, fe{}},
		{startField, "2026-02-29", val{}, fe{"start", "date", "Start date must be a date like 2026-03-31"}},
		{startField, "02/03/2026", val{}, fe{"start", "date", "Start date must be a date like 2026-03-31"}},
		{startField, "", val{}, fe{}},
	}
	for _, tt := range tests {
		t.Run(tt.field.Name+"/"+caseName(tt.in), func(t *testing.T) {
			m := qualify.Model{Fields: []qualify.Field{tt.field}, Framework: -1}
			lead, errs := m.Lead(qualify.Input{tt.field.Name: tt.in}, 0)
			var gotErr fe
			switch len(errs) {
			case 0:
			case 1:
				gotErr = errs[0]
			default:
				t.Fatalf("Lead(%s=%q) gave %d errors, want at most 1: %v", tt.field.Name, tt.in, len(errs), errs)
			}
			if gotErr != tt.wantErr {
				t.Errorf("Lead(%s=%q) error = %+v, want %+v", tt.field.Name, tt.in, gotErr, tt.wantErr)
			}
			if len(lead.Values) != 1 {
				t.Fatalf("Lead(%s=%q) has %d values, want 1", tt.field.Name, tt.in, len(lead.Values))
			}
			if got := lead.Values[0]; got != tt.want {
				t.Errorf("Lead(%s=%q) value = %+v, want %+v", tt.field.Name, tt.in, got, tt.want)
			}
			e, ok := tt.field.Check(tt.in)
			if ok != (tt.wantErr.Code == "") || e != tt.wantErr {
				t.Errorf("Check(%q) = %+v, %v, want %+v", tt.in, e, ok, tt.wantErr)
			}
		})
	}
}

func leadModel() *qualify.Model {
	return &qualify.Model{
		Fields: []qualify.Field{companyField, emailField, staffField, sizeField, consentField, startField},
		Signals: []qualify.Signal{
			{Name: "form", Kind: qualify.Engagement},
			{Name: "mid_market", Kind: qualify.Behaviour},
			{Name: "enterprise", Kind: qualify.Behaviour},
		},
		Framework:  -1,
		FormSignal: "form",
	}
}

func TestLeadErrorsInFieldOrder(t *testing.T) {
	m := leadModel()
	in := qualify.Input{
		"start":   "2026-03-02",
		"consent": "yes",
		"staff":   "many",
		"email":   "not an email",
		"company": "",
		"size":    "large",
	}
	lead, errs := m.Lead(in, 0)
	wantErrs := qualify.FieldErrors{
		{Field: "company", Code: "required", Message: "Enter company name"},
		{Field: "email", Code: "email", Message: "Enter an email address like name@company.com"},
		{Field: "staff", Code: "number", Message: "Employees must be a number, like 25"},
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("Lead errors = %v, want %v", errs, wantErrs)
	}
	for i := range wantErrs {
		if errs[i] != wantErrs[i] {
			t.Errorf("Lead errors[%d] = %+v, want %+v", i, errs[i], wantErrs[i])
		}
	}
	wantValues := []qualify.Value{
		{}, {}, {},
		{Known: true, Int: 2},
		{Known: true, Int: 1},
		{Known: true, Int: 1772409600},
	}
	if len(lead.Values) != len(wantValues) {
		t.Fatalf("Lead has %d values, want %d", len(lead.Values), len(wantValues))
	}
	for i, want := range wantValues {
		if got := lead.Values[i]; got != want {
			t.Errorf("Lead value %s = %+v, want %+v", m.Fields[i].Name, got, want)
		}
	}
	if got, want := errs.Error(), "company: Enter company name; email: Enter an email address like name@company.com; staff: Employees must be a number, like 25"; got != want {
		t.Errorf("FieldErrors.Error() = %q, want %q", got, want)
	}
	if got := m.Validate(in); len(got) != len(wantErrs) || got.Error() != errs.Error() {
		t.Errorf("Validate = %v, want %v", got, errs)
	}
}

func TestLeadIgnoresUnknownInput(t *testing.T) {
	m := leadModel()
	in := qualify.Input{
		"company":  "Acme",
		"email":    "ana@acme.example",
		"consent":  "on",
		"size":     "small",
		"password": "\x00\xff not checked",
		"Company":  "",
		"website":  "https://spam.example",
	}
	lead, errs := m.Lead(in, 0)
	if len(errs) != 0 {
		t.Fatalf("Lead errors = %v, want none", errs)
	}
	if got, want := len(lead.Values), len(m.Fields); got != want {
		t.Fatalf("Lead has %d values, want %d", got, want)
	}
	if got, want := lead.Values[0], (qualify.Value{Known: true, Str: "Acme"}); got != want {
		t.Errorf("Lead company = %+v, want %+v", got, want)
	}
	if got, want := lead.Values[2], (qualify.Value{}); got != want {
		t.Errorf("Lead staff = %+v, want %+v", got, want)
	}
}

func TestFieldErrors(t *testing.T) {
	errs := qualify.FieldErrors{
		{Field: "email", Code: "email", Message: "Enter an email address like name@company.com"},
		{Field: "consent", Code: "required", Message: "Tick this box to continue"},
	}
	if got, want := errs.Error(), "email: Enter an email address like name@company.com; consent: Tick this box to continue"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := errs[:1].Error(), "email: Enter an email address like name@company.com"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (qualify.FieldErrors{}).Error(); got != "" {
		t.Errorf("empty Error() = %q, want \"\"", got)
	}
	tests := []struct {
		field string
		want  qualify.FieldError
		ok    bool
	}{
		{"email", errs[0], true},
		{"consent", errs[1], true},
		{"company", qualify.FieldError{}, false},
		{"Email", qualify.FieldError{}, false},
		{"", qualify.FieldError{}, false},
	}
	for _, tt := range tests {
		t.Run(caseName(tt.field), func(t *testing.T) {
			got, ok := errs.Get(tt.field)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Get(%q) = %+v, %v, want %+v, %v", tt.field, got, ok, tt.want, tt.ok)
			}
		})
	}
	var none qualify.FieldErrors
	if got, ok := none.Get("email"); ok || got != (qualify.FieldError{}) {
		t.Errorf("nil Get(%q) = %+v, %v, want zero, false", "email", got, ok)
	}
}

func TestLeadSignals(t *testing.T) {
	const now = 1772409600
	tests := []struct {
		name string
		size string
		now  int64
		want []int64
	}{
		{"small/now", "small", now, []int64{now, 0, 0}},
		{"medium/now", "medium", now, []int64{now, now, 0}},
		{"large/now", "large", now, []int64{now, 0, now}},
		{"large/zero", "large", 0, []int64{0, 0, 0}},
		{"large/negative", "large", -5, []int64{0, 0, 0}},
		{"empty/now", "", now, []int64{now, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := leadModel()
			m.Fields[3].Required = false
			lead, _ := m.Lead(qualify.Input{"size": tt.size}, tt.now)
			if len(lead.Signals) != len(tt.want) {
				t.Fatalf("Lead(size=%q, %d) signals = %v, want %v", tt.size, tt.now, lead.Signals, tt.want)
			}
			for i, want := range tt.want {
				if got := lead.Signals[i]; got != want {
					t.Errorf("Lead(size=%q, %d) signal %s = %d, want %d", tt.size, tt.now, m.Signals[i].Name, got, want)
				}
			}
		})
	}
}

func TestLeadSignalsWithoutFormSignal(t *testing.T) {
	m := leadModel()
	m.FormSignal = ""
	lead, _ := m.Lead(qualify.Input{"size": "medium"}, 1000)
	want := []int64{0, 1000, 0}
	for i := range want {
		if got := lead.Signals[i]; got != want[i] {
			t.Errorf("Lead(size=medium, 1000) signal %s = %d, want %d", m.Signals[i].Name, got, want[i])
		}
	}
	m.FormSignal = "missing"
	m.Fields[3].Options = []qualify.Option{{Value: "x", Signal: "also_missing"}}
	lead, errs := m.Lead(qualify.Input{"size": "x"}, 1000)
	if _, ok := errs.Get("size"); ok {
		t.Errorf("Lead(size=x) errors = %v, want none for size", errs)
	}
	for i, got := range lead.Signals {
		if got != 0 {
			t.Errorf("Lead with unknown signal names: signal %s = %d, want 0", m.Signals[i].Name, got)
		}
	}
}
