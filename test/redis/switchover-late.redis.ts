/**
 * The switchover when Sentinel takes the failover but does not promote within the script's
 * deadline (11 s after it paused writes), with real processes and production1's rendering: the
 * moment a Sentinel has taken the failover, both replicas are frozen (SIGSTOP); the one Sentinel
 * selects stays frozen past the deadline, the other is thawed at once, so the old master still
 * has an in-sync replica and `min-replicas-to-write` would let it take writes again.
 *
 * Resuming writes on the old master then would be two masters once the frozen replica runs
 * Sentinel's queued promotion: whatever the old master acknowledged meanwhile is discarded when
 * Sentinel demotes it. Asserted: the old master acknowledges no write while the promotion is
 * pending, no `+OK` write is lost on the master of record, no `READONLY`. Which way it ended
 * (late promotion, or Sentinel's abort) is printed.
 */
import * as assert from "assert";
import { Harness, settled, until } from "./support/cluster";
import { WriteLoad } from "./support/load";
import { PLAN } from "./support/loopback";
import { renderRedis } from "./support/rendered";
import { once } from "./support/resp";

/** `SENTINEL MASTER|REPLICAS` entries (flat key/value arrays) as records. */
const records = (r: unknown): Record<string, string>[] =>
    (Array.isArray(r) && Array.isArray(r[0]) ? (r as string[][]) : [r as string[]]).map((flat) =>
        Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]]))),
    );

describe("Switchover with a late promotion, real processes (production1)", function () {
    let h: Harness;
    const figures: string[] = [];
    let load: WriteLoad | undefined;

    const sentinel = (i: number, ...cmd: string[]) =>
        once(PLAN.node(i), 26379, h.password, ["SENTINEL", ...cmd, "mymaster"], 500).catch(
            () => undefined,
        );

    before(async function () {
        h = new Harness(await renderRedis("production1"));
        await h.startAll();
        await settled(h, 0);
    });

    after(async function () {
        await load?.halt();
        await h?.stop();
        if (figures.length)
            console.log(`\n  Redis late-promotion figures:\n    ${figures.join("\n    ")}\n`);
    });

    it("keeps the old master's writes paused past its deadline while a promotion is pending: nothing lost, no READONLY", async function () {
        const old = await h.masterNode();
        const replicas = [...Array(h.nodes).keys()].filter((i) => i !== old);
        load = new WriteLoad(h, "late-promotion");
        await new Promise((r) => setTimeout(r, 500));
        const startedAt = Date.now();
        const script = h
            .runScript(replicas[0], "switchover.sh", "sentinel", 120_000)
            .then((out) => ({ code: 0, out }))
            .catch((e: Error) => ({
                code: Number(/\(exit (\d+)\)/.exec(e.message)?.[1] ?? -1),
                out: e.message,
            }));

        await until(
            "a Sentinel takes the failover",
            20_000,
            async () => {
                for (let i = 0; i < h.nodes; i++) {
                    const m = records(await sentinel(i, "MASTER"))[0];
                    if (m?.flags?.includes("failover_in_progress")) return true;
                }
                return undefined;
            },
            2,
        );
        for (const r of replicas) h.signal(`redis-${r}`, "SIGSTOP");
        const frozenAt = Date.now();
        // Until a Sentinel names another node, only the old master can acknowledge a write
        // (the proxies confirm a master only once its Sentinel names it).
        let namedAt = Infinity;
        const naming = until(
            "a Sentinel names a new master",
            60_000,
            async () => {
                for (let i = 0; i < h.nodes; i++) {
                    const m = await h.sentinelMaster(i).catch(() => undefined);
                    if (m && m !== PLAN.node(old)) return (namedAt = Date.now());
                }
                return undefined;
            },
            20,
        ).catch(() => undefined);
        const chosen = await until(
            "Sentinel selects a replica",
            10_000,
            async () => {
                for (let i = 0; i < h.nodes; i++) {
                    const r = await sentinel(i, "REPLICAS");
                    const p = r ? records(r).find((e) => e.flags?.includes("promoted")) : undefined;
                    if (p) return h.nodeAt(p.ip);
                }
                return undefined;
            },
            5,
        );
        for (const r of replicas) if (r !== chosen) h.signal(`redis-${r}`, "SIGCONT");
        // Past the script's deadline (11 s after it paused), with an in-sync replica thawed.
        await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 14_000 - Date.now())));
        const thawedAt = Date.now();
        h.signal(`redis-${chosen}`, "SIGCONT");
        const { code, out } = await script;
        await naming;
        const pendingUntil = Math.min(thawedAt, namedAt);
        const ackedWhilePending = load.acksBetween(frozenAt + 500, pendingUntil);
        const now = await h.masterNode();
        await settled(h, now);
        const f = await load.stop(now);
        load = undefined;
        figures.push(
            `late promotion (node ${old}, replica ${chosen} selected and frozen ${((thawedAt - frozenAt) / 1000).toFixed(1)} s, ` +
                `a new master named ${((namedAt - frozenAt) / 1000).toFixed(1)} s after the freeze): ` +
                `switchover.sh exit ${code}, master now node ${now}; +OK acknowledged ${f.acknowledged}, lost ${f.lost}; ` +
                `acknowledged while no new master was named ${ackedWhilePending}; READONLY ${f.readonly}; ` +
                `longest write pause ${f.pauseMs} ms`,
            `switchover.sh said: ${out
                .trim()
                .split("\n")
                .filter((l) => l.startsWith("switchover:"))
                .join(" | ")}`,
        );
        assert.equal(
            ackedWhilePending,
            0,
            `the old master took writes while a promotion was pending\n${out}`,
        );
        assert.equal(f.lost, 0, `acknowledged writes lost\n${out}`);
        assert.equal(f.readonly, 0, `READONLY answers\n${out}`);
        assert.match(
            out,
            /writes stay paused on/,
            "the deadline was not reached: nothing was tested",
        );
        for (let i = 0; i < h.nodes; i++) {
            if (i === now) continue;
            const r = await h.replication(i);
            assert.equal(r.role, "slave", `node ${i} is still a master beside node ${now}`);
        }
    });
});
