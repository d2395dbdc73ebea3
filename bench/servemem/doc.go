// Package servemem holds winnow serve to its memory budget: once started
// over the shipped content, the server keeps at most 80 MB resident, with
// an empty database and with one of 10,000 leads (BenchmarkServeMemory).
//
//	go test -run '^$' -bench ServeMemory -benchtime 1x ./bench/servemem
package servemem
