// Package vpdq computes and matches vPDQ, the video hash Meta published
// beside PDQ (github.com/facebook/ThreatExchange, vpdq/): frames sampled
// from a video, each hashed with PDQ and kept with its quality and
// timestamp. Two videos match when enough of the query's frames have a
// frame of the stored video within the PDQ radius, and enough of the
// stored video's frames are so matched; frame order plays no part, so a
// clip cut from a longer video still matches it.
//
// Frames are decoded by Debian's ffmpeg, run as a child process with a
// time limit, a memory limit and no network, and probed first so that a
// hostile file (huge frames, an endless stream, a container ffmpeg should
// not open) is refused before any frame is decoded. Implemented from the
// published description and the reference's behaviour; no code was taken
// from it.
package vpdq

import "ctis/pdq"

// Feature is one hashed frame: the reference calls it a vPDQ feature.
type Feature struct {
	Frame   int      // the frame's number in decoding order, from 0
	Quality int      // PDQ quality, 0 to 100; under 50 the hash says little
	Hash    pdq.Hash // the frame's PDQ hash
	Time    float64  // seconds from the start: Frame over the frame rate
}

// collapse drops each frame within within bits of the last frame kept, as
// the reference describes pruning: runs of near-identical frames (a still
// scene, a title card) keep their first frame. A negative within keeps
// every frame.
func collapse(fs []Feature, within int) []Feature {
	if within < 0 || len(fs) == 0 {
		return fs
	}
	out := fs[:1]
	for _, f := range fs[1:] {
		if pdq.Distance(f.Hash, out[len(out)-1].Hash) > within {
			out = append(out, f)
		}
	}
	return out
}
