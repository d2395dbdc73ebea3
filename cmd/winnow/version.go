package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release's version, which make release stamps with
// -ldflags "-X main.version=v0.3.0". Other builds leave it empty and
// report what the Go toolchain recorded instead.
var version string

var versionCmd = &command{
	name:    "version",
	summary: "print winnow's version",
	usage:   "version",
	help: `
Version prints the version of this winnow, the Go release that compiled it
and the platform it runs on, as one line; then, in a release binary, that
it carries the signup form's widget.

The version is the release's (make release VERSION=v0.3.0), the module's
(go install github.com/winnowhq/winnow/cmd/winnow@v0.3.0), or, built from
a clone, the commit's, as a pseudo-version ending in the commit's hash
(+dirty if the clone had uncommitted changes).`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		return func(e *env, args []string) error {
			if len(args) > 0 {
				fmt.Fprintln(e.stderr, "winnow version: no arguments")
				return errUsage
			}
			info, _ := debug.ReadBuildInfo()
			fmt.Fprintln(e.stdout, versionLine(version, info, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH))
			if builtinWidget != nil {
				fmt.Fprintln(e.stdout, "with the widget built in: winnow build publishes it when --assets is missing")
			}
			return nil
		}
	},
}

// versionLine is what winnow version prints first: the stamped version,
// else the main module's version from info (nil if unknown), with the
// commit when the version does not name it, then the Go release and the
// platform.
func versionLine(stamped string, info *debug.BuildInfo, goVersion, platform string) string {
	v := stamped
	var revision, modified string
	if info != nil {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	line := "winnow " + v
	if len(revision) > 12 {
		revision = revision[:12] // as a pseudo-version shows it
	}
	if revision != "" && !strings.Contains(v, revision) {
		line += " (commit " + revision
		if modified == "true" {
			line += ", modified"
		}
		line += ")"
	}
	return line + " " + goVersion + " " + platform
}
