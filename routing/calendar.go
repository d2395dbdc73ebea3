package routing

import (
	"math"
	"strconv"
	"time"

	"github.com/winnowhq/winnow/qualify"
)

// Never is the instant Calendar.Add returns when the working time asked
// for does not fit in MaxDays: a calendar that never works, or a duration
// longer than its working time in that many days.
const Never int64 = math.MaxInt64

// MaxDays is how many days of a calendar Add and Between walk at most
// (about eleven years): Add gives Never beyond, Between counts no further.
const MaxDays = 4000

// MinutesPerDay is the end of a day's last Span.
const MinutesPerDay = 24 * 60

// zone returns the calendar's time zone: UTC when none is set.
func (c *Calendar) zone() *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}

// wholeDays reports whether the calendar sets no hours on any day: then
// every day that is not a holiday is worked whole, as the zero Calendar's.
func (c *Calendar) wholeDays() bool {
	for _, h := range c.Hours {
		if len(h) > 0 {
			return false
		}
	}
	return true
}

// always reports whether every instant is working time.
func (c *Calendar) always() bool {
	return len(c.Holidays) == 0 && c.wholeDays()
}

// holiday reports whether the local day y-m-d is one of the holidays.
func (c *Calendar) holiday(y int, m time.Month, d int) bool {
	for _, h := range c.Holidays {
		if h.Day == d && h.Month == m && h.Year == y {
			return true
		}
	}
	return false
}

// days walks the calendar's working intervals, as instants [a, b), from
// the local day that holds from on, in order, until fn returns false or
// MaxDays days are walked. A span's ends are wall-clock times of its day,
// so a span of a day when clocks change lasts what the clocks say: 09:00
// to 17:00 is always 8 hours, 00:00 to 06:00 is 5 hours on the last
// Sunday of March in Europe/Berlin.
func (c *Calendar) days(from int64, fn func(a, b int64) bool) {
	loc := c.zone()
	y, m, d := time.Unix(from, 0).In(loc).Date()
	whole := c.wholeDays()
	for i := range MaxDays {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		dy, dm, dd := day.Date()
		if c.holiday(dy, dm, dd) {
			continue
		}
		if whole {
			if !fn(day.Unix(), time.Date(dy, dm, dd+1, 0, 0, 0, 0, loc).Unix()) {
				return
			}
			continue
		}
		for _, s := range c.Hours[day.Weekday()] {
			a := time.Date(dy, dm, dd, 0, s.From, 0, 0, loc).Unix()
			b := time.Date(dy, dm, dd, 0, s.To, 0, 0, loc).Unix()
			if b <= a {
				continue // a span within the hour the clocks skip
			}
			if !fn(a, b) {
				return
			}
		}
	}
}

// Add returns the instant (Unix seconds) at which d of working time has
// passed since from: the deadline of an SLA of d for a lead that entered
// its stage at from. d counts whole seconds. Add(from, 0) is from; an
// instant that ends exactly at the close of a working interval is that
// close (17:00, not the next morning). It returns Never when d does not
// fit in MaxDays days of the calendar.
func (c *Calendar) Add(from int64, d time.Duration) int64 {
	need := int64(d / time.Second)
	if need <= 0 {
		return from
	}
	if c.always() {
		if from > Never-need {
			return Never
		}
		return from + need
	}
	at := Never
	c.days(from, func(a, b int64) bool {
		if b <= from {
			return true
		}
		a = max(a, from)
		if b-a >= need {
			at = a + need
			return false
		}
		need -= b - a
		return true
	})
	return at
}

// Between returns the working time between the instants a and b (Unix
// seconds), negative when b is before a. It counts at most MaxDays days
// from the earlier instant.
func (c *Calendar) Between(a, b int64) time.Duration {
	if b < a {
		return -c.Between(b, a)
	}
	if c.always() {
		return time.Duration(b-a) * time.Second
	}
	var sum int64
	c.days(a, func(x, y int64) bool {
		if x >= b {
			return false
		}
		if x, y = max(x, a), min(y, b); y > x {
			sum += y - x
		}
		return true
	})
	return time.Duration(sum) * time.Second
}

// Working reports whether the instant t (Unix seconds) is working time.
func (c *Calendar) Working(t int64) bool {
	if c.always() {
		return true
	}
	loc := c.zone()
	day := time.Unix(t, 0).In(loc)
	y, m, d := day.Date()
	if c.holiday(y, m, d) {
		return false
	}
	if c.wholeDays() {
		return true
	}
	for _, s := range c.Hours[day.Weekday()] {
		if t < time.Date(y, m, d, 0, s.From, 0, 0, loc).Unix() {
			return false
		}
		if t < time.Date(y, m, d, 0, s.To, 0, 0, loc).Unix() {
			return true
		}
	}
	return false
}

// check adds the calendar's problems to ds, at pos: spans out of a day,
// empty, unsorted or overlapping, and dates that do not exist.
func (c *Calendar) check(ds *qualify.Diags, pos qualify.Pos, team string) {
	for wd, spans := range c.Hours {
		for i, s := range spans {
			switch {
			case s.From < 0 || s.To > MinutesPerDay || s.From >= s.To:
				ds.Add(pos, "team "+team+": working hours "+s.String()+" on "+time.Weekday(wd).String()+" are not a time span within a day")
			case i > 0 && s.From < spans[i-1].To:
				ds.Add(pos, "team "+team+": working hours "+s.String()+" on "+time.Weekday(wd).String()+" overlap or come before "+spans[i-1].String())
			}
		}
	}
	for _, h := range c.Holidays {
		if !h.Valid() {
			ds.Add(pos, "team "+team+": holiday "+h.String()+" is not a date")
		}
	}
}

// String formats s as "09:00-17:30".
func (s Span) String() string {
	return clock(s.From) + "-" + clock(s.To)
}

func clock(min int) string {
	if min < 0 || min > MinutesPerDay {
		return strconv.Itoa(min) + "min"
	}
	return pad2(min/60) + ":" + pad2(min%60)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// String formats d as "2026-12-24".
func (d Date) String() string {
	y := strconv.Itoa(d.Year)
	for len(y) < 4 {
		y = "0" + y
	}
	return y + "-" + pad2(int(d.Month)) + "-" + pad2(d.Day)
}

// Valid reports whether d is a day of the calendar (not February 30).
func (d Date) Valid() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	y, m, dd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Date()
	return y == d.Year && m == d.Month && dd == d.Day
}
