package score

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

func TestDefaultModel(t *testing.T) {
	m := DefaultModel()
	require.NoError(t, m.Validate())
	assert.Equal(t, "default-1", m.Version)
	for _, name := range FactorNames {
		assert.Contains(t, m.Weights, name)
	}
	assert.Negative(t, m.Weights[FactorSaturation], "saturation is a penalty")
	assert.Len(t, FactorNames, numFactors)
}

func TestModelSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.json")
	m := DefaultModel()
	m.Version = "learned-7"
	m.Weights[FactorThemes] = 0.42
	require.NoError(t, m.Save(path))
	got, err := LoadModel(path)
	require.NoError(t, err)
	assert.Equal(t, m, got)

	e := NewEngine(got)
	assert.Equal(t, "learned-7", e.ModelVersion())
	got.Weights[FactorThemes] = 9
	assert.Equal(t, 0.42, e.Model().Weights[FactorThemes], "the engine keeps its own copy")
	assert.False(t, e.Loaded())
}

func TestLoadModelErrors(t *testing.T) {
	tests := []struct {
		name, json, field string
	}{
		{"no version", `{"version": " ", "weights": {"size": 1}}`, "version"},
		{"unknown factor", `{"version": "v", "weights": {"sizes": 1}}`, "weights.sizes"},
		{"unknown field", `{"version": "v", "weights": {}, "bias": 1}`, ""},
		{"not JSON", `version: v`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "model.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.json), 0o600))
			_, err := LoadModel(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Equal(t, tt.field, graph.ErrorField(err))
		})
	}
	_, err := LoadModel(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		assert.Equal(t, want, formatInt(n), "formatInt(%d)", n)
	}
	for n, want := range map[int64]string{9999: "9,999", 717342: "717,000", 769_500: "770,000", 2952301: "2,950,000", 12345: "12,300"} {
		assert.Equal(t, want, formatPopulation(n), "formatPopulation(%d)", n)
	}
	for km, want := range map[float64]string{7.4: "7 km", 99.6: "100 km", 1118: "1,120 km", 296.6: "300 km"} {
		assert.Equal(t, want, formatKm(km), "formatKm(%v)", km)
	}
	assert.Equal(t, "a, b and c", joinList([]string{"a", "b", "c"}))
	assert.Equal(t, "Ukraine's", possessive("Ukraine"))
	assert.Equal(t, "The Netherlands", graph.UpperFirst(countryName("NL")))
	assert.Equal(t, "partners in ZZ", inCountry("ZZ", 2, "partner", "partners"))
	assert.Equal(t, "Ukrainian partner", inCountry("UA", 1, "partner", "partners"))

	for km, want := range map[float64]string{7.4: "7", 1118: "1120", 12345: "12\u00a0350"} {
		assert.Equal(t, want+"\u00a0км", formatKmUK(km), "formatKmUK(%v)", km)
	}
	assert.Equal(t, "Україна", graph.UpperFirst("україна"))
	assert.Equal(t, "", graph.UpperFirst(""))
	for _, theme := range graph.Themes {
		assert.NotEqual(t, theme, graph.ThemeLabel(theme, LangUkrainian), "no Ukrainian name for theme %s", theme)
	}
}
