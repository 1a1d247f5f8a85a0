package billing

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	c, err := LoadCatalog("")
	if err != nil {
		t.Fatal(err)
	}
	trial, ok := c.Plan("trial")
	if !ok || trial.ID != c.TrialPlan || !trial.HasModule("manufacturing") {
		t.Fatalf("trial plan: %+v", trial)
	}
	if _, ok := c.Plan("nope"); ok {
		t.Fatal("unknown plan found")
	}
}

func TestCatalogValidation(t *testing.T) {
	for name, body := range map[string]string{
		"bad json":      `{`,
		"no trial plan": `{"trial_plan":"x","plans":[{"id":"a1","name":"A","seats":1,"currency":"EUR"}]}`,
		"zero seats":    `{"trial_plan":"a1","plans":[{"id":"a1","name":"A","seats":0,"currency":"EUR"}]}`,
		"duplicate":     `{"trial_plan":"a1","plans":[{"id":"a1","seats":1,"currency":"EUR"},{"id":"a1","seats":1,"currency":"EUR"}]}`,
		"reserved id":   `{"trial_plan":"trial","plans":[{"id":"trial","seats":1,"currency":"EUR"}]}`,
		"negative":      `{"trial_plan":"a1","plans":[{"id":"a1","seats":1,"price_minor":-1,"currency":"EUR"}]}`,
	} {
		p := filepath.Join(t.TempDir(), "plans.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCatalog(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := LoadCatalog("/does/not/exist.json"); err == nil {
		t.Error("missing file accepted")
	}
}
