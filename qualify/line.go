package qualify

import (
	"strconv"

	"github.com/winnowhq/winnow/qualify/internal/str"
)

// Line is the verdict in one line that a native and a WebAssembly
// build can compare exactly: stage, fit, tier, score and every reason,
// points in hundredths.
func (v *Verdict) Line() string {
	var b str.Builder
	b.WriteString(v.Stage + "\t" + v.Fit + "\t" + v.Tier + "\t" + hundredths(v.Score) + "\t")
	for i, r := range v.Reasons {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(r.Kind)) + ":" + strconv.Itoa(int(r.Index)) + ":" + hundredths(r.Points))
	}
	return b.String()
}

func hundredths(x float64) string {
	if x < 0 {
		return "-" + strconv.FormatInt(int64(-x*100+0.5), 10)
	}
	return strconv.FormatInt(int64(x*100+0.5), 10)
}
