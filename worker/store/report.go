package store

import (
	"context"
	"net/url"
	"time"

	"github.com/winnowhq/winnow/report"
	"github.com/winnowhq/winnow/worker/lead"
)

// The funnel and SLA report reads every lead not merged into another and
// the events that make its funnel: its stage entries (the rules' and
// overrides), its outcomes, and what people did (activities, the signals,
// answers and overrides sales recorded), which the report counts as
// acting on the lead; a merged lead's facts are its target's, and its
// own stage entries are left out (its target's history, re-scored with
// them, has the entries that count).

// ReportLeads calls add with every lead the report counts.
func (s *Store) ReportLeads(ctx context.Context, add func(report.Lead)) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, created_at, source, spam, fit, tier, score,
		coalesce(json_extract(input, '$.utm_source'), ''), coalesce(json_extract(input, '$.referrer'), ''),
		coalesce(json_extract(input, '$.utm_campaign'), '') FROM leads WHERE merged_into IS NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l report.Lead
		var created int64
		var spam int
		var source, referrer string
		if err := rows.Scan(&l.ID, &created, &l.Source, &spam, &l.Fit, &l.Tier, &l.Score, &source, &referrer, &l.Campaign); err != nil {
			return err
		}
		l.CreatedAt, l.Spam, l.Origin = time.UnixMilli(created).UTC(), spam != 0, Origin(source, referrer)
		add(l)
	}
	return rows.Err()
}

// Origin is where a lead came from: its utm_source, else the host of the
// site that referred it, else "".
func Origin(utmSource, referrer string) string {
	if utmSource != "" {
		return utmSource
	}
	if u, err := url.Parse(referrer); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return ""
}

// ReportEvents calls add with every event the report reads, with the id
// of the lead it counts for.
func (s *Store) ReportEvents(ctx context.Context, add func(lead string, e report.Event)) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT coalesce(l.merged_into, e.lead_id), e.kind, e.stage, e.actor, e.source,
		e.by_rule, e.at, e.recorded_at, e.rowid FROM events e JOIN leads l ON l.id = e.lead_id
		WHERE e.kind = 'stage' AND l.merged_into IS NULL OR e.kind IN ('outcome', 'activity')
		OR e.kind IN ('signal', 'answers', 'override') AND e.actor NOT IN ('winnow', 'visitor') AND e.source != 'beacon'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var leadID, kind string
		var e report.Event
		var byRule int
		var at, recorded int64
		if err := rows.Scan(&leadID, &kind, &e.Stage, &e.Actor, &e.Source, &byRule, &at, &recorded, &e.Seq); err != nil {
			return err
		}
		e.At, e.RecordedAt = time.UnixMilli(at).UTC(), time.UnixMilli(recorded).UTC()
		switch kind {
		case "stage":
			e.Override = byRule == 0
			if e.Override {
				e.Source = report.OverrideSource
			} else {
				e.Actor = report.SystemActor
			}
		case "outcome":
			if e.Stage == lead.Open {
				e.Stage = report.Contacted // reopening is acting: the stage entry it made counts
			}
		default: // a person acted: the report's activity
			e.Stage = report.Contacted
		}
		add(leadID, e)
	}
	return rows.Err()
}

// LeadSummary is a lead as lists show it.
type LeadSummary struct {
	ID        string
	CreatedAt int64
	Input     string // JSON answers
	Stage     string
	Fit       string
	Tier      string
	Score     float64
	Spam      bool
	Outcome   string
}

// RecentLeads lists the leads last active, at most limit.
func (s *Store) RecentLeads(ctx context.Context, limit int) ([]LeadSummary, error) {
	return s.summaries(ctx, `WHERE merged_into IS NULL ORDER BY max(created_at, answered_at) DESC, id DESC LIMIT ?`, limit)
}

// Summaries reads the summaries of these leads.
func (s *Store) Summaries(ctx context.Context, ids []string) ([]LeadSummary, error) {
	var out []LeadSummary
	err := chunks(ids, MaxParams, func(part []string) error {
		l, err := s.summaries(ctx, `WHERE id IN `+in(len(part)), anys(part)...)
		out = append(out, l...)
		return err
	})
	return out, err
}

func (s *Store) summaries(ctx context.Context, where string, args ...any) ([]LeadSummary, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, created_at, input, stage, fit, tier, score, spam, outcome FROM leads `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LeadSummary
	for rows.Next() {
		var l LeadSummary
		var spam int
		if err := rows.Scan(&l.ID, &l.CreatedAt, &l.Input, &l.Stage, &l.Fit, &l.Tier, &l.Score, &spam, &l.Outcome); err != nil {
			return nil, err
		}
		l.Spam = spam != 0
		out = append(out, l)
	}
	return out, rows.Err()
}

// ExportRow is a lead as the CSV export writes it.
type ExportRow struct {
	LeadSummary
	Source string
	Model  string
}

// Export calls row with every lead not merged into another, oldest first.
func (s *Store) Export(ctx context.Context, row func(ExportRow) error) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, created_at, input, stage, fit, tier, score, spam, outcome, source, model_version
		FROM leads WHERE merged_into IS NULL ORDER BY created_at, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r ExportRow
		var spam int
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.Input, &r.Stage, &r.Fit, &r.Tier, &r.Score, &spam, &r.Outcome, &r.Source,
			&r.Model); err != nil {
			return err
		}
		r.Spam = spam != 0
		if err := row(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
