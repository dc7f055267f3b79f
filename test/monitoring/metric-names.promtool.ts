/**
 * Every metric the rules read exists in what the real exporter emits. Redis and HAProxy: a scrape
 * of the real processes started with the rendered configuration (Debian's redis-server,
 * redis-sentinel, haproxy and prometheus-redis-exporter, through test/redis/support). The
 * exporters that run outside this stack: the metric lists recorded from each pinned release's
 * source (test/monitoring/fixtures/record-metric-lists.sh says where each comes from).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { selectors } from "../../components/monitoring-guards";
import { renderRuleGroups } from "../../components/monitoring-rules";
import { Harness, settled } from "../redis/support/cluster";
import { PLAN } from "../redis/support/loopback";
import { renderRedis } from "../redis/support/rendered";
import { stackMonitoring } from "./stack";

const FIXTURES = path.join(__dirname, "fixtures");
const recorded = (file: string) =>
    new Set(fs.readFileSync(path.join(FIXTURES, file), "utf8").split("\n").filter(Boolean));

/** The metric names of a text exposition at http://host:port/metrics. */
function scrapeNames(host: string, port: number): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
        const req = http.get({ host, port, path: "/metrics", timeout: 5000 }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (body += d));
            res.on("end", () =>
                res.statusCode === 200
                    ? resolve(new Set(body.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*(?=[{ ])/gm) ?? []))
                    : reject(new Error(`GET ${host}:${port}/metrics answered ${res.statusCode}`)),
            );
        });
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", reject);
    });
}

describe("the metrics the alert rules read exist in what the real exporters emit", function () {
    this.timeout(180_000);
    const sources = new Map<string, { what: string; names: Set<string> }>([
        [
            "kube_",
            {
                what: "kube-state-metrics v2.20.0",
                names: recorded("kube-state-metrics-v2.20.0.txt"),
            },
        ],
        ["keda_", { what: "KEDA v2.21.0", names: recorded("keda-v2.21.0.txt") }],
        ["kubelet_", { what: "kubelet v1.37.2", names: recorded("kubelet-v1.37.2.txt") }],
    ]);
    let h: Harness | undefined;

    before(async function () {
        const rendered = await renderRedis("staging");
        h = new Harness(rendered);
        await h.startAll();
        await settled(h, 0);
        for (let i = 0; i < h.nodes; i++) {
            h.startExporter(i, "redis");
            h.startExporter(i, "sentinel");
        }
        const ports = {
            redis: rendered.redisExporter.ports.metrics,
            sentinel: rendered.sentinelExporter.ports["sentinel-export"],
            proxy: rendered.haproxy.ports.metrics,
        };
        const redis = new Set<string>();
        // Exporters need a moment to listen; a replica and the master emit different series.
        for (let attempt = 0; ; attempt++) {
            try {
                for (let i = 0; i < h.nodes; i++) {
                    for (const port of [ports.redis, ports.sentinel]) {
                        (await scrapeNames(PLAN.node(i), port)).forEach((n) => redis.add(n));
                    }
                }
                break;
            } catch (e) {
                if (attempt > 30) throw e;
                await new Promise((r) => setTimeout(r, 1000));
            }
        }
        sources.set("redis_", { what: "redis_exporter (scraped)", names: redis });
        sources.set("haproxy_", {
            what: "HAProxy's Prometheus endpoint (scraped)",
            names: await scrapeNames(PLAN.proxy(0), ports.proxy),
        });
    });

    after(async () => {
        await h?.stop();
    });

    for (const stack of ["production1", "staging"] as const) {
        it(`finds every metric of ${stack}'s rules in its exporter's metrics`, async () => {
            const m = await stackMonitoring(stack);
            const used = new Set(
                renderRuleGroups(m.targets, m.thresholds)
                    .flatMap((g) => g.rules ?? [])
                    .flatMap((r) => selectors(String(r.expr)).map((s) => s.metric)),
            );
            // `up` is Prometheus' own, one per scrape target.
            used.delete("up");
            assert.ok(used.size > 15, `only ${used.size} metrics found in the rules`);
            const missing = [...used].flatMap((metric) => {
                const source = [...sources].find(([prefix]) => metric.startsWith(prefix))?.[1];
                if (!source) return [`${metric}: no known exporter emits this prefix`];
                return source.names.has(metric) ? [] : [`${metric}: not emitted by ${source.what}`];
            });
            assert.deepEqual(missing, []);
        });
    }
});
