package hashindex

import (
	"syscall"
	"unsafe"
)

// madvHugepage is MADV_HUGEPAGE: back the range with transparent huge
// pages when the system is set to "madvise" (or "always").
const madvHugepage = 14

// hugePage is the size of a transparent huge page on x86-64 and arm64.
const hugePage = 2 << 20

// mapHuge maps size bytes starting on a huge-page boundary, so that the
// whole array can be backed by huge pages; it returns the mapping and the
// array within it.
func mapHuge(size int) (mapping, data []byte, err error) {
	rounded := (size + hugePage - 1) &^ (hugePage - 1)
	m, err := syscall.Mmap(-1, 0, rounded+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, nil, err
	}
	off := int(-uintptr(unsafe.Pointer(&m[0])) & (hugePage - 1))
	data = m[off : off+rounded : off+rounded]
	syscall.Madvise(data, madvHugepage) // advice only: without it, plain pages
	return m, data[:size], nil
}

func unmap(b []byte) { syscall.Munmap(b) }
