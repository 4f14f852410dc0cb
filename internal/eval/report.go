package eval

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// maxCountryColumns is how many countries WriteTable's table by country
// shows.
const maxCountryColumns = 8

// WriteTable writes the report as an aligned table.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "protocol: %s\n", r.Protocol)
	fmt.Fprintf(w, "%d cases from %d Ukrainian sources; pool %q of %d European municipalities\n", r.Cases, r.Sources, r.Pool, r.PoolSize)
	if r.Folds > 1 {
		fmt.Fprintf(w, "learned weights: %d-fold over the Ukrainian sources, each fold fitted without its links\n", r.Folds)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "METHOD\tHR@10\tHR@50\tMRR\tNDCG@10\tMEAN RANK\tCOUNTRIES@10\tCASES\t")
	for _, m := range r.Methods {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%.1f\t%d\t\n", m.Name, m.HitRate10, m.HitRate50, m.MRR, m.NDCG10, m.MeanRank, m.Countries10, m.Cases)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.SameCountry) > 0 {
		fmt.Fprintln(w, "\nAmong the candidates of the hidden partner's country only (an officer who asks for a partner in that country):")
		fmt.Fprintln(w)
		fmt.Fprintln(tw, "METHOD\tHR@10\tHR@50\tMRR\tNDCG@10\tMEAN RANK\tCASES\t")
		for _, m := range r.SameCountry {
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%d\t\n", m.Name, m.HitRate10, m.HitRate50, m.MRR, m.NDCG10, m.MeanRank, m.Cases)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.ByCountry) > 0 {
		shown := r.ByCountry[:min(len(r.ByCountry), maxCountryColumns)]
		fmt.Fprintf(w, "\nHR@10 by the hidden partner's country (the %d of most cases; -json has every country of %d cases or more), among all candidates / among that country's:\n\n", len(shown), MinCountryCases)
		head := "METHOD\t"
		for _, c := range shown {
			head += fmt.Sprintf("%s (%d)\t", c.Country, c.Cases)
		}
		fmt.Fprintln(tw, head)
		for m, method := range r.Methods {
			line := method.Name + "\t"
			for _, c := range shown {
				line += fmt.Sprintf("%.2f / %.2f\t", c.HitRate10[m], c.SameCountry10[m])
			}
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Signals) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nHR@10 by what links the hidden partner to the source once the link is hidden (cases in brackets):")
	fmt.Fprintln(w)
	head := "METHOD\t"
	for _, s := range r.Signals {
		head += fmt.Sprintf("%s (%d)\t", strings.ToUpper(s.Signal), s.Cases)
	}
	fmt.Fprintln(tw, head)
	for _, m := range r.Methods {
		line := m.Name + "\t"
		for _, s := range m.BySignal {
			line += fmt.Sprintf("%.3f\t", s.HitRate10)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// WriteCases writes one CSV row per case: the source, the hidden partner,
// the fold, what links the hidden partner to the source (see Signal) and
// the expected rank of the hidden partner under each method.
func (r *Report) WriteCases(w io.Writer, d *Dataset) error {
	cw := csv.NewWriter(w)
	header := []string{"source_id", "source_name", "hidden_id", "hidden_name", "hidden_country", "fold", "signal"}
	for _, m := range r.Methods {
		header = append(header, "rank "+m.Name)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write cases: %w", err)
	}
	for _, row := range r.Rows {
		s, h := d.Municipality(row.Source), d.Municipality(row.Hidden)
		rec := []string{s.ID, s.DisplayName(), h.ID, h.DisplayName(), h.Country, strconv.Itoa(row.Fold), row.Signal.String()}
		for _, rank := range row.Ranks {
			rec = append(rec, strconv.FormatFloat(rank, 'f', -1, 64))
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write cases: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write cases: %w", err)
	}
	return nil
}
