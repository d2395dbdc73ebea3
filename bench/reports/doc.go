// Package reports measures, natively, what reads and keeps the report
// over a database of many leads: GET /api/report, the admin overview, the
// export and the writes that keep the report's sums. The database is
// $WINNOW_BENCH_DB, which `go run ./bench/bulk --db FILE --leads 1000000`
// fills; without it, a database of $WINNOW_BENCH_LEADS leads (10,000 by
// default) is filled in the temporary directory first, and kept there.
//
// A benchmark reports the time of a request (p50 and max of b.N) and the
// peak of the heap during one above the heap before it, and fails where a
// goal is missed at a million leads or more: report and overview
// ≤ 50 ms and ≤ 10 MB; the export ≥ 100,000 rows a second in constant
// memory; and, at any size, a write's p99 ≤ 5 ms at 100 a second, after
// which the report's sums still equal a recount.
//
//	WINNOW_BENCH_DB=/tmp/1m.db go test -run '^$' -bench . -benchtime 5x ./bench/reports
package reports
