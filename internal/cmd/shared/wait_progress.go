package shared

import (
	"fmt"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/spinner"

	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/wait"
)

// waitReporter shows the wait's phase on stderr: a spinner with the phase on a terminal,
// one line per phase change on a pipe (a CI log reads like a story, not a redraw).
type waitReporter struct {
	ios  *iostreams.IOStreams
	tty  bool
	mu   sync.Mutex
	text string
	done chan struct{}
	wg   sync.WaitGroup
}

func newWaitReporter(ios *iostreams.IOStreams) *waitReporter {
	r := &waitReporter{ios: ios, tty: ios.IsStderrTTY(), done: make(chan struct{})}
	if r.tty {
		r.wg.Add(1)
		go r.spin()
	}
	return r
}

func (r *waitReporter) phase(p wait.Phase) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.tty {
		fmt.Fprintln(r.ios.ErrOut, p.Text)
		return
	}
	if r.text != "" {
		fmt.Fprintf(r.ios.ErrOut, "\r\x1b[K✓ %s\n", r.text)
	}
	r.text = p.Text
	if p.Name == "done" {
		fmt.Fprintf(r.ios.ErrOut, "\r\x1b[K✓ %s\n", r.text)
		r.text = ""
	}
}

func (r *waitReporter) spin() {
	defer r.wg.Done()
	frames := spinner.Dot
	t := time.NewTicker(frames.FPS)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-r.done:
			return
		case <-t.C:
		}
		r.mu.Lock()
		if r.text != "" {
			fmt.Fprintf(r.ios.ErrOut, "\r\x1b[K%s %s", frames.Frames[i%len(frames.Frames)], r.text)
		}
		r.mu.Unlock()
	}
}

// stop ends the spinner and clears its line.
func (r *waitReporter) stop() {
	close(r.done)
	r.wg.Wait()
	if r.tty {
		r.mu.Lock()
		if r.text != "" {
			fmt.Fprint(r.ios.ErrOut, "\r\x1b[K")
		}
		r.mu.Unlock()
	}
}
