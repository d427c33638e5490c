package hashbank

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"time"

	"ctis"
	"ctis/vpdq"
)

// UploadLimits bound a video uploaded to be matched: a quarter of a
// gigabyte and half an hour of up to 4K, hashed within two minutes and
// 1 GiB of memory, at most MaxVideoFrames frames.
var UploadLimits = vpdq.Limits{
	MaxBytes:    256 << 20,
	MaxSide:     4096,
	MaxDuration: 30 * time.Minute,
	MaxFrames:   ctis.MaxVideoFrames,
	Timeout:     2 * time.Minute,
	Memory:      1 << 30,
}

// UploadLimitsOr is l with each zero field taken from UploadLimits.
func UploadLimitsOr(l vpdq.Limits) vpdq.Limits {
	d := UploadLimits
	or := func(v *int64, dv int64) {
		if *v <= 0 {
			*v = dv
		}
	}
	or(&l.MaxBytes, d.MaxBytes)
	or(&l.Memory, d.Memory)
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	if l.MaxFrames <= 0 {
		l.MaxFrames = d.MaxFrames
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = d.MaxDuration
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// HashUpload hashes an uploaded video with vpdq, one frame a second, as
// the API and the pages take it: the bytes go to a temporary file that
// is removed as soon as ffmpeg has read it, and the frames are returned.
// A video over l, or one ffmpeg cannot read, is EINVALID or ETOOLARGE
// naming the field "video"; its path is never in the message.
func HashUpload(ctx context.Context, r io.Reader, l vpdq.Limits) ([]ctis.VideoFrame, error) {
	l = UploadLimitsOr(l)
	f, err := os.CreateTemp("", "ctis-video-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	n, err := io.Copy(f, io.LimitReader(r, l.MaxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if n > l.MaxBytes {
		return nil, &ctis.Error{Code: ctis.ETOOLARGE, Field: "video", Message: "the video is larger than " + mib(l.MaxBytes)}
	}
	fs, err := vpdq.Hash(ctx, f.Name(), vpdq.Options{Limits: l})
	switch {
	case errors.Is(err, vpdq.ErrLimit):
		return nil, &ctis.Error{Code: ctis.ETOOLARGE, Field: "video", Message: err.Error()}
	case errors.Is(err, vpdq.ErrNotVideo):
		return nil, &ctis.Error{Code: ctis.EINVALID, Field: "video", Message: err.Error()}
	case err != nil:
		return nil, err
	}
	if len(fs) > ctis.MaxVideoFrames {
		return nil, &ctis.Error{Code: ctis.ETOOLARGE, Field: "video", Message: "the video has more frames than a match takes"}
	}
	return Frames(fs), nil
}

func mib(n int64) string {
	return strconv.FormatInt(n>>20, 10) + " MiB"
}
