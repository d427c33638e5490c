package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestHAProxyConfig(t *testing.T) {
	var b bytes.Buffer
	err := WriteHAProxy(&b, Balanced{Listen: "127.0.0.1:18080", HealthPath: "/readyz",
		Servers: []Server{{Name: "serve1", Addr: "127.0.0.1:18081"}, {Name: "serve2", Addr: "127.0.0.1:18082"}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.String()
	for _, want := range []string{"bind 127.0.0.1:18080", "option httpchk GET /readyz", "server serve1 127.0.0.1:18081 check", "server serve2 127.0.0.1:18082 check", "option redispatch"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("the configuration lacks %q:\n%s", want, cfg)
		}
	}
	if err := WriteHAProxy(&b, Balanced{Listen: "127.0.0.1:18080", HealthPath: "/readyz"}); err == nil {
		t.Error("a configuration without servers was written")
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Log("no haproxy to check the configuration with")
		return
	}
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s\n%s", err, out, cfg)
	}
}
