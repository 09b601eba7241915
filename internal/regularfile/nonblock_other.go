//go:build !unix

package regularfile

// nonblock is 0 where FIFOs cannot be opened by path.
const nonblock = 0
