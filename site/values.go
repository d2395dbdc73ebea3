package site

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// modelValues are the values of the model that Markdown prints by name,
// as {{threshold.mql}}, so that no page states a number the model could
// change without it. The names follow the content's files:
//
//	threshold.NAME                      a threshold of model.yaml: 12
//	stage.SLUG                          a stage's name: MQL, cold lead
//	stage.SLUG.title                    its title: Marketing qualified lead
//	stage.SLUG.rule                     its entry rule, printed from the model
//	stage.SLUG.funnel                   its funnel position: MOFU
//	stage.SLUG.next                     the next step it offers
//	stage.SLUG.sla.owner                who acts on it: Sales development
//	stage.SLUG.sla.within               how soon: 24 hours
//	stage.SLUG.sla.every                how often they follow up: 2 days
//	stage.SLUG.sla.attempts             after how many attempts they stop: 5
//	grade.NAME, .min, .label            a fit grade (a, b...): B, 4, Good fit
//	tier.NAME, .min, .label             a tier of the score: warm, 12, Follow up this week
//	points.NAME, .label                 a point rule's points and label: 5, −25
//	signal.NAME.label, .half_life       a signal's label and half-life: 90 days
//	framework                           the selected framework: BANT
//	framework.NAME.title, .criteria     a framework's title and number of criteria
//	count.stages, .points, .grades, .tiers, .frameworks, .signals, .fields, .examples
//
// SLUG is the last part of the stage's glossary URL (cold-lead), NAME is
// as the model writes it, in lower case for grades.
type modelValues struct {
	values map[string]string
	names  []string // sorted
}

// newModelValues lists every value of c's model a page may name.
func newModelValues(c *content.Content) *modelValues {
	m := c.Model
	v := map[string]string{}
	for _, k := range m.Consts {
		v["threshold."+k.Name] = qualify.FormatNumber(k.Value)
	}
	for _, s := range m.Stages {
		p := "stage." + Slug(s.Name)
		v[p] = s.Name
		if d := docOf(c, s.Name); d != nil && d.Title != "" {
			v[p+".title"] = d.Title
		}
		if s.Rule != nil {
			v[p+".rule"] = s.Rule.String()
		}
		if s.Funnel != qualify.NoFunnel {
			v[p+".funnel"] = s.Funnel.String()
		}
		if s.Next.Label != "" {
			v[p+".next"] = s.Next.Label
		}
		if s.SLA.Owner != "" {
			v[p+".sla.owner"] = s.SLA.Owner
		}
		if s.SLA.Within > 0 {
			v[p+".sla.within"] = duration(s.SLA.Within)
		}
		if s.SLA.Every > 0 {
			v[p+".sla.every"] = duration(s.SLA.Every)
		}
		if s.SLA.Attempts > 0 {
			v[p+".sla.attempts"] = strconv.Itoa(s.SLA.Attempts)
		}
	}
	for _, g := range m.Grades {
		p := "grade." + strings.ToLower(g.Name)
		v[p], v[p+".min"] = g.Name, strconv.Itoa(g.Min)
		if g.Label != "" {
			v[p+".label"] = g.Label
		}
	}
	for i, t := range m.Tiers {
		p := "tier." + strings.ToLower(t.Name)
		v[p] = t.Name
		if i < len(m.Tiers)-1 {
			v[p+".min"] = qualify.FormatNumber(t.Min)
		}
		if t.Label != "" {
			v[p+".label"] = t.Label
		}
	}
	for _, pr := range m.Points {
		v["points."+pr.Name] = signed(pr.Points)
		if pr.Label != "" {
			v["points."+pr.Name+".label"] = pr.Label
		}
	}
	for _, s := range m.Signals {
		p := "signal." + s.Name
		if s.Label != "" {
			v[p+".label"] = s.Label
		}
		if s.HalfLife > 0 {
			v[p+".half_life"] = duration(s.HalfLife)
		}
	}
	if m.Framework >= 0 {
		v["framework"] = m.Frameworks[m.Framework].Name
	}
	for _, f := range m.Frameworks {
		p := "framework." + strings.ToLower(f.Name)
		v[p] = f.Name
		if f.Title != "" {
			v[p+".title"] = f.Title
		}
		v[p+".criteria"] = strconv.Itoa(len(f.Criteria))
	}
	for what, n := range map[string]int{
		"stages": len(m.Stages), "points": len(m.Points), "grades": len(m.Grades), "tiers": len(m.Tiers),
		"frameworks": len(m.Frameworks), "signals": len(m.Signals), "fields": len(m.Fields), "examples": len(c.Examples),
	} {
		v["count."+what] = strconv.Itoa(n)
	}
	mv := &modelValues{values: v}
	for name := range v {
		mv.names = append(mv.names, name)
	}
	slices.Sort(mv.names)
	return mv
}

// docOf returns the glossary entry of a stage, or nil.
func docOf(c *content.Content, name string) *content.Doc {
	for i := range c.Docs {
		if c.Docs[i].Kind == content.DocStage && c.Docs[i].Name == name {
			return &c.Docs[i]
		}
	}
	return nil
}

// signed writes points as prose does: a true minus sign, no plus.
func signed(points int) string {
	if points < 0 {
		return "−" + strconv.Itoa(-points)
	}
	return strconv.Itoa(points)
}

// value returns the text of the value named ref, or says why the model
// has none: the nearest name, or the names of the same kind.
func (mv *modelValues) value(ref string) (string, error) {
	if v, ok := mv.values[ref]; ok {
		return v, nil
	}
	msg := "the model has no value " + strconv.Quote(ref)
	if near := qualify.Closest(ref, mv.names); near != "" {
		return "", errors.New(msg + " (did you mean " + strconv.Quote(near) + "?)")
	}
	kind, _, _ := strings.Cut(ref, ".")
	var same []string
	for _, name := range mv.names {
		if strings.HasPrefix(name, kind+".") || name == kind {
			same = append(same, name)
		}
	}
	if len(same) > 0 && len(same) <= 12 {
		return "", errors.New(msg + "; it has " + strings.Join(same, ", "))
	}
	if len(same) > 12 {
		return "", errors.New(msg + "; it has " + strings.Join(same[:12], ", ") + " and " + strconv.Itoa(len(same)-12) + " more")
	}
	return "", errors.New(msg + ": values are named threshold., stage., grade., tier., points., signal., framework. or count. and what follows")
}
