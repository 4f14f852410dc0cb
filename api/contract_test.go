package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/twinning/twinning/api"
)

// docURL is the address the contract's schemas are compiled under; it is
// never fetched.
const docURL = "https://twinning.dev/openapi.json"

// contract is the API's OpenAPI 3.1 document with a JSON Schema 2020-12
// validator for its schemas. Every request of this package's tests goes
// through serve, which checks the request and its answer against it.
type contract struct {
	// raw is the document decoded as plain JSON (numbers as float64), for
	// the tests to read.
	raw map[string]any
	// doc is the document as the validator sees it: numbers exact, and
	// object schemas made strict (see strictSchemas).
	doc map[string]any
	// ops lists the document's paths, for matching request paths.
	ops []contractPath

	mu       sync.Mutex // guards compiler and compiled
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema // by JSON pointer into doc
}

// contractPath is one path of the document.
type contractPath struct {
	template string
	pattern  *regexp.Regexp // matches the path, capturing its parameters
	names    []string       // the path parameters, in order
	item     map[string]any // the path item of raw
}

// operations returns the methods of the path item, upper case, sorted.
func (p contractPath) operations() []string {
	var out []string
	for m := range p.item {
		if slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, m) {
			out = append(out, strings.ToUpper(m))
		}
	}
	sort.Strings(out)
	return out
}

// loadContract parses the document once for the whole test binary.
var loadContract = sync.OnceValues(func() (*contract, error) {
	c := &contract{compiled: map[string]*jsonschema.Schema{}}
	if err := json.Unmarshal(api.OpenAPI(), &c.raw); err != nil {
		return nil, fmt.Errorf("parse the OpenAPI document: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		return nil, fmt.Errorf("parse the OpenAPI document: %w", err)
	}
	c.doc = doc.(map[string]any)
	if err := strictSchemas(c.doc); err != nil {
		return nil, err
	}
	c.compiler = jsonschema.NewCompiler()
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	if err := c.compiler.AddResource(docURL, c.doc); err != nil {
		return nil, err
	}
	paths, _ := c.raw["paths"].(map[string]any)
	param := regexp.MustCompile(`\\\{([^/]+)\\\}`)
	for template, item := range paths {
		p := contractPath{template: template, item: item.(map[string]any)}
		for _, m := range param.FindAllStringSubmatch(regexp.QuoteMeta(template), -1) {
			p.names = append(p.names, m[1])
		}
		p.pattern = regexp.MustCompile("^" + param.ReplaceAllString(regexp.QuoteMeta(template), `([^/]+)`) + "$")
		c.ops = append(c.ops, p)
	}
	// Literal paths before templated ones, so that /a/b wins over /a/{x}.
	sort.Slice(c.ops, func(i, j int) bool {
		if a, b := len(c.ops[i].names), len(c.ops[j].names); a != b {
			return a < b
		}
		return c.ops[i].template < c.ops[j].template
	})
	return c, nil
})

// strictSchemas makes every object schema of doc refuse members it does
// not declare ("unevaluatedProperties": false), unless it says otherwise
// with additionalProperties or unevaluatedProperties, so that a field
// added to a Go type cannot go undocumented. A schema that another extends
// with allOf (Node, extended by HopNode) stays open there: the extension
// refers to an open copy, "open-Node", and is strict itself.
func strictSchemas(doc map[string]any) error {
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	if schemas == nil {
		return fmt.Errorf("the document has no components.schemas")
	}
	// The open copies, taken before anything is made strict.
	extended := map[string]bool{}
	var findExtended func(s any)
	findExtended = func(s any) {
		eachSchema(s, func(sub map[string]any, inAllOf bool) {
			if ref, ok := sub["$ref"].(string); ok && inAllOf {
				extended[strings.TrimPrefix(ref, "#/components/schemas/")] = true
			}
		})
	}
	eachDocSchema(doc, findExtended)
	open := map[string]any{}
	for name := range extended {
		s, ok := schemas[name]
		if !ok {
			return fmt.Errorf("allOf refers to the unknown schema %q", name)
		}
		open["open-"+name] = deepCopy(s)
	}
	strict := func(s any) {
		eachSchema(s, func(sub map[string]any, inAllOf bool) {
			if ref, ok := sub["$ref"].(string); ok && inAllOf {
				sub["$ref"] = "#/components/schemas/open-" + strings.TrimPrefix(ref, "#/components/schemas/")
			}
			_, props := sub["properties"]
			_, all := sub["allOf"]
			_, add := sub["additionalProperties"]
			_, uneval := sub["unevaluatedProperties"]
			if (props || all) && !add && !uneval && !inAllOf {
				sub["unevaluatedProperties"] = false
			}
		})
	}
	eachDocSchema(doc, strict)
	for name, s := range open {
		// The copy's members are strict; only its top level stays open.
		m := s.(map[string]any)
		for _, prop := range asMap(m["properties"]) {
			strict(prop)
		}
		for _, it := range asSlice(m["allOf"]) {
			strict(it)
		}
		schemas[name] = m
	}
	return nil
}

// eachDocSchema calls visit on every schema at the top of a place of the
// OpenAPI document that holds one: components.schemas, parameter and
// header schemas, and the schemas of request and response content.
func eachDocSchema(doc map[string]any, visit func(s any)) {
	components, _ := doc["components"].(map[string]any)
	for _, s := range asMap(components["schemas"]) {
		visit(s)
	}
	withSchema := func(obj any) { // a parameter or a header
		if s, ok := asMap(obj)["schema"]; ok {
			visit(s)
		}
	}
	withContent := func(obj any) { // a response or a request body
		for _, mt := range asMap(asMap(obj)["content"]) {
			if s, ok := asMap(mt)["schema"]; ok {
				visit(s)
			}
		}
		for _, h := range asMap(asMap(obj)["headers"]) {
			withSchema(h)
		}
	}
	for _, p := range asMap(components["parameters"]) {
		withSchema(p)
	}
	for _, h := range asMap(components["headers"]) {
		withSchema(h)
	}
	for _, r := range asMap(components["responses"]) {
		withContent(r)
	}
	for _, item := range asMap(doc["paths"]) {
		for key, op := range asMap(item) {
			if key == "parameters" {
				for _, p := range asSlice(op) {
					withSchema(p)
				}
				continue
			}
			for _, p := range asSlice(asMap(op)["parameters"]) {
				withSchema(p)
			}
			withContent(asMap(op)["requestBody"])
			for _, r := range asMap(asMap(op)["responses"]) {
				withContent(r)
			}
		}
	}
}

// eachSchema calls visit on s and on every schema inside it, saying
// whether the schema is a direct member of an allOf.
func eachSchema(s any, visit func(sub map[string]any, inAllOf bool)) {
	var walk func(s any, inAllOf bool)
	walk = func(s any, inAllOf bool) {
		m, ok := s.(map[string]any)
		if !ok {
			return
		}
		visit(m, inAllOf)
		for _, p := range asMap(m["properties"]) {
			walk(p, false)
		}
		for _, key := range []string{"items", "not", "additionalProperties", "unevaluatedProperties", "contains"} {
			walk(m[key], false)
		}
		for _, key := range []string{"anyOf", "oneOf", "prefixItems"} {
			for _, it := range asSlice(m[key]) {
				walk(it, false)
			}
		}
		for _, it := range asSlice(m["allOf"]) {
			walk(it, true)
		}
		for _, d := range asMap(m["$defs"]) {
			walk(d, false)
		}
	}
	walk(s, false)
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asSlice(v any) []any        { s, _ := v.([]any); return s }

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// theContract returns the contract or fails tb.
func theContract(tb testing.TB) *contract {
	tb.Helper()
	c, err := loadContract()
	if err != nil {
		tb.Fatalf("contract: %v", err)
	}
	return c
}

// serve serves req with h, checks the request and the answer against the
// contract, failing tb for every breach, and returns the answer. It is the
// one way this package's tests issue requests.
func serve(tb testing.TB, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	body := readBody(req)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	req.Body = io.NopCloser(bytes.NewReader(body))
	for _, breach := range theContract(tb).check(req, rec.Code, rec.Header(), rec.Body.Bytes()) {
		tb.Errorf("contract: %s %s answered %d: %s", req.Method, req.URL.RequestURI(), rec.Code, breach)
	}
	return rec
}

// readBody reads a request's body and puts it back, so that it can be
// read again.
func readBody(req *http.Request) []byte {
	if req.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// pointer returns the JSON pointer of a path of member names.
func pointer(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// at returns the value of doc at a JSON pointer, following $ref when the
// value is a reference object (parameters, responses, headers).
func (c *contract) at(ptr string) (any, string) {
	var v any = c.raw
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, ptr
			}
			v = x[i]
		default:
			return nil, ptr
		}
	}
	if ref, ok := asMap(v)["$ref"].(string); ok && strings.HasPrefix(ref, "#/components/") && !strings.Contains(ref, "/schemas/") {
		return c.at(strings.TrimPrefix(ref, "#"))
	}
	return v, ptr
}

// schema returns the compiled schema at a JSON pointer of the document.
func (c *contract) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("compile the schema at %s: %w", ptr, err)
	}
	c.compiled[ptr] = s
	return s, nil
}

// validate checks a decoded JSON value (numbers as json.Number) against the
// schema at ptr and returns the failures in one line, or "".
func (c *contract) validate(ptr string, v any) string {
	s, err := c.schema(ptr)
	if err != nil {
		return err.Error()
	}
	if err := s.Validate(v); err != nil {
		return strings.Join(strings.Fields(fmt.Sprintf("%v", err)), " ")
	}
	return ""
}

// validateJSON checks a JSON text against the schema at ptr.
func (c *contract) validateJSON(ptr string, body []byte) string {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "not JSON: " + err.Error()
	}
	return c.validate(ptr, v)
}

// param is a parameter of an operation, resolved.
type param struct {
	name, in string
	required bool
	def      map[string]any
	schema   string // the JSON pointer of its schema
}

// parameters returns the parameters of an operation: the path item's,
// then the operation's own, which override those of the same name and
// place.
func (c *contract) parameters(template, method string) []param {
	var out []param
	for _, base := range []string{pointer("paths", template, "parameters"), pointer("paths", template, strings.ToLower(method), "parameters")} {
		list, _ := c.at(base)
		for i := range asSlice(list) {
			v, ptr := c.at(fmt.Sprintf("%s/%d", base, i))
			m := asMap(v)
			p := param{def: m, schema: ptr + "/schema"}
			p.name, _ = m["name"].(string)
			p.in, _ = m["in"].(string)
			p.required, _ = m["required"].(bool)
			out = slices.DeleteFunc(out, func(q param) bool { return q.name == p.name && q.in == p.in })
			out = append(out, p)
		}
	}
	return out
}

// refusal is a way in which the document refuses a request.
type refusal struct{ param, why string }

// checkRequest returns the ways in which the document refuses a request
// to an operation: an undeclared query parameter, a required one missing,
// or a query or path value that breaks its parameter's schema. Header
// parameters are not checked: the API replaces a malformed X-Request-Id
// rather than refusing it, as the document says.
func (c *contract) checkRequest(p *contractPath, req *http.Request) []refusal {
	var out []refusal
	params := c.parameters(p.template, req.Method)
	query := req.URL.Query()
	for name := range query {
		if !slices.ContainsFunc(params, func(q param) bool { return q.in == "query" && q.name == name }) {
			out = append(out, refusal{name, "the operation has no query parameter " + name})
		}
	}
	pathValues := map[string]string{}
	if m := p.pattern.FindStringSubmatch(req.URL.EscapedPath()); m != nil {
		for i, name := range p.names {
			v, err := url.PathUnescape(m[i+1])
			if err != nil {
				v = m[i+1]
			}
			pathValues[name] = v
		}
	}
	out = append(out, c.checkBody(p.template, req)...)
	for _, q := range params {
		var values []string
		switch q.in {
		case "query":
			values = query[q.name]
		case "path":
			values = []string{pathValues[q.name]}
		default:
			continue
		}
		if len(values) == 0 {
			if q.required {
				out = append(out, refusal{q.name, "required"})
			}
			continue
		}
		v, why := c.typed(q, values)
		if why == "" {
			why = c.validate(q.schema, v)
		}
		if why != "" {
			out = append(out, refusal{q.name, why})
		}
	}
	return out
}

// checkBody returns the ways in which the document refuses a request's
// body: one where the operation takes none, a missing required one, a
// media type it does not list, or JSON that breaks the schema. The
// refusals name "body"; the API may name the member at fault instead
// (see namesBody).
func (c *contract) checkBody(template string, req *http.Request) []refusal {
	body := readBody(req)
	rb, ptr := c.at(pointer("paths", template, strings.ToLower(req.Method), "requestBody"))
	if rb == nil {
		if len(body) > 0 {
			return []refusal{{"body", "the operation takes no body"}}
		}
		return nil
	}
	if len(body) == 0 {
		if required, _ := asMap(rb)["required"].(bool); required {
			return []refusal{{"body", "a body is required"}}
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	content := asMap(asMap(rb)["content"])
	if _, ok := content[mt]; !ok {
		return []refusal{{"body", fmt.Sprintf("media type %q is not among %v", mt, sortedKeys(content))}}
	}
	if _, ok := asMap(content[mt])["schema"]; !ok {
		return nil // a file, as sent: its importer judges it
	}
	if why := c.validateJSON(ptr+pointer("content", mt, "schema"), body); why != "" {
		return []refusal{{"body", why}}
	}
	return nil
}

// namesBody reports whether a problem's param names a request body: the
// body itself or one of the members its schema declares.
func (c *contract) namesBody(template, method, param string) bool {
	if param == "body" {
		return true
	}
	rb, _ := c.at(pointer("paths", template, strings.ToLower(method), "requestBody"))
	for _, media := range asMap(asMap(rb)["content"]) {
		schema := c.resolveSchema(asMap(asMap(media)["schema"]))
		if _, ok := asMap(schema["properties"])[param]; ok {
			return true
		}
	}
	return false
}

// typed turns a parameter's text values into the JSON value its schema
// describes: an array (form style, exploded: one value per repetition),
// an integer, a number, a boolean or a string. A single-valued parameter
// given twice is judged by its first value; the API may refuse the
// repetition (see allowedCheck).
func (c *contract) typed(q param, values []string) (any, string) {
	sch, _ := c.at(q.schema)
	s := c.resolveSchema(asMap(sch))
	if t := schemaType(s); t == "array" {
		items := c.resolveSchema(asMap(s["items"]))
		out := make([]any, 0, len(values))
		for _, v := range values {
			x, why := scalar(schemaType(items), v)
			if why != "" {
				return nil, why
			}
			out = append(out, x)
		}
		return out, ""
	}
	return scalar(schemaType(s), values[0])
}

// resolveSchema follows a schema's reference to components.schemas.
func (c *contract) resolveSchema(s map[string]any) map[string]any {
	for range 10 {
		ref, ok := s["$ref"].(string)
		if !ok {
			break
		}
		v, _ := c.at(strings.TrimPrefix(ref, "#"))
		s = asMap(v)
	}
	return s
}

// schemaType returns the first non-null type of a schema ("string" when
// it names none).
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
	}
	return "string"
}

// scalar converts one text value to the JSON type t.
func scalar(t, v string) (any, string) {
	switch t {
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Sprintf("%q is not an integer", v)
		}
		return json.Number(v), ""
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Sprintf("%q is not a number", v)
		}
		return json.Number(v), ""
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return nil, fmt.Sprintf("%q is not true or false", v)
		}
		return b, ""
	}
	return v, ""
}

// check returns the ways in which a request and its answer (status, header
// and body) break the contract:
//
//   - a path the document does not list must answer a 404 problem, and a
//     method it does not list on a path a 405 problem with Allow;
//   - a request the document refuses must answer 400 naming one of the
//     parameters the document faults;
//   - a request the document accepts may answer 400 only for a parameter in
//     the operation's x-checks or a single-valued parameter given twice;
//   - the answer must match the document: a listed status, its media type,
//     headers and schema, without undeclared fields or headers.
func (c *contract) check(req *http.Request, status int, header http.Header, body []byte) []string {
	var out []string
	var path *contractPath
	for i := range c.ops {
		if c.ops[i].pattern.MatchString(req.URL.EscapedPath()) {
			path = &c.ops[i]
			break
		}
	}
	switch {
	case path == nil:
		return c.checkOutside(header, status, body, http.StatusNotFound, "not_found")
	case !slices.Contains(path.operations(), req.Method):
		out = c.checkOutside(header, status, body, http.StatusMethodNotAllowed, "method_not_allowed")
		allow := strings.Split(header.Get("Allow"), ", ")
		sort.Strings(allow)
		if want := path.operations(); !slices.Equal(allow, want) {
			out = append(out, fmt.Sprintf("Allow is %q, the document lists %q", header.Get("Allow"), want))
		}
		return out
	}

	refusals := c.checkRequest(path, req)
	var problem api.Problem
	if status == http.StatusBadRequest {
		if err := json.Unmarshal(body, &problem); err != nil {
			out = append(out, "a 400 without a problem body: "+err.Error())
		}
	}
	switch {
	case len(refusals) > 0 && slices.Contains(checkedFirst, status):
		// Keys and limits are checked before parameters and bodies.
	case len(refusals) > 0 && status != http.StatusBadRequest:
		out = append(out, fmt.Sprintf("the document refuses the request (%v) but the API did not answer 400", refusals))
	case len(refusals) > 0:
		if !slices.ContainsFunc(refusals, func(r refusal) bool {
			return r.param == problem.Param || (r.param == "body" && (c.namesBody(path.template, req.Method, problem.Param) ||
				strings.Contains(r.why, "'/"+problem.Param+"'")))
		}) {
			out = append(out, fmt.Sprintf("the API faults parameter %q, the document %v", problem.Param, refusals))
		}
	case status == http.StatusBadRequest && !c.allowedCheck(path.template, req, problem.Param):
		out = append(out, fmt.Sprintf("the document accepts the request, but the API refuses parameter %q, which is neither in x-checks nor a single-valued parameter given twice", problem.Param))
	}
	return append(out, c.checkAnswer(pointer("paths", path.template, strings.ToLower(req.Method), "responses"), status, header, body)...)
}

// checkedFirst are the statuses of the checks that come before those of
// parameters and bodies: the key (401, 403), the size of the request (413,
// 414) and the rate (429). A request the document refuses may get one of
// them instead of 400.
var checkedFirst = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge,
	http.StatusRequestURITooLong, http.StatusTooManyRequests}

// commonHeaders are the headers of HTTP itself, which the document does
// not list (a gzip Content-Encoding among them: the body is checked once
// decoded); so are the Access-Control-* headers of CORS, which depend on
// the deployment (serve -cors-origins).
var commonHeaders = []string{"Content-Type", "Content-Length", "Content-Encoding", "Date", "Vary", "Connection", "Transfer-Encoding"}

// undeclaredOK reports whether an answer may carry a header that the
// document does not declare.
func undeclaredOK(name string) bool {
	return slices.Contains(commonHeaders, name) || strings.HasPrefix(name, "Access-Control-")
}

// checkAnswer checks an answer against the responses of an operation.
func (c *contract) checkAnswer(responses string, status int, header http.Header, body []byte) []string {
	var out []string
	code := strconv.Itoa(status)
	resp, ptr := c.at(responses + "/" + code)
	if resp == nil {
		resp, ptr = c.at(responses + "/" + code[:1] + "XX")
	}
	if resp == nil {
		resp, ptr = c.at(responses + "/default")
	}
	if resp == nil {
		return []string{fmt.Sprintf("status %d is not among the operation's responses", status)}
	}
	r := asMap(resp)

	declared := map[string]bool{}
	for name := range asMap(r["headers"]) {
		declared[http.CanonicalHeaderKey(name)] = true
		h, hptr := c.at(ptr + pointer("headers", name))
		value := header.Get(name)
		if value == "" {
			if req, _ := asMap(h)["required"].(bool); req {
				out = append(out, "required header "+name+" is missing")
			}
			continue
		}
		if why := c.validate(hptr+"/schema", value); why != "" {
			out = append(out, fmt.Sprintf("header %s: %s", name, why))
		}
	}
	for name := range header {
		if !declared[name] && !undeclaredOK(name) {
			out = append(out, "header "+name+" is not declared")
		}
	}

	switch enc := header.Get("Content-Encoding"); enc {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			return append(out, "Content-Encoding gzip, but the body is not gzip: "+err.Error())
		}
	default:
		return append(out, "Content-Encoding "+enc+" is not one the API uses")
	}
	content := asMap(r["content"])
	if len(content) == 0 {
		if len(body) > 0 {
			out = append(out, "a body where the document declares none")
		}
		return out
	}
	mt, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		return append(out, fmt.Sprintf("Content-Type %q: %v", header.Get("Content-Type"), err))
	}
	media, ok := content[mt]
	if !ok {
		return append(out, fmt.Sprintf("media type %s is not among the response's %v", mt, sortedKeys(content)))
	}
	if _, ok := asMap(media)["schema"]; ok && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		if why := c.validateJSON(ptr+pointer("content", mt, "schema"), body); why != "" {
			out = append(out, "the body breaks the document: "+why)
		}
	}
	return out
}

// sortedKeys returns the sorted keys of m.
func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// allowedCheck reports whether a 400 naming param is allowed for a request
// that the document accepts: param is in the operation's x-checks, or it is
// a parameter of a single value given more than once.
func (c *contract) allowedCheck(template string, req *http.Request, param string) bool {
	if slices.Contains(c.checks(template, req.Method), param) {
		return true
	}
	if len(req.URL.Query()[param]) < 2 {
		return false
	}
	for _, p := range c.parameters(template, req.Method) {
		if p.name == param && p.in == "query" {
			s, _ := c.at(p.schema)
			return schemaType(c.resolveSchema(asMap(s))) != "array"
		}
	}
	return false
}

// checks returns the parameters named by an operation's x-checks.
func (c *contract) checks(template, method string) []string {
	op, _ := c.rawOperation(template, method)
	var out []string
	for _, item := range asSlice(op["x-checks"]) {
		if p, ok := asMap(item)["param"].(string); ok {
			out = append(out, p)
		}
	}
	return out
}

// rawOperation returns an operation of the document as plain JSON.
func (c *contract) rawOperation(template, method string) (map[string]any, bool) {
	op, ok := asMap(asMap(c.raw["paths"])[template])[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// checkOutside checks the answer to a request outside the document's
// operations: it must be a problem of the given status and code, with the
// headers every answer has.
func (c *contract) checkOutside(header http.Header, status int, body []byte, wantStatus int, code string) []string {
	var out []string
	if status != wantStatus {
		out = append(out, fmt.Sprintf("a request outside the document must answer %d", wantStatus))
	}
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/problem+json" {
		out = append(out, fmt.Sprintf("Content-Type %q is not application/problem+json", header.Get("Content-Type")))
	}
	if header.Get(api.RequestIDHeader) == "" || header.Get("X-Content-Type-Options") != "nosniff" {
		out = append(out, "X-Request-Id or X-Content-Type-Options is missing")
	}
	if why := c.validateJSON("/components/schemas/Problem", body); why != "" {
		out = append(out, "the body is not a Problem: "+why)
	}
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil || p.Status != wantStatus || !strings.HasSuffix(p.Type, "/"+code) {
		out = append(out, fmt.Sprintf("the problem is not a %d %s: %s", wantStatus, code, body))
	}
	return out
}
