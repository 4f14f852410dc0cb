package embedded_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.etcd.io/bbolt"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/graph/storetest"
)

// openTemp opens a store in a new file under t.TempDir and closes it when
// the test ends.
func openTemp(t testing.TB) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "graph.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store { return openTemp(t) })
}

func TestPersistence(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "graph.db")
	s, err := embedded.Open(path)
	require.NoError(t, err, "a missing file and directory are created")
	ms, ps := storetest.Seed(t, s)
	require.NoError(t, s.DeletePartnership(ctx, "ua-dnipro", "de-kleindorf"))
	require.NoError(t, s.DeleteMunicipality(ctx, "fr-lyon"))
	lviv := ms[0]
	lviv.Population = 720000
	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{lviv})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = embedded.Open(path)
	require.NoError(t, err)
	defer s.Close()
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(ms)-1, c.Municipalities)
	assert.Equal(t, len(ps)-1, c.Partnerships)
	got, err := s.Municipality(ctx, "ua-lviv")
	require.NoError(t, err)
	assert.Equal(t, lviv, got)
	_, err = s.Municipality(ctx, "fr-lyon")
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))

	// The indexes are rebuilt from the file.
	page, err := s.Search(ctx, graph.Query{Text: "Lemberg"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "ua-lviv", page.Items[0].ID)
	m, err := s.MunicipalityByCode(ctx, "lau", "PL_1261011")
	require.NoError(t, err)
	assert.Equal(t, "pl-krakow", m.ID)
	partners, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	assert.Len(t, partners, 3)
	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{{ID: "cz-x", Name: "X", Country: "CZ", Kind: graph.KindTown, Codes: graph.Codes{LAU: "PL_1261011"}}})
	assert.Equal(t, graph.ECONFLICT, graph.ErrorCode(err), "code index reloaded")
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "graph.db"))
	require.NoError(t, err)
	storetest.Seed(t, s)
	require.NoError(t, s.Ping(ctx))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close is harmless")

	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(s.Ping(ctx)))
	_, err = s.Municipality(ctx, "ua-lviv")
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
	_, err = s.Search(ctx, graph.Query{})
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
	_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{{ID: "cz-x", Name: "X", Country: "CZ", Kind: graph.KindTown}})
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(s.DeleteMunicipality(ctx, "ua-lviv")))
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(s.ScanMunicipalities(ctx, func(graph.Municipality) error { return nil })))
}

// foreignBolt writes a bbolt file of another program: buckets, no meta.
func foreignBolt(t *testing.T, path string, meta map[string]string) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("settings"))
		if err != nil {
			return err
		}
		if err := b.Put([]byte("theme"), []byte("dark")); err != nil {
			return err
		}
		if meta == nil {
			return nil
		}
		mb, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		for k, v := range meta {
			if err := mb.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
}

func TestRefusesForeignFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, path string)
		want  string
	}{
		{"text file", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("id,name\nua-lviv,Lviv\n"), 0o644))
		}, "not a valid bbolt file"},
		{"large text file", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("not a database\n", 2000)), 0o644))
		}, "not a valid bbolt file"},
		{"bbolt of another program", func(t *testing.T, path string) { foreignBolt(t, path, nil) }, `without the "meta" bucket`},
		{"another format", func(t *testing.T, path string) {
			foreignBolt(t, path, map[string]string{"format": "something-else", "version": "1"})
		}, `format "something-else"`},
		{"unknown version", func(t *testing.T, path string) {
			foreignBolt(t, path, map[string]string{"format": "twinning-graph", "version": "99"})
		}, `format version "99"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "graph.db")
			tc.write(t, path)
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			infoBefore, err := os.Stat(path)
			require.NoError(t, err)

			s, err := embedded.Open(path)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, embedded.ErrNotStore)
			assert.Contains(t, err.Error(), path, "the error names the file")
			assert.Contains(t, err.Error(), tc.want)

			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the file is not changed")
			infoAfter, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, infoBefore.ModTime(), infoAfter.ModTime())
		})
	}
}

func TestRefusesDirectory(t *testing.T) {
	_, err := embedded.Open(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a directory")
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "graph.db")
	s := openTempAt(t, path)
	start := time.Now()
	_, err := embedded.OpenWith(path, embedded.Options{LockTimeout: 200 * time.Millisecond})
	require.Error(t, err)
	assert.ErrorIs(t, err, embedded.ErrInUse)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "in use by another process")
	assert.Less(t, time.Since(start), 2*time.Minute, "a locked file fails instead of hanging (the bound is loose: this machine stalls for seconds)")

	// Once the holder closes, the file opens.
	require.NoError(t, s.Close())
	s2, err := embedded.Open(path)
	require.NoError(t, err)
	require.NoError(t, s2.Close())
}

// openTempAt opens the store at path; the test closes it.
func openTempAt(t *testing.T, path string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(path)
	require.NoError(t, err)
	return s
}

// crashChildEnv names the environment variable that turns TestCrashChild
// into the child process of TestCrash; its value is the store path.
const crashChildEnv = "TWINNING_EMBEDDED_CRASH_CHILD"

// TestCrashChild is the child of TestCrash: it writes, says ACK, and waits
// to be killed. Run on its own it does nothing.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrash")
	}
	s, err := embedded.Open(path)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	ms, ps := storetest.Fixture()
	if _, err := s.UpsertMunicipalities(context.Background(), ms); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	if _, err := s.UpsertPartnerships(context.Background(), ps); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Println("ACK")
	time.Sleep(time.Minute) // killed long before this ends
	os.Exit(2)
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "graph.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	acked := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); line == "ACK" || strings.HasPrefix(line, "ERR") {
				acked <- line
				return
			}
		}
		acked <- "EOF"
	}()
	select {
	case line := <-acked:
		require.Equal(t, "ACK", line, "the child failed to write")
	case <-time.After(10 * time.Minute):
		t.Fatal("the child did not acknowledge its write within 10 minutes")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err = cmd.Wait()
	require.Error(t, err, "the child was killed")

	s, err := embedded.Open(path)
	require.NoError(t, err, "the file opens after the crash")
	defer s.Close()
	c, err := s.Counts(context.Background())
	require.NoError(t, err)
	ms, ps := storetest.Fixture()
	assert.Equal(t, len(ms), c.Municipalities, "every acknowledged municipality survived")
	assert.Equal(t, len(ps), c.Partnerships, "every acknowledged partnership survived")
	got, err := s.Municipality(context.Background(), "ua-lviv")
	require.NoError(t, err)
	assert.Equal(t, ms[0], got)
}
