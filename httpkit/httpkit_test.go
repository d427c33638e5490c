package httpkit

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"ctis"
)

func TestStatus(t *testing.T) {
	for _, c := range []struct {
		err      error
		status   int
		internal bool
	}{
		{ctis.Invalid("name", "bad"), 400, false},
		{ctis.Errorf(ctis.EUNAUTHORIZED, "who?"), 401, false},
		{ctis.Errorf(ctis.EFORBIDDEN, "no"), 403, false},
		{ctis.ErrNotFound("entity"), 404, false},
		{ctis.Errorf(ctis.ECONFLICT, "twice"), 409, false},
		{ctis.Errorf(ctis.ETOOLARGE, "big"), 413, false},
		{ctis.Errorf(ctis.EUNSUPPORTED, "xml"), 415, false},
		{ctis.Errorf(ctis.ERATELIMITED, "slow down"), 429, false},
		{ctis.Errorf(ctis.EINTERNAL, "oops"), 500, true},
		{errors.New("disk on fire"), 500, true},
		{fmt.Errorf("reading: %w", &http.MaxBytesError{Limit: 10}), 413, false},
	} {
		if status, internal := Status(c.err); status != c.status || internal != c.internal {
			t.Errorf("%v: %d %v, want %d %v", c.err, status, internal, c.status, c.internal)
		}
	}
}

func TestMinScore(t *testing.T) {
	for in, want := range map[string]float64{"": 0, "0.5": 0.5, "1": 1} {
		if got, err := MinScore(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"2", "-0.1", "x", "NaN"} {
		if _, err := MinScore(in); ctis.ErrorField(err) != "min_score" {
			t.Errorf("%q: %v", in, err)
		}
	}
}
