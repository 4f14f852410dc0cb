package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
)

// readmeCommands returns the twinning commands of the README's Command line
// section: every line of its sh block that runs bin/twinning, without the
// comment after it, split into words as the shell does (double quotes
// keep a phrase whole).
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "\n## Command line\n")
	require.True(t, ok, "the README has a Command line section")
	_, block, ok := strings.Cut(section, "```sh\n")
	require.True(t, ok, "the Command line section starts with an sh block")
	block, _, _ = strings.Cut(block, "```")
	var out [][]string
	for line := range strings.Lines(block) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "bin/twinning ") {
			continue
		}
		var (
			words  []string
			word   strings.Builder
			quoted bool
			inWord bool
		)
		for _, r := range strings.TrimPrefix(line, "bin/twinning ") {
			switch {
			case r == '"':
				quoted, inWord = !quoted, true
			case r == '#' && !quoted && !inWord:
				goto done
			case (r == ' ' || r == '\t') && !quoted:
				if inWord {
					words, inWord = append(words, word.String()), false
					word.Reset()
				}
			default:
				word.WriteRune(r)
				inWord = true
			}
		}
	done:
		if inWord {
			words = append(words, word.String())
		}
		out = append(out, words)
	}
	return out
}

// TestReadmeCommands runs every command of the README's Command line
// section, so that the examples cannot drift from the binary: each must
// succeed and print something. They run in a new folder, where the default
// store is created with the bundled sample; "full.db", which the README
// loads with all of the open data (see Open data, held by the real-data
// tests), is here loaded the same way from the importers' small fixtures
// in testdata/import.
func TestReadmeCommands(t *testing.T) {
	clearEnv(t)
	commands := readmeCommands(t)
	require.GreaterOrEqual(t, len(commands), 10, "the Command line section's examples")
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "testdata", "import"))
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"import", "hromadas", "-no-sample", "-data", "full.db", filepath.Join(fixtures, "hromadas.csv")},
		{"import", "geonames", "-data", "full.db", filepath.Join(fixtures, "geonames.txt")},
		{"import", "lau", "-data", "full.db", filepath.Join(fixtures, "lau.csv")},
		{"import", "twins", "-data", "full.db", filepath.Join(fixtures, "twins.csv")},
		{"import", "registry", "-data", "full.db", filepath.Join(fixtures, "ulead.csv")},
	} {
		code, out, errOut := cli(t, args...)
		require.Equal(t, 0, code, "%v\nstdout: %s\nstderr: %s", args, out, errOut)
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := cli(t, args...)
			require.Equal(t, 0, code, "stdout: %s\nstderr: %s", out, errOut)
			wrote := false
			for i, a := range args {
				if a == "-o" && i+1 < len(args) {
					info, err := os.Stat(args[i+1])
					require.NoError(t, err, "the file -o names")
					wrote = info.Size() > 0
				}
			}
			assert.True(t, wrote || strings.TrimSpace(out+errOut) != "", "it says or writes something")
		})
	}
	code, out, _ := cli(t, "search", "Kharkw")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "did you mean Kharkiv", "what the README's comment says")
}

// TestRealDataReadmeImports runs the import commands of the README's Open data
// section as written, on all of the open data (TWINNING_SHARED_DATA, else
// ../shared/data): its variables D and G set as the block sets them and its
// loop unrolled, so that the commands a user copies cannot drift from the
// binary. Each must succeed and report what it did (the real-data tests
// hold the figures, and that a second import changes nothing).
func TestRealDataReadmeImports(t *testing.T) {
	clearEnv(t)
	data := os.Getenv("TWINNING_SHARED_DATA")
	if data == "" {
		data = filepath.Join("..", "..", "..", "shared", "data")
	}
	data, err := filepath.Abs(data)
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(data, "eu-lau")); err != nil {
		t.Skipf("the open data is not at %s (set TWINNING_SHARED_DATA): %v", data, err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "\n## Open data\n")
	require.True(t, ok)
	_, block, ok := strings.Cut(section, "```sh\nD=")
	require.True(t, ok, "the Open data section's block of separate imports")
	block, _, _ = strings.Cut("D="+block, "```")
	vars := map[string]string{"D": data}
	expand := func(s string) string {
		return os.Expand(s, func(k string) string { return vars[k] })
	}
	var commands []string
	lines := slices.Collect(strings.Lines(block))
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "D=") || strings.HasPrefix(line, "G="):
			name, value, _ := strings.Cut(line, "=")
			if name == "D" {
				continue // the data is where the test found it
			}
			vars[name] = expand(strings.Trim(value, `"`))
		case strings.HasPrefix(line, "for "):
			// for f in a b c; do / body / done
			head, _, _ := strings.Cut(strings.TrimPrefix(line, "for "), ";")
			name, list, _ := strings.Cut(head, " in ")
			var body []string
			for i++; strings.TrimSpace(lines[i]) != "done"; i++ {
				body = append(body, strings.TrimSpace(lines[i]))
			}
			for _, v := range strings.Fields(list) {
				vars[name] = v
				for _, l := range body {
					commands = append(commands, expand(l))
				}
			}
		case strings.HasPrefix(line, "twinning import "):
			commands = append(commands, expand(line))
		}
	}
	require.GreaterOrEqual(t, len(commands), 8, "the Open data section's imports")
	t.Chdir(t.TempDir())
	for _, c := range commands {
		args := strings.Fields(strings.TrimPrefix(c, "twinning "))
		code, out, errOut := cli(t, args...)
		require.Equal(t, 0, code, "%s\nstdout: %s\nstderr: %s", c, out, errOut)
		assert.Contains(t, out+errOut, "created", "%s reports what it did", c)
	}

	// One command does the same, as the section's first block runs it:
	// import all gives the same store.
	first, _, _ := strings.Cut(section, "```\n")
	require.Contains(t, first, "twinning import all -data full.db ../shared/data")
	code, out, errOut := cli(t, "import", "all", "-data", "all.db", data)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", out, errOut)
	assert.Contains(t, out, "import all: 8 imports from "+data)
	want, got := scanStore(t, "full.db"), scanStore(t, "all.db")
	assert.Equal(t, len(want.municipalities), len(got.municipalities))
	assert.Equal(t, len(want.partnerships), len(got.partnerships))
	assert.True(t, reflect.DeepEqual(want, got), "import all and the README's commands give the same store")
}

// storeContent is every record of a store.
type storeContent struct {
	municipalities map[string]graph.Municipality
	partnerships   map[[2]string]graph.Partnership
}

// scanStore reads every record of the embedded store at path.
func scanStore(t *testing.T, path string) storeContent {
	t.Helper()
	s, err := embedded.Open(path)
	require.NoError(t, err)
	defer s.Close()
	c := storeContent{map[string]graph.Municipality{}, map[[2]string]graph.Partnership{}}
	ctx := context.Background()
	require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error { c.municipalities[m.ID] = m; return nil }))
	require.NoError(t, s.ScanPartnerships(ctx, func(p graph.Partnership) error { c.partnerships[p.Key()] = p; return nil }))
	return c
}

// TestImportAllRefusesAnotherFolder: import all names what a folder lacks
// and creates no store.
func TestImportAllRefusesAnotherFolder(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	code, _, errOut := cli(t, "import", "all", "-data", filepath.Join(dir, "x.db"), dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "has no folder ua-hromadas/, so it is not laid out as the open data")
	assert.NoFileExists(t, filepath.Join(dir, "x.db"))
	code, _, errOut = cli(t, "import", "all", "-data", filepath.Join(dir, "x.db"), dir, dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "import all reads one DIR, got 2")
}
