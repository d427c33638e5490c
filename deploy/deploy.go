// Package deploy holds the files a deployment of ctis starts from, such as
// the HAProxy configuration that balances several `ctis serve` processes
// sharing one store. They are embedded so that the load benchmark runs the
// very configuration a deployment copies.
package deploy

import (
	_ "embed"
	"fmt"
	"io"
	"text/template"
)

//go:embed haproxy.cfg
var haproxyConfig string

var haproxyTemplate = template.Must(template.New("haproxy.cfg").Option("missingkey=error").Parse(haproxyConfig))

// Balanced is what the HAProxy configuration is filled with: where the
// balancer listens, the path that says a server is ready, and the servers.
type Balanced struct {
	Listen     string // host:port
	HealthPath string // such as /readyz
	Servers    []Server
}

// Server is one `ctis serve` process behind the balancer.
type Server struct {
	Name string // unique among the servers, such as serve1
	Addr string // host:port
}

// WriteHAProxy writes the HAProxy configuration for b.
func WriteHAProxy(w io.Writer, b Balanced) error {
	if b.Listen == "" || b.HealthPath == "" || len(b.Servers) == 0 {
		return fmt.Errorf("deploy: an HAProxy configuration needs an address to listen on, a health-check path and at least one server")
	}
	return haproxyTemplate.Execute(w, b)
}
