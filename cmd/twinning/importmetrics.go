package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/twinning/twinning/internal/importer"
)

// writeImportMetrics writes what one import did to path in the Prometheus
// text format, for node_exporter's textfile collector (or any scraper that
// reads files): an import is a batch job that ends before anything could
// scrape it. The file is replaced atomically, so a collector never reads
// half of it. rep may be nil when the import failed before reading; failed
// tells whether it failed. Every series carries the kind of import, so that
// the files of several kinds can be collected side by side.
//
//	twinning_import_last_run_timestamp_seconds{kind}
//	twinning_import_last_run_success{kind}              1 or 0
//	twinning_import_last_duration_seconds{kind}
//	twinning_import_last_rows{kind,outcome}             read, bad, skipped
//	twinning_import_last_municipalities{kind,result}    created, updated, merged, unchanged
//	twinning_import_last_partnerships{kind,result}      created, updated, unchanged
//	twinning_import_last_places{kind,method}            twins and wikidata: places by how they resolved
func writeImportMetrics(path, kind string, rep *importer.Report, failed bool, end time.Time) error {
	reg := prometheus.NewRegistry()
	kindLabel := prometheus.Labels{"kind": kind}
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: kindLabel})
		reg.MustRegister(g)
		return g
	}
	gaugeVec := func(name, help, label string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: kindLabel}, []string{label})
		reg.MustRegister(g)
		return g
	}
	gauge("twinning_import_last_run_timestamp_seconds", "When the last import of this kind ended, in Unix seconds.").
		Set(float64(end.UnixMilli()) / 1000)
	success := 1.0
	if failed {
		success = 0
	}
	gauge("twinning_import_last_run_success", "1 when the last import of this kind succeeded, 0 when it failed or was interrupted.").Set(success)
	if rep != nil {
		gauge("twinning_import_last_duration_seconds", "Wall time of the last import of this kind.").Set(rep.Elapsed.Seconds())
		rows := gaugeVec("twinning_import_last_rows", "Data rows of the last import: read (bad ones included), bad (left out) and skipped (left out on purpose).", "outcome")
		skipped := 0
		for _, n := range rep.Skipped {
			skipped += n
		}
		rows.WithLabelValues("read").Set(float64(rep.Read))
		rows.WithLabelValues("bad").Set(float64(rep.BadCount))
		rows.WithLabelValues("skipped").Set(float64(skipped))
		ms := gaugeVec("twinning_import_last_municipalities", "Municipalities the last import created, updated (by their own source), merged (another source's record merged in) and found unchanged.", "result")
		ms.WithLabelValues("created").Set(float64(rep.Created))
		ms.WithLabelValues("updated").Set(float64(rep.Updated))
		ms.WithLabelValues("merged").Set(float64(rep.Merged))
		ms.WithLabelValues("unchanged").Set(float64(rep.Unchanged))
		ms.WithLabelValues("locality").Set(float64(rep.Localities))
		ps := gaugeVec("twinning_import_last_partnerships", "Partnerships the last import created, updated and found unchanged.", "result")
		ps.WithLabelValues("created").Set(float64(rep.Partnerships.Created))
		ps.WithLabelValues("updated").Set(float64(rep.Partnerships.Updated))
		ps.WithLabelValues("unchanged").Set(float64(rep.Partnerships.Unchanged))
		if rep.Resolution != nil {
			places := gaugeVec("twinning_import_last_places", "Distinct places named by the last twins or wikidata import, by how they were resolved to municipalities.", "method")
			for method, n := range rep.Resolution.ByMethod {
				places.WithLabelValues(string(method)).Set(float64(n))
			}
		}
	}
	if err := prometheus.WriteToTextfile(path, reg); err != nil {
		return fmt.Errorf("-metrics-file: %w", err)
	}
	return nil
}

// checkMetricsFile checks, before an import starts, that the metrics file
// can be written where it is asked for: its directory exists.
func checkMetricsFile(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usageError{fmt.Sprintf("-metrics-file: directory %s: %v", dir, err)}
	case !fi.IsDir():
		return usageError{fmt.Sprintf("-metrics-file: %s is not a directory", dir)}
	}
	return nil
}
