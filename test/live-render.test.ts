/**
 * The components render the live facts config gives (`container`, `pod`, `triggers`) instead of
 * anything invented, and what config does not give stays as the component renders it.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Worker } from "../components";
import { RecordingMocks, RegisteredResource } from "../lib/mocks";
import { evaluateProgram, PROJECT, settle } from "../lib/program";
import { stackConfigAfter } from "./support/config";

type Any = Record<string, any>;
const of = (rs: readonly RegisteredResource[], kind: string, name: string) =>
    rs.find((r) => r.type.endsWith(`:${kind}`) && (r.props as Any).metadata.name === name)
        ?.props as Any;

const BOOKING = {
    container: {
        command: ["php"],
        args: ["artisan", "queue:work", "redis", "--queue=booking"],
        env: [
            { name: "APP_ENV", value: "prod" },
            {
                name: "DB_PASSWORD",
                valueFrom: { secretKeyRef: { name: "sapoche-db", key: "password" } },
            },
        ],
        envFrom: [{ configMapRef: { name: "sapoche-app" } }],
        volumeMounts: [
            { name: "app-config", mountPath: "/app/config", readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
        ],
    },
    pod: {
        labels: {
            "app.kubernetes.io/name": "worker-booking",
            app: "worker-booking",
            tier: "backend",
        },
        selector: { app: "worker-booking" },
        securityContext: { runAsUser: 33 },
        volumes: [
            { name: "app-config", configMap: { name: "sapoche-app" } },
            { name: "tmp", emptyDir: {} },
        ],
    },
};
const TRIGGER = {
    type: "rabbitmq",
    metadata: { mode: "QueueLength", queueName: "lis.results" },
    authenticationRef: { name: "keda-trigger-auth-rabbitmq" },
};

describe("live facts rendered by the components", () => {
    let rs: RegisteredResource[];
    before(async () => {
        rs = await evaluateProgram(
            "staging",
            stackConfigAfter((c) => {
                Object.assign(c.workloads["worker-booking"], structuredClone(BOOKING));
                c.workloads["consumer-lis-testresult"].triggers = [TRIGGER];
                c.workloads["orthanc-read-api"].container = {
                    volumeMounts: [{ name: "config", mountPath: "/etc/orthanc", readOnly: true }],
                };
                c.workloads["orthanc-read-api"].pod = {
                    volumes: [{ name: "config", secret: { secretName: "orthanc-live-config" } }],
                };
                c.workloads["sp-bnkd-php"].container = {
                    ports: [
                        { name: "fpm", containerPort: 9000 },
                        { name: "http", containerPort: 80 },
                    ],
                };
                delete c.workloads["consumer-dicom"].container;
            }, "staging"),
        );
    });

    it("runs the configured command, args, env, envFrom and mounts, and invents no env", () => {
        const pod = of(rs, "Deployment", "worker-booking").spec.template.spec;
        const [c] = pod.containers;
        for (const k of ["command", "args", "env", "envFrom", "volumeMounts"] as const) {
            assert.deepEqual(c[k], (BOOKING.container as Any)[k], k);
        }
        // The live /tmp mount replaces the program's scratch /tmp; the live emptyDir gets a size.
        assert.deepEqual(pod.volumes, [
            { name: "app-config", configMap: { name: "sapoche-app" } },
            { name: "tmp", emptyDir: { sizeLimit: c.resources.limits["ephemeral-storage"] } },
        ]);
        // Without `container` in config, nothing: no SAPOCHE_ROLE, no QUEUE_NAME from code.
        const dicom = of(rs, "Deployment", "consumer-dicom").spec.template.spec.containers[0];
        assert.equal(dicom.env, undefined);
        assert.equal(dicom.command, undefined);
    });

    it("keeps the live selector and labels (the program's app.kubernetes.io/* beside them) and user", () => {
        const d = of(rs, "Deployment", "worker-booking").spec;
        assert.deepEqual(d.selector.matchLabels, BOOKING.pod.selector);
        assert.equal(d.template.metadata.labels.tier, "backend");
        assert.equal(d.template.metadata.labels["app.kubernetes.io/component"], "worker");
        assert.deepEqual(
            d.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels,
            BOOKING.pod.selector,
        );
        assert.equal(d.template.spec.securityContext.runAsUser, 33);
        assert.equal(d.template.spec.securityContext.runAsNonRoot, true);
        assert.deepEqual(
            of(rs, "PodDisruptionBudget", "worker-booking").spec.selector.matchLabels,
            BOOKING.pod.selector,
        );
    });

    it("renders the live KEDA trigger with config's threshold, and no TriggerAuthentication of its own", () => {
        const so = of(rs, "ScaledObject", "consumer-lis-testresult").spec;
        assert.deepEqual(so.triggers, [
            { ...TRIGGER, metadata: { ...TRIGGER.metadata, value: "20" } },
        ]);
        assert.equal(of(rs, "TriggerAuthentication", "consumer-lis-testresult-broker"), undefined);
        // A consumer without live triggers keeps the assumed one and its TriggerAuthentication.
        assert.ok(of(rs, "TriggerAuthentication", "consumer-spc-pdf-generate-broker"));
    });

    it("replaces the component's ports and a volume mounted at the same path", () => {
        const php = of(rs, "Deployment", "sp-bnkd-php").spec.template.spec.containers[0];
        assert.deepEqual(php.ports, [
            { name: "fpm", containerPort: 9000 },
            { name: "http", containerPort: 80 },
        ]);
        assert.equal(php.env, undefined);
        const orthanc = of(rs, "Deployment", "orthanc-read-api").spec.template.spec;
        const names = orthanc.volumes.map((v: Any) => v.name);
        assert.ok(names.includes("config"));
        assert.ok(!names.includes("orthanc-config"), "the program's config volume is left out");
        assert.deepEqual(
            orthanc.containers[0].volumeMounts.filter((m: Any) => m.mountPath === "/etc/orthanc"),
            [{ name: "config", mountPath: "/etc/orthanc", readOnly: true }],
        );
    });

    it("refuses a Deployment whose selector its pods' labels do not match", async () => {
        const mocks = new RecordingMocks();
        await pulumi.runtime.setMocks(mocks, PROJECT, "unit", false);
        const resources = {
            cpu: "100m",
            memory: "128Mi",
            cpuLimit: "200m",
            memoryLimit: "256Mi",
            ephemeralStorage: "64Mi",
            ephemeralStorageLimit: "256Mi",
        };
        assert.throws(
            () =>
                new Worker("w", {
                    namespace: "ns",
                    serviceAccountName: "sa",
                    image: "registry.example/app:1.0.0",
                    purpose: "test",
                    resources,
                    queue: "q",
                    replicas: 1,
                    probes: { liveness: { exec: { command: ["true"] } } },
                    minReadySeconds: 0,
                    pod: { selector: { app: "w" } },
                }),
            /Deployment w: its selector \(app=w\) does not match its pod labels/,
        );
        await settle(mocks);
    });
});
