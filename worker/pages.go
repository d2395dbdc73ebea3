package worker

import (
	"bytes"
	"math"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/winnowhq/winnow/qualify"
	"github.com/winnowhq/winnow/templates"
)

// PageSettings is what the server's pages need of the built site.
type PageSettings struct {
	Site    templates.Site // name, stylesheet, navigation, as the build made them
	FormURL string         // the signup form page, e.g. "/signup/"
	// Forms are the pages of the model's forms, by form name; a post
	// naming none of them is sent back to FormURL.
	Forms map[string]string `json:",omitempty"`
	// Verdict tells the visitor their stage after a plain form post
	// (site.yaml's form verdict).
	Verdict bool `json:",omitempty"`
}

// formURL is the page of the form a plain post was sent from.
func (h *Handler) formURL(r *http.Request) string {
	if u := h.c.Page.Forms[r.PostFormValue("form")]; u != "" {
		return u
	}
	return h.c.Page.FormURL
}

// nextPage renders the next step for a plain form post.
func (h *Handler) nextPage(w http.ResponseWriter, r *http.Request, status int, a leadAnswer) {
	n := templates.NextStep{Title: "Thank you", Label: a.Next.Label, Message: a.Next.Message, URL: a.Next.URL, Reference: a.ID}
	if a.Score != nil { // the content shows visitors their score
		n.Score = strconv.FormatFloat(math.Round(*a.Score), 'f', 0, 64)
	}
	if h.c.Page.Verdict {
		n.Stage = a.Stage
	}
	if t := a.Thanks; t != nil {
		if t.Title != "" {
			n.Title = t.Title
		}
		n.ThanksMessage, n.ThanksLabel, n.ThanksURL = t.Message, t.Label, t.URL
	}
	switch a.Next.Kind {
	case qualify.Book.String():
		n.Title = "Book your meeting now"
	case qualify.FixData.String():
		n.Title = "Please check your details"
		n.FixURL = h.formURL(r)
		n.ThanksMessage, n.ThanksURL = "", ""
	}
	h.page(w, r, status, n.Title, templates.NextStepView(n))
}

// errorPage renders why a form post was not taken.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, e *Error) {
	form := h.formURL(r)
	v := templates.SubmitErrors{Title: "Your request was not sent", Message: e.Message, FormURL: form}
	for _, fe := range e.Errors {
		p := templates.Problem{Label: fe.Field, Message: fe.Message}
		if i := h.c.Model.FieldIndex(fe.Field); i >= 0 {
			p.Label = h.c.Model.Fields[i].Label
			if form != "" {
				p.URL = form + "#f-" + fe.Field
			}
		}
		v.Problems = append(v.Problems, p)
	}
	h.page(w, r, status, v.Title, templates.SubmitErrorsView(v))
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request, status int, title string, body templ.Component) {
	var buf bytes.Buffer
	head := templates.Head{Title: title, Path: r.URL.Path, Type: "website", NoIndex: true}
	if err := templates.Layout(h.c.Page.Site, head, nil, body).Render(r.Context(), &buf); err != nil {
		h.log.Error("rendering a page", "err", err)
		http.Error(w, "the page cannot be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
