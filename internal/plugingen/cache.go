package plugingen

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Bounds of the answers one snapshot keeps encoded. Under load most requests repeat a few
// filters; a client that sends a new one every time must only evict, never grow the heap.
const (
	maxCachedAnswers = 1024
	maxCachedBytes   = 16 << 20
	// entryOverhead approximates what an entry costs beyond its key and answer.
	entryOverhead = 64
)

// answerCache is a least-recently-used map of filter -> encoded answer, bounded by entries
// and by bytes.
type answerCache struct {
	mu    sync.Mutex
	lru   *simplelru.LRU[string, []byte]
	bytes int
}

func newAnswerCache() *answerCache {
	c := &answerCache{}
	// NewLRU fails only for a size below 1.
	c.lru, _ = simplelru.NewLRU(maxCachedAnswers, func(key string, answer []byte) {
		c.bytes -= entryCost(key, answer)
	})
	return c
}

func entryCost(key string, answer []byte) int { return len(key) + len(answer) + entryOverhead }

func (c *answerCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Get(key)
}

// add keeps answer unless it alone is over a quarter of the byte bound; older entries make
// room.
func (c *answerCache) add(key string, answer []byte) {
	cost := entryCost(key, answer)
	if cost > maxCachedBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Contains(key) {
		return
	}
	for c.bytes+cost > maxCachedBytes && c.lru.Len() > 0 {
		c.lru.RemoveOldest()
	}
	c.lru.Add(key, answer)
	c.bytes += cost
}

// size is the number of answers kept and their cost in bytes.
func (c *answerCache) size() (n, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}
