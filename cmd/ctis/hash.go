package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/spf13/cobra"

	"ctis/pdq"
	"ctis/vpdq"
)

func newHash() *cobra.Command {
	var asJSON, variants, everyFrame bool
	var rate float64
	var collapse int
	cmd := &cobra.Command{
		Use:   "hash FILE…",
		Short: "Print the PDQ hash, its quality, MD5 and SHA-256 of images, and the vPDQ hash of videos",
		Long: "Hash JPEG, PNG, GIF, WebP, BMP and TIFF images as the hash-sharing banks do: PDQ (with its quality,\n" +
			"0–100; below 50 the hash says little), MD5 and SHA-256. Pixels are hashed as stored; an EXIF\n" +
			"orientation is not applied, and --variants adds the hashes of the seven rotations and reflections,\n" +
			"which match an image however it was turned.\n\n" +
			"Videos (MP4, MOV, Matroska, WebM, AVI, FLV, MPEG, Ogg, WMV; known by name or content) get vPDQ, the\n" +
			"reference's file format: a line per sampled frame with its number, quality, PDQ hash and time in\n" +
			"seconds. Frames are decoded by Debian's ffmpeg, within time and memory limits.",
		Example: "  ctis hash photo.jpg\n  ctis hash --json --variants *.png\n  ctis hash clip.mp4 > clip.vpdq.txt\n  ctis hash --every-frame clip.mp4",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			failed := 0
			opts := vpdq.Options{Rate: rate, EveryFrame: everyFrame, Collapse: collapse}
			for _, name := range args {
				video, err := isVideo(name)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%v\n", err)
					failed++
					continue
				}
				if video {
					if err := printVideo(cmd, name, opts, asJSON, len(args) > 1); err != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", name, err)
						failed++
					}
					continue
				}
				h, err := hashImage(name, variants)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%v\n", err)
					failed++
					continue
				}
				if asJSON {
					if err := json.NewEncoder(out).Encode(struct {
						Name string `json:"file"`
						*pdq.File
					}{name, h}); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(out, "%s  pdq %s quality %d  md5 %s  sha256 %s\n", name, h.PDQ, h.Quality, h.MD5, h.SHA256)
				for i, v := range h.Variants {
					fmt.Fprintf(out, "  variant %d %s\n", i+1, v)
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files could not be hashed", failed, len(args))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per file")
	cmd.Flags().BoolVar(&variants, "variants", false, "also hash the seven rotations and reflections")
	cmd.Flags().Float64Var(&rate, "rate", 1, "video frames hashed a second")
	cmd.Flags().BoolVar(&everyFrame, "every-frame", false, "hash every video frame, as the reference's sample hashes are")
	cmd.Flags().IntVar(&collapse, "collapse", 0, "drop video frames within this many bits of the last frame kept (-1 keeps all)")
	return cmd
}

// isVideo tells a video from an image by the file's name or first bytes.
func isVideo(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, err
	}
	return vpdq.IsVideo(name, head[:n]), nil
}

// printVideo prints a video's vPDQ hash: the reference's lines, after the
// file's name when there are several files, or a JSON object.
func printVideo(cmd *cobra.Command, name string, o vpdq.Options, asJSON, several bool) error {
	fs, err := vpdq.Hash(cmd.Context(), name, o)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		type frame struct {
			Frame   int     `json:"frame"`
			Quality int     `json:"quality"`
			PDQ     string  `json:"pdq"`
			Time    float64 `json:"timestamp"`
		}
		v := struct {
			Name   string  `json:"file"`
			Frames []frame `json:"vpdq"`
		}{Name: name}
		for _, f := range fs {
			v.Frames = append(v.Frames, frame{f.Frame, f.Quality, f.Hash.String(), math.Round(f.Time*1000) / 1000})
		}
		return json.NewEncoder(out).Encode(v)
	}
	if several {
		fmt.Fprintf(out, "==> %s <==\n", name)
	}
	return vpdq.Write(out, fs)
}

// hashImage hashes the image in file name; errors name the file.
func hashImage(name string, variants bool) (*pdq.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := pdq.HashFile(f, variants)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return h, nil
}
