package api

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/vpdq"
)

// needFFmpeg skips a test when Debian's ffmpeg is missing, unless
// CTIS_VIDEO_TESTS is set, as in CI, where it fails instead.
func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CTIS_VIDEO_TESTS") != "" {
				t.Fatalf("%s not installed", tool)
			}
			t.Skipf("%s not installed (apt-get install ffmpeg)", tool)
		}
	}
}

// ffmpeg makes a test's input.
func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// uploadVideo posts a video to the match route as user, and returns the
// reply.
func uploadVideo(t *testing.T, f *fixture, user, name string, data []byte) reply {
	t.Helper()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	part, _ := mw.CreateFormFile("video", name)
	part.Write(data)
	mw.Close()
	return f.do(call{method: "POST", path: "/api/v1/hashes/match", as: user, contentType: mw.FormDataContentType(), body: form.String()})
}

// TestVideoMatch: a bank holds a sample video's vPDQ, added as the
// reference's text file; a copy re-encoded smaller, resized and cut
// matches it through the upload route, and feedback on the match is
// taken; an unrelated video does not match it, and matches a bank its
// uploader may not see only as a notice. Hostile uploads are refused
// within the limits with the field named, and no temporary file stays.
func TestVideoMatch(t *testing.T) {
	needFFmpeg(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newFixture(t, func(s *Server) {
		s.VideoLimits = vpdq.Limits{MaxBytes: 4 << 20, MaxDuration: 20 * time.Second, Timeout: time.Minute}
	})
	hash := func(path string) []vpdq.Feature {
		fs, err := vpdq.Hash(context.Background(), path, vpdq.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	var open, closed ctis.HashBank
	f.post("fr.analyst", "/api/v1/hashbanks", map[string]any{"name": "Attack footage", "handling": map[string]any{"distribution": "all"}}).
		want(t, http.StatusCreated).decode(t, &open)
	f.post("fr.analyst", "/api/v1/hashbanks", map[string]any{"name": "FR only", "handling": map[string]any{"distribution": "originator", "hit_notice": true}}).
		want(t, http.StatusCreated).decode(t, &closed)

	// The original as the reference's text file; the unrelated video, as
	// JSON frames, in the bank DE-BKA may not see.
	var text bytes.Buffer
	if err := vpdq.Write(&text, hash("../vpdq/testdata/doorknob-hd-no-bar.mp4")); err != nil {
		t.Fatal(err)
	}
	labels := map[string]any{"behaviours": []string{"attack_footage"}, "content_type": "video"}
	f.post("fr.analyst", "/api/v1/hashbanks/"+open.ID+"/entries", map[string]any{"entries": []map[string]any{{"type": "vpdq", "vpdq": text.String(), "labels": labels}}}).
		want(t, http.StatusOK)
	var frames []ctis.VideoFrame
	for _, x := range hash("../vpdq/testdata/pattern-sd-grey-bar.mp4") {
		frames = append(frames, ctis.VideoFrame{Frame: x.Frame, Quality: x.Quality, Hash: x.Hash.String(), Time: x.Time})
	}
	f.post("fr.analyst", "/api/v1/hashbanks/"+closed.ID+"/entries", map[string]any{"entries": []map[string]any{{"type": "vpdq", "frames": frames, "labels": labels}}}).
		want(t, http.StatusOK)
	var listed struct{ Entries []ctis.HashEntry }
	f.do(call{method: "GET", path: "/api/v1/hashbanks/" + open.ID + "/entries", as: "de.analyst"}).want(t, http.StatusOK).decode(t, &listed)
	if len(listed.Entries) != 1 || listed.Entries[0].Type != ctis.HashVPDQ || len(listed.Entries[0].Frames) == 0 || len(listed.Entries[0].Value) != 64 {
		t.Fatalf("video entry %+v", listed.Entries)
	}

	// A copy: cut by a second, scaled down, re-encoded at low quality.
	copyPath := filepath.Join(tmp, "copy.mp4")
	ffmpeg(t, "-ss", "1", "-i", "../vpdq/testdata/doorknob-hd-no-bar.mp4", "-vf", "scale=640:-2", "-c:v", "libx264", "-crf", "32", "-an", copyPath)
	copyData, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(copyPath)
	var res struct {
		Matches []ctis.HashMatch
		Notices []ctis.HashNotice
		Frames  []ctis.VideoFrame
	}
	uploadVideo(t, f, "de.analyst", "copy.mp4", copyData).want(t, http.StatusOK).decode(t, &res)
	if len(res.Matches) != 1 || res.Matches[0].Entry.ID != listed.Entries[0].ID || res.Matches[0].Video == nil || res.Matches[0].Video.QueryPercent < 80 || len(res.Frames) == 0 {
		t.Fatalf("copy: %+v", res)
	}
	t.Logf("copy: %d frames, %.0f%% of them matched, %.0f%% of the stored video's", len(res.Frames), res.Matches[0].Video.QueryPercent, res.Matches[0].Video.StoredPercent)
	f.post("de.analyst", "/api/v1/hashes/matches/"+res.Matches[0].ID+"/feedback", map[string]string{"verdict": "true_positive"}).want(t, http.StatusOK)

	// The unrelated video matches nothing DE-BKA sees; FR-DGSI's hidden
	// bank asked to be told.
	pattern, err := os.ReadFile("../vpdq/testdata/pattern-sd-grey-bar.mp4")
	if err != nil {
		t.Fatal(err)
	}
	res.Matches, res.Notices = nil, nil
	uploadVideo(t, f, "de.analyst", "other.mp4", pattern).want(t, http.StatusOK).decode(t, &res)
	if len(res.Matches) != 0 || len(res.Notices) != 1 || res.Notices[0].Agency != "FR-DGSI" {
		t.Errorf("unrelated video: %+v", res)
	}
	// FR-DGSI sees its own bank: the same upload matches there.
	res.Matches = nil
	uploadVideo(t, f, "fr.analyst", "other.mp4", pattern).want(t, http.StatusOK).decode(t, &res)
	if len(res.Matches) != 1 || res.Matches[0].Entry.Bank != closed.ID {
		t.Errorf("own hidden bank: %+v", res.Matches)
	}

	// Hostile uploads.
	long := filepath.Join(t.TempDir(), "long.mkv")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=40", "-c:v", "mpeg4", long)
	longData, _ := os.ReadFile(long)
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		text   string
	}{
		{"text named .mp4", []byte("This is not a video.\n"), http.StatusBadRequest, "not a video"},
		{"playlist", []byte("#EXTM3U\n#EXTINF:1,\n/etc/passwd\n"), http.StatusBadRequest, "not a video"},
		{"past the duration", longData, http.StatusRequestEntityTooLarge, "over the limits"},
		{"over the size", bytes.Repeat([]byte{0}, 5<<20), http.StatusRequestEntityTooLarge, "larger than"},
	} {
		r := uploadVideo(t, f, "de.analyst", "upload.mp4", c.data).want(t, c.status)
		if !strings.Contains(string(r.body), c.text) || strings.Contains(string(r.body), tmp) {
			t.Errorf("%s: %s", c.name, r.body)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "ctis-video-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// Bad video entries are refused with the entry named, and store
	// nothing.
	for _, e := range []map[string]any{
		{"type": "vpdq"},
		{"type": "vpdq", "vpdq": "0,100,zz,0.000\n"},
		{"type": "vpdq", "frames": []map[string]any{{"frame": 0, "quality": 100, "hash": strings.Repeat("0", 64), "time": -1}}},
		{"type": "vpdq", "vpdq": text.String(), "frames": frames},
		{"type": "pdq", "value": strings.Repeat("0", 64), "frames": frames},
	} {
		r := f.post("fr.analyst", "/api/v1/hashbanks/"+open.ID+"/entries", map[string]any{"entries": []map[string]any{e}}).want(t, http.StatusBadRequest)
		if !strings.Contains(string(r.body), "entries[0]") {
			t.Errorf("%v: %s", e, r.body)
		}
	}
	f.do(call{method: "GET", path: "/api/v1/hashbanks/" + open.ID + "/entries", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &listed)
	if len(listed.Entries) != 1 {
		t.Errorf("%d entries after refused adds", len(listed.Entries))
	}
}
