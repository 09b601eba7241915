package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is one timed process: its wall time, its own peak RSS as /proc sampled it, and
// the kernel's peak for it and the children it waited for (an upper bound).
type sample struct {
	wall       time.Duration
	ownRSSKB   int64
	treeRSSKB  int64
	stdout     []byte
	stderrTail string
}

// timed runs one command and measures it. A failure is returned with the command's stderr.
func timed(env []string, dir string, name string, args ...string) (sample, error) {
	c := exec.Command(name, args...)
	c.Dir, c.Env = dir, env
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	start := time.Now()
	if err := c.Start(); err != nil {
		return sample{}, err
	}
	peak := make(chan int64, 1)
	stop := make(chan struct{})
	go func() { peak <- watchHWM(c.Process.Pid, stop) }()
	err := c.Wait()
	wall := time.Since(start)
	close(stop)
	s := sample{wall: wall, ownRSSKB: <-peak, stdout: stdout.Bytes(), stderrTail: tail(stderr.String(), 2000)}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.treeRSSKB = ru.Maxrss
	}
	if err != nil {
		return s, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, s.stderrTail)
	}
	return s, nil
}

// watchHWM polls the process's VmHWM (its own peak resident set, children excluded) until
// stop closes, and returns the last value read: VmHWM only grows, so the last read is the
// peak up to a millisecond before exit.
func watchHWM(pid int, stop <-chan struct{}) int64 {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	var last int64
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if v := readHWM(path); v > last {
			last = v
		}
		select {
		case <-stop:
			return last
		case <-tick.C:
		}
	}
}

func readHWM(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// series is the repeated timings of one case.
type series []time.Duration

func (s series) median() time.Duration {
	c := slices.Clone(s)
	slices.Sort(c)
	if len(c) == 0 {
		return 0
	}
	return c[len(c)/2]
}

func (s series) spread() string {
	if len(s) == 0 {
		return "-"
	}
	return fmt.Sprintf("%s–%s", secs(slices.Min(s)), secs(slices.Max(s)))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
