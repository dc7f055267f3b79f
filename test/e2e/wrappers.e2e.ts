/**
 * Issue 17 on the real engine: objects registered through the provider's wrappers
 * (yaml.v2.ConfigFile, yaml.v2.ConfigGroup) are judged one by one, and the wrappers themselves
 * are not taken for objects. The engine shows the pack every wrapper as a resource of its own,
 * which mocked tests never do. The fixture program is test/e2e/fixtures/wrappers/ (its own
 * project, previewed inside the sandbox copy with `--cwd`).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { kubectl, must, POLICY_PACK, Run, Sandbox } from "../../lib/sandbox";
import { localImage } from "../../lib/sandbox-stacks";

const NAMESPACE = "sapoche-wrappers";
const STACK = "wrappers";

/** The lines of a preview that report a mandatory policy violation. */
function mandatoryLines(r: Run): string[] {
    return r.output.split("\n").filter((line) => /\[mandatory\]/.test(line));
}

describe("the policy pack judges the objects inside Pulumi's YAML wrappers", function () {
    this.timeout(20 * 60 * 1000);
    const sb = new Sandbox("wrappers");
    const program = path.join(sb.work, "test", "e2e", "fixtures", "wrappers");
    const packConfig = path.join(sb.dir, "wrappers-policy-config.json");
    let createdNamespace = false;

    /** `pulumi <args>` in the fixture project, with the pack as the scripts pass it. */
    function previewWith(mode: string): Run {
        must(sb.pulumi(["config", "set", "mode", mode, "--stack", STACK, "--cwd", program]));
        return sb.pulumi([
            "preview",
            "--stack",
            STACK,
            "--cwd",
            program,
            "--policy-pack",
            path.resolve(sb.work, POLICY_PACK),
            "--policy-pack-config",
            packConfig,
            "--diff",
        ]);
    }

    before(() => {
        // production1's policy config, pointed at the fixture's own namespace.
        const production1 = JSON.parse(
            fs.readFileSync(
                path.join(sb.work, "policy-pack", "config", "production1.json"),
                "utf8",
            ),
        );
        production1["enforce-namespace"] = { namespace: NAMESPACE };
        // The fixture's one Service, as the catalog would list it (enforce-catalogued-service).
        production1["enforce-catalogued-service"] = {
            services: {
                "wrapped-web": {
                    type: "ClusterIP",
                    selector: { "app.kubernetes.io/name": "wrapped-web" },
                    ports: [{ name: "http", port: 80, targetPort: "http" }],
                },
            },
        };
        fs.writeFileSync(packConfig, JSON.stringify(production1, null, 4));
        // The fixture's image pinned as the sandbox pins the stack files' (production1's pack
        // refuses tags): in the sandbox's copy of the fixture only.
        for (const file of ["compliant.yaml", "noncompliant.yaml"]) {
            const yamlFile = path.join(program, file);
            fs.writeFileSync(
                yamlFile,
                fs
                    .readFileSync(yamlFile, "utf8")
                    .replace(/^( +image: )(\S+)$/gm, (_, key, image) => key + localImage(image)),
            );
        }
        createdNamespace = kubectl(["get", "namespace", NAMESPACE]).code !== 0;
        if (createdNamespace) {
            must(kubectl(["create", "namespace", NAMESPACE]));
        }
        must(sb.pulumi(["stack", "init", STACK, "--cwd", program]));
    });

    after(() => {
        if (createdNamespace) {
            kubectl(["delete", "namespace", NAMESPACE, "--wait=false"]);
        }
        sb.remove();
    });

    for (const [mode, wrapper] of [
        ["configfile", "kubernetes:yaml/v2:ConfigFile"],
        ["configgroup", "kubernetes:yaml/v2:ConfigGroup"],
    ] as const) {
        it(`previews a compliant file registered through ${wrapper} with no mandatory violation`, () => {
            const r = previewWith(mode);
            assert.deepEqual(mandatoryLines(r), [], r.output.slice(-4000));
            assert.doesNotMatch(r.output, /unreachable/i, "the preview must reach the cluster");
            assert.equal(r.code, 0, r.output.slice(-4000));
            // The objects were really in the preview, so the pack saw them.
            assert.match(r.output, /Deployment/);
            assert.match(r.output, /wrapped-web/);
        });
    }

    it("refuses a non-compliant object inside the file, naming that object and not the wrapper", () => {
        const r = previewWith("noncompliant");
        assert.notEqual(r.code, 0, "a mandatory violation must fail the preview");
        assert.match(
            r.output,
            /Deployment "wrapped-privileged" container "web" should not set securityContext\.privileged: true\./,
        );
        const mandatory = mandatoryLines(r);
        assert.ok(mandatory.length > 0, r.output.slice(-4000));
        for (const line of mandatory) {
            assert.doesNotMatch(line, /ConfigFile|ConfigGroup/, `a wrapper was judged: ${line}`);
        }
        assert.doesNotMatch(r.output, /ConfigFile "wrapped-bad"/);
    });
});
