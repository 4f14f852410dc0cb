package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph/embedded"
)

// TestMain runs the command itself when the test binary is started with
// TWINNING_RUN_MAIN=1, so that a test can run "twinning serve" as a
// process of its own, to kill it.
func TestMain(m *testing.M) {
	if os.Getenv("TWINNING_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// serveProcess starts "twinning serve" as a process of its own on the
// embedded store db and returns it and its base address.
func serveProcess(t *testing.T, db, keyFile string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "-addr", "127.0.0.1:0", "-data", db, "-keys", keyFile, "-watch", "0", "-ui=false", "-rate", "0")
	cmd.Env = append(os.Environ(), "TWINNING_RUN_MAIN=1")
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &syncBuffer{}, &stderr
	require.NoError(t, cmd.Start())
	done := make(chan int, 1)
	go func() { _ = cmd.Wait(); done <- cmd.ProcessState.ExitCode() }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	return cmd, "http://" + servingAddr(t, &stderr, done)
}

// TestKillDuringServerImport sends a LAU file of 20,000 municipalities to
// a serving process, in batches of 50, and kills the process (SIGKILL)
// once the import's status has acknowledged a few batches. The store,
// opened again, holds every acknowledged row and only whole batches; a
// restarted server serves them.
func TestKillDuringServerImport(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	db := sampleStore(t, dir)
	keyFile := filepath.Join(dir, "keys.json")
	code, token, errOut := cli(t, "keys", "create", "-keys", keyFile, "-name", "operator", "-role", "admin")
	require.Equal(t, 0, code, errOut)
	token = strings.TrimSpace(token)

	const rows, batch = 20000, 50
	file := filepath.Join(dir, "PL_kill.csv")
	f, err := os.Create(file)
	require.NoError(t, err)
	w := csv.NewWriter(f)
	require.NoError(t, w.Write([]string{"gisco_id", "longitude", "latitude", "country", "nuts_2", "nuts_3", "lau_id", "lau_name", "population", "area_km2", "year", "fid", "concordance", "pop_weighted"}))
	for i := range rows {
		id := fmt.Sprintf("%07d", 9000000+i)
		lat, lon := 49.0+float64(i/200)*0.04, 14.5+float64(i%200)*0.045
		require.NoError(t, w.Write([]string{"PL_" + id, fmt.Sprintf("%.4f", lon), fmt.Sprintf("%.4f", lat), "PL", "PL21", "PL213", id,
			fmt.Sprintf("Zabijów %05d", i), "1500", "20.5", "2020", "PL_" + id, "official", "TRUE"}))
	}
	w.Flush()
	require.NoError(t, errors.Join(w.Error(), f.Close()))

	proc, base := serveProcess(t, db, keyFile)
	body, err := os.Open(file)
	require.NoError(t, err)
	defer body.Close()
	req, err := http.NewRequest(http.MethodPost, base+fmt.Sprintf("/v1/admin/imports?kind=lau&batch=%d&name=PL_kill.csv", batch), body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	var st api.ImportStatus
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, decodeAnswer(resp, http.StatusAccepted, &st))
	resp.Body.Close()

	// Follow it until a few batches are acknowledged, then kill.
	deadline := time.Now().Add(slow)
	for st.BatchesWritten < 3 {
		require.True(t, time.Now().Before(deadline), "no batch acknowledged: %+v", st)
		require.Nil(t, st.Finished, "the import ended before it could be killed: %+v", st)
		time.Sleep(2 * time.Millisecond)
		req, err := http.NewRequest(http.MethodGet, base+"/v1/admin/imports/"+st.ID, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, decodeAnswer(resp, http.StatusOK, &st))
		resp.Body.Close()
	}
	require.NoError(t, proc.Process.Kill())
	_, _ = proc.Process.Wait()
	acked := st.RowsWritten
	t.Logf("killed after %d batches (%d rows) acknowledged", st.BatchesWritten, acked)

	store, err := embedded.Open(db)
	require.NoError(t, err)
	ctx := context.Background()
	stored := 0
	for i := range rows {
		if _, err := store.Municipality(ctx, fmt.Sprintf("lau-pl-%07d", 9000000+i)); err == nil {
			stored++
		}
	}
	require.NoError(t, store.Close())
	t.Logf("the store holds %d of the file's %d rows", stored, rows)
	assert.GreaterOrEqual(t, stored, acked, "every acknowledged row survives")
	assert.Zero(t, stored%batch, "whole batches only: %d rows", stored)
	assert.Less(t, stored, rows, "the kill came before the end")

	// A restarted server serves them.
	_, base = serveProcess(t, db, keyFile)
	resp, err = http.Get(base + "/v1/municipalities?q=Zabijów&limit=1")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var page struct{ Total int }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	assert.Equal(t, stored, page.Total)
}

// TestImportToServer: "twinning import -server URL -key KEY" sends files
// to a running server, follows each import and prints its report: a twin
// list as the body, a GeoNames dump with its tables as multipart, a LAU
// folder file by file. What it imports is served without a restart.
func TestImportToServer(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys.json")
	code, token, errOut := cli(t, "keys", "create", "-keys", keyFile, "-name", "operator", "-role", "admin")
	require.Equal(t, 0, code, errOut)
	token = strings.TrimSpace(token)
	_, editor, _ := cli(t, "keys", "create", "-keys", keyFile, "-name", "officer", "-role", "editor")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "twinning.db"), "-keys", keyFile, "-rate", "0"}, &stdout, &stderr)
	}()
	base := "http://" + servingAddr(t, &stderr, done)
	waitReady(t, base)
	fixtures := filepath.Join("..", "..", "testdata", "import")
	importPoll = 10 * time.Millisecond

	code, out, errOut := cli(t, "import", "twins", "-server", base, "-key", token, filepath.Join(fixtures, "twins.csv"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "accepted as import imp_")
	assert.Contains(t, out, "twins.csv")
	assert.Regexp(t, `import imp_[a-z2-7]{16}: done, \d+ batches \(\d+ rows\) written`, out)

	code, out, errOut = cli(t, "import", "geonames", "-server", base, "-key", token,
		"-country-info", filepath.Join(fixtures, "countryInfo.txt"), "-admin1", filepath.Join(fixtures, "admin1.tsv"), filepath.Join(fixtures, "geonames.txt"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "geonames.txt")

	code, out, errOut = cli(t, "import", "lau", "-server", base, "-key", token, filepath.Join(fixtures, "lau.csv"), filepath.Join(fixtures, "lau-latin.csv"))
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 2, strings.Count(out, ": done,"), out)

	// What the key may not do, and what the file is not, are told.
	code, _, errOut = cli(t, "import", "twins", "-server", base, "-key", strings.TrimSpace(editor), filepath.Join(fixtures, "twins.csv"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "403 Forbidden")
	code, _, errOut = cli(t, "import", "twins", "-server", base, filepath.Join(fixtures, "twins.csv"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-server needs -key")
	code, _, errOut = cli(t, "import", "twins", "-server", base, "-key", token, filepath.Join(fixtures, "hromadas.csv"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "looks like a hromadas file")

	for _, q := range []string{"Bochnia", "Kópavogsbær"} { // in the LAU fixture, not in the sample
		resp, err := http.Get(base + "/v1/municipalities?q=" + url.QueryEscape(q))
		require.NoError(t, err)
		var page struct{ Total int }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
		resp.Body.Close()
		assert.Positive(t, page.Total, "%s, imported, is served without a restart", q)
	}
}
