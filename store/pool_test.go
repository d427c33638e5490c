package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestPoolBeyondItsBound asks a pool, from several goroutines at once,
// more distinct queries than it keeps prepared, each twice: every one
// answers, the pool keeps no more than its bound, and the first ones
// stay prepared.
func TestPoolBeyondItsBound(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "pool.db"))
	if err != nil {
		t.Fatal(err)
	}
	p := newPool(db, true)
	defer p.Close()
	ctx := context.Background()
	const queries = maxPrepared + 200
	var wg sync.WaitGroup
	errs := make(chan error, 4*2*queries)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 2 {
				for i := range queries {
					n := (i + w*37) % queries
					var got int
					if err := p.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + ?", n), round).Scan(&got); err != nil || got != n+round {
						errs <- fmt.Errorf("query %d, round %d: got %d, %v", n, round, got, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.stmts) != maxPrepared {
		t.Fatalf("%d queries kept prepared, want the bound, %d", len(p.stmts), maxPrepared)
	}
}
