package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// docsTemplate is the HTML page of /docs; its styles are inline so that the
// page needs nothing from anywhere else.
//
//go:embed docs.html.tmpl
var docsTemplate string

// ordered is a JSON object whose members keep the order of the document,
// which a map would lose: the page lists paths, properties and responses as
// the document's author wrote them.
type ordered[T any] []member[T]

// member is one member of an ordered object.
type member[T any] struct {
	Name  string
	Value T
}

// UnmarshalJSON decodes an object member by member.
func (o *ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("openapi: want an object, got %s", b[:min(len(b), 40)])
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var m member[T]
		m.Name = t.(string) // object keys are always strings
		if err := dec.Decode(&m.Value); err != nil {
			return fmt.Errorf("openapi: member %q: %w", m.Name, err)
		}
		*o = append(*o, m)
	}
	return nil
}

// get returns the value of the member called name.
func (o ordered[T]) get(name string) (T, bool) {
	for _, m := range o {
		if m.Name == name {
			return m.Value, true
		}
	}
	var zero T
	return zero, false
}

// oasDocument is the part of an OpenAPI 3.1 document that the page shows.
type oasDocument struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Summary     string `json:"summary"`
		Description string `json:"description"`
	} `json:"info"`
	Servers []struct {
		URL         string `json:"url"`
		Description string `json:"description"`
	} `json:"servers"`
	Tags []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tags"`
	Paths      ordered[ordered[json.RawMessage]] `json:"paths"`
	Components struct {
		Parameters ordered[oasParameter] `json:"parameters"`
		Responses  ordered[oasResponse]  `json:"responses"`
		Headers    ordered[oasHeader]    `json:"headers"`
		Schemas    ordered[*oasSchema]   `json:"schemas"`
	} `json:"components"`
}

// oasOperation is an operation object, with this API's extensions:
// x-example-request (a path and query that the bundled sample answers with
// 200) and x-checks (rules on parameters that their schemas cannot say).
type oasOperation struct {
	OperationID    string               `json:"operationId"`
	Tags           []string             `json:"tags"`
	Summary        string               `json:"summary"`
	Description    string               `json:"description"`
	ExampleRequest string               `json:"x-example-request"`
	Checks         []oasCheck           `json:"x-checks"`
	Parameters     []oasParameter       `json:"parameters"`
	Responses      ordered[oasResponse] `json:"responses"`
}

// oasCheck is one entry of x-checks.
type oasCheck struct {
	Param string `json:"param"`
	Rule  string `json:"rule"`
}

// oasParameter is a parameter object or a reference to one.
type oasParameter struct {
	Ref         string          `json:"$ref"`
	Name        string          `json:"name"`
	In          string          `json:"in"`
	Description string          `json:"description"`
	Required    bool            `json:"required"`
	Schema      *oasSchema      `json:"schema"`
	Example     json.RawMessage `json:"example"`
}

// oasResponse is a response object or a reference to one.
type oasResponse struct {
	Ref         string                `json:"$ref"`
	Description string                `json:"description"`
	Headers     ordered[oasHeader]    `json:"headers"`
	Content     ordered[oasMediaType] `json:"content"`
}

// oasHeader is a header object or a reference to one.
type oasHeader struct {
	Ref         string     `json:"$ref"`
	Description string     `json:"description"`
	Required    bool       `json:"required"`
	Schema      *oasSchema `json:"schema"`
}

// oasMediaType is a media type object.
type oasMediaType struct {
	Schema  *oasSchema      `json:"schema"`
	Example json.RawMessage `json:"example"`
}

// schemaOrBool is a JSON Schema member that is a schema or a boolean
// (additionalProperties).
type schemaOrBool struct {
	Schema *oasSchema
	Bool   *bool
}

// UnmarshalJSON decodes a schema or a boolean.
func (s *schemaOrBool) UnmarshalJSON(b []byte) error {
	var v bool
	if err := json.Unmarshal(b, &v); err == nil {
		s.Bool = &v
		return nil
	}
	s.Schema = &oasSchema{}
	return json.Unmarshal(b, s.Schema)
}

// oasSchema is the part of a JSON Schema that the page describes.
type oasSchema struct {
	Ref                  string              `json:"$ref"`
	Type                 json.RawMessage     `json:"type"`
	Format               string              `json:"format"`
	Description          string              `json:"description"`
	Pattern              string              `json:"pattern"`
	Enum                 []json.RawMessage   `json:"enum"`
	Const                json.RawMessage     `json:"const"`
	Default              json.RawMessage     `json:"default"`
	Minimum              *float64            `json:"minimum"`
	Maximum              *float64            `json:"maximum"`
	ExclusiveMinimum     *float64            `json:"exclusiveMinimum"`
	MinLength            *int                `json:"minLength"`
	MaxLength            *int                `json:"maxLength"`
	MinItems             *int                `json:"minItems"`
	MaxItems             *int                `json:"maxItems"`
	Items                *oasSchema          `json:"items"`
	PrefixItems          []*oasSchema        `json:"prefixItems"`
	Properties           ordered[*oasSchema] `json:"properties"`
	Required             []string            `json:"required"`
	AdditionalProperties schemaOrBool        `json:"additionalProperties"`
	PropertyNames        *oasSchema          `json:"propertyNames"`
	AllOf                []*oasSchema        `json:"allOf"`
	OneOf                []*oasSchema        `json:"oneOf"`
}

// The view of the page: what the template ranges over.
type (
	docsView struct {
		Title, Version, Summary string
		Description             template.HTML
		Server                  string
		Groups                  []opGroup
		Schemas                 []schemaView
	}
	opGroup struct {
		Tag         string
		Description template.HTML
		Ops         []opView
	}
	opView struct {
		Anchor, Method, Path, Summary string
		Description                   template.HTML
		Params                        []paramView
		Checks                        []oasCheck
		Curl                          string
		Responses                     []responseView
	}
	paramView struct {
		Name, In, Type, Constraints string
		Required                    bool
		Description                 template.HTML
	}
	responseView struct {
		Status      string
		Description template.HTML
		Headers     []headerView
		Bodies      []bodyView
	}
	headerView struct {
		Name, Constraints string
		Required          bool
		Description       template.HTML
	}
	bodyView struct {
		MediaType string
		Type      template.HTML
		Example   string
	}
	schemaView struct {
		Name, Kind, Constraints string
		Description             template.HTML
		Parts                   []template.HTML
		Props                   []propView
	}
	propView struct {
		Name, Constraints string
		Type              template.HTML
		Required          bool
		Description       template.HTML
	}
)

// renderDocs renders an OpenAPI document as the HTML page of /docs.
func renderDocs(doc []byte) ([]byte, error) {
	var d oasDocument
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("docs: decode the OpenAPI document: %w", err)
	}
	v, err := d.view()
	if err != nil {
		return nil, err
	}
	t, err := template.New("docs").Parse(docsTemplate)
	if err != nil {
		return nil, fmt.Errorf("docs: parse the template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("docs: render: %w", err)
	}
	return buf.Bytes(), nil
}

// view builds the page's view of d, resolving references to components.
func (d *oasDocument) view() (*docsView, error) {
	v := &docsView{Title: d.Info.Title, Version: d.Info.Version, Summary: d.Info.Summary,
		Description: prose(d.Info.Description), Server: "http://localhost:8080"}
	if len(d.Servers) > 0 {
		v.Server = strings.TrimSuffix(d.Servers[0].URL, "/")
	}
	groups := map[string]*opGroup{}
	var order []string
	for _, t := range d.Tags {
		groups[t.Name] = &opGroup{Tag: t.Name, Description: prose(t.Description)}
		order = append(order, t.Name)
	}
	for _, path := range d.Paths {
		for _, method := range path.Value {
			if method.Name == "parameters" || strings.HasPrefix(method.Name, "x-") {
				continue
			}
			var op oasOperation
			if err := json.Unmarshal(method.Value, &op); err != nil {
				return nil, fmt.Errorf("docs: %s %s: %w", method.Name, path.Name, err)
			}
			ov, err := d.operation(strings.ToUpper(method.Name), path.Name, v.Server, &op)
			if err != nil {
				return nil, err
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g := groups[tag]
			if g == nil {
				g = &opGroup{Tag: tag}
				groups[tag] = g
				order = append(order, tag)
			}
			g.Ops = append(g.Ops, ov)
		}
	}
	for _, tag := range order {
		if g := groups[tag]; len(g.Ops) > 0 {
			v.Groups = append(v.Groups, *g)
		}
	}
	for _, s := range d.Components.Schemas {
		v.Schemas = append(v.Schemas, schemaOf(s.Name, s.Value))
	}
	return v, nil
}

// operation builds the view of one operation.
func (d *oasDocument) operation(method, path, server string, op *oasOperation) (opView, error) {
	ov := opView{Anchor: "op-" + op.OperationID, Method: method, Path: path, Summary: op.Summary,
		Description: prose(op.Description), Checks: op.Checks}
	if op.ExampleRequest != "" {
		ov.Curl = "curl -s '" + server + op.ExampleRequest + "'"
	}
	for _, p := range op.Parameters {
		if ref := p.Ref; ref != "" {
			var ok bool
			if p, ok = d.Components.Parameters.get(refName(ref)); !ok {
				return ov, fmt.Errorf("docs: %s %s: unknown parameter %s", method, path, ref)
			}
		}
		ov.Params = append(ov.Params, paramView{Name: p.Name, In: p.In, Required: p.Required,
			Type: plainType(p.Schema), Constraints: constraints(p.Schema), Description: prose(p.Description)})
	}
	for _, r := range op.Responses {
		resp := r.Value
		description := resp.Description
		if resp.Ref != "" {
			base, ok := d.Components.Responses.get(refName(resp.Ref))
			if !ok {
				return ov, fmt.Errorf("docs: %s %s: unknown response %s", method, path, resp.Ref)
			}
			if description == "" {
				description = base.Description
			}
			resp = base
		}
		rv := responseView{Status: r.Name, Description: prose(description)}
		for _, h := range resp.Headers {
			hd := h.Value
			if hd.Ref != "" {
				var ok bool
				if hd, ok = d.Components.Headers.get(refName(hd.Ref)); !ok {
					return ov, fmt.Errorf("docs: %s %s: unknown header %s", method, path, h.Value.Ref)
				}
			}
			rv.Headers = append(rv.Headers, headerView{Name: h.Name, Required: hd.Required,
				Constraints: constraints(hd.Schema), Description: prose(hd.Description)})
		}
		for _, c := range resp.Content {
			bv := bodyView{MediaType: c.Name, Type: linkedType(c.Value.Schema)}
			if len(c.Value.Example) > 0 {
				var buf bytes.Buffer
				if err := json.Indent(&buf, c.Value.Example, "", "  "); err != nil {
					return ov, fmt.Errorf("docs: %s %s: example of %s: %w", method, path, r.Name, err)
				}
				bv.Example = buf.String()
			}
			rv.Bodies = append(rv.Bodies, bv)
		}
		ov.Responses = append(ov.Responses, rv)
	}
	return ov, nil
}

// schemaOf builds the view of a component schema.
func schemaOf(name string, s *oasSchema) schemaView {
	sv := schemaView{Name: name, Kind: plainType(s), Constraints: constraints(s), Description: prose(s.Description)}
	props := func(s *oasSchema) {
		for _, p := range s.Properties {
			desc := p.Value.Description
			sv.Props = append(sv.Props, propView{Name: p.Name, Type: linkedType(p.Value),
				Required: slices.Contains(s.Required, p.Name), Constraints: constraints(p.Value), Description: prose(desc)})
		}
	}
	props(s)
	for _, part := range s.AllOf {
		if part.Ref != "" {
			sv.Parts = append(sv.Parts, linkedType(part))
			continue
		}
		props(part)
	}
	if len(s.AllOf) > 0 {
		sv.Kind = "object"
	}
	return sv
}

// refName returns the last segment of a local reference
// ("#/components/schemas/Node" gives "Node").
func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

// plainType describes the type of s in words.
func plainType(s *oasSchema) string {
	switch {
	case s == nil:
		return "any"
	case s.Ref != "":
		return refName(s.Ref)
	case len(s.OneOf) > 0:
		var alts []string
		for _, a := range s.OneOf {
			alts = append(alts, plainType(a))
		}
		return "one of " + strings.Join(alts, ", ")
	case len(s.AllOf) > 0:
		return "object"
	}
	var types []string
	if len(s.Type) > 0 && s.Type[0] == '[' {
		_ = json.Unmarshal(s.Type, &types) // a list of type names
	} else if len(s.Type) > 0 {
		var t string
		_ = json.Unmarshal(s.Type, &t)
		types = []string{t}
	}
	if len(types) == 0 {
		if len(s.Const) > 0 {
			return "constant"
		}
		return "any"
	}
	for i, t := range types {
		switch {
		case t == "array" && s.Items != nil:
			types[i] = "array of " + plainType(s.Items)
		case s.Format != "" && t != "null":
			types[i] = t + " (" + s.Format + ")"
		}
	}
	return strings.Join(types, " or ")
}

// linkedType is plainType with references linked to their schema on the
// page.
func linkedType(s *oasSchema) template.HTML {
	switch {
	case s == nil:
		return "any"
	case s.Ref != "":
		name := refName(s.Ref)
		return template.HTML(`<a href="#schema-` + template.HTMLEscapeString(name) + `">` + template.HTMLEscapeString(name) + `</a>`)
	case s.Items != nil:
		return "array of " + linkedType(s.Items)
	case len(s.OneOf) > 0:
		var alts []string
		for _, a := range s.OneOf {
			alts = append(alts, string(linkedType(a)))
		}
		return template.HTML("one of " + strings.Join(alts, ", "))
	}
	return template.HTML(template.HTMLEscapeString(plainType(s)))
}

// constraints describes the bounds, values and default of s in words.
func constraints(s *oasSchema) string {
	if s == nil {
		return ""
	}
	var out []string
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	switch {
	case s.Minimum != nil && s.Maximum != nil:
		out = append(out, num(*s.Minimum)+" to "+num(*s.Maximum))
	case s.Minimum != nil:
		out = append(out, "≥ "+num(*s.Minimum))
	case s.Maximum != nil:
		out = append(out, "≤ "+num(*s.Maximum))
	}
	if s.ExclusiveMinimum != nil {
		out = append(out, "> "+num(*s.ExclusiveMinimum))
	}
	if s.MinLength != nil {
		out = append(out, "at least "+strconv.Itoa(*s.MinLength)+" characters")
	}
	if s.MaxLength != nil {
		out = append(out, "at most "+strconv.Itoa(*s.MaxLength)+" characters")
	}
	if s.MinItems != nil {
		out = append(out, "at least "+strconv.Itoa(*s.MinItems)+" items")
	}
	if s.MaxItems != nil {
		out = append(out, "at most "+strconv.Itoa(*s.MaxItems)+" items")
	}
	if len(s.Enum) > 0 {
		var vs []string
		for _, e := range s.Enum {
			vs = append(vs, jsonText(e))
		}
		out = append(out, "one of "+strings.Join(vs, ", "))
	}
	if len(s.Const) > 0 {
		out = append(out, "always "+jsonText(s.Const))
	}
	if s.Pattern != "" {
		out = append(out, "matches "+s.Pattern)
	}
	if s.Items != nil && s.Items.Ref == "" {
		if c := constraints(s.Items); c != "" {
			out = append(out, "each "+c)
		}
	}
	if s.PropertyNames != nil {
		out = append(out, "keys: "+plainType(s.PropertyNames))
	}
	switch {
	case s.AdditionalProperties.Schema != nil:
		out = append(out, "values: "+plainType(s.AdditionalProperties.Schema))
	case s.AdditionalProperties.Bool != nil && !*s.AdditionalProperties.Bool:
		out = append(out, "no other members")
	}
	if len(s.Default) > 0 {
		out = append(out, "default "+jsonText(s.Default))
	}
	return strings.Join(out, "; ")
}

// jsonText shows a JSON value: strings without their quotes.
func jsonText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// codeSpan matches `code` in the document's descriptions.
var codeSpan = regexp.MustCompile("`([^`]+)`")

// prose renders a description: escaped, with `code` spans as <code> and
// paragraphs and list items kept (the page shows line breaks as written).
func prose(s string) template.HTML {
	s = strings.TrimSpace(s)
	// The input is escaped first, so that the only markup is the <code>
	// added here.
	return template.HTML(codeSpan.ReplaceAllString(template.HTMLEscapeString(s), "<code>$1</code>"))
}
