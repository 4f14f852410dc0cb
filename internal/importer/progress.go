package importer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Progress follows a long-running stage of an import.
type Progress interface {
	// Start begins a stage of total steps (0 when the total is unknown).
	Start(stage string, total int)
	// StartBytes begins a stage that reads size bytes (0 when unknown).
	StartBytes(stage string, size int64)
	// Add advances the current stage by n steps (bytes for StartBytes).
	Add(n int)
	// Done ends the current stage.
	Done()
}

// NopProgress reports nothing.
type NopProgress struct{}

// Start does nothing.
func (NopProgress) Start(string, int) {}

// StartBytes does nothing.
func (NopProgress) StartBytes(string, int64) {}

// Add does nothing.
func (NopProgress) Add(int) {}

// Done does nothing.
func (NopProgress) Done() {}

// NewProgress returns a progress bar redrawn in place when w is a terminal
// and plain progress lines otherwise.
func NewProgress(w io.Writer) Progress {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return &barProgress{stageClock: stageClock{now: time.Now}, w: w}
		}
	}
	return &lineProgress{stageClock: stageClock{now: time.Now}, w: w}
}

// stageClock is what both kinds of progress keep of a stage: its name,
// size and unit, how far it is, and when it began, from which it tells the
// rate and the time left.
type stageClock struct {
	now         func() time.Time
	stage       string
	total, done int64
	bytes       bool
	started     time.Time
}

func (c *stageClock) begin(stage string, total int64, bytes bool) {
	c.stage, c.total, c.done, c.bytes, c.started = stage, total, 0, bytes, c.now()
}

// amount writes n in the stage's unit: "31.0 MB", "12 kB" or "32,847".
func (c *stageClock) amount(n int64) string {
	switch {
	case c.bytes && c.total >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case c.bytes:
		return fmt.Sprintf("%d kB", (n+999)/1000)
	}
	return thousands(n)
}

// pace says the rate and, when the total is known, the time left: "12.1
// MB/s, about 2s left"; "" before a tenth of a second has passed.
func (c *stageClock) pace() string {
	elapsed := c.now().Sub(c.started).Seconds()
	if elapsed < 0.1 || c.done == 0 {
		return ""
	}
	rate := float64(c.done) / elapsed
	var s string
	if c.bytes {
		s = fmt.Sprintf("%.1f MB/s", rate/1e6)
	} else {
		s = thousands(int64(rate)) + "/s"
	}
	if c.total > c.done {
		left := time.Duration(float64(c.total-c.done) / rate * float64(time.Second))
		if left < time.Second {
			s += ", under a second left"
		} else {
			s += ", about " + left.Round(time.Second).String() + " left"
		}
	}
	return s
}

// thousands writes n with thousands separators.
func thousands(n int64) string { return message.NewPrinter(language.English).Sprint(n) }

// barProgress draws "stage [=====>    ] 45% 12,345/27,000 8,100/s, about
// 2s left" on one line.
type barProgress struct {
	stageClock
	w         io.Writer
	lastDrawn time.Time
}

func (p *barProgress) Start(stage string, total int) {
	p.begin(stage, int64(total), false)
	p.draw(true)
}

func (p *barProgress) StartBytes(stage string, size int64) {
	p.begin(stage, size, true)
	p.draw(true)
}

func (p *barProgress) Add(n int) {
	p.done += int64(n)
	p.draw(false)
}

func (p *barProgress) Done() {
	if p.total > 0 {
		p.done = p.total
	}
	p.draw(true)
	fmt.Fprintln(p.w)
}

func (p *barProgress) draw(force bool) {
	if !force && p.now().Sub(p.lastDrawn) < 100*time.Millisecond {
		return
	}
	p.lastDrawn = p.now()
	pace := p.pace()
	if pace != "" {
		pace = " " + pace
	}
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%-28s %s%s\x1b[K", p.stage, p.amount(p.done), pace)
		return
	}
	const width = 30
	filled := int(min(width, p.done*width/p.total))
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r%-28s [%s] %3d%% %s/%s%s\x1b[K", p.stage, bar, p.done*100/p.total, p.amount(p.done), p.amount(p.total), pace)
}

// lineProgress writes a line at the start and end of a stage and one for
// every tenth of a stage whose total is known, with the rate and the time
// left.
type lineProgress struct {
	stageClock
	w     io.Writer
	tenth int64
}

func (p *lineProgress) Start(stage string, total int) {
	p.begin(stage, int64(total), false)
	p.announce()
}

func (p *lineProgress) StartBytes(stage string, size int64) {
	p.begin(stage, size, true)
	p.announce()
}

// announce writes the first line of a stage.
func (p *lineProgress) announce() {
	p.tenth = 0
	if p.total > 0 {
		fmt.Fprintf(p.w, "%s: %s to do\n", p.stage, p.amount(p.total))
	} else {
		fmt.Fprintf(p.w, "%s...\n", p.stage)
	}
}

func (p *lineProgress) Add(n int) {
	p.done += int64(n)
	if p.total <= 0 {
		return
	}
	if t := p.done * 10 / p.total; t > p.tenth && t < 10 {
		p.tenth = t
		line := fmt.Sprintf("%s: %d%% (%s/%s", p.stage, t*10, p.amount(p.done), p.amount(p.total))
		if pace := p.pace(); pace != "" {
			line += ", " + pace
		}
		fmt.Fprintln(p.w, line+")")
	}
}

func (p *lineProgress) Done() {
	fmt.Fprintf(p.w, "%s: done, %s in %v\n", p.stage, p.amount(p.done), p.now().Sub(p.started).Round(time.Millisecond))
}

// readingProgress counts the bytes read from a file into a Progress.
type readingProgress struct {
	r io.Reader
	p Progress
}

func (r readingProgress) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.Add(n)
	return n, err
}

// startReading begins the stage of reading file from r: in bytes when r
// is a file whose size is known, so that the bar moves while the file is
// read, else in rows, told when it is read (doneReading). It returns the
// reader to read from.
func startReading(p Progress, r io.Reader, file string) (io.Reader, bool) {
	stage := "reading " + filepath.Base(file)
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			p.StartBytes(stage, fi.Size())
			return readingProgress{r, p}, true
		}
	}
	p.Start(stage, 0)
	return r, false
}
