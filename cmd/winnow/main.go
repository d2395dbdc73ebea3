// Command winnow checks, explains, builds and serves a qualification
// model written in content/, and measures it on past leads.
//
//	winnow init [flags] dir              write a new company's model, site and wrangler config
//	winnow check [dir]                   validate content and run the example leads
//	winnow eval [flags] [field=value...] evaluate one lead and explain the verdict
//	winnow build [flags] [dir]           build the site into build/public
//	winnow dev [flags] [dir]             serve the site on 127.0.0.1 and rebuild it on every change
//	winnow serve [flags] [dir]           serve the site with the API over SQLite, as the edge does
//	winnow demo [flags]                  fill the dev database and a CSV with demo data
//	winnow report [flags] [FILE.csv]     the funnel and SLA report of the stored leads
//	winnow people VERB [flags] [EMAIL]   add, list, disable, enable the dashboard's people; link
//	winnow backtest --map M.yaml F.csv   measure the model on past leads
//	winnow version                       print winnow's version
//	winnow help [command]                show help
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand of winnow.
type command struct {
	name    string
	summary string
	usage   string // the synopsis after "winnow"
	help    string // what it does, in a paragraph or two
	// setup declares the command's flags and returns what runs it with the
	// arguments left after the flags.
	setup func(fs *flag.FlagSet) func(e *env, args []string) error
}

// env is what a command may touch: the streams and the clock, so that tests
// can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	stdinIsFile    bool // stdin is a file or pipe, not a terminal
	stderrTerminal bool // stderr is a terminal: progress may be shown
}

// commands are the commands winnow runs. The package doc lists every one
// of them (TestDocListsCommands fails when it misses one).
var commands []*command

func init() {
	commands = []*command{backtestCmd, buildCmd, checkCmd, demoCmd, devCmd, evalCmd, initCmd, peopleCmd, reportCmd, serveCmd, versionCmd}
}

// errUsage reports a command line that cannot be run; the usage is printed.
var errUsage = errors.New("usage")

// errQuiet is a failure whose explanation is already printed.
var errQuiet = errors.New("failed")

func main() {
	stat, _ := os.Stdin.Stat()
	errStat, _ := os.Stderr.Stat()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdinIsFile:    stat != nil && stat.Mode()&os.ModeCharDevice == 0,
		stderrTerminal: errStat != nil && errStat.Mode()&os.ModeCharDevice != 0}
	os.Exit(run(e, os.Args[1:]))
}

// run runs the command line args and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				c.printHelp(e.stdout)
				return 0
			}
			fmt.Fprintf(e.stderr, "winnow help: unknown command %q\n", args[1])
			return 2
		}
		usage(e.stdout)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "winnow: unknown command %q\n\n", name)
		usage(e.stderr)
		return 2
	}
	err := c.run(e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errQuiet):
		return 1
	}
	fmt.Fprintf(e.stderr, "winnow %s: %v\n", c.name, err)
	return 1
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `winnow: the qualification model as code.

Marketing and sales write what a lead, a prospect and an opportunity are in
content/ (YAML and Markdown); winnow checks it and explains its verdicts.

Usage:
  winnow <command> [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'winnow help <command>' or 'winnow <command> --help' for details.\n")
}

// run parses the command's flags (which may follow its arguments) and runs it.
func (c *command) run(e *env, args []string) error {
	fs := flag.NewFlagSet("winnow "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	runner := c.setup(fs)
	fs.Usage = func() { c.printHelp(e.stdout) }
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			fmt.Fprintf(e.stderr, "Run 'winnow %s --help' for usage.\n", c.name)
			return errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			rest = append(rest, args[1:]...)
			break
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
	return runner(e, rest)
}

// printHelp prints the command's usage, help and flags.
func (c *command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: winnow %s\n\n%s\n", c.usage, strings.TrimSpace(c.help))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.setup(fs)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}
