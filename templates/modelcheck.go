package templates

// ModelCheck is the dashboard's model check: how well the model's score
// at signup predicts the outcomes sales recorded, and the points fitted
// to them.
type ModelCheck struct {
	Model string // the model's version
	// Leads and Converted count the leads with an outcome read, and the
	// won among them; Rate is Converted / Leads, e.g. "31.2%".
	Leads, Converted int
	Rate             string
	// Capped says the leads are the Cap most recent with an outcome, not
	// all of them.
	Capped   bool
	Cap      int
	From, To string // the day the oldest and the newest of them came in
	Computed string // when the check was computed
	Rejected string // the stored answers the model rejects, treated as missing, or ""
	// Message, when set, says why there is no check (too few outcomes);
	// nothing below it is set then.
	Message string
	AUC     string // ROC AUC of the model's score on every lead read
	// NoSuggestion, when set, says why there are no suggested points.
	NoSuggestion string
	Folds        int
	HeldOut      [2]string // held-out ROC AUC: the model's score, the suggested points
	Lift         [2]string // lift of the top decile by score: the model's, the suggested points'
	Rules        []ModelCheckRule
	Candidates   []ModelCheckRule
	PatchURL     string // the patch's download, or ""
	// NoPatch says why there is no patch to download, when there is none.
	NoPatch string
}

// ModelCheckRule is a point rule, or a candidate rule, with the points
// fitted to the outcomes.
type ModelCheckRule struct {
	Name, Label string
	Current     string // "+2"; "" for a candidate
	Suggested   string // "+4"
	Changed     bool
	Weight      string // the regression's weight, "0.512"
	Leads       int    // leads it holds for
	Rate        string // conversion rate of those leads, "42.0%"
	Note        string // "kept: holds for too few leads", "held to 1..5", or ""
}
