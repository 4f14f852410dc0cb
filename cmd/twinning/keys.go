package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/twinning/twinning/internal/keys"
)

// defaultKeysFile is the key file when neither -keys nor TWINNING_KEYS
// names one.
const defaultKeysFile = "twinning-keys.json"

// runKeys manages the API keys: create, list, revoke. Only a hash of each
// key is kept in the file; create prints the key once.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usageLine = "create -name NAME -role reader|editor|admin [-scope MUNICIPALITY_ID] | list | revoke KEY_ID"
	if len(args) == 0 {
		return usageError{"keys needs an action: " + usageLine}
	}
	action, args := args[0], args[1:]
	fs := newFlagSet("keys "+action, "[flags]", stderr)
	file := fs.String("keys", defaultKeysFile, "the key file (env TWINNING_KEYS)")
	var name, role, scope *string
	if action == "create" {
		name = fs.String("name", "", "whose key it is, e.g. \"Lviv city hall, international office\" (required)")
		role = fs.String("role", "", "reader, editor or admin (required)")
		scope = fs.String("scope", "", "the only municipality the key may change data for, e.g. ua-lviv (optional)")
	}
	rest, err := parseFlags(fs, args, map[string]string{"keys": "TWINNING_KEYS"})
	if err != nil {
		return err
	}
	switch action {
	case "create", "list", "revoke":
	default:
		return usageError{fmt.Sprintf("keys: unknown action %q; want %s", action, usageLine)}
	}
	if (action == "revoke") != (len(rest) == 1) || len(rest) > 1 {
		return usageError{fmt.Sprintf("keys %s: unexpected arguments %q; want %s", action, rest, usageLine)}
	}
	ring, err := keys.Open(*file)
	if err != nil {
		return err
	}
	switch action {
	case "create":
		if *name == "" || *role == "" {
			return usageError{"keys create: -name and -role are required"}
		}
		token, k, err := ring.Create(*name, keys.Role(*role), *scope)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "created key %s (%s%s) in %s; the key is shown once, here:\n", k.ID, k.Role, scopeNote(k), ring.Path())
		fmt.Fprintln(stdout, token)
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tSCOPE\tCREATED\tREVOKED\tNAME")
		for _, k := range ring.List() {
			revoked := "-"
			if k.Revoked != nil {
				revoked = k.Revoked.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, orDash(k.Scope), k.Created.Format(time.RFC3339), revoked, k.Name)
		}
		return tw.Flush()
	case "revoke":
		k, err := ring.Revoke(rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s (%s, %s) at %s\n", k.ID, k.Name, k.Role, k.Revoked.Format(time.RFC3339))
	}
	return nil
}

// scopeNote describes a key's scope for a message.
func scopeNote(k keys.Key) string {
	if k.Scope == "" {
		return ""
	}
	return ", for " + k.Scope + " only"
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
