package store

import (
	"context"
	"net/url"
)

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
