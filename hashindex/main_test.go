package hashindex

import (
	"os"
	"testing"

	"ctis/benchhost"
)

func TestMain(m *testing.M) { os.Exit(benchhost.Main(m)) }
