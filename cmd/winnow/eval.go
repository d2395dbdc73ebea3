package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/worker"
)

var evalCmd = &command{
	name:    "eval",
	summary: "evaluate one lead and explain the verdict",
	usage:   "eval [--content dir] [--at DATE] [--framework NAME] [--json] [name=value ...]",
	help: `
Eval evaluates one lead with the model in the content directory and explains
the verdict: every point given and the rule behind it, the fit grade, the
framework criteria met, and each stage rule in the order they are checked,
marking the one that decided.

Give the lead as name=value arguments. A field takes its answer
(industry=software, seats=40); a signal takes the instant it happened, as a
date (demo_request=2026-03-01), a date and time (2026-03-01T09:30:00Z), "now",
or an age before --at such as -3d or -12h (pricing_visit=-3d).

With no arguments, or with "-", eval reads the lead from standard input as a
JSON object: {"email": "ana@acme.io", "seats": 40, "signals": {"demo_request":
"2026-03-01"}}. Signals may also stand at the top level by name.

The answers are validated as the signup form validates them; a field error
stops eval with the field and the message a visitor would see.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) error {
		dir := fs.String("content", "content", "the content directory")
		at := fs.String("at", "", "evaluate at this `DATE` (2026-03-31 or RFC 3339; default now)")
		framework := fs.String("framework", "", "evaluate with this framework `NAME` selected")
		asJSON := fs.Bool("json", false, "print the verdict as JSON")
		submit := fs.Bool("submit", true, "treat the answers as a form submitted at --at: record the form signal and the signals of chosen options")
		return func(e *env, args []string) error {
			return evalLead(e, evalOptions{*dir, *at, *framework, *asJSON, *submit}, args)
		}
	},
}

type evalOptions struct {
	dir, at, framework string
	json, submit       bool
}

func evalLead(e *env, o evalOptions, args []string) error {
	now, err := atFlag(o.at)
	if err != nil {
		return err
	}
	c, err := loadDir(e, o.dir)
	if err != nil {
		return err
	}
	m := c.Model
	if o.framework != "" {
		i := m.FrameworkIndex(o.framework)
		if i < 0 {
			return fmt.Errorf("--framework %q: unknown framework", o.framework)
		}
		mm := *m
		mm.Framework = i
		m = &mm
	}
	pairs, err := leadArgs(e, args)
	if err != nil {
		return err
	}
	input := qualify.Input{}
	signals := map[int]int64{}
	for _, p := range pairs {
		switch {
		case m.FieldIndex(p.name) >= 0:
			input[p.name] = p.value
		case m.SignalIndex(p.name) >= 0:
			t, ok := signalTime(p.value, now)
			if !ok {
				return fmt.Errorf("signal %s=%q: want a date, a date and time, now, or an age like -3d", p.name, p.value)
			}
			signals[m.SignalIndex(p.name)] = t
		default:
			var names []string
			for _, f := range m.Fields {
				names = append(names, f.Name)
			}
			for _, s := range m.Signals {
				names = append(names, s.Name)
			}
			return fmt.Errorf("%q is neither a field nor a signal of the model%s", p.name, qualify.DidYouMean(p.name, names))
		}
	}
	submitted := int64(0)
	if o.submit {
		submitted = now
	}
	lead, ferrs := m.Lead(input, submitted)
	if len(ferrs) > 0 {
		for _, fe := range ferrs {
			fmt.Fprintf(e.stderr, "%s: %s\n", fe.Field, fe.Message)
		}
		return errQuiet
	}
	for i, t := range signals {
		lead.Signals[i] = t
	}
	if o.json {
		return printJSON(e.stdout, m, &lead, now)
	}
	explain(e.stdout, m, &lead, now, "", false)
	return nil
}

// atFlag reads the instant an --at flag gives, or now when it is empty.
func atFlag(at string) (int64, error) {
	if at == "" {
		return time.Now().Unix(), nil
	}
	t, ok := content.ParseInstant(at)
	if !ok {
		return 0, fmt.Errorf("--at %q: want a date like 2026-03-31 or 2026-03-31T09:30:00Z", at)
	}
	return t, nil
}

type pair struct{ name, value string }

// leadArgs reads name=value arguments, or a JSON object on standard input.
func leadArgs(e *env, args []string) ([]pair, error) {
	if len(args) == 0 && e.stdinIsFile || len(args) == 1 && args[0] == "-" {
		return jsonLead(e.stdin)
	}
	var out []pair
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("argument %q: want name=value", a)
		}
		out = append(out, pair{name, value})
	}
	return out, nil
}

func jsonLead(r io.Reader) ([]pair, error) {
	var obj map[string]any
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("no lead given: pass name=value arguments or a JSON object on standard input")
		}
		return nil, fmt.Errorf("reading the lead as JSON from standard input: %v", err)
	}
	var out []pair
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := obj[k]
		if k == "signals" {
			sigs, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("signals must be an object of signal names to dates")
			}
			sk := make([]string, 0, len(sigs))
			for s := range sigs {
				sk = append(sk, s)
			}
			sort.Strings(sk)
			for _, s := range sk {
				str, ok := sigs[s].(string)
				if !ok {
					return nil, fmt.Errorf("signal %s must be a date string", s)
				}
				out = append(out, pair{s, str})
			}
			continue
		}
		switch x := v.(type) {
		case string:
			out = append(out, pair{k, x})
		case json.Number:
			out = append(out, pair{k, x.String()})
		case bool:
			out = append(out, pair{k, strconv.FormatBool(x)})
		case nil:
		default:
			return nil, fmt.Errorf("%s must be a single value, not %T", k, v)
		}
	}
	return out, nil
}

// signalTime parses when a signal happened, relative to now.
func signalTime(s string, now int64) (int64, bool) {
	if s == "now" {
		return now, true
	}
	if strings.HasPrefix(s, "-") {
		d, ok := qualify.ParseDuration(s[1:])
		return now - d, ok
	}
	return content.ParseInstant(s)
}

// explain prints a verdict with the reason for every point and each stage
// rule in check order.
// With brief set, it shows only the selected framework.
func explain(w io.Writer, m *qualify.Model, lead *qualify.Lead, now int64, indent string, brief bool) {
	v := qualify.Evaluate(m, lead, now)
	stages, criteria := qualify.Explain(m, lead, now)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, indent+format, args...) }
	s := m.Stages[v.StageIndex]
	funnel := s.Funnel.String()
	if s.Exit {
		funnel = "exit"
	}
	p("stage\t%s (%s)\tat %s, model %s\n", v.Stage, funnel, time.Unix(now, 0).UTC().Format(time.RFC3339), v.Model)
	p("fit\t%s\t%d fit points\n", labelled(v.Fit, m.Grades[m.GradeIndex(v.Fit)].Label), v.FitPoints)
	tier := ""
	for _, t := range m.Tiers {
		if t.Name == v.Tier {
			tier = t.Label
		}
	}
	p("score\t%s\ttier %s\n", qualify.FormatNumber(v.Score), labelled(v.Tier, tier))
	next := v.Next.Kind.String() + ": " + v.Next.Label
	if v.Next.URL != "" {
		next += " → " + v.Next.URL
	}
	p("next\t%s\t\n", next)
	if s.SLA.Owner != "" {
		p("sla\t%s\t%s\n", s.SLA.Owner, slaText(s.SLA))
	}
	tw.Flush()

	fmt.Fprintf(w, "\n%spoints\n", indent)
	for _, r := range v.Reasons {
		if r.Kind != qualify.ReasonPoints {
			continue
		}
		pr := m.Points[r.Index]
		why := pr.Label
		if d := qualify.FormatDecay(r.Base, r.HalfLife, r.Age); d != "" {
			why += " (" + d + ")"
		}
		rule := ""
		if pr.When != nil {
			rule = pr.When.String()
		} else if pr.Signal >= 0 {
			rule = "known(" + m.Signals[pr.Signal].Name + ")"
		}
		name, pos := r.Rule(m)
		p("  %s\t%s\t%s\t%s\t%s\n", qualify.FormatPoints(r.Points), name, why, pos, rule)
	}
	p("  = %s\t\t\t\t\n", qualify.FormatNumber(v.Score))
	tw.Flush()

	for i, fw := range m.Frameworks {
		if brief && i != m.Framework {
			continue
		}
		bits := criteria[i]
		n := 0
		for j := range fw.Criteria {
			if bits&(1<<j) != 0 {
				n++
			}
		}
		sel := ""
		if i == m.Framework {
			sel = " (selected)"
		}
		fmt.Fprintf(w, "\n%sframework %s%s: %d of %d criteria met\n", indent, fw.Name, sel, n, len(fw.Criteria))
		for j, c := range fw.Criteria {
			mark := "no "
			if bits&(1<<j) != 0 {
				mark = "yes"
			}
			p("  %s\t%s\t%s\n", mark, c.Name, c.When)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\n%sstages, in the order they are checked (the first that holds decides)\n", indent)
	decided := false
	for _, sc := range stages {
		st := m.Stages[sc.Stage]
		mark := "no "
		switch {
		case decided:
			mark = " - "
		case sc.Holds:
			mark = "YES"
			decided = true
		}
		rule := "(the first funnel stage: every lead no other rule takes)"
		pos := st.Pos
		if st.Rule != nil {
			rule, pos = st.Rule.String(), st.Rule.Pos
		}
		p("  %s\t%s\t%s\t%s\n", mark, st.Name, pos, rule)
	}
	tw.Flush()
}

// labelled joins a name and its label, if it has one: "A: Ideal customer".
func labelled(name, label string) string {
	if label == "" {
		return name
	}
	return name + ": " + label
}

func slaText(s qualify.SLA) string {
	var parts []string
	if s.Within > 0 {
		parts = append(parts, "acts within "+qualify.FormatDuration(s.Within))
	}
	if s.Every > 0 {
		parts = append(parts, "follows up every "+qualify.FormatDuration(s.Every))
	}
	if s.Attempts > 0 {
		parts = append(parts, fmt.Sprintf("stops after %d attempt%s", s.Attempts, plural(s.Attempts)))
	}
	return strings.Join(parts, ", ")
}

func printJSON(w io.Writer, m *qualify.Model, lead *qualify.Lead, now int64) error {
	v := qualify.Evaluate(m, lead, now)
	out := worker.NewVerdictJSON(m, &v, now)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
