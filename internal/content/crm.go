package content

import (
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/winnowhq/winnow/qualify"
)

// crmWord reports whether s is a CRM's internal name: at least one of
// lower-case letters, digits and _, and upper-case letters when upper.
func crmWord(s string, upper bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || upper && c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

// choices is what a message about an unknown name adds: the name likely
// meant, if any, and the names there are, as "; what: a, b".
func choices(name, what string, names []string) string {
	s := qualify.DidYouMean(name, names)
	if len(names) > 0 {
		s += "; " + what + ": " + strings.Join(names, ", ")
	}
	return s
}

// crmStage reads a stage's crm_stage: the CRM's internal name of the
// stage, such as HubSpot's lifecycle stage marketingqualifiedlead, or a
// custom stage's numeric id.
func crmStage(f *file, n ast.Node, stage string) string {
	s, ok := f.scalar(n)
	if !ok || !crmWord(s, false) {
		f.err(n, "stage "+stage+": crm_stage must be the CRM's internal name of the stage, in lower-case letters, digits and _"+
			" (such as marketingqualifiedlead, or a custom stage's number), not "+f.describeValue(n))
		return ""
	}
	return s
}

// readCloseReasons reads close_reasons: why sales closes a lead, each a
// name the events API and the hubspot map use and a label people read.
func (l *loader) readCloseReasons(f *file, n ast.Node) {
	m := l.m
	for _, item := range f.seq(n, "close_reasons") {
		r := qualify.CloseReason{Pos: f.pos(item)}
		var nameN ast.Node
		f.fields(item, "close reason", map[string]func(ast.Node){
			"name":  func(n ast.Node) { r.Name, nameN = f.str(n, "close reason name"), n },
			"label": func(n ast.Node) { r.Label = strings.TrimSpace(f.str(n, "close reason label")) },
		})
		switch {
		case nameN == nil:
			f.err(item, "close reason: name is missing")
			continue
		case !crmWord(r.Name, false) || r.Name[0] < 'a':
			f.err(nameN, "close reason name "+strconv.Quote(r.Name)+" must start with a lower-case letter and hold only lower-case letters, digits and _")
			continue
		case m.CloseReasonIndex(r.Name) >= 0:
			f.err(nameN, "close reason "+r.Name+" is already listed at "+m.CloseReasons[m.CloseReasonIndex(r.Name)].Pos.String())
			continue
		case r.Label == "":
			f.err(item, "close reason "+r.Name+": label is missing (what people read, such as No budget)")
		}
		m.CloseReasons = append(m.CloseReasons, r)
	}
}

func closeReasonNames(m *qualify.Model) []string {
	return nameList(m.CloseReasons, func(r *qualify.CloseReason) string { return r.Name })
}

// readHubSpot reads hubspot: for each HubSpot property, what each of its
// values records when HubSpot reports that a lead's property took it. It
// runs once close reasons are read; the signals named are checked once
// signals are (see checkCRMSignals).
func (l *loader) readHubSpot(f *file, n ast.Node) {
	m := l.m
	for _, p := range f.mapping(n, "hubspot") {
		if !crmWord(p.key, true) {
			f.err(p.keyN, "hubspot: property "+strconv.Quote(p.key)+" must be HubSpot's internal name of the property, in letters, digits and _ (such as lifecyclestage)")
			continue
		}
		for _, v := range f.mapping(p.value, "hubspot "+p.key) {
			if !crmWord(v.key, true) {
				f.err(v.keyN, "hubspot "+p.key+": value "+strconv.Quote(v.key)+" must be HubSpot's internal value, in letters, digits and _ (such as salesqualifiedlead)")
				continue
			}
			what := "hubspot " + p.key + " " + v.key
			r := qualify.CRMRule{Property: p.key, Value: v.key, Pos: f.pos(v.keyN)}
			var signalN, outcomeN, reasonN ast.Node
			before := len(l.diags)
			f.fields(v.value, what, map[string]func(ast.Node){
				"signal":  func(n ast.Node) { r.Signal, signalN = f.str(n, "signal"), n },
				"outcome": func(n ast.Node) { r.Outcome, outcomeN = f.str(n, "outcome"), n },
				"reason":  func(n ast.Node) { r.Reason, reasonN = f.str(n, "reason"), n },
			})
			if len(l.diags) > before {
				continue
			}
			switch {
			case signalN != nil && outcomeN != nil:
				f.err(outcomeN, what+": records a signal or an outcome, not both")
			case signalN != nil:
				l.crmSignals = append(l.crmSignals, optionSignal{f, signalN, r.Signal, what})
			case outcomeN == nil:
				f.err(v.keyN, what+": say what it records: a signal (signal: sales_accepted) or an outcome (outcome: won, or lost with a reason)")
			case r.Outcome != "won" && r.Outcome != "lost":
				f.err(outcomeN, what+": outcome must be won or lost, not "+f.describeValue(outcomeN))
			case r.Outcome == "lost" && reasonN == nil:
				msg := what + ": a lost outcome needs a reason (reason:), the name of one of the close_reasons"
				if names := closeReasonNames(m); len(names) > 0 {
					msg += ": " + strings.Join(names, ", ")
				}
				f.err(outcomeN, msg)
			}
			switch {
			case reasonN == nil:
			case outcomeN == nil || r.Outcome == "won":
				f.err(reasonN, what+": a reason goes only with outcome: lost")
			case m.CloseReasonIndex(r.Reason) < 0:
				f.err(reasonN, what+": unknown close reason "+strconv.Quote(r.Reason)+choices(r.Reason, "close reasons", closeReasonNames(m)))
			}
			m.HubSpot = append(m.HubSpot, r)
		}
	}
}

// checkCRMSignals checks the signals the hubspot map records, once signals
// are read: each is declared, and carries no close reason, which HubSpot's
// report does not give.
func (l *loader) checkCRMSignals() {
	m := l.m
	for _, s := range l.crmSignals {
		switch i := m.SignalIndex(s.name); {
		case i < 0:
			s.f.err(s.n, s.what+": unknown signal "+strconv.Quote(s.name)+choices(s.name, "signals", signalNames(m)))
		case m.Signals[i].Reason:
			s.f.err(s.n, s.what+": signal "+s.name+" carries a close reason, which HubSpot's report does not give: record outcome: lost with a reason instead")
		}
	}
}
