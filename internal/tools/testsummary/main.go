// Command testsummary runs `go test -json` with the given flags and packages, prints the
// usual package lines and the full output of every failing test, and closes with
// "N passed, N failed, N skipped" and the reason for each skip: a skip must be seen, since
// CI's log must show none. It exits with go test's status. `make test` runs it.
//
//	go run ./internal/tools/testsummary -race -count=1 ./...
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

func main() {
	os.Exit(run("", os.Args[1:], os.Stdout, os.Stderr))
}

// run runs go test in dir ("" for the working directory) and returns the exit status.
func run(dir string, args []string, stdout, stderr io.Writer) int {
	goBin := os.Getenv("GO")
	if goBin == "" {
		goBin = "go"
	}
	cmd := exec.Command(goBin, append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = stderr
	events, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	s := newSummary(stdout)
	readErr := s.Read(events)
	waitErr := cmd.Wait()
	s.Print(stdout)
	if readErr != nil {
		fmt.Fprintln(stderr, "testsummary: reading go test -json:", readErr)
		return 2
	}
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		return exit.ExitCode()
	case waitErr != nil:
		fmt.Fprintln(stderr, "testsummary:", waitErr)
		return 2
	case s.Failed() > 0:
		return 1
	}
	return 0
}
