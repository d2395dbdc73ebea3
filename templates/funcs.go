package templates

import (
	"strconv"
	"strings"
)

// pageTitle is the text of a page's <title>: the page's own title and the
// site's name, or the site's name alone.
func pageTitle(site Site, head Head) string {
	if head.Title == "" || head.Title == site.Name {
		return site.Name
	}
	return head.Title + " · " + site.Name
}

// ogTitle is the title a page shows when shared.
func ogTitle(site Site, head Head) string {
	if head.Title == "" {
		return site.Name
	}
	return head.Title
}

// ogType is the Open Graph type of a page, "website" unless it says
// otherwise.
func ogType(head Head) string {
	if head.Type == "" {
		return "website"
	}
	return head.Type
}

// currentNav returns the index of the navigation link of the section a
// path is in: the longest URL that is a prefix of the path, where "/"
// matches the home page only. It returns -1 when no link matches.
func currentNav(nav []Link, path string) int {
	current, longest := -1, 0
	for i, l := range nav {
		match := l.URL == path
		if l.URL != "/" && strings.HasPrefix(l.URL, "/") && strings.HasPrefix(path, l.URL) {
			match = true
		}
		if match && len(l.URL) > longest {
			current, longest = i, len(l.URL)
		}
	}
	return current
}

// tocEntry is a heading of a table of contents with the headings under it.
type tocEntry struct {
	Heading
	Children []Heading
}

// tocTree nests level-3 headings under the level-2 heading before them.
// A level-3 heading with no level-2 heading before it stays at the top.
func tocTree(hs []Heading) []tocEntry {
	var out []tocEntry
	for _, h := range hs {
		if h.Level > 2 && len(out) > 0 {
			last := &out[len(out)-1]
			last.Children = append(last.Children, h)
			continue
		}
		out = append(out, tocEntry{Heading: h})
	}
	return out
}

// ordinal writes a position in English: "1st", "2nd", "3rd", "11th".
func ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// listOr joins words in English with commas and a final "or".
func listOr(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// attempts says a number of attempts: "1 attempt", "5 attempts".
func attempts(n string) string {
	if n == "1" {
		return n + " attempt"
	}
	return n + " attempts"
}

// funnelClass is the class list of a funnel tag, e.g. "tag funnel funnel-mofu".
func funnelClass(funnel string) string {
	return "tag funnel funnel-" + strings.ToLower(funnel)
}

// controlID is the id of a form field's control; help and error messages
// add a suffix to it.
func controlID(f FormField) string { return "f-" + f.Name }

// describedBy lists the ids of the messages that describe a field: its
// help, if any, its error slot and the widget's hint, if it has one.
func describedBy(f FormField) string {
	ids := controlID(f) + "-error"
	if f.Help != "" {
		ids = controlID(f) + "-help " + ids
	}
	if f.Hint {
		ids += " " + controlID(f) + "-hint"
	}
	return ids
}

// unseen reports whether no field of a section is shown to people: every
// one is filled by the page or is a trap for robots.
func unseen(s FormSection) bool {
	for _, f := range s.Fields {
		if f.Input != "hidden" && !f.Honeypot {
			return false
		}
	}
	return true
}

// stepCount is the number of steps of a multi-step form: its sections
// but the one of fields nobody sees.
func stepCount(f FormDef) int {
	n := 0
	for _, s := range f.Sections {
		if !unseen(s) {
			n++
		}
	}
	return n
}

// stepOf says where a step is among n: "step 2 of 3".
func stepOf(i, n int) string { return "step " + strconv.Itoa(i) + " of " + strconv.Itoa(n) }

// or returns s, or alt when s is empty.
func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// differs reports whether an entry's short name is worth showing beside
// its title.
func differs(name, title string) bool {
	return name != "" && !strings.EqualFold(name, title)
}

// itoa writes a whole number.
func itoa(n int) string { return strconv.Itoa(n) }
