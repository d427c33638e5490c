package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"ctis/pdq"
)

func newHash() *cobra.Command {
	var asJSON, variants bool
	cmd := &cobra.Command{
		Use:   "hash FILE…",
		Short: "Print the PDQ hash, its quality, MD5 and SHA-256 of images",
		Long: "Hash JPEG, PNG, GIF, WebP, BMP and TIFF images as the hash-sharing banks do: PDQ (with its quality,\n" +
			"0–100; below 50 the hash says little), MD5 and SHA-256. Pixels are hashed as stored; an EXIF\n" +
			"orientation is not applied, and --variants adds the hashes of the seven rotations and reflections,\n" +
			"which match an image however it was turned.",
		Example: "  ctis hash photo.jpg\n  ctis hash --json --variants *.png",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			failed := 0
			for _, name := range args {
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
	return cmd
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
