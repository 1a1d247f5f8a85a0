// Package archtest holds the dependency rules of docs/architecture.md as a
// test: it parses every Go file's imports and fails on a forbidden edge, so
// the layering cannot erode one convenient import at a time.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "nexo"

// allowed returns whether package pkg (module-relative, e.g. "modules/sales")
// may import the module package dep.
func allowed(pkg, dep string, test bool) bool {
	if test && (dep == "tenant/tenanttest" || dep == "migrations" || strings.HasSuffix(dep, "test")) {
		return true
	}
	top := func(p string) string { return strings.SplitN(p, "/", 2)[0] }
	internal := strings.HasPrefix(dep, "internal/")
	switch top(pkg) {
	case "internal":
		return internal
	case "migrations", "api":
		return internal
	case "tenant":
		if pkg == "tenant/tenanttest" {
			return internal || dep == "migrations" || dep == "tenant"
		}
		return internal || strings.HasPrefix(dep, "tenant")
	case "rbac", "billing", "connect":
		return internal || top(dep) == "tenant" || top(dep) == top(pkg)
	case "modules":
		own := strings.Join(strings.SplitN(pkg, "/", 3)[:2], "/")
		return internal || top(dep) == "tenant" || top(dep) == "rbac" || dep == own || strings.HasPrefix(dep, own+"/")
	case "flows":
		return internal || top(dep) != "portal" && top(dep) != "cmd"
	case "portal":
		return internal || top(dep) != "cmd"
	case "cmd", "bench":
		return true
	}
	return internal
}

func TestDependencyRules(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if name == "node_modules" || name == "frontend" || name == "data" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		test := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != module && !strings.HasPrefix(p, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
			if dep == pkg {
				continue
			}
			checked++
			if !allowed(pkg, dep, test) {
				t.Errorf("%s imports %s: forbidden by docs/architecture.md", strings.TrimPrefix(path, root+"/"), p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no module imports checked: is the walk rooted right?")
	}
}

func TestRulesRejectKnownBadEdges(t *testing.T) {
	bad := [][2]string{
		{"internal/web", "tenant"}, {"tenant", "rbac"}, {"modules/sales", "modules/catalog"},
		{"modules/sales", "flows"}, {"modules/sales", "billing"}, {"rbac", "modules/sales"}, {"flows", "portal"},
		{"internal/db", "migrations"},
	}
	for _, e := range bad {
		if allowed(e[0], e[1], false) {
			t.Errorf("%s → %s should be forbidden", e[0], e[1])
		}
	}
	good := [][2]string{{"modules/sales", "tenant"}, {"modules/sales", "rbac"}, {"flows", "modules/sales"},
		{"portal", "flows"}, {"cmd/nexo", "modules/sales"}, {"rbac", "tenant"}, {"modules/sales", "internal/errs"}}
	for _, e := range good {
		if !allowed(e[0], e[1], false) {
			t.Errorf("%s → %s should be allowed", e[0], e[1])
		}
	}
}
