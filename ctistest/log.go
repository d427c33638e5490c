package ctistest

import (
	"bytes"
	"sync"
)

// Log is a log sink a server's goroutines can write to while a test reads
// it, to check what was logged (and that no personal data was).
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
