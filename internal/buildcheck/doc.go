// Package buildcheck tests the Makefile's guards: each must fail on what
// it guards against, with a message that says why, and pass otherwise.
// It has no code of its own.
package buildcheck
