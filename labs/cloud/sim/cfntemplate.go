package sim

// CloudFormation template parsing and intrinsic functions. Templates are JSON or
// YAML (with the short forms !Ref, !GetAtt, !Sub, !Join, !Select, !Split,
// !GetAZs, !Base64); both decode to the same tree of map[string]any, []any
// and scalars. Conditions, Mappings, Fn::If, Fn::FindInMap and Fn::ImportValue
// are not supported and make the template invalid.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// maxCachedTemplates bounds World.templates; past it the cache starts over.
const maxCachedTemplates = 256

// templateLocked returns body's parsed template, parsing each distinct body once
// per world. The result is shared and must not be modified: stacks only read
// it, and resolve builds new maps and lists for what it returns.
func (w *World) templateLocked(body string) (map[string]any, error) {
	k := sha256.Sum256([]byte(body))
	if t, ok := w.templates[k]; ok {
		return t, nil
	}
	t, err := parseTemplate(body)
	if err != nil {
		return nil, err
	}
	if w.templates == nil || len(w.templates) >= maxCachedTemplates {
		w.templates = map[[32]byte]map[string]any{}
	}
	w.templates[k] = t
	return t, nil
}

// patternLocked compiles a parameter's AllowedPattern once per world; nil if
// it does not compile (the parameter is then not checked, as before).
func (w *World) patternLocked(pat string) *regexp.Regexp {
	if re, ok := w.patterns[pat]; ok {
		return re
	}
	re, err := regexp.Compile("^(?:" + pat + ")$")
	if err != nil {
		re = nil
	}
	if w.patterns == nil || len(w.patterns) >= maxCachedTemplates {
		w.patterns = map[string]*regexp.Regexp{}
	}
	w.patterns[pat] = re
	return re
}

// parseTemplate decodes a JSON or YAML template body.
func parseTemplate(body string) (map[string]any, error) {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return nil, fmt.Errorf("template body is empty")
	}
	var v any
	if strings.HasPrefix(trimmed, "{") {
		if err := json.Unmarshal([]byte(trimmed), &v); err != nil {
			return nil, fmt.Errorf("JSON not well-formed: %v", err)
		}
	} else {
		f, err := parser.ParseBytes([]byte(body), 0)
		if err != nil {
			return nil, fmt.Errorf("YAML not well-formed: %v", err)
		}
		if len(f.Docs) != 1 || f.Docs[0] == nil || f.Docs[0].Body == nil {
			return nil, fmt.Errorf("YAML must contain exactly one document")
		}
		if v, err = yamlValue(f.Docs[0].Body, 0); err != nil {
			return nil, err
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the template must be a mapping")
	}
	return m, nil
}

// yamlValue converts a YAML node, turning CloudFormation's short-form tags into
// their long forms.
func yamlValue(n ast.Node, depth int) (any, error) {
	if depth > 100 {
		return nil, fmt.Errorf("template nested too deeply")
	}
	switch n := n.(type) {
	case nil:
		return nil, nil
	case *ast.MappingNode:
		m := map[string]any{}
		for _, kv := range n.Values {
			if err := yamlPair(m, kv, depth); err != nil {
				return nil, err
			}
		}
		return m, nil
	case *ast.MappingValueNode:
		m := map[string]any{}
		if err := yamlPair(m, n, depth); err != nil {
			return nil, err
		}
		return m, nil
	case *ast.SequenceNode:
		out := []any{}
		for _, x := range n.Values {
			v, err := yamlValue(x, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *ast.TagNode:
		v, err := yamlValue(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		tag := ""
		if n.Start != nil {
			tag = n.Start.Value
		}
		switch tag {
		case "!Ref":
			return map[string]any{"Ref": v}, nil
		case "!GetAtt":
			if s, ok := v.(string); ok {
				return map[string]any{"Fn::GetAtt": s}, nil
			}
			return map[string]any{"Fn::GetAtt": v}, nil
		case "!Condition":
			return map[string]any{"Condition": v}, nil
		}
		if strings.HasPrefix(tag, "!!") || tag == "" {
			return v, nil
		}
		return map[string]any{"Fn::" + strings.TrimPrefix(tag, "!"): v}, nil
	case *ast.AnchorNode:
		return yamlValue(n.Value, depth+1)
	case *ast.AliasNode:
		return nil, fmt.Errorf("YAML aliases are not supported")
	case *ast.CommentGroupNode:
		return nil, nil
	case ast.ScalarNode:
		switch v := n.GetValue().(type) {
		case uint64:
			return float64(v), nil
		case int64:
			return float64(v), nil
		case int:
			return float64(v), nil
		default:
			return v, nil
		}
	}
	return nil, fmt.Errorf("unsupported YAML node %s", n.Type())
}

func yamlPair(m map[string]any, kv *ast.MappingValueNode, depth int) error {
	if kv == nil || kv.Key == nil {
		return fmt.Errorf("malformed mapping")
	}
	var key string
	if s, ok := kv.Key.(ast.ScalarNode); ok {
		key = fmt.Sprint(s.GetValue())
	} else {
		key = kv.Key.String()
	}
	v, err := yamlValue(kv.Value, depth+1)
	if err != nil {
		return err
	}
	m[key] = v
	return nil
}

// evalCtx resolves intrinsic functions for one stack.
type evalCtx struct {
	r       *region
	st      *stack
	params  map[string]any // string or []string
	res     map[string]*stackResource
	pending bool // validation only: resources are not created yet
}

var noValue = &struct{ x int }{}

func (e *evalCtx) pseudo(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return e.r.name, true
	case "AWS::AccountId":
		return e.r.account, true
	case "AWS::StackName":
		return e.st.name, true
	case "AWS::StackId":
		return e.st.id, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::NoValue":
		return noValue, true
	case "AWS::NotificationARNs":
		return []any{}, true
	}
	return nil, false
}

// ref resolves Ref to a parameter, pseudo parameter or resource.
func (e *evalCtx) ref(name string) (any, error) {
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	if v, ok := e.pseudo(name); ok {
		return v, nil
	}
	if rs, ok := e.res[name]; ok {
		if e.pending {
			return "pending", nil
		}
		return rs.physical, nil
	}
	return nil, fmt.Errorf("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name)
}

func (e *evalCtx) getAtt(res, attr string) (any, error) {
	rs, ok := e.res[res]
	if !ok {
		return nil, fmt.Errorf("Template error: instance of Fn::GetAtt references undefined resource %s", res)
	}
	if e.pending {
		return "pending", nil
	}
	v, ok := rs.attrs[attr]
	if !ok {
		return nil, fmt.Errorf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", res, attr)
	}
	return v, nil
}

var subRE = regexp.MustCompile(`\$\{([^}]*)\}`)

func (e *evalCtx) sub(s string, vars map[string]any) (string, error) {
	var firstErr error
	out := subRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var v any
		var err error
		if x, ok := vars[name]; ok {
			v = x
		} else if res, attr, ok := strings.Cut(name, "."); ok && e.params[name] == nil {
			v, err = e.getAtt(res, attr)
		} else {
			v, err = e.ref(name)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return ""
		}
		return scalarString(v)
	})
	return out, firstErr
}

// scalarString renders a resolved value as CloudFormation does in strings.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, scalarString(x))
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(v, ",")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// resolve evaluates every intrinsic function in v.
func (e *evalCtx) resolve(v any, depth int) (any, error) {
	if depth > 50 {
		return nil, fmt.Errorf("Template error: nested too deeply")
	}
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return e.intrinsic(k, arg, depth)
				}
			}
		}
		out := map[string]any{}
		for _, k := range sortedKeys(v) {
			x, err := e.resolve(v[k], depth+1)
			if err != nil {
				return nil, err
			}
			if x != noValue {
				out[k] = x
			}
		}
		return out, nil
	case []any:
		out := []any{}
		for _, x := range v {
			y, err := e.resolve(x, depth+1)
			if err != nil {
				return nil, err
			}
			if y != noValue {
				out = append(out, y)
			}
		}
		return out, nil
	case []string:
		out := []any{}
		for _, x := range v {
			out = append(out, x)
		}
		return out, nil
	}
	return v, nil
}

func (e *evalCtx) intrinsic(fn string, arg any, depth int) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Template error: Ref must name a parameter or resource")
		}
		v, err := e.ref(name)
		if ss, ok := v.([]string); ok {
			return e.resolve(ss, depth+1)
		}
		return v, err
	case "Fn::GetAtt":
		var res, attr string
		switch a := arg.(type) {
		case string:
			res, attr, _ = strings.Cut(a, ".")
		case []any:
			if len(a) == 2 {
				res, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		}
		if res == "" || attr == "" {
			return nil, fmt.Errorf("Template error: every Fn::GetAtt object requires two non-empty parameters")
		}
		return e.getAtt(res, attr)
	case "Fn::Sub":
		switch a := arg.(type) {
		case string:
			return e.sub(a, nil)
		case []any:
			if len(a) == 2 {
				s, ok1 := a[0].(string)
				m, ok2 := a[1].(map[string]any)
				if ok1 && ok2 {
					vars := map[string]any{}
					for k, x := range m {
						y, err := e.resolve(x, depth+1)
						if err != nil {
							return nil, err
						}
						vars[k] = y
					}
					return e.sub(s, vars)
				}
			}
		}
		return nil, fmt.Errorf("Template error: Fn::Sub takes a string or [string, map]")
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Template error: Fn::Join takes [delimiter, list]")
		}
		delim, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("Template error: Fn::Join delimiter must be a string")
		}
		list, err := e.resolve(a[1], depth+1)
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("Template error: Fn::Join needs a list")
		}
		var parts []string
		for _, x := range items {
			parts = append(parts, scalarString(x))
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Template error: Fn::Select takes [index, list]")
		}
		idxV, err := e.resolve(a[0], depth+1)
		if err != nil {
			return nil, err
		}
		idx, err := strconv.Atoi(scalarString(idxV))
		if err != nil {
			return nil, fmt.Errorf("Template error: Fn::Select index must be a number")
		}
		list, err := e.resolve(a[1], depth+1)
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if e.pending && !ok {
			return "pending", nil
		}
		if !ok || idx < 0 || idx >= len(items) {
			return nil, fmt.Errorf("Template error: Fn::Select cannot select nonexistent value at index %d", idx)
		}
		return items[idx], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Template error: Fn::Split takes [delimiter, string]")
		}
		delim, _ := a[0].(string)
		sv, err := e.resolve(a[1], depth+1)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(scalarString(sv), delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::GetAZs":
		var out []any
		for _, s := range e.r.subOrder {
			out = append(out, s.az)
		}
		return out, nil
	case "Fn::Base64":
		v, err := e.resolve(arg, depth+1)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(scalarString(v))), nil
	}
	return nil, fmt.Errorf("Template error: the simulator does not support the intrinsic function %s", fn)
}

// refsOf lists the resource names v refers to (Ref, Fn::GetAtt, Fn::Sub).
func refsOf(v any, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "Ref":
				if s, ok := x.(string); ok {
					out[s] = true
				}
			case "Fn::GetAtt":
				switch a := x.(type) {
				case string:
					r, _, _ := strings.Cut(a, ".")
					out[r] = true
				case []any:
					if len(a) > 0 {
						if s, ok := a[0].(string); ok {
							out[s] = true
						}
					}
				}
			case "Fn::Sub":
				s, _ := x.(string)
				if a, ok := x.([]any); ok && len(a) > 0 {
					s, _ = a[0].(string)
				}
				for _, m := range subRE.FindAllStringSubmatch(s, -1) {
					name, _, _ := strings.Cut(m[1], ".")
					out[name] = true
				}
			}
			refsOf(x, out)
		}
	case []any:
		for _, x := range v {
			refsOf(x, out)
		}
	}
}

// createOrder sorts resources so that each comes after what it references.
func createOrder(resources map[string]any) ([]string, error) {
	deps := map[string][]string{}
	for name, def := range resources {
		m, _ := def.(map[string]any)
		refs := map[string]bool{}
		refsOf(m["Properties"], refs)
		switch d := m["DependsOn"].(type) {
		case string:
			refs[d] = true
		case []any:
			for _, x := range d {
				if s, ok := x.(string); ok {
					refs[s] = true
				}
			}
		}
		for r := range refs {
			if _, ok := resources[r]; ok && r != name {
				deps[name] = append(deps[name], r)
			}
		}
	}
	var order []string
	done := map[string]bool{}
	names := sortedKeys(resources)
	for len(order) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range deps[n] {
				if !done[d] {
					ready = false
				}
			}
			if ready {
				done[n] = true
				order = append(order, n)
				progress = true
			}
		}
		if !progress {
			var left []string
			for _, n := range names {
				if !done[n] {
					left = append(left, n)
				}
			}
			sort.Strings(left)
			return nil, fmt.Errorf("Circular dependency between resources: [%s]", strings.Join(left, ", "))
		}
	}
	return order, nil
}

// Property helpers: templates give numbers as numbers or strings.

func propStr(m map[string]any, k string) string {
	if v, ok := m[k]; ok && v != nil {
		return scalarString(v)
	}
	return ""
}

func propInt(m map[string]any, k string) (*int32, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return nil, nil
	}
	n, err := strconv.ParseFloat(scalarString(v), 64)
	if err != nil || n != float64(int32(n)) {
		return nil, fmt.Errorf("Property %s: value %v is not an integer", k, v)
	}
	i := int32(n)
	return &i, nil
}

func propList(m map[string]any, k string) []string {
	switch v := m[k].(type) {
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, scalarString(x))
		}
		return out
	case string:
		if v == "" {
			return nil
		}
		return strings.Split(v, ",")
	}
	return nil
}

func propMaps(m map[string]any, k string) []map[string]any {
	var out []map[string]any
	if l, ok := m[k].([]any); ok {
		for _, x := range l {
			if mm, ok := x.(map[string]any); ok {
				out = append(out, mm)
			}
		}
	}
	return out
}

func propTags(m map[string]any) tagList {
	var t tagList
	for _, x := range propMaps(m, "Tags") {
		t.set(propStr(x, "Key"), propStr(x, "Value"))
	}
	return t
}
