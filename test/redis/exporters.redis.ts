/**
 * The Redis tier's metrics, as the program renders them, from real processes: HAProxy's
 * Prometheus endpoint on the rendered `frontend metrics` (Debian's haproxy, built with the
 * exporter), and redis_exporter (Debian's prometheus-redis-exporter) run with the rendered
 * arguments and the Secret's password beside each Redis and each Sentinel. The series checked
 * are the ones the alert rules read (components/monitoring-rules.ts): a metric renamed or
 * relabelled by an exporter fails here instead of leaving an alert that never fires.
 */
import * as assert from "assert";
import * as http from "http";
import { Harness, settled, until } from "./support/cluster";
import { PLAN } from "./support/loopback";
import { renderRedis } from "./support/rendered";
import { MASTER_SET } from "../../components/redis/config";

/** One sample of a Prometheus text exposition. */
interface Sample {
    readonly name: string;
    readonly labels: Record<string, string>;
    readonly value: number;
}

/** The samples of a text exposition (comments skipped; enough of the format for these exporters). */
function parseExposition(text: string): Sample[] {
    const samples: Sample[] = [];
    for (const line of text.split("\n")) {
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
        if (!m) continue;
        const labels: Record<string, string> = {};
        for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
            labels[l[1]] = l[2];
        }
        samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return samples;
}

/** GET http://host:port/path: status and body. */
function get(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.get({ host, port, path, timeout: 3000 }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", reject);
    });
}

/** The samples at http://host:port/metrics (throws unless 200). */
async function scrape(host: string, port: number): Promise<Sample[]> {
    const r = await get(host, port, "/metrics");
    if (r.status !== 200) throw new Error(`GET ${host}:${port}/metrics answered ${r.status}`);
    return parseExposition(r.body);
}

/** Samples of `name` whose labels include `labels`. */
const pick = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );

describe("Redis tier metrics, real processes with the rendered configuration (staging)", function () {
    let h: Harness;
    // The rendered ports, by the names the PodMonitors scrape.
    let ports: { proxy: number; redis: number; sentinel: number };

    before(async function () {
        const rendered = await renderRedis("staging");
        ports = {
            proxy: rendered.haproxy.ports.metrics,
            redis: rendered.redisExporter.ports.metrics,
            sentinel: rendered.sentinelExporter.ports["sentinel-export"],
        };
        h = new Harness(rendered);
        try {
            await h.startAll();
            // Node 0 is the first master; a failover needs Sentinels that know the replicas.
            await settled(h, 0);
            for (let i = 0; i < h.nodes; i++) {
                h.startExporter(i, "redis");
                h.startExporter(i, "sentinel");
            }
        } catch (e) {
            const logs = ["redis-0", "sentinel-0", "proxy-0", "redis-exporter-0"]
                .map((k) => h.tail(k))
                .join("\n");
            await h.stop();
            throw new Error(`${(e as Error).message}\n${logs}`);
        }
    });

    after(async function () {
        await h?.stop();
    });

    it("serves HAProxy's Prometheus endpoint on the proxy's metrics port: one active server in the master backend, then none when the master is lost", async function () {
        const active = async (j: number) =>
            pick(await scrape(PLAN.proxy(j), ports.proxy), "haproxy_backend_active_servers", {
                proxy: "master",
            }).map((s) => s.value);
        try {
            for (let j = 0; j < h.rendered.proxyReplicas; j++) {
                await until(`proxy ${j} reports one active master server`, 30_000, async () =>
                    (await active(j)).join() === "1" ? true : undefined,
                );
            }
        } catch (e) {
            throw new Error(`${(e as Error).message}\n${h.tail("proxy-0", 8)}`);
        }
        // Only /metrics is the exporter; the frontend serves nothing else.
        assert.notEqual((await get(PLAN.proxy(0), ports.proxy, "/")).status, 200);

        // The master's Redis is lost: its health check fails within `inter 1s fall 2`, before
        // Sentinel's failover (5 s down-after) promotes another node.
        const master = 0;
        await h.kill(`redis-${master}`);
        await until("proxy 0 reports no active master server", 10_000, async () =>
            (await active(0)).join() === "0" ? true : undefined,
        );
        await until("proxy 0 reports the new master after the failover", 60_000, async () =>
            (await active(0)).join() === "1" ? true : undefined,
        );
        // The pod comes back with its volume and rejoins as a replica of the new master.
        h.startRedis(master);
        const now = h.nodeAt((await h.sentinelMaster(1))!);
        await settled(h, now);
    });

    it("runs redis_exporter beside each Redis with the Secret's password: up, roles, replication and maxmemory", async function () {
        // The node killed above rejoins as a replica: wait until every exporter says so.
        let seen = "nothing scraped";
        const byNode = await until(
            "every node's exporter reports a linked cluster",
            60_000,
            async () => {
                const all = await Promise.all(
                    Array.from({ length: h.nodes }, (_, i) => scrape(PLAN.node(i), ports.redis)),
                );
                const roles = all.map(
                    (s) => pick(s, "redis_instance_info")[0]?.labels.role ?? "missing",
                );
                const linked = all.every(
                    (s, i) =>
                        roles[i] === "master" || pick(s, "redis_master_link_up")[0]?.value === 1,
                );
                const master = all[roles.indexOf("master")];
                const replicas = master && pick(master, "redis_connected_slaves")[0]?.value;
                seen = `roles ${roles.join(", ")}; replicas linked: ${linked}; master's replicas: ${replicas}`;
                return roles.filter((r) => r === "master").length === 1 &&
                    linked &&
                    replicas === h.nodes - 1
                    ? all
                    : undefined;
            },
        ).catch((e: Error) => {
            throw new Error(`${e.message} (last seen: ${seen})\n${h.tail("redis-exporter-0", 8)}`);
        });
        for (const [i, samples] of byNode.entries()) {
            assert.deepEqual(
                pick(samples, "redis_up").map((s) => s.value),
                [1],
                `node ${i}: redis_up (the exporter authenticated with REDIS_PASSWORD)`,
            );
            // maxmemory of the stack file (staging: 384Mi), the memory alert's denominator.
            assert.deepEqual(
                pick(samples, "redis_memory_max_bytes").map((s) => s.value),
                [384 * 1024 * 1024],
                `node ${i}`,
            );
            assert.equal(pick(samples, "redis_memory_used_bytes").length, 1, `node ${i}`);
        }
        const master = byNode.find(
            (s) => pick(s, "redis_instance_info")[0].labels.role === "master",
        )!;
        assert.deepEqual(
            pick(master, "redis_connected_slaves").map((s) => s.value),
            [h.nodes - 1],
        );
    });

    it("runs redis_exporter beside each Sentinel: the master's status and address, and CKQUORUM", async function () {
        for (let i = 0; i < h.nodes; i++) {
            // What the exporter reports and what Sentinel answers, read until they agree (a
            // Sentinel may still be taking in the failover of the first test).
            const [samples, master] = await until(
                `Sentinel ${i}'s exporter reports the master Sentinel ${i} names`,
                30_000,
                async () => {
                    const s = await scrape(PLAN.node(i), ports.sentinel);
                    const m = await h.sentinelMaster(i);
                    const reported = pick(s, "redis_sentinel_master_status", {
                        master_name: MASTER_SET,
                    });
                    return reported.length === 1 &&
                        reported[0].labels.master_address === `${m}:6379`
                        ? ([s, m] as const)
                        : undefined;
                },
            );
            assert.deepEqual(
                pick(samples, "redis_sentinel_master_status", { master_name: MASTER_SET }).map(
                    (s) => [s.labels.master_address, s.labels.master_status, s.value],
                ),
                [[`${master}:6379`, "ok", 1]],
                `Sentinel ${i}`,
            );
            assert.deepEqual(
                pick(samples, "redis_sentinel_master_ckquorum_status", {
                    master_name: MASTER_SET,
                }).map((s) => s.value),
                [1],
                `Sentinel ${i}: CKQUORUM`,
            );
        }
    });
});
