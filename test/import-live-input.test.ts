/**
 * import-live on live data nobody controls: malformed objects and kubectl output give a clear
 * error naming the object and the field, a credential in any field it copies is refused by name
 * and masked, and in both cases the stack file is left untouched (issue 25, items 3 and 4).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { liveToConfig } from "../scripts/import-live/live-config";
import { LiveDataError, MAX_VALUE, parseLiveList } from "../scripts/import-live/live-schema";
import { ROOT } from "../lib/program";
import { LIVE_BROKER_URL, liveNamespace } from "./e2e/support/live-namespace";

type Any = Record<string, any>;
const TOKEN = "x9Kq2LmZ7pVt4RwY8sNc3BdJ";
const live = (): Any[] => JSON.parse(JSON.stringify(liveNamespace("sapoche")));
const list = (items: unknown[]) => JSON.stringify({ kind: "List", items });
const deployments = () => live().filter((o) => o.kind === "Deployment");
/** A Deployment of the fixture whose main container has an HTTP readiness probe. */
const httpProbed = (objects: Any[]) =>
    objects.find(
        (o) =>
            o.kind === "Deployment" &&
            o.spec.template.spec.containers[0].readinessProbe?.httpGet !== undefined,
    )!;

function refusal(stdout: string): string {
    try {
        parseLiveList(stdout, "deployments.apps", "Deployment");
    } catch (e) {
        assert.ok(e instanceof LiveDataError, String(e));
        return e.message;
    }
    assert.fail("accepted");
}

describe("import-live refuses malformed live data with the object and the field", () => {
    it("reads the live-shaped namespace as it is", () => {
        const read = parseLiveList(list(deployments()), "deployments.apps", "Deployment");
        assert.equal(read.length, deployments().length);
    });

    // prettier-ignore
    const cases: [string, (d: Any) => void, RegExp][] = [
        ["a missing name", (d) => delete d.metadata.name, /^Deployment #0 \(no metadata\.name\) from kubectl get deployments\.apps: metadata\.name: /],
        ["a string where the args list belongs", (d) => (d.spec.template.spec.containers[0].args = "--verbose"), /^Deployment (\S+) from kubectl get deployments\.apps: spec\.template\.spec\.containers\.0\.args: a list of strings\.$/],
        ["a number as an env value", (d) => (d.spec.template.spec.containers[0].env = [{ name: "WORKERS", value: 4 }]), /spec\.template\.spec\.containers\.0\.env\.0\.value: Invalid input: expected string, received number/],
        ["no containers", (d) => (d.spec.template.spec.containers = []), /spec\.template\.spec\.containers: at least one container/],
        ["a missing template", (d) => delete d.spec.template, /spec\.template: Invalid input: expected object, received undefined/],
        ["a header without a value", (d) => (d.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: "/", port: 80, httpHeaders: [{ name: "X" }] } }), /readinessProbe\.httpGet\.httpHeaders\.0\.value/],
        ["an oversized value", (d) => (d.spec.template.spec.containers[0].args = ["x".repeat(MAX_VALUE + 1)]), new RegExp(`containers\\.0\\.args\\.0: a string of at most ${MAX_VALUE} characters`)],
    ];
    for (const [what, breakIt, expected] of cases) {
        it(`refuses ${what}`, () => {
            const d = deployments()[0];
            breakIt(d);
            const message = refusal(list([d]));
            assert.match(message, expected);
        });
    }

    it("refuses truncated and non-JSON kubectl output, and a list without items", () => {
        const full = list(deployments());
        assert.match(
            refusal(full.slice(0, full.length / 2)),
            /the output is not JSON \(truncated or corrupted/,
        );
        assert.match(refusal("error: You must be logged in"), /not JSON/);
        assert.match(refusal("{}"), /expected a List with items/);
    });

    it("reads non-ASCII text as text", () => {
        const d = deployments()[0];
        d.spec.template.spec.containers[0].env.push({ name: "GREETING", value: "Grüße, 漢字 ✓" });
        const [read] = parseLiveList(list([d]), "deployments.apps", "Deployment");
        const entry = liveToConfig([read], "prod").entries.find(
            (e) => e.target.deployment === d.metadata.name,
        );
        assert.ok(entry?.container?.env?.some((e) => e.value === "Grüße, 漢字 ✓"));
    });
});

describe("import-live runs the shared detector on every field it copies", () => {
    it("leaves out and reports, masked, a credential in args, command, a probe header or command, and trigger metadata", () => {
        const objects = live();
        const d = httpProbed(objects);
        const c = d.spec.template.spec.containers[0];
        c.args = [...(c.args ?? []), "--api-token", TOKEN];
        c.command = ["sh", "-c", "exec nginx --requirepass s3cr3t-redis"];
        c.readinessProbe.httpGet.httpHeaders = [
            { name: "Authorization", value: `Bearer ${TOKEN}` },
        ];
        c.livenessProbe = { exec: { command: ["curl", "-u", `admin:${TOKEN}`, "http://x/"] } };
        const so = objects.find((o) => o.kind === "ScaledObject")!;
        so.spec.triggers[0].metadata.host = `amqp://u:${TOKEN}@mq/`;
        const imported = liveToConfig(objects as never, "prod");
        const mine = imported.dropped.filter(
            (x) => x.workload === d.metadata.name || x.workload === so.spec.scaleTargetRef.name,
        );
        assert.deepEqual(mine.map((x) => `${x.where} ${x.name}`.trim()).sort(), [
            "ScaledObject trigger metadata host",
            "args",
            "command",
            "env BROKER_URL", // the fixture's own, on the consumer
            "livenessProbe.exec.command",
            "readinessProbe.httpGet.httpHeaders Authorization",
        ]);
        assert.ok(!JSON.stringify(imported).includes(TOKEN));
        assert.ok(!JSON.stringify(imported).includes("s3cr3t-redis"));
        // References stay references.
        const entry = imported.entries.find((e) => e.target.deployment === "worker-booking");
        assert.ok(entry?.container?.env?.some((e) => e.valueFrom?.secretKeyRef !== undefined));
    });
});

describe("npm run import-live leaves the stack file untouched when it refuses", function () {
    this.timeout(300_000); // each case starts import-live (ts-node) in a process of its own
    const stackFile = path.join(ROOT, "Pulumi.production1.yaml");
    let dir: string;
    let before: string;

    /** import-live against a kubectl that prints `outputs[kind]` (a resource it lacks: none). */
    function run(outputs: Record<string, string>) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-live-test-"));
        for (const [kind, text] of Object.entries(outputs)) {
            fs.writeFileSync(path.join(dir, kind), text);
        }
        fs.writeFileSync(
            path.join(dir, "kubectl"),
            `#!/usr/bin/env bash\nfor a in "$@"; do prev=$k; k=$a; [ "$prev" = get ] && kind=$a; done\n` +
                `if [ -f "${dir}/$kind" ]; then cat "${dir}/$kind"; else echo "error: the server doesn't have a resource type \\"$kind\\"" >&2; exit 1; fi\n`,
            { mode: 0o755 },
        );
        return spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "scripts/import-live/import-live.ts",
                "--stack",
                "production1",
                "--context",
                "fake",
            ],
            {
                cwd: ROOT,
                encoding: "utf8",
                env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
            },
        );
    }
    const empty = list([]);
    beforeEach(() => (before = fs.readFileSync(stackFile, "utf8")));
    afterEach(() => {
        // Put the file back even if import-live wrongly wrote it; the assertion reports it.
        const after = fs.readFileSync(stackFile, "utf8");
        fs.writeFileSync(stackFile, before);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(after, before, "the stack file was written");
    });

    it("exits 1 with a clear message on truncated kubectl output", () => {
        const full = list(deployments());
        const r = run({
            "deployments.apps": full.slice(0, 1000),
            services: empty,
            "horizontalpodautoscalers.autoscaling": empty,
        });
        assert.equal(r.status, 1, r.stderr);
        assert.match(
            r.stderr,
            /import-live: bad live data; nothing was written\.\nkubectl get deployments\.apps: the output is not JSON/,
        );
        assert.doesNotMatch(r.stderr, /at JSON\.parse|TypeError/);
    });

    it("exits 3 naming the Deployment, the field and what is accepted, never the credential", () => {
        const objects = live();
        const d = httpProbed(objects);
        d.spec.template.spec.containers[0].args = ["--api-token", TOKEN];
        const r = run({
            "deployments.apps": list(objects.filter((o) => o.kind === "Deployment")),
            pods: empty,
            services: empty,
            "horizontalpodautoscalers.autoscaling": empty,
        });
        assert.equal(r.status, 3, r.stderr);
        assert.match(
            r.stderr,
            new RegExp(
                `REFUSED: Deployment ${d.metadata.name} args holds .*"--api-token \\*\\*\\*"\\); accepted: a reference to a Secret`,
            ),
        );
        assert.match(r.stderr, /Pulumi\.production1\.yaml was not written/);
        assert.ok(!`${r.stdout}${r.stderr}`.includes(TOKEN));
    });

    it("exits 4 when the live pods of one image key report two digests, naming them", () => {
        // The credential moved into a Secret, as the operator does before importing.
        const objects = JSON.parse(
            JSON.stringify(live()).replaceAll(
                JSON.stringify({ name: "BROKER_URL", value: LIVE_BROKER_URL }),
                JSON.stringify({
                    name: "BROKER_URL",
                    valueFrom: { secretKeyRef: { name: "sapoche-broker", key: "url" } },
                }),
            ),
        ) as Any[];
        const backend = "registry.sapoche.internal/sapoche/backend:2026.11.2";
        const digests = [`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`];
        const pods = ["consumer-ecg", "consumer-dicom"].map((name, i) => {
            const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name)!;
            const container = d.spec.template.spec.containers[0];
            container.image = backend;
            return {
                kind: "Pod",
                metadata: { name: `${name}-1`, labels: d.spec.selector.matchLabels },
                status: {
                    containerStatuses: [
                        {
                            name: container.name,
                            image: backend,
                            imageID: `${backend.split(":")[0]}@${digests[i]}`,
                        },
                    ],
                },
            };
        });
        const r = run({
            "deployments.apps": list(objects.filter((o) => o.kind === "Deployment")),
            pods: list(pods),
            services: empty,
            "horizontalpodautoscalers.autoscaling": empty,
        });
        assert.equal(r.status, 4, `${r.stdout}${r.stderr}`);
        assert.match(
            r.stderr,
            /REFUSED: sapoche-stack:images\.backend: the live pods of registry\.sapoche\.internal\/sapoche\/backend:2026\.11\.2 run 2 digests/,
        );
        assert.ok(r.stderr.includes(`${digests[0]}: consumer-ecg/consumer-ecg-1`), r.stderr);
        assert.ok(r.stderr.includes(`${digests[1]}: consumer-dicom/consumer-dicom-1`), r.stderr);
        assert.match(r.stderr, /Pulumi\.production1\.yaml was not written/);
    });
});
