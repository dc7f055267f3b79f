/**
 * `npm run import-live`'s pure half on the live-shaped namespace the adoption e2e creates
 * (test/e2e/support/live-namespace.ts): the live objects read back into config, the stack file
 * edited in place (comments kept), credentials never written, and the program rendering the
 * live containers unchanged once the config is imported.
 */
import { pinnedConfig } from "../lib/sandbox-stacks";
import { stagingRanPinned } from "./support/phases";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { KINDS, importedText } from "../scripts/import-live/import-live";
import { liveToConfig } from "../scripts/import-live/live-config";
import type { LiveObject } from "../scripts/import-live/live-types";
import { applyEdits } from "../lib/yaml-edit";
import { ConfigError } from "../stacks/settings";
import { catalog, schedulerName } from "../stacks/catalog";
import { committedPolicyConfig, evaluatePack } from "../policy-pack/tests/evaluate";
import { LIVE_BROKER_URL, liveNamespace } from "./e2e/support/live-namespace";
import { evaluateProgram, readStackConfig, ROOT } from "../lib/program";
import { RegisteredResource } from "../lib/mocks";

type Any = Record<string, any>;
const STACK = "production1";
const TEXT = fs.readFileSync(path.join(ROOT, `Pulumi.${STACK}.yaml`), "utf8");
const PASSWORD = "mail-pass-from-the-live-namespace";

/** The fixture's live objects, deep-copied so a test can change them. */
const live = (): Any[] => JSON.parse(JSON.stringify(liveNamespace("sapoche")));
const deploymentsOf = (objects: Any[]) => objects.filter((o) => o.kind === "Deployment");
const deploymentIn = (objects: Any[], name: string): Any =>
    deploymentsOf(objects).find((d) => d.metadata.name === name)!;
const containerOf = (d: Any) => d.spec.template.spec.containers[0];
/** The live env the config may hold: everything but the broker URL with its password. */
const withoutCredentials = (env: Any[] | undefined) =>
    (env ?? []).filter((e) => e.value !== LIVE_BROKER_URL);

describe("import-live reads the live-shaped namespace back into config", () => {
    const imported = liveToConfig(live() as LiveObject[], "prod");
    const entry = (name: string) => imported.entries.find((e) => e.target.deployment === name)!;

    it("finds every workload of the catalog, the scheduler under its own key, redis-master skipped", () => {
        const names = catalog.flatMap((e) => (e.family === "redis" ? [] : [e.name]));
        assert.equal(imported.entries.length, 38);
        assert.deepEqual(entry(schedulerName("prod")).target.key, ["sapoche-stack:scheduler"]);
        assert.ok(imported.entries.every((e) => e.target.deployment !== "redis-master"));
        assert.ok(
            names.length > 0 && imported.notes.some((n) => /redis-master: not imported/.test(n)),
        );
    });

    it("holds each container's command, args, env, envFrom, mounts and probes, and the pod's labels, selector and volumes", () => {
        for (const d of deploymentsOf(live()).filter((d) => d.metadata.name !== "redis-master")) {
            const name = d.metadata.name;
            const c = containerOf(d);
            const e = entry(name);
            const at = `Deployment ${name}`;
            assert.deepEqual(e.container?.command, c.command, `${at} command`);
            assert.deepEqual(e.container?.args, c.args, `${at} args`);
            assert.deepEqual(e.container?.env ?? [], withoutCredentials(c.env), `${at} env`);
            assert.deepEqual(e.container?.envFrom, c.envFrom, `${at} envFrom`);
            assert.deepEqual(e.container?.volumeMounts, c.volumeMounts, `${at} mounts`);
            assert.deepEqual(e.probes?.liveness, c.livenessProbe, `${at} liveness`);
            assert.deepEqual(e.probes?.readiness, c.readinessProbe, `${at} readiness`);
            assert.deepEqual(e.pod?.labels, d.spec.template.metadata.labels, `${at} labels`);
            assert.deepEqual(e.pod?.selector, d.spec.selector.matchLabels, `${at} selector`);
            assert.deepEqual(e.pod?.volumes, d.spec.template.spec.volumes, `${at} volumes`);
        }
        assert.deepEqual(entry("sp-bnkd-php").pod?.securityContext, {
            runAsUser: 33,
            runAsGroup: 33,
            fsGroup: 33,
        });
    });

    it("names the ports the live Services reach as the program's Services target them", () => {
        assert.deepEqual(entry("sp-bnkd-php").container?.ports, [
            { name: "fpm", containerPort: 9000, protocol: "TCP" },
            { name: "http", containerPort: 80, protocol: "TCP" },
        ]);
        assert.deepEqual(entry("sapoche-frontend-web").container?.ports, [
            { name: "http", containerPort: 80, protocol: "TCP" },
        ]);
        // Orthanc's Service reaches the program's proxy sidecar: Orthanc's own ports stay.
        assert.equal(entry("orthanc-read-api").container?.ports, undefined);
    });

    it("reads each KEDA consumer's triggers, without the threshold config decides", () => {
        assert.deepEqual(entry("consumer-spc-pdf-generate").triggers, [
            {
                type: "rabbitmq",
                metadata: {
                    mode: "QueueLength",
                    queueName: "consumer-spc-pdf-generate",
                    vhostName: "sapoche",
                },
                authenticationRef: { name: "keda-trigger-auth-rabbitmq" },
            },
        ]);
        assert.equal(entry("consumer-dicom").triggers, undefined);
    });
});

describe("import-live writes the stack file", () => {
    /** The fixture with a pack-named literal credential and a password in trigger metadata. */
    function withCredentials(): LiveObject[] {
        const objects = live();
        const booking = deploymentIn(objects, "worker-booking");
        containerOf(booking).env.push({ name: "MAIL_PASSWORD", value: PASSWORD });
        const so = objects.find((o) => o.kind === "ScaledObject")!;
        so.spec.triggers[0].metadata.password = PASSWORD;
        return objects as LiveObject[];
    }
    const imported = liveToConfig(withCredentials(), "prod");
    const text = importedText(STACK, TEXT, imported, "test context");

    it("never writes a credential-looking literal, and names each one left out", () => {
        assert.doesNotMatch(text, new RegExp(PASSWORD));
        assert.doesNotMatch(text, /live-broker-pass/);
        const dropped = imported.dropped.map((d) => `${d.workload} ${d.where} ${d.name}`);
        assert.ok(dropped.includes("worker-booking env MAIL_PASSWORD"));
        assert.ok(
            dropped.includes("consumer-lis-testresult ScaledObject trigger metadata password"),
        );
        assert.ok(dropped.includes("consumer-dicom env BROKER_URL"));
        assert.match(
            text,
            /# not imported: env MAIL_PASSWORD \(a literal that looks like a credential/,
        );
        // ... while references to Secrets are kept as references.
        assert.match(text, /secretKeyRef:\n\s+name: sapoche-db\n\s+key: password/);
    });

    it("changes only the imported keys of each workload, and keeps every other comment", () => {
        const before = readStackConfig(STACK, TEXT) as Any;
        const after = readStackConfig(STACK, text) as Any;
        const strip = (c: Any) => {
            const copy = JSON.parse(JSON.stringify(c));
            for (const w of Object.values(copy["sapoche-stack:workloads"]) as Any[]) {
                for (const k of ["container", "pod", "probes", "triggers"]) delete w[k];
            }
            for (const k of ["container", "pod", "probes"])
                delete copy["sapoche-stack:scheduler"][k];
            return copy;
        };
        assert.deepEqual(strip(after), strip(before));
        const comments = (t: string) => t.split("\n").filter((l) => l.trimStart().startsWith("#"));
        // The one comment that described a replaced value (the scheduler's assumed env) goes with it.
        const kept = comments(TEXT).filter(
            (l) => !l.includes("ASSUMPTION until `npm run import-live`"),
        );
        const now = new Set(comments(text));
        assert.deepEqual(
            kept.filter((l) => !now.has(l)),
            [],
        );
        assert.ok(
            now.has("    # read from the live namespace by npm run import-live (test context)"),
        );
    });

    it("renders every live container unchanged once imported, and the pack still passes", async () => {
        // Pinned by digest as a sandbox pins them: production1's pack refuses tags.
        const rs = await evaluateProgram(STACK, pinnedConfig(readStackConfig(STACK, text)), {
            stackOutputs: stagingRanPinned(),
        });
        const deployment = (name: string) =>
            rs.find(
                (r: RegisteredResource) =>
                    r.type === "kubernetes:apps/v1:Deployment" &&
                    (r.props as Any).metadata.name === name,
            )?.props as Any;
        for (const d of deploymentsOf(live()).filter((d) => d.metadata.name !== "redis-master")) {
            const name = d.metadata.name;
            const want = containerOf(d);
            const got = deployment(name).spec.template;
            const c = got.spec.containers.find((x: Any) => x.name === want.name);
            for (const k of ["command", "args", "envFrom", "livenessProbe", "readinessProbe"]) {
                assert.deepEqual(c[k], want[k], `${name} ${k}`);
            }
            assert.deepEqual(
                c.env,
                withoutCredentials(want.env).length ? withoutCredentials(want.env) : undefined,
                `${name} env`,
            );
            for (const m of want.volumeMounts ?? [])
                assert.ok(
                    c.volumeMounts.some(
                        (x: Any) => x.mountPath === m.mountPath && x.name === m.name,
                    ),
                    `${name} mount ${m.mountPath}`,
                );
            assert.deepEqual(deployment(name).spec.selector, d.spec.selector, `${name} selector`);
            for (const [k, v] of Object.entries(d.spec.template.metadata.labels)) {
                assert.equal(got.metadata.labels[k], v, `${name} label ${k}`);
            }
        }
        const findings = await evaluatePack(rs as never, committedPolicyConfig(STACK));
        assert.deepEqual(
            findings.filter((f) => f.level === "mandatory").map((f) => `${f.policy}: ${f.message}`),
            [],
        );
    });

    it("writes nothing the schema refuses (a live selector the program would relabel)", () => {
        const objects = live();
        const d = deploymentIn(objects, "worker-booking");
        d.spec.selector.matchLabels = { "app.kubernetes.io/component": "backend" };
        d.spec.template.metadata.labels["app.kubernetes.io/component"] = "backend";
        assert.throws(
            () => importedText(STACK, TEXT, liveToConfig(objects as LiveObject[], "prod"), "t"),
            (e: ConfigError) =>
                e instanceof ConfigError &&
                e.problems.some((p) =>
                    p.startsWith(
                        "sapoche-stack:workloads.worker-booking.pod.selector.app.kubernetes.io/component",
                    ),
                ),
        );
    });

    it("reads Deployments, Services, autoscalers and ScaledObjects, never a Secret", () => {
        assert.deepEqual(
            KINDS.filter((k) => /secret/i.test(k)),
            [],
        );
    });
});

describe("the stack file editor", () => {
    const FILE = [
        "# head",
        "config:",
        "  a:",
        "    # about x",
        "    x: 1",
        "    y:",
        "      - 2",
        "  # about b",
        "  b: true",
        "",
    ].join("\n");

    it("replaces a value with the comment above it, inserts a missing key before the next key's comments", () => {
        const out = applyEdits(FILE, [
            { path: ["config", "a", "x"], value: { z: [3] }, comments: ["new x"] },
            { path: ["config", "a", "w"], value: "v" },
        ]);
        assert.equal(
            out,
            [
                "# head",
                "config:",
                "  a:",
                "    # new x",
                "    x:",
                "      z:",
                "        - 3",
                "    y:",
                "      - 2",
                "    w: v",
                "  # about b",
                "  b: true",
                "",
            ].join("\n"),
        );
    });

    it("refuses an edit whose result would not read back as intended", () => {
        assert.throws(
            () => applyEdits(FILE, [{ path: ["config", "b", "c"], value: 1 }]),
            /could not edit the stack file safely/,
        );
    });
});
