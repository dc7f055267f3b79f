/**
 * Redis Sentinel + HAProxy as the program renders them, run as real processes (Debian's
 * redis-server, redis-sentinel and haproxy) on loopback: routing through `redis-sp`, failover,
 * acknowledged writes, the old master rejoining, a cut-off old master, and a lost Sentinel
 * majority. See test/redis/support/loopback.ts for how the pods are mapped onto this machine.
 *
 * Timings are printed, never asserted (targets are measured by bench scripts, not asserted); the
 * deadlines below only bound each wait so that a broken cluster fails instead of hanging.
 */
import * as assert from "assert";
import { Harness, settled, until } from "./support/cluster";
import { PLAN } from "./support/loopback";
import { renderRedis } from "./support/rendered";
import { Connection, RedisError, once } from "./support/resp";

const RUNS = Number(process.env.REDIS_FAILOVER_RUNS ?? 5);
/** Bound of one failover: Sentinel's down-after (5 s) + election + proxy checks, with margin. */
const FAILOVER_DEADLINE_MS = 60_000;

/** One write through `redis-sp` on a fresh connection, as a reconnecting client does. */
async function writeThroughProxy(h: Harness, key: string, value: string): Promise<void> {
    const r = await once(PLAN.redisSp, 6379, h.password, ["SET", key, value], 1500);
    if (r !== "OK") throw new Error(`SET answered ${JSON.stringify(r)}`);
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

describe("Redis Sentinel and redis-sp, real processes with the rendered configuration (production1)", function () {
    let h: Harness;
    const figures: string[] = [];

    before(async function () {
        h = new Harness(await renderRedis("production1"));
        try {
            await h.startAll();
            await settled(h, 0);
        } catch (e) {
            const logs = ["redis-0", "sentinel-0", "redis-1", "proxy-0"]
                .map((k) => h.tail(k))
                .join("\n");
            await h.stop();
            throw new Error(`${(e as Error).message}\n${logs}`);
        }
    });

    after(async function () {
        await h?.stop();
        if (figures.length)
            console.log(`\n  Redis behaviour figures:\n    ${figures.join("\n    ")}\n`);
    });

    it("routes writes through redis-sp to the master, with AUTH", async function () {
        const value = `v-${Date.now()}`;
        try {
            await until("redis-sp accepts an authenticated write", 15_000, () =>
                writeThroughProxy(h, "routing:probe", value).then(() => true),
            );
        } catch (e) {
            throw new Error(`${(e as Error).message}\n${h.tail("proxy-0", 8)}`);
        }
        const master = await h.masterNode(10_000);
        assert.equal(
            await once(PLAN.node(master), 6379, h.password, ["GET", "routing:probe"]),
            value,
        );
        // Without AUTH the master refuses: the proxy passes the client's own authentication through.
        const anonymous = await Connection.open(PLAN.redisSp, 6379);
        try {
            const r = await anonymous.call(["SET", "routing:anonymous", "x"]);
            assert.ok(r instanceof RedisError && /NOAUTH/.test(r.message), `got ${String(r)}`);
        } finally {
            anonymous.close();
        }
    });

    it(`fails over when the master's pod is lost, loses no write acknowledged with WAIT 1, and the old master rejoins as a replica (${RUNS} runs)`, async function () {
        const times: number[] = [];
        let acknowledged = 0;
        let lost = 0;
        for (let run = 1; run <= RUNS; run++) {
            const old = await h.masterNode(10_000);
            await settled(h, old);
            // Writes acknowledged by the master and at least one replica (WAIT 1) before the loss,
            // each on a fresh connection through redis-sp, retried as a client would.
            const keys: string[] = [];
            for (let k = 0; k < 200; k++) {
                const key = `acked:${run}:${k}`;
                const replicas = await until(`write ${key}`, 15_000, async () => {
                    const c = await Connection.open(PLAN.redisSp, 6379, h.password);
                    try {
                        if ((await c.call(["SET", key, String(k)])) !== "OK") return undefined;
                        return await c.call(["WAIT", 1, 2000], 3000);
                    } finally {
                        c.close();
                    }
                });
                if (typeof replicas === "number" && replicas >= 1) keys.push(key);
            }
            assert.ok(keys.length > 0, "no write was acknowledged by a replica before the kill");

            // The pod is lost: both containers die without a chance to hand over.
            const killedAt = Date.now();
            await Promise.all([h.kill(`redis-${old}`), h.kill(`sentinel-${old}`)]);
            const probe = `failover:${run}`;
            await until(
                `redis-sp accepts writes again after losing node ${old}`,
                FAILOVER_DEADLINE_MS,
                () => writeThroughProxy(h, probe, "x").then(() => true),
                50,
            );
            times.push((Date.now() - killedAt) / 1000);

            const now = await h.masterNode(10_000);
            assert.notEqual(
                now,
                old,
                "the proxy accepted writes but Sentinel still names the lost node",
            );
            const values = (await once(PLAN.node(now), 6379, h.password, ["MGET", ...keys])) as (
                string | null
            )[];
            const missing = keys.filter((_, i) => values[i] === null);
            acknowledged += keys.length;
            lost += missing.length;
            assert.deepEqual(missing, [], `acknowledged writes lost in run ${run}`);

            // The old master's pod comes back with its volume: it must rejoin as a replica.
            h.startRedis(old);
            h.startSentinel(old);
            await until(`node ${old} rejoins as a replica of node ${now}`, 60_000, async () => {
                const r = await h.replication(old);
                return r.role === "slave" &&
                    r.master_host === PLAN.node(now) &&
                    r.master_link_status === "up"
                    ? true
                    : undefined;
            });
            await settled(h, now);
        }
        figures.push(
            `failover (redis-sp accepts writes again after the master's pod is lost): median ${median(times).toFixed(1)} s, ` +
                `max ${Math.max(...times).toFixed(1)} s over ${RUNS} runs (${times.map((t) => t.toFixed(1)).join(", ")})`,
            `writes acknowledged with WAIT 1 before the loss: ${acknowledged}, lost: ${lost}`,
        );
    });

    it("never routes writes to an old master cut off from the Sentinels while a new master serves", async function () {
        const old = await h.masterNode(10_000);
        await settled(h, old);
        // Frozen: the Sentinels cannot reach it (nor can anyone), as in a partition.
        h.signal(`redis-${old}`, "SIGSTOP");
        let thawed = false;
        try {
            const now = await until(
                "Sentinel elects a new master",
                FAILOVER_DEADLINE_MS,
                async () => {
                    const m = await h.masterNode(10_000);
                    return m !== old ? m : undefined;
                },
            );
            // Back on the network, the old master still believes it is the master until Sentinel
            // reconfigures it (Sentinel waits for it to look stale for several seconds first).
            h.signal(`redis-${old}`, "SIGCONT");
            thawed = true;
            const acked: string[] = [];
            let sawTwoMasters = false;
            const deadline = Date.now() + 30_000;
            for (let k = 0; Date.now() < deadline; k++) {
                const r = await h.replication(old).catch(() => undefined);
                if (r?.role === "master") sawTwoMasters = true;
                else if (r?.role === "slave" && r.master_link_status === "up") break;
                const key = `split:${k}`;
                // Fresh connections: HAProxy balances per connection, so any wrong server shows.
                await writeThroughProxy(h, key, String(k)).then(
                    () => acked.push(key),
                    () => undefined,
                );
            }
            assert.ok(
                sawTwoMasters,
                "the old master never came back as a master: the test proved nothing",
            );
            assert.ok(acked.length > 0, "redis-sp accepted no write while the old master was back");
            await settled(h, now);
            const values = (await once(PLAN.node(now), 6379, h.password, ["MGET", ...acked])) as (
                string | null
            )[];
            const missing = acked.filter((_, i) => values[i] === null);
            figures.push(
                `cut-off old master: ${acked.length} writes acknowledged through redis-sp while two nodes said role:master, lost: ${missing.length}`,
            );
            assert.deepEqual(
                missing,
                [],
                `${missing.length} of ${acked.length} writes acknowledged through redis-sp went to the cut-off old master and were discarded when it rejoined`,
            );
        } finally {
            if (!thawed) h.signal(`redis-${old}`, "SIGCONT");
        }
    });

    it("does not fail over with two of three Sentinels down, and redis-sp stops taking writes", async function () {
        const master = await h.masterNode(10_000);
        await settled(h, master);
        const others = [...Array(h.nodes).keys()].filter((i) => i !== master);
        await Promise.all(others.map((i) => h.kill(`sentinel-${i}`)));
        const seen = { masterAlive: new Set<string>(), masterLost: new Set<string>() };
        const attempt = (into: Set<string>, key: string) =>
            writeThroughProxy(h, key, "x").then(
                () => into.add("write accepted"),
                (e: Error) => into.add(e.message.replace(/\d+/g, "N")),
            );
        // The master is alive but its Sentinel has lost the majority (after Sentinel's 5 s
        // down-after period): the proxy no longer trusts any master.
        await until(
            "redis-sp refuses writes once the Sentinel majority is lost",
            20_000,
            async () => {
                await attempt(seen.masterAlive, "minority:alive");
                return seen.masterAlive.size > 0 && !seen.masterAlive.has("write accepted")
                    ? true
                    : undefined;
            },
        ).catch(() => undefined);
        seen.masterAlive.clear();
        for (let k = 0; k < 10; k++) await attempt(seen.masterAlive, "minority:alive");

        await h.kill(`redis-${master}`);
        // Observe for three times Sentinel's down-after period: a failover would have started.
        const end = Date.now() + 15_000;
        while (Date.now() < end) {
            for (const i of others) {
                const r = await h.replication(i).catch(() => undefined);
                assert.notEqual(
                    r?.role,
                    "master",
                    `node ${i} was promoted without a Sentinel majority`,
                );
            }
            await attempt(seen.masterLost, "minority:lost");
            await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(
            !seen.masterLost.has("write accepted"),
            "redis-sp accepted a write with the master down",
        );
        figures.push(
            `two of three Sentinels down, master alive: clients of redis-sp see: ${[...seen.masterAlive].join("; ")}`,
            `two of three Sentinels down, master lost: no failover; clients see: ${[...seen.masterLost].join("; ")}`,
        );
        // The pods return: service resumes on the same master, with its data.
        h.startRedis(master);
        for (const i of others) h.startSentinel(i);
        await until("redis-sp accepts writes once the pods are back", 60_000, () =>
            writeThroughProxy(h, "minority:after", "x").then(() => true),
        );
        assert.equal(await h.masterNode(10_000), master);
        await settled(h, master);
    });
});
