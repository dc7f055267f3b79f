/**
 * The operations an operator performs on the Redis tier, each under sustained write load through
 * `redis-sp`, with the rendered scripts and configuration run as real processes (support/):
 * a proxy start and a proxy rollout, the planned switchover (`switchover.sh`, which
 * `npm run redis:switchover` runs), a rolling restart of the StatefulSet in Kubernetes' order
 * with the rendered `preStop` hook, and a node restarted while its crash is being failed over.
 *
 * Asserted: no acknowledged write lost (`+OK` for planned operations, `WAIT 1` for a crash), no
 * `READONLY` answer, and a restarted node never answering as master. Pauses and failover times
 * are printed, never asserted (design.md).
 */
import * as assert from "assert";
import { Harness, rollStatefulSet, settled, until } from "./support/cluster";
import { LoadFigures, median, WriteLoad } from "./support/load";
import { PLAN } from "./support/loopback";
import { proxyReadiness } from "./support/probe";
import { renderRedis } from "./support/rendered";

const RUNS = Number(process.env.REDIS_OPERATION_RUNS ?? 3);

describe("Redis operations under write load, real processes with the rendered configuration (production1)", function () {
    let h: Harness;
    const figures: string[] = [];
    /** The proxy's readiness probe as rendered: true when it would pass. */
    let ready: (j: number) => Promise<boolean>;

    const report = (what: string, f: LoadFigures, extra = "") =>
        figures.push(
            `${what}: +OK acknowledged ${f.acknowledged}, lost ${f.lost}; ` +
                (f.waitAcknowledged
                    ? `WAIT-acknowledged ${f.waitAcknowledged}, lost ${f.waitLost}; `
                    : "") +
                `READONLY ${f.readonly}; longest write pause ${f.pauseMs} ms${extra}` +
                (f.errors.length ? `; clients saw: ${f.errors.slice(0, 4).join(" | ")}` : ""),
        );

    /** What a failed READONLY assertion shows: when they came, and the processes' logs. */
    const evidence = (load: WriteLoad) =>
        `\nREADONLY at ${load.readonlyAt
            .slice(0, 5)
            .map((t) => new Date(t).toISOString().slice(11, 23))
            .join(", ")}\n` +
        ["proxy-0", "proxy-1", "proxy-2", "sentinel-0", "sentinel-1", "sentinel-2"]
            .map((k) => h.tail(k, 12))
            .join("\n");

    before(async function () {
        const rendered = await renderRedis("production1");
        ready = proxyReadiness(rendered);
        h = new Harness(rendered);
        try {
            await h.startAll();
            await settled(h, 0);
            await until("both proxies Ready", 20_000, async () =>
                (await ready(0)) && (await ready(1)) ? true : undefined,
            );
        } catch (e) {
            const logs = ["redis-0", "sentinel-0", "proxy-0"].map((k) => h.tail(k)).join("\n");
            await h.stop();
            throw new Error(`${(e as Error).message}\n${logs}`);
        }
    });

    after(async function () {
        await h?.stop();
        if (figures.length)
            console.log(`\n  Redis operations figures:\n    ${figures.join("\n    ")}\n`);
    });

    it(`a new proxy process sends no write to a replica and is Ready only once it routes to the confirmed master (${RUNS} starts)`, async function () {
        const extra = 2; // a third proxy pod beside the two replicas, as during a rollout
        for (let run = 1; run <= RUNS; run++) {
            h.startProxy(extra);
            const load = new WriteLoad(h, `proxy-start:${run}`, "ok", 4, PLAN.proxy(extra));
            const states: boolean[] = [];
            while (!states.includes(true)) {
                states.push(await ready(extra));
                await new Promise((r) => setTimeout(r, 20));
            }
            await new Promise((r) => setTimeout(r, 1000));
            const f = await load.stop(await h.masterNode());
            await h.kill(`proxy-${extra}`, "SIGTERM");
            assert.equal(
                f.readonly,
                0,
                `run ${run}: READONLY answers from a starting proxy${evidence(load)}`,
            );
            assert.equal(f.lost, 0, `run ${run}: acknowledged writes lost`);
            assert.ok(f.acknowledged > 0, `run ${run}: the new proxy never took a write`);
            report(`proxy start ${run}`, f, `; readiness failed ${states.length - 1} times first`);
        }
    });

    it("rolls the proxies one at a time while writes flow: nothing lost, no READONLY", async function () {
        const load = new WriteLoad(h, "proxy-rollout");
        for (let j = 0; j < h.rendered.proxyReplicas; j++) {
            await h.kill(`proxy-${j}`, "SIGTERM");
            h.startProxy(j);
            await until(`new proxy ${j} Ready`, 20_000, async () =>
                (await ready(j)) ? true : undefined,
            );
        }
        await new Promise((r) => setTimeout(r, 1000));
        const f = await load.stop(await h.masterNode());
        report("proxy rollout", f);
        assert.equal(f.readonly, 0, `READONLY answers${evidence(load)}`);
        assert.equal(f.lost, 0);
    });

    it(`switches the master over with switchover.sh while writes flow: nothing lost, no READONLY (${RUNS} runs)`, async function () {
        for (let run = 1; run <= RUNS; run++) {
            const old = await h.masterNode();
            await settled(h, old);
            const load = new WriteLoad(h, `switchover:${run}`);
            await new Promise((r) => setTimeout(r, 500));
            const out = await h.runScript((old + 1) % h.nodes, "switchover.sh", "sentinel");
            const now = await h.masterNode();
            assert.notEqual(now, old, `run ${run}: the master did not change\n${out}`);
            await new Promise((r) => setTimeout(r, 1000));
            const f = await load.stop(now);
            const said = out.trim().split("\n").pop();
            report(`switchover ${run} (node ${old} -> ${now})`, f, `; ${said}`);
            assert.equal(f.readonly, 0, `run ${run}: READONLY answers\n${out}${evidence(load)}`);
            assert.equal(f.lost, 0, `run ${run}: acknowledged writes lost\n${out}`);
            await settled(h, now);
        }
    });

    it("restarts the StatefulSet highest ordinal first, the preStop hook handing the master over: nothing lost, no READONLY, no restarted node ever master", async function () {
        const load = new WriteLoad(h, "rolling");
        await rollStatefulSet(h);
        const f = await load.stop(await h.masterNode());
        report("rolling restart (2, 1, 0)", f);
        assert.equal(f.readonly, 0, `READONLY answers${evidence(load)}`);
        assert.equal(f.lost, 0);
    });

    it(`fails over a crashed master whose pod restarts 5.5 s later, as a replica: no WAIT-acknowledged write lost (${RUNS} runs)`, async function () {
        const times: number[] = [];
        /** Promotion to both proxies Ready, and promotion to the first write accepted, in s. */
        const proxySees: number[] = [];
        const sentinelSees: number[] = [];
        const proxyAfterSentinel: number[] = [];
        const firstWrite: number[] = [];
        for (let run = 1; run <= RUNS; run++) {
            const old = await h.masterNode();
            await settled(h, old);
            const load = new WriteLoad(h, `crash:${run}`, "wait");
            await new Promise((r) => setTimeout(r, 1000));
            const killedAt = Date.now();
            await Promise.all([h.kill(`redis-${old}`), h.kill(`sentinel-${old}`)]);
            // When a replica answers role:master, then when each proxy's readiness (a confirmed
            // master: the clients' gate) passes again, polled apart from the restart below.
            const watch = (async () => {
                const survivors = [...Array(h.nodes).keys()].filter((i) => i !== old);
                const promotedAt = await until(
                    "a replica promoted",
                    30_000,
                    async () => {
                        for (const i of survivors) {
                            const r = await h.replication(i).catch(() => undefined);
                            if (r?.role === "master") return Date.now();
                        }
                        return undefined;
                    },
                    20,
                );
                // Sentinel's own promotion (+switch-master): a survivor's Sentinel names another
                // node. Its leader notices the new role at its next INFO of the replica (every
                // 1 s during a failover), then tells the others.
                const named = until(
                    "a Sentinel names the new master",
                    30_000,
                    async () => {
                        for (const i of survivors) {
                            const m = await h.sentinelMaster(i).catch(() => undefined);
                            if (m && m !== PLAN.node(old)) return Date.now();
                        }
                        return undefined;
                    },
                    20,
                );
                const readyAt = await Promise.all(
                    [...Array(h.rendered.proxyReplicas).keys()].map((j) =>
                        until(
                            `proxy ${j} Ready on the new master`,
                            30_000,
                            async () => ((await ready(j)) ? Date.now() : undefined),
                            20,
                        ),
                    ),
                );
                return { promotedAt, namedAt: await named, proxiesAt: Math.max(...readyAt) };
            })();
            const readiness: boolean[] = [];
            while (Date.now() < killedAt + 5500) {
                readiness.push(await ready(0));
                await new Promise((r) => setTimeout(r, 100));
            }
            h.startRedis(old);
            h.startSentinel(old);
            let now = old;
            await until(
                `node ${old} back as a replica of a new master`,
                60_000,
                async () => {
                    const r = await h.replication(old).catch(() => undefined);
                    assert.notEqual(
                        r?.role,
                        "master",
                        `restarted node ${old} answered role:master`,
                    );
                    if (r?.role !== "slave" || r.master_link_status !== "up") return undefined;
                    now = h.nodeAt(r.master_host);
                    return true;
                },
                50,
            );
            await settled(h, now);
            const { promotedAt, namedAt, proxiesAt } = await watch;
            const writeAt = load.firstAckAfter(promotedAt) ?? NaN;
            const f = await load.stop(now);
            // The failover as writers see it: the longest time no write was acknowledged.
            times.push(f.pauseMs / 1000);
            proxySees.push((proxiesAt - promotedAt) / 1000);
            sentinelSees.push((namedAt - promotedAt) / 1000);
            proxyAfterSentinel.push((proxiesAt - namedAt) / 1000);
            firstWrite.push((writeAt - promotedAt) / 1000);
            report(
                `crash + restart after 5.5 s, run ${run} (node ${old} -> ${now})`,
                f,
                `; promoted ${((promotedAt - killedAt) / 1000).toFixed(2)} s after the kill, ` +
                    `named by a Sentinel ${((namedAt - promotedAt) / 1000).toFixed(2)} s later, ` +
                    `both proxies Ready ${((proxiesAt - promotedAt) / 1000).toFixed(2)} s later, ` +
                    `first write accepted ${((writeAt - promotedAt) / 1000).toFixed(2)} s after promotion`,
            );
            assert.ok(readiness.includes(false), `run ${run}: proxy 0 stayed Ready with no master`);
            assert.equal(f.waitLost, 0, `run ${run}: WAIT-acknowledged writes lost`);
            assert.equal(f.readonly, 0, `run ${run}: READONLY answers`);
        }
        const stat = (xs: number[]) =>
            `median ${median(xs).toFixed(2)} s, max ${Math.max(...xs).toFixed(2)} s`;
        figures.push(
            `crash failover under load (longest time without an acknowledged write): median ${median(times).toFixed(1)} s, max ${Math.max(...times).toFixed(1)} s over ${RUNS} runs`,
            `promotion (role:master) -> both proxies Ready (they route to the new master): ${stat(proxySees)}; ` +
                `promotion -> first write accepted through redis-sp: ${stat(firstWrite)}; ` +
                `promotion -> a Sentinel names it (+switch-master): ${stat(sentinelSees)}; ` +
                `Sentinel names it -> both proxies Ready: ${stat(proxyAfterSentinel)} (${RUNS} runs)`,
        );
    });
});
