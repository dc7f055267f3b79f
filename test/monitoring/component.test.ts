import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Monitoring } from "../../components/monitoring";
import { ALERTS } from "../../components/monitoring-model";
import { RecordingMocks } from "../../lib/mocks";
import { ROOT, StackName } from "../../lib/program";
import { PROMETHEUS_RULE, StackMonitoring, stackMonitoring } from "./stack";

type Any = Record<string, any>;
const kindOf = (type: string) => type.slice(type.lastIndexOf(":") + 1);

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`monitoring of ${stack}`, function () {
        this.timeout(60_000);
        let m: StackMonitoring;
        before(async () => {
            m = await stackMonitoring(stack);
        });
        const ofKind = (kind: string) =>
            m.resources.filter((r) => kindOf(r.type) === kind && r.custom) as {
                props: Any;
                type: string;
            }[];

        it("registers the PodMonitors, the Orthanc ServiceMonitor and one PrometheusRule in the namespace", () => {
            const names = (kind: string) =>
                ofKind(kind)
                    .map((r) => r.props.metadata.name)
                    .sort();
            assert.deepEqual(names("PodMonitor"), ["monitoring-redis", "monitoring-redis-proxy"]);
            assert.deepEqual(names("ServiceMonitor"), ["monitoring-orthanc"]);
            assert.equal(m.resources.filter((r) => r.type === PROMETHEUS_RULE).length, 1);
            for (const kind of ["PodMonitor", "ServiceMonitor", "PrometheusRule"]) {
                for (const r of ofKind(kind)) {
                    assert.equal(r.props.metadata.namespace, m.targets.namespace);
                    assert.equal(r.props.apiVersion, "monitoring.coreos.com/v1");
                }
            }
        });

        it("registers one AlertmanagerConfig in the namespace holding inhibitions only", () => {
            const [config, ...more] = ofKind("AlertmanagerConfig");
            assert.equal(more.length, 0);
            assert.equal(config.props.apiVersion, "monitoring.coreos.com/v1alpha1");
            assert.equal(config.props.metadata.namespace, m.targets.namespace);
            // Routes and receivers are the platform's: a namespace route would take its alerts.
            assert.deepEqual(Object.keys(config.props.spec), ["inhibitRules"]);
            assert.ok(config.props.spec.inhibitRules.length > 0);
        });

        it("scrapes only workloads the stack runs, by their name label", () => {
            const workloads = new Set(
                m.resources
                    .filter((r) => ["Deployment", "StatefulSet"].includes(kindOf(r.type)))
                    .map((r) => (r.props as Any).metadata.name as string),
            );
            for (const pm of ofKind("PodMonitor")) {
                const [expression] = pm.props.spec.selector.matchExpressions;
                assert.equal(expression.key, "app.kubernetes.io/name");
                for (const name of expression.values) assert.ok(workloads.has(name), name);
                assert.deepEqual(pm.props.spec.podTargetLabels, ["app.kubernetes.io/name"]);
            }
            assert.ok(workloads.has(m.targets.orthanc));
            for (const name of [
                ...m.targets.criticalConsumers,
                ...m.targets.pdfWorkloads,
                ...m.targets.services,
            ]) {
                assert.ok(workloads.has(name), name);
            }
        });

        it("watches every critical consumer and every KEDA consumer at its own threshold", () => {
            const scaled = new Map(
                ofKind("ScaledObject").map((s) => [
                    s.props.metadata.name as string,
                    Number(s.props.spec.triggers[0].metadata.value),
                ]),
            );
            assert.deepEqual(
                new Map(m.targets.kedaConsumers.map((c) => [c.name, c.queueThreshold])),
                scaled,
            );
            const critical = ofKind("Deployment")
                .filter((r) => r.props.metadata.annotations?.["sapoche.io/critical"] === "true")
                .map((r) => r.props.metadata.name);
            assert.deepEqual([...m.targets.criticalConsumers].sort(), critical.sort());
        });

        it("lets only Prometheus's namespace reach the metrics ports", () => {
            const [policy] = ofKind("NetworkPolicy").filter(
                (p) => p.props.metadata.name === "allow-prometheus-scrape",
            );
            const [rule] = policy.props.spec.ingress;
            assert.deepEqual(rule.from, [
                {
                    namespaceSelector: {
                        matchLabels: { "kubernetes.io/metadata.name": m.prometheusNamespace },
                    },
                },
            ]);
            assert.deepEqual(
                rule.ports.map((p: Any) => p.port),
                ["metrics", "sentinel-export"],
            );
        });

        it("lists every alert in docs/operations/alerts.md with a link to its runbook page", () => {
            const readme = fs.readFileSync(
                path.join(ROOT, "docs", "operations", "alerts.md"),
                "utf8",
            );
            for (const rule of m.groups.flatMap((g) => g.rules ?? [])) {
                assert.ok(
                    readme.includes(`[${rule.alert}](../runbooks/${rule.alert}.md)`),
                    `alerts.md lists ${rule.alert}`,
                );
                assert.equal(
                    rule.annotations?.runbook_url,
                    `${m.targets.runbookBaseUrl}/${rule.alert}.md`,
                );
            }
            assert.equal(
                new Set(m.groups.flatMap((g) => (g.rules ?? []).map((r) => r.alert))).size,
                Object.keys(ALERTS).length,
            );
        });
    });
}

describe("the Monitoring component", () => {
    it("reports every bad threshold and name together, before creating anything", async () => {
        const m = await stackMonitoring("staging");
        // Fresh mocks after the program's evaluation, so nothing else registers into them.
        const mocks = new RecordingMocks();
        await pulumi.runtime.setMocks(mocks, "sapoche-stack", "test", false);
        const args = {
            namespace: m.targets.namespace,
            prometheusNamespace: m.prometheusNamespace,
            targets: { ...m.targets, pdfWorkloads: ["Worker_PDF"] },
            thresholds: {
                ...m.thresholds,
                queues: { ...m.thresholds.queues, stuckFor: "15 minutes" },
                redis: { ...m.thresholds.redis, memoryPercent: 100 },
            },
        };
        assert.throws(
            () => new Monitoring("monitoring", args),
            (e: Error) =>
                e.message ===
                "Monitoring monitoring: `thresholds.queues.stuckFor` (15 minutes) must be a duration such as 90s, 5m or 1h30m; " +
                    '`targets` name ("Worker_PDF") must be a Kubernetes name; ' +
                    "`thresholds.redis.memoryPercent` (100) must be below 100",
        );
        assert.equal(mocks.resources.filter((r) => r.custom).length, 0);
    });
});
