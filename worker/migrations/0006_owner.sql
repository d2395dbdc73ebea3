-- Who owns a lead: the person routing.yaml's round robin gave it (owner,
-- a person's name, '' for none) in the team its stage's SLA names (team).
-- Leads stored by an earlier release own nobody until they next enter a
-- stage whose SLA names a team.
ALTER TABLE leads ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN team TEXT NOT NULL DEFAULT '';

-- A person's open leads, counted against their capacity at every
-- assignment.
CREATE INDEX leads_owner ON leads (owner, stage) WHERE owner != '';

-- A person's recent assignments (events of kind assign, value: the
-- person), counted by the round robin.
CREATE INDEX events_assign ON events (value, at) WHERE kind = 'assign';
