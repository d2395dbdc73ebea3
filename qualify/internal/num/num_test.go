package num

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestParseDecimalExact compares ParseDecimal with strconv.ParseFloat on
// the numbers forms and content write: up to 15 significant digits.
func TestParseDecimalExact(t *testing.T) {
	cases := []string{"0", "-0", "1", "25", "0.1", "0.3", "2.5", "-7.25", "5.", ".5", "000123.4500",
		"100000", "999999999999999", "0.000000000000000000001", "123456789.012345", "1e3"}
	for _, s := range cases {
		want, werr := strconv.ParseFloat(s, 64)
		got, ok := ParseDecimal(s)
		if s == "1e3" {
			if ok {
				t.Errorf("ParseDecimal(%q) accepted an exponent", s)
			}
			continue
		}
		if !ok || werr != nil || got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		digits := 1 + r.IntN(15)
		mant := r.Int64N(int64(math.Pow10(digits)))
		s := strconv.FormatInt(mant, 10)
		if point := r.IntN(len(s) + 1); point < len(s) {
			s = s[:point] + "." + s[point:]
		}
		want, _ := strconv.ParseFloat(s, 64)
		if got, ok := ParseDecimal(s); !ok || got != want {
			t.Fatalf("ParseDecimal(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
}

// TestParseDecimalLong checks numbers beyond the exact range: within an
// ulp of ParseFloat's, and too large ones refused.
func TestParseDecimalLong(t *testing.T) {
	for _, s := range []string{"12345678901234567890123", "0.12345678901234567890123", "3.14159265358979323846264338327950288",
		"1" + string(make([]byte, 0)) + "00000000000000000000000000000000000000000"} {
		want, _ := strconv.ParseFloat(s, 64)
		got, ok := ParseDecimal(s)
		if !ok || math.Abs(got-want) > math.Abs(want)*2.3e-16 {
			t.Errorf("ParseDecimal(%q) = %v, %v; want about %v", s, got, ok, want)
		}
	}
	huge := "1"
	for range 400 {
		huge += "0"
	}
	if v, ok := ParseDecimal(huge); ok {
		t.Errorf("ParseDecimal(1e400) = %v, want refused", v)
	}
}

// TestExactRoundTrip checks that every float64 FormatExact writes reads
// back exactly, decimal or hexadecimal.
func TestExactRoundTrip(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.0 / 3, math.Pi, 1e300, -1e300, 5e-324,
		math.MaxFloat64, 123456789012345678, 0.1 + 0.2}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		vals = append(vals, math.Float64frombits(r.Uint64()), r.Float64()*1e6, float64(r.IntN(1e6))/100)
	}
	for _, v := range vals {
		if v != v || math.IsInf(v, 0) {
			continue
		}
		s := FormatExact(v)
		back, ok := ParseExact(s)
		if !ok || back != v || math.Signbit(back) != math.Signbit(v) {
			t.Fatalf("FormatExact(%v) = %q, which reads back as %v, %v", v, s, back, ok)
		}
	}
	if got := FormatExact(2.5); got != "2.5" {
		t.Errorf("FormatExact(2.5) = %q, want the decimal", got)
	}
	for _, bad := range []string{"", "-", "--1", "0x", "0x1p", "0x1.8p+", "0xg", "0x1.8p+99999", "1.2.3", "0x1234567890abcdef0p+0"} {
		if v, ok := ParseExact(bad); ok {
			t.Errorf("ParseExact(%q) = %v, want refused", bad, v)
		}
	}
}

func TestItoa(t *testing.T) {
	for _, n := range []int{0, 7, 10, -1, -10, 1234567890, math.MaxInt64, math.MinInt64 + 1} {
		if got, want := Itoa(n), strconv.Itoa(n); got != want {
			t.Errorf("Itoa(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAtoi(t *testing.T) {
	for _, s := range []string{"0", "7", "-12", "000123", "999999999999999999", "-999999999999999999"} {
		want, _ := strconv.ParseInt(s, 10, 64)
		if got, ok := Atoi(s); !ok || got != want {
			t.Errorf("Atoi(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, bad := range []string{"", "-", "+1", "1.5", "1e3", " 1", "1234567890123456789", "0x1"} {
		if n, ok := Atoi(bad); ok {
			t.Errorf("Atoi(%q) = %d, want refused", bad, n)
		}
	}
}
