package routing

import "strings"

// RejectReason returns the reason to reject a lead named name, or nil.
func (r *Routing) RejectReason(name string) *RejectReason {
	if r == nil {
		return nil
	}
	for i := range r.RejectReasons {
		if r.RejectReasons[i].Name == name {
			return &r.RejectReasons[i]
		}
	}
	return nil
}

// Activity returns the activity named name, or nil.
func (r *Routing) Activity(name string) *Activity {
	if r == nil {
		return nil
	}
	for i := range r.Activities {
		if r.Activities[i].Name == name {
			return &r.Activities[i]
		}
	}
	return nil
}

// Find returns the person whom who names, by their name or their email
// (in any case), and the first team they are in; nil and nil when nobody
// is. Someone in several teams is one person, with one email. r may be
// nil.
func (r *Routing) Find(who string) (*Person, *Team) {
	if r == nil || strings.TrimSpace(who) == "" {
		return nil, nil
	}
	who = strings.TrimSpace(who)
	for i := range r.Teams {
		t := &r.Teams[i]
		for k := range t.People {
			p := &t.People[k]
			if p.Name == who || p.Email != "" && strings.EqualFold(p.Email, who) {
				return p, t
			}
		}
	}
	return nil, nil
}
