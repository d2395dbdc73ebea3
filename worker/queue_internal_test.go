package worker

import (
	"net/http"

	"github.com/winnowhq/winnow/templates"
)

// PostAs serves the forms that work leads as the dashboard does, session
// and CSRF token checked, for someone signed in with role: for the tests
// of what a role may do, until sessions carry who is signed in.
func PostAs(h *Handler, role string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/leads/{id}/events", h.dashboardPost(func(w http.ResponseWriter, r *http.Request, p templates.AdminPage) {
		p.Role = role
		h.workLead(w, r, p)
	}))
	return mux
}
