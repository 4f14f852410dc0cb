// Package eval measures how well partner suggestions recover real
// twinning links, compares the engine with simple baselines, and learns the
// engine's weights from the graph.
//
// The protocol: every Ukrainian municipality with at least two European
// partners (Russia and Belarus left out) is a source; each of its European
// partners in turn is hidden, every European municipality of the graph that
// is not already a partner of the source is ranked, and the rank of the
// hidden partner is scored with HitRate@10, HitRate@50, MRR and NDCG@10.
// Every graph feature of a case is computed with its hidden link removed
// (leave-one-out, see score.Index.SourceFeatures). Learned weights come from
// k-fold cross-validation over the Ukrainian sources: the weights that rank
// a source's cases were fitted on the other folds, on a graph from which
// every link of the source's fold was removed.
//
// Ties are broken at random in expectation: a hidden partner that ties with
// t other candidates behind b better ones counts each rank from b+1 to
// b+t+1 with probability 1/(t+1), so the figures are exact and do not
// depend on a seed.
package eval
