package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/samber/lo"

	"github.com/twinning/twinning/internal/analytics"
)

// printQuality writes the report as text: each check's count and its
// first findings.
func printQuality(w io.Writer, q analytics.Quality) error {
	fmt.Fprintf(w, "data quality of %d municipalities\n", q.Municipalities)
	for _, c := range []struct {
		title string
		check analytics.QualityCheck
	}{
		{"suspected duplicates", q.Duplicates},
		{"namesakes (two units of one name)", q.Namesakes},
		{"without a Latin name", q.NoLatinName},
		{"created from partnership lists", q.Created},
		{"suspected city districts", q.Districts},
		{"towns not merged with their unit", q.Unmerged},
		{"partnerships far from their source's point", q.FarFromSource},
	} {
		fmt.Fprintf(w, "\n%s: %d\n  %s\n", c.title, c.check.Count, c.check.Description)
		for _, f := range c.check.Examples {
			names := lo.Map(f.Municipalities, func(n analytics.Node, _ int) string {
				return fmt.Sprintf("%s (%s, %s, %d)", n.Name, n.ID, n.Country, n.Population)
			})
			line := "  - " + strings.Join(names, " / ")
			if f.DistanceKm > 0 {
				line += fmt.Sprintf(", %.1f km", f.DistanceKm)
			}
			if f.Note != "" {
				line += ": " + f.Note
			}
			if _, err := fmt.Fprintln(w, line); err != nil {
				return err
			}
		}
		if more := c.check.Count - len(c.check.Examples); more > 0 {
			fmt.Fprintf(w, "  and %d more (-json lists the first %d)\n", more, analytics.QualityExamples)
		}
	}
	return nil
}
