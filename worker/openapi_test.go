package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/winnowhq/winnow/backtest"
	"github.com/winnowhq/winnow/docs"
	"github.com/winnowhq/winnow/worker"
	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/modelcheck"
)

// The API's document (docs/openapi.yaml, served as GET /api/openapi.json)
// is held to the handler here: every route the handler registers is in it
// and every operation in it is routed (TestOpenAPIRoutes), and the
// requests and answers of real calls to every route, good and bad, are
// what it says (TestOpenAPIExchanges), webhooks included
// (TestOpenAPIWebhooks).

// specBase is where the tests place the document: webhook.schema.json,
// which it refers to, is beside it, as the handler serves them.
const specBase = "https://winnow.test/api/"

// apiSpec is the API's document as the handler serves it, with its schemas.
type apiSpec struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by JSON pointer
	// seen are the statuses each operation was answered with.
	seen map[string]map[int]bool
}

// mustFetch gets a path of f's server and returns the answer's body.
func mustFetch(t *testing.T, f *fixture, path, wantType string) []byte {
	t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); resp.StatusCode != 200 || mt != wantType {
		t.Fatalf("GET %s: %d %s, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), wantType)
	}
	return b
}

// loadSpec reads the document and the webhooks' schema from f's handler.
func loadSpec(t *testing.T, f *fixture) *apiSpec {
	t.Helper()
	s := &apiSpec{compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}, seen: map[string]map[int]bool{}}
	s.compiler.DefaultDraft(jsonschema.Draft2020)
	s.compiler.AssertFormat()
	for name, mt := range map[string]string{"openapi.json": "application/json", "webhook.schema.json": "application/schema+json"} {
		b := mustFetch(t, f, "/api/"+name, mt)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := s.compiler.AddResource(specBase+name, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "openapi.json" {
			if err := json.Unmarshal(b, &s.doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v, _ := s.doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", v)
	}
	return s
}

// jsonPointer is a JSON pointer of tokens.
func jsonPointer(tokens ...string) string {
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	return b.String()
}

// node returns the document's node at tokens, following a $ref (within
// the document) where the node is one, and the tokens it was found at.
func (s *apiSpec) node(tokens ...string) (map[string]any, []string) {
	var n any = s.doc
	for _, tok := range tokens {
		switch x := n.(type) {
		case map[string]any:
			n = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, tokens
			}
			n = x[i]
		default:
			return nil, tokens
		}
	}
	m, _ := n.(map[string]any)
	if ref, ok := m["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
		var at []string
		for _, tok := range strings.Split(ref[2:], "/") {
			at = append(at, strings.NewReplacer("~1", "/", "~0", "~").Replace(tok))
		}
		return s.node(at...)
	}
	return m, tokens
}

// schema compiles the schema at tokens.
func (s *apiSpec) schema(t *testing.T, tokens ...string) *jsonschema.Schema {
	t.Helper()
	p := jsonPointer(tokens...)
	if sch, ok := s.schemas[p]; ok {
		return sch
	}
	sch, err := s.compiler.Compile(specBase + "openapi.json#" + p)
	if err != nil {
		t.Fatalf("the schema at %s: %v", p, err)
	}
	s.schemas[p] = sch
	return sch
}

// operations lists the document's operations as route patterns: "POST
// /api/leads".
func (s *apiSpec) operations() []string {
	var out []string
	paths, _ := s.doc["paths"].(map[string]any)
	for path, item := range paths {
		for method := range item.(map[string]any) {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// handlerRoutes reads the route patterns the handler registers: the
// first argument of every mux.HandleFunc and mux.Handle in the package.
func handlerRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle" {
				return true
			}
			if recv, ok := sel.X.(*ast.SelectorExpr); !ok || recv.Sel.Name != "mux" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route whose pattern is not a string literal: the test cannot read it", fset.Position(call.Pos()))
				return true
			}
			pattern, _ := strconv.Unquote(lit.Value) // a string literal unquotes
			out = append(out, pattern)
			return true
		})
	}
	slices.Sort(out)
	return out
}

// Every route the handler registers is an operation of the document, and
// every operation of the document is served by the route of its pattern.
// The routes registered without a method are the fallbacks of /api/ and
// /admin/, which answer 404 (the document's description says so).
func TestOpenAPIRoutes(t *testing.T) {
	f := newFixture(t, nil, nil)
	s := loadSpec(t, f)
	ops := s.operations()
	var routes []string
	for _, p := range handlerRoutes(t) {
		if !strings.Contains(p, " ") {
			if !strings.HasSuffix(p, "/") {
				t.Errorf("route %q has no method and is not a fallback (a path ending in /): give it a method and document it", p)
			}
			continue
		}
		routes = append(routes, p)
	}
	if len(routes) < 20 {
		t.Fatalf("read %d routes of the handler, want all of them: %v", len(routes), routes)
	}
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("the handler serves %s, which docs/openapi.yaml does not document", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("docs/openapi.yaml documents %s, which the handler does not register", op)
		}
		method, path, _ := strings.Cut(op, " ")
		req := httpRequest(t, method, regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(path, "x0"))
		if got := worker.RoutePattern(f.h, req); got != op {
			t.Errorf("%s %s is routed to %q, want the route %s", method, req.URL.Path, got, op)
		}
	}

	// Every schema of the document compiles (its references resolve),
	// and every example of a media type is valid by its schema.
	for _, where := range [][]string{{"paths"}, {"webhooks"}, {"components"}} {
		var walk func(n any, at []string)
		walk = func(n any, at []string) {
			switch n := n.(type) {
			case map[string]any:
				if _, ok := n["schema"]; ok && len(at) > 1 && at[len(at)-2] == "content" {
					examples := map[string]any{}
					if ex, ok := n["example"]; ok {
						examples["example"] = ex
					}
					named, _ := n["examples"].(map[string]any)
					for name, ex := range named {
						examples[name] = ex.(map[string]any)["value"]
					}
					for name, ex := range examples {
						js, _ := json.Marshal(ex)
						v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(js))
						if err := s.schema(t, append(at, "schema")...).Validate(v); err != nil {
							t.Errorf("%s: %s is not valid by its schema: %v", jsonPointer(at...), name, err)
						}
					}
				}
				for k, v := range n {
					if k == "schema" || len(at) == 2 && at[0] == "components" && at[1] == "schemas" {
						s.schema(t, append(at, k)...)
						continue
					}
					walk(v, append(slices.Clip(at), k))
				}
			case []any:
				for i, v := range n {
					walk(v, append(slices.Clip(at), strconv.Itoa(i)))
				}
			}
		}
		walk(s.doc[where[0]], where)
	}
}

// The document served is docs/openapi.yaml, and the webhooks' schema
// served is docs/webhook.schema.json.
func TestOpenAPIServed(t *testing.T) {
	f := newFixture(t, nil, nil)
	served := mustFetch(t, f, "/api/openapi.json", "application/json")
	if string(served) != docs.OpenAPI {
		t.Error("GET /api/openapi.json is not docs.OpenAPI")
	}
	src, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(src)
	if err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	var want, got any
	json.Unmarshal(js, &want)
	json.Unmarshal(served, &got)
	if !reflect.DeepEqual(got, want) {
		t.Error("the document served is not docs/openapi.yaml: run go generate ./docs")
	}
	schema, err := os.ReadFile("../docs/webhook.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := mustFetch(t, f, "/api/webhook.schema.json", "application/schema+json"); !bytes.Equal(got, schema) {
		t.Error("GET /api/webhook.schema.json is not docs/webhook.schema.json")
	}
	resp, err := http.Get(f.srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("the document's headers: %v", resp.Header)
	}
}

func httpRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://winnow.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// apiCall is one request of the exchanges, and what it should get.
type apiCall struct {
	method, path string
	header       map[string]string
	ctype        string
	body         string
	// bad marks a request the document refuses: a body, a parameter or a
	// media type its schemas do not take. The others must validate.
	bad  bool
	want int
}

// apiAnswer is what a call got.
type apiAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a apiAnswer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v\n%s", a.status, err, a.body)
	}
	return m
}

// do sends c to f's server and checks the request and the answer against
// the document: the route is an operation of it; the request's body,
// parameters and credentials are what it takes (or, for a bad request,
// are not); the answer's status is one it lists for the operation, with
// its headers and a body of a media type and schema it gives.
func (s *apiSpec) do(t *testing.T, f *fixture, c apiCall) apiAnswer {
	t.Helper()
	req, err := http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	name := c.method + " " + c.path
	pattern := worker.RoutePattern(f.h, req)
	method, path, routed := strings.Cut(pattern, " ")
	if !routed {
		t.Fatalf("%s: no route of the handler serves it (pattern %q)", name, pattern)
	}
	op, opAt := s.node("paths", path, strings.ToLower(method))
	if op == nil {
		t.Fatalf("%s: docs/openapi.yaml has no operation %s", name, pattern)
	}
	if problems := s.checkRequest(t, op, opAt, req, c); c.bad && len(problems) == 0 {
		t.Errorf("%s: a bad request, yet the document takes it: %s", name, clipBody([]byte(c.body)))
	} else if !c.bad && len(problems) > 0 {
		t.Errorf("%s: the document refuses the request: %s", name, strings.Join(problems, "; "))
	}

	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := apiAnswer{status: resp.StatusCode, header: resp.Header}
	a.body, _ = io.ReadAll(resp.Body)
	if s.seen[pattern] == nil {
		s.seen[pattern] = map[int]bool{}
	}
	s.seen[pattern][a.status] = true
	if c.want != 0 && a.status != c.want {
		t.Errorf("%s: %d, want %d\n%s", name, a.status, c.want, clipBody(a.body))
	}
	if a.status < 400 && !s.authorized(op, req) {
		t.Errorf("%s: answered %d with credentials none of the operation's security requirements name", name, a.status)
	}

	code := strconv.Itoa(a.status)
	if _, ok := op["responses"].(map[string]any)[code]; !ok {
		t.Errorf("%s: answered %d, which the document does not list for %s\n%s", name, a.status, pattern, clipBody(a.body))
		return a
	}
	r, rAt := s.node(append(opAt, "responses", code)...)
	headers, _ := r["headers"].(map[string]any)
	for h := range headers {
		hd, hAt := s.node(append(rAt, "headers", h)...)
		v := a.header.Get(h)
		if v == "" {
			if req, _ := hd["required"].(bool); req {
				t.Errorf("%s: answered %d without its header %s", name, a.status, h)
			}
			continue
		}
		if err := s.schema(t, append(hAt, "schema")...).Validate(v); err != nil {
			t.Errorf("%s: header %s: %v", name, h, err)
		}
	}
	content, _ := r["content"].(map[string]any)
	if len(a.body) == 0 {
		if len(content) > 0 {
			t.Errorf("%s: answered %d with no body; the document gives it one", name, a.status)
		}
		return a
	}
	mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type"))
	if _, ok := content[mt]; !ok {
		t.Errorf("%s: answered %d with %s, which the document does not give\n%s", name, a.status, mt, clipBody(a.body))
		return a
	}
	v, err := bodyValue(mt, a.body)
	if err != nil {
		t.Errorf("%s: answered %d with a body that is not %s: %v", name, a.status, mt, err)
		return a
	}
	if err := s.schema(t, append(rAt, "content", mt, "schema")...).Validate(v); err != nil {
		t.Errorf("%s: answered %d with a body the document does not describe: %v\n%s", name, a.status, err, clipBody(a.body))
	}
	return a
}

// noRedirects is a client that returns a redirect as it is answered.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// clipBody shortens a body for a message.
func clipBody(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + " …"
	}
	return string(b)
}

// bodyValue reads a body of media type mt as the value its schema
// describes: JSON as JSON, form-encoded as an object of first values,
// other text as a string.
func bodyValue(mt string, body []byte) (any, error) {
	switch {
	case mt == "application/json", strings.HasSuffix(mt, "+json"), mt == "text/plain":
		return jsonschema.UnmarshalJSON(bytes.NewReader(body))
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		out := map[string]any{}
		for k, v := range vals {
			out[k] = v[0]
		}
		return out, err
	}
	return string(body), nil
}

// checkRequest lists what the document does not take of a request: its
// body's media type or schema, a missing or malformed parameter.
func (s *apiSpec) checkRequest(t *testing.T, op map[string]any, opAt []string, req *http.Request, c apiCall) []string {
	t.Helper()
	var problems []string
	params, _ := op["parameters"].([]any)
	for i := range params {
		p, pAt := s.node(append(opAt, "parameters", strconv.Itoa(i))...)
		name, _ := p["name"].(string)
		var v string
		var present bool
		switch p["in"] {
		case "header":
			v = req.Header.Get(name)
			present = v != ""
		case "query":
			present = req.URL.Query().Has(name)
			v = req.URL.Query().Get(name)
		case "path":
			present = true
			v = req.URL.Path // the route matched; the value is a string
		}
		if !present {
			if required, _ := p["required"].(bool); required {
				problems = append(problems, "no "+name)
			}
			continue
		}
		if p["in"] != "path" {
			if err := s.schema(t, append(pAt, "schema")...).Validate(v); err != nil {
				problems = append(problems, name+": "+err.Error())
			}
		}
	}
	rb, rbAt := s.node(append(opAt, "requestBody")...)
	if rb == nil {
		if c.body != "" {
			problems = append(problems, "a body, where the operation takes none")
		}
		return problems
	}
	if c.body == "" {
		if required, _ := rb["required"].(bool); required {
			problems = append(problems, "no body")
		}
		return problems
	}
	mt, _, _ := mime.ParseMediaType(c.ctype)
	if _, ok := rb["content"].(map[string]any)[mt]; !ok {
		return append(problems, "the media type "+c.ctype+" is not one the operation takes")
	}
	v, err := bodyValue(mt, []byte(c.body))
	if err != nil {
		return append(problems, "the body is not "+mt+": "+err.Error())
	}
	if err := s.schema(t, append(rbAt, "content", mt, "schema")...).Validate(v); err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// authorized reports whether a request carries what one of the
// operation's security requirements names (none: anyone may call it).
func (s *apiSpec) authorized(op map[string]any, req *http.Request) bool {
	reqs, ok := op["security"].([]any)
	if !ok {
		reqs, ok = s.doc["security"].([]any)
	}
	if !ok || len(reqs) == 0 {
		return true
	}
	for _, r := range reqs {
		all := true
		for name := range r.(map[string]any) {
			scheme, _ := s.node("components", "securitySchemes", name)
			switch scheme["type"] {
			case "http":
				all = all && strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ")
			case "apiKey":
				n, _ := scheme["name"].(string)
				if scheme["in"] == "cookie" {
					_, err := req.Cookie(n)
					all = all && err == nil
				} else {
					all = all && req.Header.Get(n) != ""
				}
			default:
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// adminBearer is the headers of a request with the fixtures' admin token.
var adminBearer = map[string]string{"Authorization": "Bearer tok"}

// apiFixture is a handler with every credential set: the admin token, a
// callback secret, HubSpot's secret, an integration, the site's origin,
// and a webhook target that fails, whose webhooks die at the first
// attempt.
func apiFixture(t *testing.T, tweak func(*worker.Config)) *fixture {
	t.Helper()
	down := failingServer(t, http.StatusBadGateway)
	return newFixture(t, []crm.Target{{Name: "crm", Kind: crm.KindJSON, URL: down, Secret: "x"}}, func(c *worker.Config) {
		c.Origin = "https://winnow.example"
		c.CallbackSecret = "callback-secret"
		c.HubSpotSecret = "hubspot-secret"
		c.Integrations = map[string]string{"zapier": "zapier-token-0123456789"}
		c.Limits.MaxAttempts = 1
		c.Instance = func() worker.Instance { return worker.Instance{Started: time.Unix(1772442000, 0), Events: 1} }
		if tweak != nil {
			tweak(c)
		}
	})
}

// failingServer is the URL of a server that answers every request with status.
func failingServer(t *testing.T, status int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
	t.Cleanup(srv.Close)
	return srv.URL
}

// callbackSigned is the headers of a callback signed with the callback secret.
func callbackSigned(body string, at time.Time) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return map[string]string{"Winnow-Timestamp": ts, "Winnow-Signature": "v1=" + crm.Sign("callback-secret", ts, []byte(body))}
}

// hubSpotSigned is the headers of a HubSpot webhook request to f.
func hubSpotSigned(f *fixture, body string) map[string]string {
	ts := strconv.FormatInt(f.clock.Now().UnixMilli(), 10)
	return map[string]string{"X-HubSpot-Request-Timestamp": ts,
		"X-HubSpot-Signature-v3": crm.SignHubSpot("hubspot-secret", "POST", f.srv.URL+"/api/hubspot", []byte(body), ts)}
}

// Every operation of the document, called as an integrator would, with
// good requests and bad ones: each request is what the document takes (or
// for a bad one, what it refuses), and each answer is one the document
// gives, status, headers and body. Every operation is answered at least
// once with success and, where it documents errors, once with an error; a
// database that does not answer gets every route's 503.
func TestOpenAPIExchanges(t *testing.T) {
	routed := func(c *worker.Config) { c.Routing = shippedRouting(t) }
	f := apiFixture(t, routed)
	s := loadSpec(t, f)
	do := func(c apiCall) apiAnswer { t.Helper(); return s.do(t, f, c) }
	jsonCall := func(method, path string, header map[string]string, body any, want int) apiCall {
		return apiCall{method: method, path: path, header: header, ctype: "application/json", body: jsonBody(body), want: want}
	}

	// The documents.
	do(apiCall{method: "GET", path: "/api/openapi.json", want: 200})
	do(apiCall{method: "GET", path: "/api/webhook.schema.json", want: 200})
	do(apiCall{method: "GET", path: "/healthz", want: 200})
	do(apiCall{method: "GET", path: "/healthz", header: adminBearer, want: 200})

	// Submissions.
	do(apiCall{method: "OPTIONS", path: "/api/leads", header: map[string]string{"Origin": "https://winnow.example"}, want: 204})
	do(apiCall{method: "OPTIONS", path: "/api/leads", header: map[string]string{"Origin": "https://evil.example"}, want: 403})
	submission := map[string]any{"fields": ana(), "idempotency_key": "openapi-0001", "model": "m1", "verdict": map[string]any{"stage": "MQL"}}
	anaID := do(jsonCall("POST", "/api/leads", nil, submission, 201)).json(t)["id"].(string)
	do(jsonCall("POST", "/api/leads", nil, submission, 200))
	fields := map[string]any{"name": "Bo Berg", "email": "bo@example.org", "company": "Berg AB", "consent": true, "company_size": "11-50"}
	boID := do(jsonCall("POST", "/api/leads", map[string]string{"Idempotency-Key": "openapi-0002"}, map[string]any{"fields": fields}, 201)).json(t)["id"].(string)
	form := url.Values{"name": {"Cy Chan"}, "email": {"cy@example.org"}, "company": {"Chan Ltd"}, "consent": {"yes"}, "idempotency_key": {"openapi-0003"}}
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/x-www-form-urlencoded", body: form.Encode(), want: 201})
	bad := url.Values{"name": {"Cy Chan"}, "email": {"not an email"}, "company": {"Chan Ltd"}, "consent": {"yes"}}
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/x-www-form-urlencoded", body: bad.Encode(), want: 422})
	wrong := map[string]any{"fields": map[string]any{"name": "Di", "email": "not an email", "company": "D"}, "idempotency_key": "openapi-0004"}
	do(jsonCall("POST", "/api/leads", nil, wrong, 422))
	unknown := map[string]any{"fields": map[string]any{"name": "Di", "email": "di@example.org", "shoe_size": 44}, "idempotency_key": "openapi-0005"}
	do(jsonCall("POST", "/api/leads", nil, unknown, 422))
	conflict := map[string]any{"fields": map[string]any{"name": "Ana", "email": "ana@northwind.io", "company": "N"}, "idempotency_key": "openapi-0001"}
	do(jsonCall("POST", "/api/leads", nil, conflict, 409))
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/json", body: `{"fields": {"name": "Di"`, bad: true, want: 400})
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/json", body: `{"fields": {}, "idempotency_key": "openapi-0006", "extra": 1}`, bad: true, want: 400})
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/json", body: `{"fields": {"name": "Di"}}`, want: 400}) // no key
	do(apiCall{method: "POST", path: "/api/leads", ctype: "text/plain", body: `name=Di`, bad: true, want: 415})
	huge := map[string]any{"fields": map[string]any{"message": strings.Repeat("x", 70<<10)}, "idempotency_key": "openapi-0007"}
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/json", body: jsonBody(huge), bad: true, want: 413})
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/json", header: map[string]string{"Origin": "https://evil.example"},
		body: jsonBody(map[string]any{"fields": ana(), "idempotency_key": "openapi-0008"}), want: 403})
	// A form of the model: its questions only, answered with its thank-you.
	guide := map[string]any{"name": "Eve Eng", "email": "eve@example.org", "company": "Eng AG", "role": "marketing", "consent": true}
	do(jsonCall("POST", "/api/leads", nil, map[string]any{"form": "download", "fields": guide, "idempotency_key": "openapi-0009"}, 201))
	guide["budget"] = "none"
	do(jsonCall("POST", "/api/leads", nil, map[string]any{"form": "download", "fields": guide, "idempotency_key": "openapi-0010"}, 400))
	do(jsonCall("POST", "/api/leads", nil, map[string]any{"form": "webinar", "fields": ana(), "idempotency_key": "openapi-0011"}, 400))

	// A lead's life.
	do(apiCall{method: "GET", path: "/api/leads/" + anaID, header: adminBearer, want: 200})
	do(apiCall{method: "GET", path: "/api/leads/" + anaID, want: 401})
	do(apiCall{method: "GET", path: "/api/leads/" + anaID, header: map[string]string{"Authorization": "Bearer nope"}, want: 401})
	do(apiCall{method: "GET", path: "/api/leads/nosuchlead", header: adminBearer, want: 404})
	events := "/api/leads/" + anaID + "/events"
	keyed := map[string]string{"Authorization": "Bearer tok", "Idempotency-Key": "openapi-event-1"}
	accepted := map[string]any{"signal": "sales_accepted", "actor": "jo@example.com", "note": "called back"}
	do(jsonCall("POST", events, keyed, accepted, 201))
	do(jsonCall("POST", events, keyed, accepted, 200))
	do(jsonCall("POST", events, keyed, map[string]any{"activity": "contacted", "actor": "jo@example.com"}, 409))
	do(jsonCall("POST", events, adminBearer, map[string]any{"answers": map[string]string{"budget": "10k_50k"}, "actor": "jo@example.com"}, 201))
	do(jsonCall("POST", events, adminBearer, map[string]any{"stage": "SQL", "reason": "budget confirmed", "actor": "jo@example.com"}, 201))
	lost := jsonBody(map[string]any{"outcome": "lost", "reason": "no_budget", "actor": "crm"})
	do(apiCall{method: "POST", path: events, ctype: "application/json", header: callbackSigned(lost, f.clock.Now()), body: lost, want: 201})
	open := jsonBody(map[string]any{"outcome": "open", "actor": "crm"})
	do(apiCall{method: "POST", path: events, ctype: "application/json", header: callbackSigned(open, f.clock.Now().Add(-time.Hour)), body: open, want: 401})
	do(jsonCall("POST", events, nil, accepted, 401))
	do(jsonCall("POST", events, adminBearer, map[string]any{"signal": "no_such_signal", "actor": "jo@example.com"}, 422))
	do(apiCall{method: "POST", path: events, ctype: "application/json", header: adminBearer, bad: true, want: 422,
		body: jsonBody(map[string]any{"signal": "sales_accepted", "activity": "contacted", "actor": "jo@example.com"})})
	do(apiCall{method: "POST", path: events, ctype: "application/json", header: adminBearer, body: `{"signal": `, bad: true, want: 400})
	do(apiCall{method: "POST", path: events, ctype: "text/plain", header: adminBearer, body: jsonBody(accepted), bad: true, want: 415})
	do(jsonCall("POST", "/api/leads/nosuchlead/events", adminBearer, accepted, 404))

	// Working a lead: activities, acceptance, rejection, reassignment; and
	// the queues they are worked from.
	eve := map[string]any{"fields": map[string]any{"name": "Eve Adams", "email": "eve@northwind.io", "company": "Northwind",
		"company_size": "201-1000", "industry": "software", "role": "marketing", "seniority": "director", "country": "DE",
		"request": "newsletter", "consent": true}, "idempotency_key": "openapi-0012"}
	eveID := do(jsonCall("POST", "/api/leads", nil, eve, 201)).json(t)["id"].(string)
	eveEvents := "/api/leads/" + eveID + "/events"
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"activity": "call", "note": "left a voicemail", "actor": "jo@example.com"}, 201))
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"activity": "fax", "actor": "jo@example.com"}, 422))
	do(apiCall{method: "GET", path: "/api/queue?owner=" + url.QueryEscape("Sales development"), header: adminBearer, want: 200})
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"accept": true, "actor": "jo@example.com"}, 201))
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"reject": true, "reason": "not_interested", "actor": "jo@example.com"}, 422))
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"reject": true, "reason": "not_ready", "actor": "jo@example.com"}, 201))
	owner := do(apiCall{method: "GET", path: "/api/leads/" + eveID, header: adminBearer, want: 200}).json(t)["owner"].(string)
	other := "Claire Moreau"
	if owner == other {
		other = "Hugo Laurent"
	}
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"reassign": "Daniel Kim", "actor": "jo@example.com"}, 422))
	do(jsonCall("POST", eveEvents, adminBearer, map[string]any{"reassign": other, "note": "speaks German", "actor": "jo@example.com"}, 201))
	do(apiCall{method: "GET", path: "/api/queue?owner=" + url.QueryEscape(other) + "&page=2", header: adminBearer, want: 200})
	do(apiCall{method: "GET", path: "/api/queue?owner=nobody", header: adminBearer, want: 400})
	do(apiCall{method: "GET", path: "/api/queue", header: adminBearer, bad: true, want: 400})
	do(apiCall{method: "GET", path: "/api/queue?owner=Marketing&page=first", header: adminBearer, bad: true, want: 400})
	do(apiCall{method: "GET", path: "/api/queue?owner=Marketing", want: 401})

	merge, unmerge := "/api/leads/"+anaID+"/merge", "/api/leads/"+anaID+"/unmerge"
	do(jsonCall("POST", unmerge, adminBearer, map[string]any{"lead": boID, "actor": "jo@example.com"}, 409))
	do(jsonCall("POST", merge, nil, map[string]any{"lead": boID, "actor": "jo@example.com"}, 401))
	do(jsonCall("POST", merge, adminBearer, map[string]any{"lead": boID, "actor": "jo@example.com", "reason": "one person"}, 200))
	do(jsonCall("POST", merge, adminBearer, map[string]any{"lead": boID, "actor": "jo@example.com"}, 409)) // merged already
	do(apiCall{method: "POST", path: unmerge, ctype: "text/plain", header: adminBearer, body: jsonBody(map[string]any{"lead": boID, "actor": "jo"}), bad: true, want: 415})
	do(apiCall{method: "POST", path: unmerge, ctype: "application/json", header: adminBearer, body: `{"lead": 7, "actor": "jo"}`, bad: true, want: 400})
	do(jsonCall("POST", merge, adminBearer, map[string]any{"lead": anaID, "actor": "jo@example.com"}, 422))
	do(apiCall{method: "POST", path: merge, ctype: "application/json", header: adminBearer, body: jsonBody(map[string]any{"lead": boID}), bad: true, want: 422})
	do(jsonCall("POST", merge, adminBearer, map[string]any{"lead": "nosuchlead", "actor": "jo@example.com"}, 404))
	do(apiCall{method: "GET", path: "/api/leads/" + anaID, header: adminBearer, want: 200}) // with the merged lead's events
	do(apiCall{method: "GET", path: "/api/leads/" + boID, header: adminBearer, want: 200})  // merged
	do(jsonCall("POST", unmerge, adminBearer, map[string]any{"lead": boID, "actor": "jo@example.com", "reason": "two people"}, 200))
	do(jsonCall("POST", unmerge, nil, map[string]any{"lead": boID, "actor": "jo@example.com"}, 401))

	// Integrations.
	integration := map[string]string{"Authorization": "Bearer zapier-token-0123456789"}
	signals := map[string]any{"signals": []map[string]any{
		{"id": "evt-1", "email": "bo@example.org", "signal": "email_reply", "at": f.clock.Now().Format(time.RFC3339)},
		{"id": "evt-2", "lead": anaID, "signal": "social_interaction", "value": "linkedin"},
	}}
	do(jsonCall("POST", "/api/signals", integration, signals, 200))
	do(jsonCall("POST", "/api/signals", adminBearer, signals, 200)) // recorded under "api": new items
	sig := jsonBody(map[string]any{"signals": []map[string]any{{"id": "evt-3", "lead": boID, "signal": "email_reply"}}})
	do(apiCall{method: "POST", path: "/api/signals", ctype: "application/json", header: callbackSigned(sig, f.clock.Now()), body: sig, want: 200})
	do(jsonCall("POST", "/api/signals", nil, signals, 401))
	do(jsonCall("POST", "/api/signals", integration, map[string]any{"signals": []map[string]any{{"id": "evt-4", "lead": anaID, "signal": "no_such"}}}, 422))
	do(apiCall{method: "POST", path: "/api/signals", ctype: "application/json", header: integration, body: `{"signals": []}`, bad: true, want: 422})
	do(apiCall{method: "POST", path: "/api/signals", ctype: "application/json", header: integration, body: `{"signal": []}`, bad: true, want: 400})
	do(apiCall{method: "POST", path: "/api/signals", ctype: "text/plain", header: integration, body: jsonBody(signals), bad: true, want: 415})

	hubspot := jsonBody([]map[string]any{{"eventId": 1, "subscriptionType": "contact.propertyChange", "objectId": 424242,
		"occurredAt": f.clock.Now().UnixMilli(), "propertyName": "lifecyclestage", "propertyValue": "salesqualifiedlead"}})
	do(apiCall{method: "POST", path: "/api/hubspot", ctype: "application/json", header: hubSpotSigned(f, hubspot), body: hubspot, want: 200})
	do(apiCall{method: "POST", path: "/api/hubspot", ctype: "application/json", body: hubspot, bad: true, want: 401}) // unsigned
	notArray := `{"eventId": 1}`
	do(apiCall{method: "POST", path: "/api/hubspot", ctype: "application/json", header: hubSpotSigned(f, notArray), body: notArray, bad: true, want: 400})

	// The beacon.
	view := jsonBody(map[string]any{"v": "AAAAAAAAAAAAAAAAAAAAAA", "p": "/pricing/", "s": ""})
	do(apiCall{method: "POST", path: "/api/beacon", ctype: "text/plain;charset=UTF-8", body: view, want: 204})
	do(apiCall{method: "POST", path: "/api/beacon", ctype: "text/plain;charset=UTF-8", header: map[string]string{"Origin": "https://evil.example"}, body: view, want: 403})
	do(apiCall{method: "GET", path: "/api/profile", header: map[string]string{"Cookie": "winnow_v=AAAAAAAAAAAAAAAAAAAAAA"}, want: 200})
	do(apiCall{method: "GET", path: "/api/profile", header: map[string]string{"Origin": "https://evil.example"}, want: 403})

	// Reports and the outbox.
	do(apiCall{method: "GET", path: "/api/report", header: adminBearer, want: 200})
	do(apiCall{method: "GET", path: "/api/report?from=2026-01&to=2026-03&tz=UTC", header: adminBearer, want: 200})
	do(apiCall{method: "GET", path: "/api/report?from=March", header: adminBearer, bad: true, want: 400})
	do(apiCall{method: "GET", path: "/api/report?tz=Asia/Tokyo", header: adminBearer, want: 400})
	do(apiCall{method: "GET", path: "/api/report?breaches=forged", header: adminBearer, want: 400})
	do(apiCall{method: "GET", path: "/api/report", want: 401})
	do(apiCall{method: "GET", path: "/api/export.csv", header: adminBearer, want: 200})
	do(apiCall{method: "GET", path: "/api/export.csv", want: 401})
	if _, err := f.h.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	outbox := do(apiCall{method: "GET", path: "/api/outbox", header: adminBearer, want: 200}).json(t)
	dead, _ := outbox["dead"].([]any)
	if len(dead) < 2 {
		t.Fatalf("the outbox holds %d dead webhooks, want 2 or more", len(dead))
	}
	deadID := func(i int) string { return dead[i].(map[string]any)["id"].(string) }
	do(apiCall{method: "GET", path: "/api/outbox", want: 401})
	do(apiCall{method: "POST", path: "/api/outbox/" + deadID(0) + "/retry", header: adminBearer, want: 200})
	do(apiCall{method: "POST", path: "/api/outbox/" + deadID(0) + "/retry", header: adminBearer, want: 404}) // pending now
	do(apiCall{method: "POST", path: "/api/outbox/x/retry", want: 401})

	// The dashboard.
	do(apiCall{method: "GET", path: "/admin", want: 200}) // the login form
	do(apiCall{method: "POST", path: "/admin/login", ctype: "application/x-www-form-urlencoded", body: "token=nope", want: 401})
	do(apiCall{method: "POST", path: "/admin/login", ctype: "application/x-www-form-urlencoded", body: "next=/admin", bad: true, want: 401})
	login := do(apiCall{method: "POST", path: "/admin/login", ctype: "application/x-www-form-urlencoded", body: "token=tok&next=/admin/leads/" + anaID, want: 303})
	var cookie string
	for _, c := range (&http.Response{Header: login.header}).Cookies() {
		if c.Name == "winnow_admin" {
			cookie = c.Name + "=" + c.Value
		}
	}
	session := map[string]string{"Cookie": cookie}
	page := do(apiCall{method: "GET", path: "/admin", header: session, want: 200})
	m := csrfField.FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("the overview has no CSRF token:\n%s", page.body)
	}
	csrf := url.Values{"csrf": {string(m[1])}}.Encode()
	do(apiCall{method: "GET", path: "/admin/leads/" + anaID, header: session, want: 200})
	do(apiCall{method: "GET", path: "/admin/leads/nosuchlead", header: session, want: 404})
	do(apiCall{method: "GET", path: "/admin/queue", header: session, want: 200})
	do(apiCall{method: "GET", path: "/admin/queue?owner=" + url.QueryEscape("Sales development"), header: session, want: 200})
	do(apiCall{method: "GET", path: "/admin/queue?owner=nobody", header: session, want: 404})
	// The model check: here it is off, so no patch; with a checker that
	// has the model's files, a patch once leads have outcomes.
	do(apiCall{method: "GET", path: "/admin/model", header: session, want: 200})
	do(apiCall{method: "GET", path: "/admin/model.patch", header: session, want: 404})
	checker := modelcheck.Checker{Max: 250, Patch: func(s *backtest.Suggestion, note string) ([]byte, error) {
		return []byte(note + "\n--- a/content/scoring.yaml\n+++ b/content/scoring.yaml\n"), nil
	}}
	mc := newFixture(t, nil, func(c *worker.Config) { checker.Now = c.Now; c.ModelCheck = checker })
	if err := mc.h.Import(context.Background(), decidedLives(300)); err != nil {
		t.Fatal(err)
	}
	mcLogin := s.do(t, mc, apiCall{method: "POST", path: "/admin/login", ctype: "application/x-www-form-urlencoded", body: "token=tok&next=/admin/model", want: 303})
	mcSession := map[string]string{"Cookie": ""}
	for _, c := range (&http.Response{Header: mcLogin.header}).Cookies() {
		if c.Name == "winnow_admin" {
			mcSession["Cookie"] = c.Name + "=" + c.Value
		}
	}
	s.do(t, mc, apiCall{method: "GET", path: "/admin/model", header: mcSession, want: 200})
	s.do(t, mc, apiCall{method: "GET", path: "/admin/model.patch", header: mcSession, want: 200})
	formCall := func(path string, header map[string]string, body string, bad bool, want int) apiCall {
		return apiCall{method: "POST", path: path, ctype: "application/x-www-form-urlencoded", header: header, body: body, bad: bad, want: want}
	}
	do(formCall("/admin/webhooks/"+deadID(1)+"/retry", session, csrf, false, 303))
	work := func(form url.Values) string { return csrf + "&" + form.Encode() }
	eveWork := "/admin/leads/" + eveID + "/events"
	do(formCall(eveWork, session, work(url.Values{"fact": {"activity"}, "activity": {"email"}, "back": {"/admin/queue"}}), false, 303))
	do(formCall(eveWork, session, work(url.Values{"fact": {"reject"}, "reason": {"not_interested"}}), false, 400))
	do(formCall(eveWork, session, "fact=accept", true, 403))
	do(formCall("/admin/leads/nosuchlead/events", session, work(url.Values{"fact": {"accept"}}), false, 404))
	do(formCall("/admin/webhooks/"+deadID(1)+"/retry", session, "", true, 403))

	// People: the admin token's session adds a person, changes their
	// role, and makes them a login link, which logs them in once; they
	// set a password and log in with it; as a viewer they change
	// nothing; the admin ends their sessions, disables and enables them.
	do(apiCall{method: "GET", path: "/admin/people", header: session, want: 200})
	added := do(formCall("/admin/people", session, csrf+"&email=Jo%40Example.com&name=Jo&role=sales", false, 303))
	person, _, _ := strings.Cut(added.header.Get("Location"), "?")
	joID := strings.TrimPrefix(person, "/admin/people/")
	do(formCall("/admin/people", session, csrf+"&email=jo%40example.com&role=viewer", false, 409))
	do(formCall("/admin/people", session, csrf+"&email=nope&role=viewer", false, 422))
	do(formCall("/admin/people", session, "email=x%40example.com&role=viewer", true, 403))
	do(apiCall{method: "GET", path: person, header: session, want: 200})
	do(apiCall{method: "GET", path: "/admin/people/nosuchperson", header: session, want: 404})
	do(formCall(person, session, csrf+"&action=role&role=viewer", false, 303))
	do(formCall(person, session, csrf+"&action=role&role=root", true, 422))
	do(formCall("/admin/people/nosuchperson", session, csrf+"&action=disable", false, 404))
	made := do(formCall(person+"/link", session, csrf, false, 200))
	link := regexp.MustCompile(`/admin/link/([A-Za-z0-9_-]{43})`).FindSubmatch(made.body)
	if link == nil {
		t.Fatalf("the person's page shows no login link:\n%s", made.body)
	}
	do(formCall("/admin/people/nosuchperson/link", session, csrf, false, 404))
	do(apiCall{method: "GET", path: "/admin/link/" + string(link[1]), want: 200})
	do(apiCall{method: "GET", path: "/admin/link/nosuchlink", want: 404})
	byLink := do(formCall("/admin/link", nil, "token="+string(link[1]), false, 303))
	do(formCall("/admin/link", nil, "token="+string(link[1]), false, 404)) // used up
	jo := map[string]string{}
	for _, c := range (&http.Response{Header: byLink.header}).Cookies() {
		jo["Cookie"] = c.Name + "=" + c.Value
	}
	mine := do(apiCall{method: "GET", path: "/admin/account", header: jo, want: 200})
	joCSRF := url.Values{"csrf": {string(csrfField.FindSubmatch(mine.body)[1])}}.Encode()
	do(formCall("/admin/account/password", jo, joCSRF+"&password=short", false, 422))
	do(formCall("/admin/account/password", jo, joCSRF+"&password=correct+horse+battery", false, 303))
	do(formCall("/admin/account/password", jo, joCSRF+"&current=wrong&password=another+long+password", false, 403))
	do(formCall("/admin/people", jo, joCSRF+"&email=x%40example.com&role=viewer", false, 403))
	do(apiCall{method: "GET", path: "/admin/people", header: jo, want: 403})
	do(formCall("/admin/login", nil, "email=jo%40example.com&password=correct+horse+battery", false, 303))
	do(formCall("/admin/login", nil, "email=jo%40example.com&password=wrong+horse+battery", false, 401))
	do(formCall("/admin/sessions/revoke", session, csrf+"&all="+joID+"&back="+url.QueryEscape(person), false, 303))
	do(formCall("/admin/sessions/revoke", session, csrf, false, 400))
	do(formCall(person, session, csrf+"&action=disable", false, 303))
	do(formCall(person+"/link", session, csrf, false, 409))
	do(formCall(person, session, csrf+"&action=enable", false, 303))
	do(formCall("/admin/logout", map[string]string{"Cookie": cookie, "Origin": "https://evil.example"}, csrf, false, 403))
	do(formCall("/admin/logout", session, csrf, false, 303))
	do(formCall("/admin/logout", session, csrf, false, 403)) // the session has ended

	// Limits: a second submission from the address, and wrong tokens.
	g := apiFixture(t, func(c *worker.Config) { c.Limits.PerIP = 1; c.Limits.LoginFailures = 1; c.HubSpotSecret = "" })
	do = func(c apiCall) apiAnswer { t.Helper(); return s.do(t, g, c) }
	do(jsonCall("POST", "/api/leads", nil, map[string]any{"fields": ana(), "idempotency_key": "openapi-1001"}, 201))
	do(jsonCall("POST", "/api/leads", nil, map[string]any{"fields": fields, "idempotency_key": "openapi-1002"}, 429))
	do(apiCall{method: "POST", path: "/api/leads", ctype: "application/x-www-form-urlencoded", body: form.Encode(), want: 429})
	do(apiCall{method: "POST", path: "/api/hubspot", ctype: "application/json", body: hubspot, bad: true, want: 404}) // not set up
	do(apiCall{method: "GET", path: "/api/outbox", header: map[string]string{"Authorization": "Bearer nope"}, want: 401})
	for _, c := range []apiCall{
		{method: "GET", path: "/api/outbox", header: adminBearer},
		{method: "GET", path: "/api/report", header: adminBearer},
		{method: "GET", path: "/api/queue?owner=Marketing", header: adminBearer},
		{method: "GET", path: "/api/export.csv", header: adminBearer},
		{method: "GET", path: "/api/leads/x", header: adminBearer},
		{method: "POST", path: "/api/outbox/x/retry", header: adminBearer},
		jsonCall("POST", "/api/leads/x/events", adminBearer, accepted, 0),
		jsonCall("POST", "/api/leads/x/merge", adminBearer, map[string]any{"lead": "y", "actor": "jo"}, 0),
		jsonCall("POST", "/api/leads/x/unmerge", adminBearer, map[string]any{"lead": "y", "actor": "jo"}, 0),
		jsonCall("POST", "/api/signals", adminBearer, signals, 0),
		formCall("/admin/login", nil, "token=tok", false, 0),
	} {
		c.want = 429
		do(c)
	}

	// A database that does not answer.
	h := apiFixture(t, routed)
	do = func(c apiCall) apiAnswer { t.Helper(); return s.do(t, h, c) }
	h.db.Close()
	gone := map[string]string{"Cookie": "winnow_admin=" + strings.Repeat("A", 43)}
	for _, c := range []apiCall{
		{method: "GET", path: "/healthz"},
		jsonCall("POST", "/api/leads", nil, map[string]any{"fields": ana(), "idempotency_key": "openapi-2001"}, 0),
		{method: "POST", path: "/api/leads", ctype: "application/x-www-form-urlencoded", body: form.Encode()},
		{method: "GET", path: "/api/leads/x", header: adminBearer},
		jsonCall("POST", "/api/leads/x/events", adminBearer, accepted, 0),
		jsonCall("POST", "/api/leads/x/merge", adminBearer, map[string]any{"lead": "y", "actor": "jo"}, 0),
		jsonCall("POST", "/api/leads/x/unmerge", adminBearer, map[string]any{"lead": "y", "actor": "jo"}, 0),
		jsonCall("POST", "/api/signals", integration, signals, 0),
		{method: "POST", path: "/api/hubspot", ctype: "application/json", header: hubSpotSigned(h, hubspot), body: hubspot},
		{method: "POST", path: "/api/beacon", ctype: "text/plain;charset=UTF-8", body: view},
		{method: "GET", path: "/api/profile", header: map[string]string{"Cookie": "winnow_v=AAAAAAAAAAAAAAAAAAAAAA"}},
		{method: "GET", path: "/api/report", header: adminBearer},
		{method: "GET", path: "/api/export.csv", header: adminBearer},
		{method: "GET", path: "/api/outbox", header: adminBearer},
		{method: "POST", path: "/api/outbox/x/retry", header: adminBearer},
		{method: "GET", path: "/admin", header: gone},
		{method: "GET", path: "/admin/leads/x", header: gone},
		{method: "GET", path: "/admin/model", header: gone},
		{method: "GET", path: "/admin/model.patch", header: gone},
		{method: "GET", path: "/admin/queue", header: gone},
		{method: "GET", path: "/api/queue?owner=Marketing", header: adminBearer},
		formCall("/admin/login", nil, "token=tok", false, 0),
		formCall("/admin/logout", gone, "csrf=x", false, 0),
		formCall("/admin/leads/x/events", gone, "csrf=x&fact=accept", false, 0),
		formCall("/admin/webhooks/x/retry", gone, "csrf=x", false, 0),
		{method: "GET", path: "/admin/people", header: gone},
		{method: "GET", path: "/admin/people/x", header: gone},
		{method: "GET", path: "/admin/account", header: gone},
		{method: "GET", path: "/admin/link/x"},
		formCall("/admin/link", nil, "token=x", false, 0),
		formCall("/admin/people", gone, "csrf=x&email=x%40example.com&role=viewer", false, 0),
		formCall("/admin/people/x", gone, "csrf=x&action=disable", false, 0),
		formCall("/admin/people/x/link", gone, "csrf=x", false, 0),
		formCall("/admin/sessions/revoke", gone, "csrf=x&all=token", false, 0),
		formCall("/admin/account/password", gone, "csrf=x&password=x", false, 0),
	} {
		c.want = 503
		do(c)
	}

	// Every operation was answered with success, and with an error where
	// it has any.
	for _, op := range s.operations() {
		method, path, _ := strings.Cut(op, " ")
		responses := s.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)["responses"].(map[string]any)
		var ok, failed, documented bool
		for status := range s.seen[op] {
			ok = ok || status < 400
			failed = failed || status >= 400
		}
		for code := range responses {
			documented = documented || code >= "4"
		}
		statuses := slices.Sorted(maps.Keys(s.seen[op]))
		if !ok || documented && !failed {
			t.Errorf("%s was not called both well and badly: answered %v", op, statuses)
		}
		t.Logf("%-32s answered %v", op, statuses)
	}
}

// Every webhook the outbox sends over leads' lives (a new lead, its stage
// moved by a signal, answers, an override, a merge, decay and HubSpot, its
// outcomes) is what the document's webhooks say, body and headers: the
// json target's by topic (docs/webhook.schema.json), the HubSpot target's
// contact upsert. Every topic the schema lists is sent.
func TestOpenAPIWebhooks(t *testing.T) {
	type delivery struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var got []delivery
	var hubspot [][]byte
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/crm/v3/") {
			// HubSpot answers with the contact's id, which its own
			// webhooks name.
			hubspot = append(hubspot, b)
			io.WriteString(w, `{"status":"COMPLETE","results":[{"id":"424242"}]}`)
			return
		}
		got = append(got, delivery{r.Header.Clone(), b})
	}))
	t.Cleanup(recv.Close)
	f := newFixture(t, []crm.Target{
		{Name: "crm", Kind: crm.KindJSON, URL: recv.URL + "/hook", Secret: "x"},
		{Name: "hubspot", Kind: crm.KindHubSpot, URL: recv.URL + "/crm/v3/objects/contacts/batch/upsert", Token: "pat"},
	}, func(c *worker.Config) { c.HubSpotSecret = "hubspot-secret" })
	s := loadSpec(t, f)
	ctx := context.Background()
	deliver := func() {
		t.Helper()
		if _, err := f.h.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}
	post := func(path string, body any, want int) {
		t.Helper()
		if status, b := f.request(t, "POST", path, []byte(jsonBody(body))); status != want {
			t.Fatalf("POST %s: %d, want %d\n%s", path, status, want, b)
		}
	}
	anaID := f.submit(t, "webhooks-0001", ana())["id"].(string)
	boID := f.submit(t, "webhooks-0002", map[string]string{"name": "Bo Berg", "email": "bo@example.org", "company": "Berg AB",
		"consent": "yes"})["id"].(string)
	deliver() // the contact's id comes back from HubSpot
	events := "/api/leads/" + anaID + "/events"
	post(events, map[string]string{"signal": "sales_accepted", "actor": "jo"}, 201)
	post(events, map[string]any{"answers": map[string]string{"budget": "10k_50k", "authority": "decide"}, "actor": "jo"}, 201)
	post(events, map[string]string{"stage": "opportunity", "reason": "the CFO signed off", "actor": "jo"}, 201)
	post("/api/leads/"+anaID+"/merge", map[string]string{"lead": boID, "actor": "jo"}, 200)
	post("/api/leads/"+anaID+"/unmerge", map[string]string{"lead": boID, "actor": "jo"}, 200)
	f.clock.Advance(30 * 24 * time.Hour)
	if _, err := f.h.Rescore(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	post(events, map[string]string{"outcome": "lost", "reason": "no_budget", "actor": "jo"}, 201)
	post(events, map[string]string{"outcome": "open", "actor": "jo"}, 201)
	changed := jsonBody([]map[string]any{{"eventId": 7, "subscriptionType": "contact.propertyChange", "objectId": 424242,
		"occurredAt": f.clock.Now().UnixMilli(), "propertyName": "lifecyclestage", "propertyValue": "salesqualifiedlead"}})
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/hubspot", strings.NewReader(changed))
	for k, v := range hubSpotSigned(f, changed) {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HubSpot's webhook: %d", resp.StatusCode)
	}
	post(events, map[string]string{"outcome": "won", "actor": "jo"}, 201)
	deliver()

	mu.Lock()
	defer mu.Unlock()
	topics := map[string]int{}
	for i, d := range got {
		var m map[string]any
		json.Unmarshal(d.body, &m)
		topic, _ := m["topic"].(string)
		topics[topic]++
		hook, at := s.node("webhooks", topic, "post")
		if hook == nil {
			t.Errorf("webhook %d: topic %q is not one of the document's webhooks\n%s", i, topic, d.body)
			continue
		}
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(d.body))
		if err := s.schema(t, append(at, "requestBody", "content", "application/json", "schema")...).Validate(v); err != nil {
			t.Errorf("webhook %d (%s) is not what the document says: %v\n%s", i, topic, err, d.body)
		}
		params, _ := hook["parameters"].([]any)
		for j := range params {
			p, pAt := s.node(append(at, "parameters", strconv.Itoa(j))...)
			name, _ := p["name"].(string)
			value := d.header.Get(name)
			if value == "" {
				if p["required"] == true {
					t.Errorf("webhook %d has no header %s", i, name)
				}
				continue
			}
			if err := s.schema(t, append(pAt, "schema")...).Validate(value); err != nil {
				t.Errorf("webhook %d: header %s: %v", i, name, err)
			}
		}
	}
	var schema struct {
		Properties struct {
			Topic struct {
				Enum []string `json:"enum"`
			} `json:"topic"`
		} `json:"properties"`
	}
	json.Unmarshal([]byte(docs.WebhookSchema), &schema)
	for _, topic := range schema.Properties.Topic.Enum {
		if strings.HasPrefix(topic, "alert.") {
			continue // TestOpenAPIAlerts
		}
		if topics[topic] == 0 {
			t.Errorf("no webhook of topic %s was sent (got %v)", topic, topics)
		}
	}
	if topics["lead.changed"] < 4 {
		t.Errorf("%d lead.changed webhooks, want 4 or more (the signal, the override, the merge, decay)", topics["lead.changed"])
	}
	upsert := s.schema(t, "webhooks", "hubspot.contact.upsert", "post", "requestBody", "content", "application/json", "schema")
	for i, b := range hubspot {
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := upsert.Validate(v); err != nil {
			t.Errorf("HubSpot upsert %d is not what the document says: %v\n%s", i, err, b)
		}
	}
	if len(hubspot) < len(got) {
		t.Errorf("%d HubSpot upserts for %d json webhooks, want one for each", len(hubspot), len(got))
	}
}

// Every alert the channels get over a lead's life (given to someone,
// turned hot, an attempt coming due then past due and escalated, the
// next morning's digest) is what the document's webhooks say: the
// signed webhook's body by topic (docs/webhook.schema.json) and headers,
// Slack's message, Resend's email and its Idempotency-Key. Every alert
// topic the schema lists is sent.
func TestOpenAPIAlerts(t *testing.T) {
	rig := newAlertRig(t, nil)
	type delivery struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var mails []delivery
	rig.mailSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		mails = append(mails, delivery{r.Header.Clone(), b})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		rig.mail.ServeHTTP(w, r)
	})
	s := loadSpec(t, rig.fixture)
	id := rig.submit(t, "openapi-alerts-1", mql())["id"].(string)
	for _, sig := range []string{"demo_request", "pricing_visit", "trial_request"} {
		rig.postEvent(t, id, map[string]string{"signal": sig, "actor": "web"})
	}
	for range 80 { // Monday 10:00 to Thursday 18:00, hour by hour
		rig.alerts(t)
		rig.deliver(t)
		rig.clock.Advance(time.Hour)
	}

	topics := map[string]int{}
	for i, body := range rig.hook.bodies {
		var m map[string]any
		json.Unmarshal(body, &m)
		topic, _ := m["topic"].(string)
		topics[topic]++
		hook, at := s.node("webhooks", topic, "post")
		if hook == nil {
			t.Errorf("alert %d: topic %q is not one of the document's webhooks\n%s", i, topic, body)
			continue
		}
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err := s.schema(t, append(at, "requestBody", "content", "application/json", "schema")...).Validate(v); err != nil {
			t.Errorf("alert %d (%s) is not what the document says: %v\n%s", i, topic, err, body)
		}
		params, _ := hook["parameters"].([]any)
		for j := range params {
			p, pAt := s.node(append(at, "parameters", strconv.Itoa(j))...)
			name, _ := p["name"].(string)
			value := rig.hook.headers[i].Get(name)
			if value == "" {
				if p["required"] == true {
					t.Errorf("alert %d has no header %s", i, name)
				}
				continue
			}
			if err := s.schema(t, append(pAt, "schema")...).Validate(value); err != nil {
				t.Errorf("alert %d: header %s: %v", i, name, err)
			}
		}
	}
	var schema struct {
		Properties struct {
			Topic struct {
				Enum []string `json:"enum"`
			} `json:"topic"`
		} `json:"properties"`
	}
	json.Unmarshal([]byte(docs.WebhookSchema), &schema)
	for _, topic := range schema.Properties.Topic.Enum {
		if strings.HasPrefix(topic, "alert.") && topics[topic] == 0 {
			t.Errorf("no alert of topic %s was sent (got %v)", topic, topics)
		}
	}
	slack := s.schema(t, "webhooks", "alert.slack", "post", "requestBody", "content", "application/json", "schema")
	for i, b := range rig.slack.bodies {
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := slack.Validate(v); err != nil {
			t.Errorf("Slack message %d is not what the document says: %v\n%s", i, err, b)
		}
	}
	email := s.schema(t, "webhooks", "alert.email", "post", "requestBody", "content", "application/json", "schema")
	idem := s.schema(t, "webhooks", "alert.email", "post", "parameters", "0", "schema")
	mu.Lock()
	defer mu.Unlock()
	for i, d := range mails {
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(d.body))
		if err := email.Validate(v); err != nil {
			t.Errorf("email %d is not what the document says: %v\n%s", i, err, d.body)
		}
		if err := idem.Validate(d.header.Get("Idempotency-Key")); err != nil || d.header.Get("Idempotency-Key") == "" {
			t.Errorf("email %d: Idempotency-Key %q: %v", i, d.header.Get("Idempotency-Key"), err)
		}
	}
	if len(rig.slack.bodies) < 4 || len(mails) < 5 {
		t.Errorf("%d Slack messages, %d emails", len(rig.slack.bodies), len(mails))
	}
}
