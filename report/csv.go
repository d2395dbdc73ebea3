package report

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The export's columns the report reads back (GET /api/export.csv, and
// `winnow report FILE.csv`). The export has more: the stage decided at
// submission, the model version and the lead's answers.
const (
	ColID        = "id"
	ColCreatedAt = "created_at" // RFC 3339, UTC
	ColSource    = "source"
	ColSpam      = "spam" // true or false
	ColFit       = "fit"
	ColTier      = "tier"
	ColScore     = "score"
	ColStageNow  = "stage_now" // the latest of the model's stages the lead was in
	ColOutcome   = "outcome"   // won, lost, or empty: recorded after stage_now
	ColOrigin    = "origin"    // where the lead came from (Lead.Origin)
	ColCampaign  = "campaign"  // its campaign (Lead.Campaign)
	ColOwner     = "owner"     // who owns it now (Lead.Owner)
	ColTeam      = "team"      // the team they own it in (Lead.Team)
	ColEvents    = "events"    // every event, written by EncodeEvents
)

// timeLayout writes event times in UTC to the millisecond, as stored.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// EncodeEvents writes a lead's events in one CSV cell. Events are sorted
// (SortEvents) and separated by ';'; each is five parts separated by one
// space: stage, actor, source, at and recorded_at, the instants in RFC
// 3339 UTC to the millisecond; a rejection (Rejected) has a sixth, its
// reason. A stage set against the rules has the source OverrideSource. In
// the parts, '%', the space, ';', the
// apostrophe and the control characters are escaped as %XX (upper-case
// hexadecimal), so the encoding is unambiguous:
//
//	MQL winnow form 2026-03-02T09:00:00.000Z 2026-03-02T09:00:00.000Z;SAL jo%20lee api 2026-03-03T10:00:00.000Z 2026-03-03T10:00:01.250Z
func EncodeEvents(events []Event) string {
	sorted := slices.Clone(events)
	SortEvents(sorted)
	var b strings.Builder
	for i, e := range sorted {
		if i > 0 {
			b.WriteByte(';')
		}
		escapePart(&b, e.Stage)
		b.WriteByte(' ')
		escapePart(&b, e.Actor)
		b.WriteByte(' ')
		escapePart(&b, e.Source)
		b.WriteByte(' ')
		b.WriteString(e.At.UTC().Format(timeLayout))
		b.WriteByte(' ')
		b.WriteString(e.RecordedAt.UTC().Format(timeLayout))
		if e.Reason != "" {
			b.WriteByte(' ')
			escapePart(&b, e.Reason)
		}
	}
	return b.String()
}

func escapePart(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c == ' ' || c == ';' || c == '\'' || c < 0x20 || c == 0x7f {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
}

func unescapePart(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("a '%' is not followed by two hexadecimal digits")
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", errors.New("%" + s[i+1:i+3] + " is not an escape: '%' is followed by two hexadecimal digits")
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

// DecodeEvents reads a cell written by EncodeEvents. Its error says which
// event is wrong, counting from 1.
func DecodeEvents(cell string) ([]Event, error) {
	if cell == "" {
		return nil, nil
	}
	var out []Event
	for i, s := range strings.Split(cell, ";") {
		e, err := decodeEvent(s)
		if err != nil {
			return nil, errors.New("event " + strconv.Itoa(i+1) + ": " + err.Error())
		}
		e.Seq = int64(i + 1) // the cell's order is the order of the events' instants as stored
		out = append(out, e)
	}
	return out, nil
}

func decodeEvent(s string) (Event, error) {
	parts := strings.Split(s, " ")
	if len(parts) != 5 && len(parts) != 6 {
		return Event{}, errors.New(strconv.Quote(s) + " is not stage, actor, source, at and recorded_at (and a reason) separated by spaces")
	}
	var e Event
	var err error
	for i, p := range []*string{&e.Stage, &e.Actor, &e.Source} {
		if *p, err = unescapePart(parts[i]); err != nil {
			return e, err
		}
	}
	if e.Stage == "" {
		return e, errors.New("no stage")
	}
	e.Override = e.Source == OverrideSource
	if e.At, err = time.Parse(time.RFC3339, parts[3]); err != nil {
		return e, errors.New("at " + strconv.Quote(parts[3]) + " is not an RFC 3339 time")
	}
	if e.RecordedAt, err = time.Parse(time.RFC3339, parts[4]); err != nil {
		return e, errors.New("recorded_at " + strconv.Quote(parts[4]) + " is not an RFC 3339 time")
	}
	if len(parts) == 6 {
		if e.Reason, err = unescapePart(parts[5]); err != nil {
			return e, err
		}
	}
	return e, nil
}

// EscapeCell keeps a spreadsheet from running a cell as a formula: a cell
// that starts with '=', '+', '-', '@', a tab or a carriage return is
// written with a leading apostrophe, and so is one that starts with an
// apostrophe, so that UnescapeCell gives every value back as it was.
func EscapeCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r'", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// UnescapeCell undoes EscapeCell.
func UnescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte("=+-@\t\r'", s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// ReadCSV reads the leads and their events from an export. It needs the
// columns id, created_at and events; source, spam, fit, tier, score,
// origin, campaign, owner and team are read when present. Its errors give the line and the column.
func ReadCSV(r io.Reader) ([]Lead, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("line 1: the file is empty: want the header of an export")
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, need := range []string{ColID, ColCreatedAt, ColEvents} {
		if _, ok := col[need]; !ok {
			return nil, errors.New("line 1: no column " + need + ": export the leads from this version of Winnow")
		}
	}
	var leads []Lead
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return leads, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		fail := func(column, msg string) error {
			return errors.New("line " + strconv.Itoa(line) + ", column " + column + ": " + msg)
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok {
				return UnescapeCell(rec[i])
			}
			return ""
		}
		l := Lead{ID: cell(ColID), Source: cell(ColSource), Fit: cell(ColFit), Tier: cell(ColTier), Origin: cell(ColOrigin),
			Campaign: cell(ColCampaign), Owner: cell(ColOwner), Team: cell(ColTeam)}
		if l.ID == "" {
			return nil, fail(ColID, "no lead id")
		}
		if l.CreatedAt, err = time.Parse(time.RFC3339, cell(ColCreatedAt)); err != nil {
			return nil, fail(ColCreatedAt, strconv.Quote(cell(ColCreatedAt))+" is not an RFC 3339 time")
		}
		if s := cell(ColSpam); s != "" {
			if l.Spam, err = strconv.ParseBool(s); err != nil {
				return nil, fail(ColSpam, strconv.Quote(s)+" is not true or false")
			}
		}
		if s := cell(ColScore); s != "" {
			if l.Score, err = strconv.ParseFloat(s, 64); err != nil {
				return nil, fail(ColScore, strconv.Quote(s)+" is not a number")
			}
		}
		if l.Events, err = DecodeEvents(cell(ColEvents)); err != nil {
			return nil, fail(ColEvents, err.Error())
		}
		leads = append(leads, l)
	}
}
