package worker

import (
	"slices"
	"strconv"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
