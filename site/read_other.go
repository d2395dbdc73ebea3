//go:build !unix

package site

import "os"

// readFile reads the file name.
func readFile(name string) ([]byte, error) {
	return os.ReadFile(name)
}
