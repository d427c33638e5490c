package vpdq

import (
	"bytes"
	"path/filepath"
	"strings"
)

// extensions are the file names of video in the containers ctis opens.
var extensions = map[string]bool{
	".mp4": true, ".m4v": true, ".mov": true, ".3gp": true, ".3g2": true,
	".mkv": true, ".webm": true, ".avi": true, ".flv": true, ".ts": true,
	".mts": true, ".mpg": true, ".mpeg": true, ".ogv": true, ".wmv": true, ".asf": true,
}

// imageBrands are the ISO media brands of still images (HEIF, AVIF),
// which share MP4's box structure but are not video.
var imageBrands = []string{"heic", "heix", "mif1", "msf1", "avif", "avis"}

// IsVideo tells whether a file is to be hashed as video, by its name's
// extension or by its first bytes (at least 12 of them, and 189 to know
// an MPEG transport stream), so that a video saved under another name is
// still seen for what it is. Whether ffmpeg can decode it is for Hash to
// find out.
func IsVideo(name string, head []byte) bool {
	if extensions[strings.ToLower(filepath.Ext(name))] {
		return true
	}
	switch {
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		brand := string(head[8:12])
		for _, b := range imageBrands {
			if brand == b {
				return false
			}
		}
		return true
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}): // EBML: Matroska, WebM
		return true
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "AVI ":
		return true
	case bytes.HasPrefix(head, []byte("FLV\x01")):
		return true
	case bytes.HasPrefix(head, []byte{0x00, 0x00, 0x01, 0xBA}): // MPEG program stream
		return true
	case len(head) > 188 && head[0] == 0x47 && head[188] == 0x47: // MPEG transport stream
		return true
	case bytes.HasPrefix(head, []byte{0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11}): // ASF, WMV
		return true
	}
	return false
}
