// Mirrors github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes/main.go.
// Upstream embeds schema-embed.json and terraform-mapping-embed.json, which its `go generate`
// step (generate.go) writes and which are therefore missing from the module zip. scripts/toolchain/toolchain.sh
// produces the same two files with ./gen (a copy of that generate.go) from the zip's schema.json and
// terraform-mapping.json before building this package.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

var providerName = "kubernetes"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve(providerName, version.Version, pulumiSchema, terraformMapping)
}
