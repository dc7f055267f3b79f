/**
 * Moving today's single `redis-master` into the Sentinel cluster without losing queued jobs, with
 * real processes and the program's rendering for `redis.legacyMaster` set (docs/operations/redis.md, migration runbook):
 *
 * 1. jobs are queued on the legacy instance before the cluster exists;
 * 2. the cluster starts with the flag: every node replicates the legacy instance, the Sentinels
 *    monitor it, and redis-sp sends clients to it;
 * 3. a producer keeps queueing jobs through redis-sp (retrying on errors, as a producer does)
 *    while the rendered `migrate.sh` switches the master to node 0;
 * 4. every job queued before and every job acknowledged during the move is on node 0, and no
 *    push was answered `READONLY` (a paused push gets its connection closed and is retried).
 *
 * The write pause (the longest gap between two acknowledged jobs around the switch) is printed.
 */
import * as assert from "assert";
import { Harness, until } from "./support/cluster";
import { PLAN } from "./support/loopback";
import { renderRedis } from "./support/rendered";
import { Connection, once } from "./support/resp";

const LEGACY = "redis-legacy.sapoche.svc.cluster.local";
const QUEUE = "queue:jobs";
const JOBS_BEFORE = 5000;

interface Producer {
    stop: boolean;
    readonly acked: string[];
    readonly ackedAt: number[];
    readonly errors: Set<string>;
    readonly: number;
    done?: Promise<void>;
}

/** Queues `during-<k>` jobs through redis-sp until stopped; a failed push is retried. */
function produce(h: Harness): Producer {
    const p: Producer = { stop: false, acked: [], ackedAt: [], errors: new Set(), readonly: 0 };
    p.done = (async () => {
        let conn: Connection | undefined;
        let k = 0;
        while (!p.stop) {
            const job = `during-${k}`;
            try {
                conn ??= await Connection.open(PLAN.redisSp, 6379, h.password, 1000);
                const r = await conn.call(["LPUSH", QUEUE, job], 2000);
                if (typeof r === "number") {
                    p.acked.push(job);
                    p.ackedAt.push(Date.now());
                    k++;
                    continue;
                }
                if (/READONLY/.test(String(r))) p.readonly++;
                p.errors.add(String(r).replace(/\d+/g, "N"));
            } catch (e) {
                p.errors.add((e as Error).message.replace(/\d+/g, "N"));
            }
            conn?.close();
            conn = undefined;
            // A producer's backoff before it reconnects and retries the same job.
            await new Promise((r) => setTimeout(r, 20));
        }
        conn?.close();
    })();
    return p;
}

describe("Moving the legacy redis-master into the Sentinel cluster, real processes (production1 rendering with redis.legacyMaster)", function () {
    let h: Harness;
    const figures: string[] = [];

    before(async function () {
        // The move is adoption phase services' (docs/operations/adoption.md).
        const rendered = await renderRedis("production1", (c) => {
            c["sapoche-stack:adoption"] = { phase: "services" };
            c["sapoche-stack:redis"].legacyMaster = LEGACY;
        });
        assert.ok(
            rendered.scripts["migrate.sh"],
            "the rendering has no migrate.sh with the flag set",
        );
        h = new Harness(rendered, { legacyName: LEGACY });
    });

    after(async function () {
        await h?.stop();
        if (figures.length)
            console.log(`\n  Redis migration figures:\n    ${figures.join("\n    ")}\n`);
    });

    it("loses no queued job, before or during the move, and pauses writes for a bounded time", async function () {
        h.startLegacy();
        await until("the legacy instance is up", 10_000, async () =>
            (await once(PLAN.legacy, 6379, h.password, ["PING"])) === "PONG" ? true : undefined,
        );
        const before = Array.from({ length: JOBS_BEFORE }, (_, k) => `before-${k}`);
        for (let k = 0; k < before.length; k += 500) {
            await once(PLAN.legacy, 6379, h.password, [
                "LPUSH",
                QUEUE,
                ...before.slice(k, k + 500),
            ]);
        }

        // The cluster starts next to it and catches up; redis-sp routes to the legacy instance.
        await h.startAll();
        await until("every node replicates the legacy instance", 60_000, async () => {
            for (let i = 0; i < h.nodes; i++) {
                const r = await h.replication(i);
                if (r.master_host !== PLAN.legacy || r.master_link_status !== "up")
                    return undefined;
                if ((await h.sentinelMaster(i)) !== PLAN.legacy) return undefined;
            }
            return true;
        });
        const producer = produce(h);
        try {
            await until("jobs flow through redis-sp to the legacy instance", 30_000, async () =>
                producer.acked.length >= 200 ? true : undefined,
            );
            const switchedAt = Date.now();
            const out = await h.runScript(0, "migrate.sh", "sentinel");
            const acksAtSwitch = producer.acked.length;
            await until("jobs flow through redis-sp after the switch", 60_000, async () =>
                producer.acked.length >= acksAtSwitch + 500 ? true : undefined,
            );
            producer.stop = true;
            await producer.done;

            const r0 = await h.replication(0);
            assert.equal(r0.role, "master", "node 0 is not the master after the switch");
            const legacy = await once(PLAN.legacy, 6379, h.password, ["INFO", "replication"]);
            assert.match(
                String(legacy),
                /role:slave/,
                "the legacy instance still acts as a master",
            );
            for (let i = 0; i < h.nodes; i++) {
                assert.equal(
                    await h.sentinelMaster(i),
                    PLAN.node(0),
                    `Sentinel ${i} does not name node 0`,
                );
            }

            const queued = new Set(
                (await once(
                    PLAN.node(0),
                    6379,
                    h.password,
                    ["LRANGE", QUEUE, 0, -1],
                    10_000,
                )) as string[],
            );
            const lostBefore = before.filter((j) => !queued.has(j));
            const lostDuring = producer.acked.filter((j) => !queued.has(j));
            // The write pause: the longest gap between two acknowledged jobs once the switch started.
            let pause = 0;
            let afterSwitch = 0;
            for (let i = 1; i < producer.ackedAt.length; i++) {
                if (producer.ackedAt[i] >= switchedAt) {
                    afterSwitch++;
                    pause = Math.max(pause, producer.ackedAt[i] - producer.ackedAt[i - 1]);
                }
            }
            assert.ok(afterSwitch > 0, "no job was acknowledged after the switch");
            figures.push(
                `jobs queued before the move: ${before.length}, lost: ${lostBefore.length}`,
                `jobs acknowledged through redis-sp during the move: ${producer.acked.length}, lost: ${lostDuring.length}`,
                `write pause during the switch: ${(pause / 1000).toFixed(2)} s, READONLY answers: ${producer.readonly} (producer saw: ${[...producer.errors].join("; ") || "no error"})`,
                `migrate.sh: ${out.trim().split("\n").join(" | ")}`,
            );
            assert.deepEqual(lostBefore, [], "jobs queued before the move were lost");
            assert.deepEqual(lostDuring, [], "jobs acknowledged during the move were lost");
            assert.equal(producer.readonly, 0, "READONLY answers during the move");
        } finally {
            producer.stop = true;
            await producer.done;
        }
    });
});
