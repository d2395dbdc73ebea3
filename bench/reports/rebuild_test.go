package reports

import (
	"context"
	"testing"
	"time"
)

// BenchmarkRebuild counts the report's sums anew from every lead's events
// (winnow report --rebuild; what the scheduled work does after the
// model's stages change or a database is upgraded), and reports the leads
// counted a second.
func BenchmarkRebuild(b *testing.B) {
	s := open(b)
	ctx := context.Background()
	b.ResetTimer()
	var rate float64
	for range b.N {
		began := time.Now()
		n, err := s.h.RebuildRollups(ctx)
		if err != nil {
			b.Fatal(err)
		}
		rate = float64(n) / time.Since(began).Seconds()
	}
	b.ReportMetric(rate, "leads/s")
	b.ReportMetric(float64(s.leads), "leads")
}
