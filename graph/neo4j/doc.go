// Package neo4j implements graph.Store on a Neo4j 5 server over Bolt.
//
// # Model
//
//	(:Municipality)-[:IN_REGION]->(:Region)-[:IN_COUNTRY]->(:Country)
//	(:Municipality)-[:IN_COUNTRY]->(:Country)    when it has no region code
//	(:Municipality)-[:HAS_THEME]->(:Theme)
//	(:Municipality)-[:PARTNER_OF {kind, status, since, source}]->(:Municipality)
//
// A municipality's fields are flattened into properties of its node (name,
// name_latin, alt_names, country, region_code, region_name, kind,
// population, population_year, area_km2, lat, lon, location as a point,
// katottg, lau, nuts3, geonames, wikidata, themes, source). Those properties
// are the record the store reads back; the Region, Country and Theme nodes
// repeat part of it as graph structure for graph queries ("municipalities of
// this oblast", "who shares a theme with Lviv") that a property cannot serve.
// Themes are both: a list property, which a search filter tests in the same
// pass as the other filters, and HAS_THEME relationships to one node per
// theme, which graph queries traverse. Empty strings, lists and zero values
// other than the population are not stored, so that the uniqueness
// constraints on codes ignore them; they read back as zero values.
//
// Two derived properties serve search: name_keys, the graph.NameKey of every
// name, and search_keys, the same keys joined by newlines, which a text
// index serves for CONTAINS. A newline never occurs in a key, so a match in
// search_keys is a match in one key, and the rank (exact, prefix, substring)
// is computed on name_keys: the semantics of graph.Query, key for key the
// same as the embedded store's.
//
// A partnership is stored once per pair, as a PARTNER_OF relationship from
// the lower id to the higher one, and matched without direction.
//
// # Workflow
//
// The partner-request workflow (graph.Workflow) keeps each record as a node
// whose doc property holds the record's JSON (encoding/json of the graph
// type), which is what the store reads back, beside the key properties
// that find it and a uniqueness constraint on the key:
//
//	(:PartnerRequest {id, municipality, status, doc})
//	(:Profile {municipality, doc})
//	(:ShortlistEntry {request, candidate, status, doc})    unique on (request, candidate)
//	(:AuditEntry {seq, request, municipalities, doc})
//	(:WorkflowCounter {name: 'audit', seq})               the last audit Seq given
//
// For graph queries they are also linked to the municipalities:
//
//	(:Municipality)-[:POSTED]->(:PartnerRequest)
//	(:Municipality)-[:HAS_PROFILE]->(:Profile)
//	(:PartnerRequest)-[:SHORTLISTS]->(:ShortlistEntry)-[:CANDIDATE]->(:Municipality)
//
// The links are a view: deleting a municipality deletes its links, not the
// workflow's records, which keep its id. A signed agreement is written as a
// PARTNER_OF relationship by the same statement as UpsertPartnerships, so
// it is a partnership like any imported one.
//
// Every workflow change is one write transaction: the record, its audit
// entry and the partnership of a signing. A change that reads a record
// first takes the record's write lock (SET of a _lock property that the
// same transaction removes), so that concurrent changes of one record
// serialise and none is lost: UpdateRequest locks the request,
// ChangeShortlist locks the request too (which also serialises the
// creation of its entries), PutProfile MERGEs the profile node on its
// constrained key and locks it. The audit Seq comes from incrementing the
// counter node, whose lock is taken last and held until commit, so Seq
// grows by one per committed change, in commit order.
//
// # Transactions
//
// Every Upsert call is one write transaction: the whole batch is stored or
// nothing is. Within it, rows go to the server in UNWIND statements of
// chunkSize rows. Statements use MERGE, so a transaction function the driver
// retries after a transient error gives the same result. Reads of a single
// answer run in one read transaction; scans page through the ids in their own
// transactions and call their function outside of any.
//
// # Errors
//
// Driver errors are mapped to graph codes: a server that cannot be reached,
// a lost connection or a deadline that passes give EUNAVAILABLE, a broken
// uniqueness constraint gives ECONFLICT, anything else EINTERNAL. The driver
// reconnects by itself once the server is back; the store keeps no state
// about past failures.
package neo4j
