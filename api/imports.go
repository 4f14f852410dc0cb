package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/twinning/twinning/graph"
)

// ImportKinds are the kinds of file that POST /v1/admin/imports takes, as
// "twinning import KIND" reads them.
var ImportKinds = []string{"geonames", "hromadas", "lau", "twins", "wikidata", "registry"}

// An ImportRequest is an import that the API received, its files spooled
// to disk.
type ImportRequest struct {
	// Kind is one of ImportKinds.
	Kind string
	// Name is the file's name as the client gave it, for the report.
	Name string
	// Path is the file on the server's disk.
	Path string
	// CountryInfo and Admin1 are GeoNames' countryInfo.txt and admin1
	// codes sent with a geonames file ("" when not sent).
	CountryInfo, Admin1 string
	// Countries are the ISO codes a geonames import keeps ("" for its
	// default), comma-separated.
	Countries string
	// CreateMissing creates the places of a pair file that do not resolve.
	CreateMissing bool
	// Strict aborts at the first bad row, before anything is written.
	Strict bool
	// BatchSize is the records per all-or-none write (0: the importer's
	// default).
	BatchSize int
}

// ImportProgress is what an ImportFunc reports while it runs: the stages
// of importer.Progress, and every batch once it is written (committed).
type ImportProgress interface {
	// Start begins a stage of total steps (0 when unknown).
	Start(stage string, total int)
	// StartBytes begins a stage that reads size bytes.
	StartBytes(stage string, size int64)
	// Add advances the stage by n steps.
	Add(n int)
	// Done ends the stage.
	Done()
	// Batch says that a batch of rows of what (municipalities,
	// partnerships) is written: acknowledged, it survives a crash.
	Batch(what string, rows int)
}

// An ImportFunc runs one import into the server's store and returns its
// report as text. It stops between batches when ctx ends.
type ImportFunc func(ctx context.Context, req ImportRequest, p ImportProgress) (report string, err error)

// The states of an import.
const (
	ImportQueued    = "queued"
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportFailed    = "failed"
	ImportCancelled = "cancelled"
)

// ImportStatus is the answer of GET /v1/admin/imports/{id}.
type ImportStatus struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	File  string `json:"file"`
	Bytes int64  `json:"bytes"`
	// State is queued, running, done, failed or cancelled.
	State    string     `json:"state"`
	Created  time.Time  `json:"created"`
	Started  *time.Time `json:"started,omitempty"`
	Finished *time.Time `json:"finished,omitempty"`
	// Stage is what the import is doing, StageDone of StageTotal steps
	// (bytes when reading the file; 0 when unknown).
	Stage      string `json:"stage,omitempty"`
	StageDone  int64  `json:"stage_done"`
	StageTotal int64  `json:"stage_total"`
	// BatchesWritten and RowsWritten count what is committed: every
	// batch counted here survives a crash of the server.
	BatchesWritten int `json:"batches_written"`
	RowsWritten    int `json:"rows_written"`
	// Report is the import's report, once it has ended.
	Report string `json:"report,omitempty"`
	// Error says why it failed or was cancelled.
	Error string `json:"error,omitempty"`
}

// importJob is one import: its status, behind mu, and its files.
type importJob struct {
	mu     sync.Mutex
	status ImportStatus
	req    ImportRequest
	dir    string // the spooled files, removed when the job ends
	cancel context.CancelFunc
}

// view returns a copy of the job's status.
func (j *importJob) view() ImportStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

func (j *importJob) update(fn func(s *ImportStatus)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(&j.status)
}

// Start begins a stage.
func (j *importJob) Start(stage string, total int) {
	j.update(func(s *ImportStatus) { s.Stage, s.StageDone, s.StageTotal = stage, 0, int64(total) })
}

// StartBytes begins a stage that reads size bytes.
func (j *importJob) StartBytes(stage string, size int64) {
	j.update(func(s *ImportStatus) { s.Stage, s.StageDone, s.StageTotal = stage, 0, size })
}

// Add advances the stage.
func (j *importJob) Add(n int) { j.update(func(s *ImportStatus) { s.StageDone += int64(n) }) }

// Done ends the stage.
func (j *importJob) Done() {}

// Batch counts a written batch.
func (j *importJob) Batch(_ string, rows int) {
	j.update(func(s *ImportStatus) { s.BatchesWritten++; s.RowsWritten += rows })
}

// spoolPrefix begins the name of every folder that holds an import's files.
const spoolPrefix = "twinning-import-"

// maxImportJobs is how many ended imports the server remembers.
const maxImportJobs = 100

// importQueueLen is how many imports may wait behind the one running.
const importQueueLen = 8

// imports runs the imports sent to the server, one at a time in the order
// they came.
type imports struct {
	run        ImportFunc
	dir        string
	maxBytes   int64
	afterWrite func()
	logger     *slog.Logger

	newID  func() string
	ctx    context.Context // ends with Close: the running import stops between batches
	stop   context.CancelFunc
	queue  chan *importJob
	worker sync.WaitGroup

	mu     sync.Mutex
	jobs   []*importJob // oldest first
	closed bool
}

// newImports starts the worker of run.
func newImports(run ImportFunc, dir string, maxBytes int64, afterWrite func(), newID func() string, logger *slog.Logger) *imports {
	ctx, stop := context.WithCancel(context.Background())
	if newID == nil {
		newID = func() string { return "imp_" + strings.ToLower(rand.Text()[:16]) }
	}
	im := &imports{run: run, dir: dir, maxBytes: maxBytes, afterWrite: afterWrite, newID: newID, logger: logger,
		ctx: ctx, stop: stop, queue: make(chan *importJob, importQueueLen)}
	im.sweep()
	im.worker.Go(im.work)
	return im
}

// staleSpool is the age past which a folder of spooled files that no
// import holds is removed when a server starts (one killed mid-import
// leaves its folder; a live server on the same folder renews none, so the
// age is that of its oldest waiting import).
const staleSpool = 24 * time.Hour

// sweep removes the spool folders that servers killed long ago left.
func (im *imports) sweep() {
	dir := im.dir
	if dir == "" {
		dir = os.TempDir()
	}
	old, _ := filepath.Glob(filepath.Join(dir, spoolPrefix+"*"))
	for _, d := range old {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > staleSpool {
			os.RemoveAll(d)
		}
	}
}

// work runs queued imports until Close.
func (im *imports) work() {
	for {
		select {
		case <-im.ctx.Done():
			for {
				select {
				case j := <-im.queue:
					im.end(j, "", context.Canceled)
				default:
					return
				}
			}
		case j := <-im.queue:
			im.runOne(j)
		}
	}
}

// runOne runs one import and reloads the server's indexes after it,
// whether it ended well or not: the batches it wrote are in the store.
func (im *imports) runOne(j *importJob) {
	ctx, cancel := context.WithCancel(im.ctx)
	defer cancel()
	now := time.Now().UTC()
	if im.ctx.Err() != nil { // closed while it waited
		im.end(j, "", context.Canceled)
		return
	}
	j.mu.Lock()
	if j.status.State != ImportQueued { // cancelled while it waited
		j.mu.Unlock()
		return
	}
	j.status.State, j.status.Started, j.cancel = ImportRunning, &now, cancel
	j.mu.Unlock()
	im.logger.Info("import started", "import", j.status.ID, "kind", j.req.Kind, "file", j.req.Name)
	report, err := im.run(ctx, j.req, j)
	if j.view().BatchesWritten > 0 && im.afterWrite != nil {
		im.afterWrite() // before the status says it ended
	}
	im.end(j, report, err)
}

// end records how j ended and removes its files.
func (im *imports) end(j *importJob, report string, err error) {
	now := time.Now().UTC()
	j.update(func(s *ImportStatus) {
		s.Finished, s.Report, s.Stage = &now, report, ""
		switch {
		case err == nil:
			s.State = ImportDone
		case errors.Is(err, context.Canceled):
			s.State, s.Error = ImportCancelled, "cancelled; whole batches only were written: "+err.Error()
		default:
			s.State, s.Error = ImportFailed, err.Error()
		}
	})
	os.RemoveAll(j.dir)
	v := j.view()
	im.logger.Info("import ended", "import", v.ID, "state", v.State, "batches", v.BatchesWritten, "rows", v.RowsWritten, "error", v.Error)
}

// close stops the worker: the running import stops between batches, the
// queued ones are cancelled.
func (im *imports) close() {
	im.mu.Lock()
	im.closed = true // no job is queued after this
	im.mu.Unlock()
	im.stop()
	im.worker.Wait()
}

// enqueue queues j and remembers it, unless the queue is full or closed.
func (im *imports) enqueue(j *importJob) error {
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.closed {
		return graph.Errorf(graph.EUNAVAILABLE, "the server is shutting down")
	}
	select {
	case im.queue <- j:
	default:
		return graph.Errorf(graph.EUNAVAILABLE, "%d imports are waiting already; send this one when one has ended", importQueueLen)
	}
	im.addLocked(j)
	return nil
}

// find returns the job of id, or nil.
func (im *imports) find(id string) *importJob {
	im.mu.Lock()
	defer im.mu.Unlock()
	for _, j := range im.jobs {
		if j.status.ID == id {
			return j
		}
	}
	return nil
}

// addLocked remembers j, forgetting the oldest ended jobs past
// maxImportJobs; im.mu is held.
func (im *imports) addLocked(j *importJob) {
	im.jobs = append(im.jobs, j)
	for len(im.jobs) > maxImportJobs {
		i := slices.IndexFunc(im.jobs, func(j *importJob) bool { return j.view().Finished != nil })
		if i < 0 {
			break
		}
		im.jobs = slices.Delete(im.jobs, i, i+1)
	}
}

// importRoutes are the operator's import routes, for admin keys.
func (s *Server) importRoutes(r chi.Router) {
	r.Post("/admin/imports", s.postImport)
	r.Get("/admin/imports", s.listImports)
	r.Get("/admin/imports/{id}", s.getImport)
	r.Delete("/admin/imports/{id}", s.cancelImport)
}

// isImportUpload says whether r sends an import's file, which may be far
// larger and slower than other bodies (Config.ImportMaxBytes).
func isImportUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == "/v1/admin/imports"
}

// postImport receives an import: the file as the body (or, for a geonames
// dump with its tables, multipart/form-data with parts file, country_info
// and admin1), spooled to disk before the answer; the import runs after
// the ones before it, and its status is at the Location answered.
func (s *Server) postImport(w http.ResponseWriter, r *http.Request) {
	if s.imports == nil {
		s.writeError(w, r, graph.Errorf(graph.EUNAVAILABLE, "this server takes no imports (its store is read by another process's imports, or imports are off)"))
		return
	}
	// An upload may take longer than the server's read and write
	// timeouts; the answer must still reach the client once it is queued.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	req, err := importRequestFrom(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dir, err := os.MkdirTemp(s.imports.dir, spoolPrefix)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	size, err := spool(r, dir, &req)
	var over tooLargeError
	switch {
	case errors.As(err, &over):
		os.RemoveAll(dir)
		s.writeProblem(w, problemFor(r, http.StatusRequestEntityTooLarge, "body_too_large", "Body too large", over.Error()))
		return
	case err != nil:
		os.RemoveAll(dir)
		s.writeError(w, r, err)
		return
	}
	j := &importJob{req: req, dir: dir, status: ImportStatus{ID: s.imports.newID(), Kind: req.Kind,
		File: req.Name, Bytes: size, State: ImportQueued, Created: time.Now().UTC()}}
	queued := j.view() // the worker may take it at once
	if err := s.imports.enqueue(j); err != nil {
		os.RemoveAll(dir)
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/admin/imports/"+queued.ID)
	s.writeJSON(w, http.StatusAccepted, queued)
}

// importRequestFrom reads the import's options from the query.
func importRequestFrom(r *http.Request) (ImportRequest, error) {
	q := r.URL.Query()
	req := ImportRequest{Kind: q.Get("kind"), Name: q.Get("name"), Countries: q.Get("countries")}
	if !slices.Contains(ImportKinds, req.Kind) {
		return req, graph.FieldErrorf("kind", "%q is not a kind of import; expected one of %s", req.Kind, strings.Join(ImportKinds, ", "))
	}
	for name, dst := range map[string]*bool{"create_missing": &req.CreateMissing, "strict": &req.Strict} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return req, graph.FieldErrorf(name, "%q is not true or false", v)
			}
			*dst = b
		}
	}
	if v := q.Get("batch"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100_000 {
			return req, graph.FieldErrorf("batch", "%q is not a number of records from 1 to 100000", v)
		}
		req.BatchSize = n
	}
	if req.Kind != "geonames" && req.Countries != "" {
		return req, graph.FieldErrorf("countries", "only a geonames import keeps countries")
	}
	return req, nil
}

// spool writes the request's files into dir and sets their paths in req:
// the body is the file, or multipart/form-data parts file, country_info
// and admin1. It returns the file's size.
func spool(r *http.Request, dir string, req *ImportRequest) (int64, error) {
	save := func(name string, src io.Reader) (string, int64, error) {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return "", 0, err
		}
		in := &readErr{r: src}
		n, err := io.Copy(f, in)
		if err = errors.Join(err, f.Close()); err != nil {
			return "", 0, uploadError(err, in.err)
		}
		return path, n, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var size int64
	if mt != "multipart/form-data" {
		path, n, err := save(fileName(req.Name), r.Body)
		if err != nil {
			return 0, err
		}
		req.Path, size = path, n
	} else {
		mr, err := r.MultipartReader()
		if err != nil {
			return 0, graph.FieldErrorf("body", "not multipart/form-data: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return 0, uploadError(err, err)
			}
			var dst *string
			name := part.FormName()
			switch name {
			case "file":
				dst = &req.Path
				if req.Name == "" {
					req.Name = part.FileName()
				}
				name = fileName(req.Name)
			case "country_info":
				dst = &req.CountryInfo
			case "admin1":
				dst = &req.Admin1
			default:
				return 0, graph.FieldErrorf("body", "part %q is not one of file, country_info, admin1", part.FormName())
			}
			path, n, err := save(name, part)
			if err != nil {
				return 0, err
			}
			*dst = path
			if part.FormName() == "file" {
				size = n
			}
		}
		if req.Path == "" {
			return 0, graph.FieldErrorf("body", "no part named file")
		}
	}
	if size == 0 {
		return 0, graph.FieldErrorf("body", "the file is empty")
	}
	if req.Kind == "geonames" && req.CountryInfo == "" && req.Countries == "" {
		return 0, graph.FieldErrorf("countries", "a geonames import needs countries=CC,CC or a country_info part (GeoNames countryInfo.txt, for the default set of European countries)")
	}
	req.Name = fileName(req.Name)
	return size, nil
}

// readErr is a reader that keeps the error it met, to tell a failed upload
// from a failed write to the disk.
type readErr struct {
	r   io.Reader
	err error
}

// Read reads from the upload.
func (r *readErr) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// tooLargeError is an upload over the server's limit: 413.
type tooLargeError struct{ limit int64 }

func (e tooLargeError) Error() string {
	return fmt.Sprintf("the file is over %d bytes; the server takes at most that (serve -import-max-mb)", e.limit)
}

// uploadError classes an error of spooling: an upload over the limit
// (413), one that could not be read (400, the client's), or one that could
// not be written (the server's disk: 500, logged).
func uploadError(err, readErr error) error {
	var over *http.MaxBytesError
	switch {
	case errors.As(err, &over):
		return tooLargeError{over.Limit}
	case readErr != nil:
		return graph.Wrap(graph.EINVALID, err, "the file could not be read whole")
	}
	return fmt.Errorf("spool the upload: %w", err)
}

// fileName is the base name of the file the client names, kept for the
// import's report ("upload" when it names none).
func fileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "" || name == "." || name == "/" || name == ".." || name == "country_info" || name == "admin1" {
		return "upload"
	}
	return name
}

// getImport answers an import's status.
func (s *Server) getImport(w http.ResponseWriter, r *http.Request) {
	j := s.importByID(w, r)
	if j != nil {
		s.writeJSON(w, http.StatusOK, j.view())
	}
}

// importIDPattern is the form of an import's id.
var importIDPattern = regexp.MustCompile(`^imp_[a-z2-7]{16}$`)

// importByID finds the job of the path's id, answering 400 for a text
// that is no import id and 404 when there is no such import.
func (s *Server) importByID(w http.ResponseWriter, r *http.Request) *importJob {
	id := r.PathValue("id")
	if !importIDPattern.MatchString(id) {
		s.writeError(w, r, graph.FieldErrorf("id", "%q is not an import id (imp_ and 16 of a-z 2-7)", id))
		return nil
	}
	var j *importJob
	if s.imports != nil {
		j = s.imports.find(id)
	}
	if j == nil {
		s.writeError(w, r, graph.Errorf(graph.ENOTFOUND, "no import %s on this server (it remembers its last %d, until it restarts)", id, maxImportJobs))
	}
	return j
}

// listImports answers the imports the server remembers, newest first.
func (s *Server) listImports(w http.ResponseWriter, r *http.Request) {
	out := []ImportStatus{}
	if s.imports != nil {
		s.imports.mu.Lock()
		for i := len(s.imports.jobs) - 1; i >= 0; i-- {
			out = append(out, s.imports.jobs[i].view())
		}
		s.imports.mu.Unlock()
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"imports": out})
}

// cancelImport cancels a queued import, or stops a running one after its
// batch under way (the batches written stay); an ended import is
// forgotten.
func (s *Server) cancelImport(w http.ResponseWriter, r *http.Request) {
	j := s.importByID(w, r)
	if j == nil {
		return
	}
	j.mu.Lock()
	state, cancel := j.status.State, j.cancel
	if state == ImportQueued {
		j.status.State = ImportCancelled // the worker passes over it
		now := time.Now().UTC()
		j.status.Finished, j.status.Error = &now, "cancelled before it began"
	}
	j.mu.Unlock()
	switch state {
	case ImportQueued:
		os.RemoveAll(j.dir)
	case ImportRunning:
		cancel()
	default:
		s.imports.mu.Lock()
		s.imports.jobs = slices.DeleteFunc(s.imports.jobs, func(x *importJob) bool { return x == j })
		s.imports.mu.Unlock()
	}
	s.writeJSON(w, http.StatusOK, j.view())
}

// Close stops the server's background work: an import under way stops
// after its batch in flight, and those waiting are cancelled. Call it
// before closing the store.
func (s *Server) Close() error {
	if s.imports != nil {
		s.imports.close()
	}
	return nil
}
