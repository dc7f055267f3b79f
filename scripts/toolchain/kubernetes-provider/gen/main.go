// Same transformation as upstream cmd/pulumi-resource-kubernetes/generate.go:
// usage: VERSION=x.y.z go run ./gen <schema.json> <terraform-mapping.json> <outdir>
package main

import (
	"encoding/json"
	"log"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	version, found := os.LookupEnv("VERSION")
	if !found {
		log.Fatal("version not found")
	}
	if len(os.Args) != 4 {
		log.Fatal("usage: gen <schema.json> <terraform-mapping.json> <outdir>")
	}
	schemaContents, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var packageSpec schema.PackageSpec
	if err := json.Unmarshal(schemaContents, &packageSpec); err != nil {
		log.Fatalf("cannot deserialize schema: %v", err)
	}
	packageSpec.Version = version
	versionedContents, err := json.Marshal(packageSpec)
	if err != nil {
		log.Fatalf("cannot reserialize schema: %v", err)
	}
	if err := os.WriteFile(filepath.Join(os.Args[3], "schema-embed.json"), versionedContents, 0o600); err != nil {
		log.Fatal(err)
	}
	terraformContents, err := os.ReadFile(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	var mapping interface{}
	if err := json.Unmarshal(terraformContents, &mapping); err != nil {
		log.Fatalf("cannot deserialize terraform mapping: %v", err)
	}
	embeddedMapping, err := json.Marshal(mapping)
	if err != nil {
		log.Fatalf("cannot reserialize terraform mapping: %v", err)
	}
	if err := os.WriteFile(filepath.Join(os.Args[3], "terraform-mapping-embed.json"), embeddedMapping, 0o600); err != nil {
		log.Fatal(err)
	}
}
