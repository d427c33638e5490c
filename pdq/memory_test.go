package pdq

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"sync"
	"testing"
	"time"
)

// bigPNG is a PNG of w×h RGBA pixels, a gradient that compresses to a
// megabyte or two however large the picture: written row by row,
// so making it costs no memory.
func bigPNG(t testing.TB, w, h int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 6 // 8 bits a sample, RGBA
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := make([]byte, 1+4*w)
	for y := range h {
		row[0] = 0
		for x := range w {
			row[1+4*x], row[2+4*x], row[3+4*x], row[4+4*x] = uint8(x*4/w*64), uint8(y*4/h*64), uint8((x/1024+y/1024)%2*255), 255
		}
		if _, err := z.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// peakHeap runs f and returns the most heap in use, sampled every
// millisecond, above what was in use before.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak - base
}

// TestDecodeMemory: a 64-megapixel PNG of under two megabytes
// decodes to 256 MiB of pixels. Eight uploads of it at once must not
// take eight, or one per core, times that: the decodes queue for the
// node's decode budget.
//
//	go test -run DecodeMemory -v ./pdq/
func TestDecodeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes nine 64-megapixel images")
	}
	data := bigPNG(t, 8192, 8192)
	t.Logf("a %d×%d PNG of %d KB", 8192, 8192, len(data)>>10)
	var mu sync.Mutex
	var want string
	hash := func() {
		f, err := HashFile(bytes.NewReader(data), false)
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if want != "" && f.PDQ != want {
			t.Errorf("hash %s, want %s", f.PDQ, want)
		}
		want = f.PDQ
	}
	one := peakHeap(hash)
	eight := peakHeap(func() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { hash() })
		}
		wg.Wait()
	})
	t.Logf("peak heap: one at a time %d MiB, eight at once %d MiB (GOMAXPROCS %d)", one>>20, eight>>20, runtime.GOMAXPROCS(0))
	if bound := uint64(400 << 20); eight > bound {
		t.Errorf("eight at once took %d MiB of heap; at most %d MiB", eight>>20, bound>>20)
	}
}

// TestBudget: a decode waits until its bytes are free, in turn; one over
// the whole budget takes the whole.
func TestBudget(t *testing.T) {
	b := &budget{size: 100}
	if n := b.acquire(60); n != 60 {
		t.Fatal(n)
	}
	got := make(chan int64, 2)
	waiters := func(n int) {
		for {
			b.mu.Lock()
			w := len(b.waiting)
			b.mu.Unlock()
			if w == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	go func() { got <- b.acquire(500) }()
	waiters(1)
	go func() { got <- b.acquire(10) }() // would fit, but comes after
	waiters(2)
	b.release(60)
	if n := <-got; n != 100 {
		t.Fatalf("the large decode took %d", n)
	}
	select {
	case n := <-got:
		t.Fatalf("acquired %d beside the whole budget", n)
	case <-time.After(20 * time.Millisecond):
	}
	b.release(100)
	if n := <-got; n != 10 {
		t.Fatal(n)
	}
}
