package qualify

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/winnowhq/winnow/qualify/internal/str"
)

func TestDecayTable(t *testing.T) {
	for i, got := range halfPow {
		want := math.Round(math.Exp2(-float64(i)/256) * (1 << 30))
		if d := float64(got) - want; d < -1 || d > 1 {
			t.Errorf("halfPow[%d] = %d, want %.0f ± 1", i, got, want)
		}
	}
}

var halfLives = []int64{1, 7 * SecondsPerDay, 30 * SecondsPerDay, 90 * SecondsPerDay, 180 * SecondsPerDay, 365 * SecondsPerDay}

// decayAges returns ages from 0 to 10 half-lives: quarter half-lives and
// odd numbers of seconds around and between them.
func decayAges(halfLife int64) []int64 {
	ages := []int64{0, 1, 3, 59, 3599, 86399, 12345678}
	for k := int64(0); k <= 40; k++ {
		a := k * halfLife / 4
		ages = append(ages, a, a+1, a+7, a+halfLife/3+1, a-1)
	}
	var in []int64
	for _, a := range ages {
		if a >= 0 && a <= 10*halfLife {
			in = append(in, a)
		}
	}
	return in
}

func TestDecayed(t *testing.T) {
	for _, hl := range halfLives {
		t.Run(strconv.FormatInt(hl, 10)+"s", func(t *testing.T) {
			for points := -25; points <= 10; points++ {
				for _, age := range decayAges(hl) {
					want := math.Round(float64(points) * 100 * math.Exp2(-float64(age)/float64(hl)))
					got := decayed(points, age, hl)
					if d := float64(got) - want; d < -1 || d > 1 {
						t.Errorf("decayed(%d, %d, %d) = %d, want %.0f ± 1", points, age, hl, got, want)
					}
				}
			}
		})
	}
}

type decayCase struct {
	points        int
	age, halfLife int64
	want          int64
}

func TestDecayedExact(t *testing.T) {
	tests := []decayCase{
		{3, 1, 1, 150},
		{1, 1, 1, 50},
		{-3, 1, 1, -150},
		{10, 2, 1, 250},
		{5, 3, 1, 63},
		{-5, 3, 1, -63},
		{10, 62, 1, 0},
		{10, 100, 1, 0},
		{-50, 1 << 40, 1, 0},
	}
	for _, hl := range halfLives[1:] {
		tests = append(tests, decayCase{3, hl, hl, 150}, decayCase{4, 2 * hl, hl, 100}, decayCase{-25, 3 * hl, hl, -313})
	}
	for _, tt := range tests {
		name := strconv.Itoa(tt.points) + "/" + strconv.FormatInt(tt.age, 10) + "/" + strconv.FormatInt(tt.halfLife, 10)
		t.Run(name, func(t *testing.T) {
			if got := decayed(tt.points, tt.age, tt.halfLife); got != tt.want {
				t.Errorf("decayed(%d, %d, %d) = %d, want %d", tt.points, tt.age, tt.halfLife, got, tt.want)
			}
		})
	}
}

func TestDecayedNoDecay(t *testing.T) {
	tests := []struct {
		age, halfLife int64
	}{
		{0, 0},
		{1, 0},
		{1 << 40, 0},
		{100, -1},
		{0, 1},
		{0, 7 * SecondsPerDay},
		{-1, 7 * SecondsPerDay},
		{-365 * SecondsPerDay, 30 * SecondsPerDay},
		{math.MinInt64, 1},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.age, 10)+"/"+strconv.FormatInt(tt.halfLife, 10), func(t *testing.T) {
			for _, points := range []int{-50, -1, 0, 1, 3, 10} {
				if got, want := decayed(points, tt.age, tt.halfLife), int64(points)*100; got != want {
					t.Errorf("decayed(%d, %d, %d) = %d, want %d", points, tt.age, tt.halfLife, got, want)
				}
			}
		})
	}
}

// TestDecayedLongHalfLives covers half-lives beyond 2^38 seconds, where
// decayed scales age and half-life down to keep its shifts in range.
func TestDecayedLongHalfLives(t *testing.T) {
	for _, hl := range []int64{1 << 38, 3 << 36, 1 << 50, 1<<62 - 1} {
		prev := decayed(100, 0, hl)
		for _, frac := range []float64{0.1, 0.5, 1, 2, 10, 40} {
			if float64(hl)*frac >= math.MaxInt64 {
				continue
			}
			age := int64(float64(hl) * frac)
			got := decayed(100, age, hl)
			want := math.Round(10000 * math.Exp2(-frac))
			if d := float64(got) - want; d < -1 || d > 1 {
				t.Errorf("decayed(100, %d, %d) = %d, want %.0f ± 1", age, hl, got, want)
			}
			if got > prev {
				t.Errorf("decayed(100, %d, %d) = %d rose from %d", age, hl, got, prev)
			}
			prev = got
		}
	}
}

func TestDecayedMonotonic(t *testing.T) {
	for _, hl := range halfLives {
		t.Run(strconv.FormatInt(hl, 10)+"s", func(t *testing.T) {
			step := max(hl/4096, 1)
			for _, points := range []int{1, 3, 10, 50, 1000000} {
				prev := decayed(points, 0, hl)
				for age := step; age <= 12*hl; age += step {
					got := decayed(points, age, hl)
					if got > prev {
						t.Fatalf("decayed(%d, %d, %d) = %d > decayed(%d, %d, %d) = %d", points, age, hl, got, points, age-step, hl, prev)
					}
					prev = got
				}
			}
		})
	}
}

func TestFloorDiv(t *testing.T) {
	tests := []struct {
		a, b, want int64
	}{
		{7, 2, 3},
		{-7, 2, -4},
		{7, -2, -4},
		{-7, -2, 3},
		{-6, 2, -3},
		{6, -2, -3},
		{0, 5, 0},
		{-1, SecondsPerDay, -1},
		{-SecondsPerDay, SecondsPerDay, -1},
		{-SecondsPerDay - 1, SecondsPerDay, -2},
		{SecondsPerDay - 1, SecondsPerDay, 0},
		{math.MinInt64, 1, math.MinInt64},
		{math.MaxInt64, -1, -math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.a, 10)+"/"+strconv.FormatInt(tt.b, 10), func(t *testing.T) {
			if got := floorDiv(tt.a, tt.b); got != tt.want {
				t.Errorf("floorDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	long := strings.Repeat("x", 65)
	tests := []struct {
		a, b string
		want int
	}{
		{"industy", "industry", 1},
		{"inudstry", "industry", 1},
		{"industry", "industry", 0},
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"ab", "ba", 1},
		{"abcdef", "badcfe", 3},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"score", "scroe", 1},
		{"fit", "fot", 1},
		{"grade", "grades", 1},
		{"tier", "tiers", 1},
		{"abc", "xyz", 3},
		{long, long, 0},
		{long, long + "y", 64},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := editDistance(tt.a, tt.b); got != tt.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := editDistance(tt.b, tt.a); got != tt.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestCivilDays(t *testing.T) {
	tests := []struct {
		y, m, d int
		days    int64
	}{
		{1970, 1, 1, 0},
		{1969, 12, 31, -1},
		{1600, 1, 1, -135140},
		{2000, 3, 1, 11017},
		{2024, 2, 29, 19782},
		{2026, 3, 2, 20514},
		{2100, 12, 31, 47846},
		{9999, 12, 31, 2932896},
	}
	for _, tt := range tests {
		t.Run(pad(tt.y, 4)+"-"+pad(tt.m, 2)+"-"+pad(tt.d, 2), func(t *testing.T) {
			if got := daysFromCivil(tt.y, tt.m, tt.d); got != tt.days {
				t.Errorf("daysFromCivil(%d, %d, %d) = %d, want %d", tt.y, tt.m, tt.d, got, tt.days)
			}
			if y, m, d := civilFromDays(tt.days); y != tt.y || m != tt.m || d != tt.d {
				t.Errorf("civilFromDays(%d) = %d, %d, %d, want %d, %d, %d", tt.days, y, m, d, tt.y, tt.m, tt.d)
			}
		})
	}
}

func TestCivilDaysEveryDay(t *testing.T) {
	day := daysFromCivil(1600, 1, 1)
	failures := 0
	for y := 1600; y <= 2500 && failures < 10; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= daysIn(y, m); d++ {
				if got := daysFromCivil(y, m, d); got != day {
					t.Errorf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, day)
					failures++
				}
				if gy, gm, gd := civilFromDays(day); gy != y || gm != m || gd != d {
					t.Errorf("civilFromDays(%d) = %d, %d, %d, want %d, %d, %d", day, gy, gm, gd, y, m, d)
					failures++
				}
				day++
			}
		}
	}
}

func TestDaysIn(t *testing.T) {
	tests := []struct {
		y, m, want int
	}{
		{2026, 1, 31}, {2026, 2, 28}, {2026, 3, 31}, {2026, 4, 30},
		{2026, 5, 31}, {2026, 6, 30}, {2026, 7, 31}, {2026, 8, 31},
		{2026, 9, 30}, {2026, 10, 31}, {2026, 11, 30}, {2026, 12, 31},
		{2024, 2, 29}, {2000, 2, 29}, {2100, 2, 28}, {1900, 2, 28}, {2400, 2, 29},
	}
	for _, tt := range tests {
		t.Run(pad(tt.y, 4)+"-"+pad(tt.m, 2), func(t *testing.T) {
			if got := daysIn(tt.y, tt.m); got != tt.want {
				t.Errorf("daysIn(%d, %d) = %d, want %d", tt.y, tt.m, got, tt.want)
			}
		})
	}
}

// TestDomainTables: the generated tables are sorted lower-case domains,
// and no domain is both free and disposable.
func TestDomainTables(t *testing.T) {
	for name, set := range map[string]domainSet{"free": freeDomains, "disposable": disposableDomains, "suggest": suggestDomains} {
		if len(set) < 40 {
			t.Errorf("%s table has %d domains", name, len(set))
		}
		for i, d := range set {
			if i > 0 && set[i-1] >= d {
				t.Errorf("%s table: %q after %q", name, d, set[i-1])
			}
			if d != str.ToLower(d) || str.IndexByte(d, '.') <= 0 || str.TrimSpace(d) != d {
				t.Errorf("%s table: %q is not a lower-case domain", name, d)
			}
		}
	}
	for _, d := range freeDomains {
		if disposableDomains.has(d) {
			t.Errorf("%s is in both tables", d)
		}
	}
	for _, d := range suggestDomains {
		if !freeDomains.has(d) {
			t.Errorf("suggested %s is not a free provider", d)
		}
	}
}
