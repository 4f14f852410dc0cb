package keys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

func TestCreateAuthenticateRevoke(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	r, err := Open(path)
	require.NoError(t, err)
	assert.Empty(t, r.List(), "a missing file is an empty ring")

	token, k, err := r.Create("Lviv city hall", RoleEditor, "ua-lviv")
	require.NoError(t, err)
	assert.Regexp(t, `^twk_k[0-9a-f]{12}_[0-9a-f]{48}$`, token)
	assert.True(t, strings.HasPrefix(token, "twk_"+k.ID+"_"))
	assert.Equal(t, "ua-lviv", k.Scope)

	// Only the hash is stored, in a file only the owner reads.
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), token[len("twk_"+k.ID+"_"):], "the secret is never written")
	assert.Contains(t, string(b), k.Hash)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	got, err := r.Authenticate(token)
	require.NoError(t, err)
	assert.Equal(t, k.ID, got.ID)
	for _, bad := range []string{"", "nonsense", token + "0", strings.Replace(token, token[len(token)-1:], "x", 1),
		token[:len(token)-1] + map[bool]string{true: "1", false: "0"}[token[len(token)-1] == '0'],
		"twk_k000000000000_" + strings.Repeat("0", 48)} {
		_, err := r.Authenticate(bad)
		assert.Equal(t, graph.EUNAUTHENTICATED, graph.ErrorCode(err), "%q", bad)
	}

	revoked, err := r.Revoke(k.ID)
	require.NoError(t, err)
	require.NotNil(t, revoked.Revoked)
	_, err = r.Authenticate(token)
	assert.Equal(t, graph.EUNAUTHENTICATED, graph.ErrorCode(err), "a revoked key is refused")
	_, err = r.Revoke(k.ID)
	assert.NoError(t, err, "revoking twice is fine")
	_, err = r.Revoke("k000000000000")
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
	assert.Len(t, r.List(), 1, "a revoked key stays listed")
}

func TestCreateRefusesBadInput(t *testing.T) {
	r, err := Open(filepath.Join(t.TempDir(), "keys.json"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, role, scope, field string
	}{
		{"", "reader", "", "name"},
		{"x", "owner", "", "role"},
		{"x", "editor", "UA Lviv", "scope"},
	} {
		_, _, err := r.Create(tc.name, Role(tc.role), tc.scope)
		assert.Equal(t, tc.field, graph.ErrorField(err), "%+v: %v", tc, err)
	}
	assert.Empty(t, r.List(), "nothing was written")
}

// TestSeesChangesOfTheFile: a key created or revoked by another process
// (the command line) is seen by a running server's ring.
func TestSeesChangesOfTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	server, err := Open(path)
	require.NoError(t, err)
	server.CheckEvery = 1 // a nanosecond: look at the file every time
	cli, err := Open(path)
	require.NoError(t, err)

	token, k, err := cli.Create("analyst", RoleReader, "")
	require.NoError(t, err)
	_, err = server.Authenticate(token)
	require.NoError(t, err, "a key made by the command line is valid at once")
	_, err = cli.Revoke(k.ID)
	require.NoError(t, err)
	_, err = server.Authenticate(token)
	assert.Equal(t, graph.EUNAUTHENTICATED, graph.ErrorCode(err), "and revoked at once")

	// A file broken by hand keeps the keys last read, and says why.
	other, _, err := cli.Create("operator", RoleAdmin, "")
	require.NoError(t, err)
	_, err = server.Authenticate(other)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(`{"version": 1, "keys": [`), 0o600))
	_, err = server.Authenticate(other)
	assert.NoError(t, err, "the keys last read still work")
	assert.ErrorContains(t, server.Err(), path)
}

func TestOpenRefusesMalformedFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":       `keys`,
		"unknown member": `{"version": 1, "keys": [], "owner": "x"}`,
		"wrong version":  `{"version": 2, "keys": []}`,
		"bad role":       `{"version": 1, "keys": [{"id": "k0123456789ab", "name": "x", "role": "root", "sha256": "` + strings.Repeat("a", 64) + `", "created": "2026-01-01T00:00:00Z"}]}`,
		"bad hash":       `{"version": 1, "keys": [{"id": "k0123456789ab", "name": "x", "role": "reader", "sha256": "abc", "created": "2026-01-01T00:00:00Z"}]}`,
		"id twice": `{"version": 1, "keys": [{"id": "k0123456789ab", "name": "x", "role": "reader", "sha256": "` + strings.Repeat("a", 64) + `", "created": "2026-01-01T00:00:00Z"},` +
			`{"id": "k0123456789ab", "name": "y", "role": "reader", "sha256": "` + strings.Repeat("b", 64) + `", "created": "2026-01-01T00:00:00Z"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			_, err := Open(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			// Nothing is overwritten by a failed change either.
			r := &Ring{path: path}
			_, _, err = r.Create("x", RoleReader, "")
			require.Error(t, err)
			b, _ := os.ReadFile(path)
			assert.Equal(t, content, string(b))
		})
	}
}

func TestRoleAllows(t *testing.T) {
	assert.True(t, RoleAdmin.Allows(RoleEditor))
	assert.True(t, RoleEditor.Allows(RoleEditor))
	assert.False(t, RoleReader.Allows(RoleEditor))
	assert.False(t, Role("root").Allows(RoleReader))
}
