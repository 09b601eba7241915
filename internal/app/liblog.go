package app

import (
	"io"
	"log"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

// silenceLibraryLogs keeps the libraries gito embeds from printing their own log lines on
// stderr: kustomize's and Helm's warnings go through the standard logger, and carry
// absolute cache paths and half-sentences that break the one-line rule. Neither library
// takes a logger per call, so their output is dropped for the whole process; everything
// gito has to say about a render it says itself (refusals name the file, deprecated
// fields get one note).
func silenceLibraryLogs() {
	log.SetOutput(io.Discard)
	klog.SetLogger(logr.Discard())
}
