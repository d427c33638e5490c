package pdq

import "testing"

func TestHashRoundTrip(t *testing.T) {
	const s = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
	h, err := ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	if h.String() != s {
		t.Fatalf("round trip: %s", h)
	}
	// The last hex digit 2 = 0010: bit 1 set, bits 0, 2, 3 clear.
	if !h.Bit(1) || h.Bit(0) || h.Bit(2) || h.Bit(3) {
		t.Fatal("low bits misplaced")
	}
	// The first hex digit f: bits 255..252 set.
	for i := 252; i < 256; i++ {
		if !h.Bit(i) {
			t.Fatalf("bit %d clear", i)
		}
	}
	var z Hash
	z.SetBit(255)
	z.SetBit(0)
	if z.String() != "8000000000000000000000000000000000000000000000000000000000000001" {
		t.Fatalf("SetBit: %s", z)
	}
	if Distance(h, h) != 0 || Distance(z, Hash{}) != 2 {
		t.Fatal("distance")
	}
}

func TestParseHashRejects(t *testing.T) {
	for _, s := range []string{"", "abc", "zz" + string(make([]byte, 62))} {
		if _, err := ParseHash(s); err == nil {
			t.Fatalf("%q accepted", s)
		}
	}
}
