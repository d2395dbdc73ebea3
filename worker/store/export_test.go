package store

// QueueSQL is the query of a page of queue o and its arguments, for the
// tests that read how the database plans it.
func QueueSQL(o QueueOwner, open, tiers []string, due bool, offset, limit int) (string, []any) {
	where, args := queuePage(o, open, tiers, due, offset, limit)
	return reportLeadsSQL(true, where), args
}

// QueueCountsSQL is the query of the counts of queue o and its arguments.
var QueueCountsSQL = queueCountsSQL
