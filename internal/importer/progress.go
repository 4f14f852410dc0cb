package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress follows a long-running stage of an import.
type Progress interface {
	// Start begins a stage of total steps (0 when the total is unknown).
	Start(stage string, total int)
	// Add advances the current stage by n steps.
	Add(n int)
	// Done ends the current stage.
	Done()
}

// NopProgress reports nothing.
type NopProgress struct{}

// Start does nothing.
func (NopProgress) Start(string, int) {}

// Add does nothing.
func (NopProgress) Add(int) {}

// Done does nothing.
func (NopProgress) Done() {}

// NewProgress returns a progress bar redrawn in place when w is a terminal
// and plain progress lines otherwise.
func NewProgress(w io.Writer) Progress {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return &barProgress{w: w}
		}
	}
	return &lineProgress{w: w}
}

// barProgress draws "stage [=====>    ] 45% 12345/27000" on one line.
type barProgress struct {
	w            io.Writer
	stage        string
	total, done  int
	lastDrawn    time.Time
	lastFraction int
}

func (p *barProgress) Start(stage string, total int) {
	p.stage, p.total, p.done = stage, total, 0
	p.draw(true)
}

func (p *barProgress) Add(n int) {
	p.done += n
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
	if !force && time.Since(p.lastDrawn) < 100*time.Millisecond {
		return
	}
	p.lastDrawn = time.Now()
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%-28s %d", p.stage, p.done)
		return
	}
	const width = 30
	filled := min(width, p.done*width/p.total)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r%-28s [%s] %3d%% %d/%d", p.stage, bar, p.done*100/p.total, p.done, p.total)
}

// lineProgress writes a line at the start and end of a stage and one for
// every tenth of a stage whose total is known.
type lineProgress struct {
	w           io.Writer
	stage       string
	total, done int
	tenth       int
	started     time.Time
}

func (p *lineProgress) Start(stage string, total int) {
	p.stage, p.total, p.done, p.tenth, p.started = stage, total, 0, 0, time.Now()
	if total > 0 {
		fmt.Fprintf(p.w, "%s: %d to do\n", stage, total)
	} else {
		fmt.Fprintf(p.w, "%s...\n", stage)
	}
}

func (p *lineProgress) Add(n int) {
	p.done += n
	if p.total <= 0 {
		return
	}
	if t := p.done * 10 / p.total; t > p.tenth && t < 10 {
		p.tenth = t
		fmt.Fprintf(p.w, "%s: %d%% (%d/%d)\n", p.stage, t*10, p.done, p.total)
	}
}

func (p *lineProgress) Done() {
	fmt.Fprintf(p.w, "%s: done, %d in %v\n", p.stage, p.done, time.Since(p.started).Round(time.Millisecond))
}
