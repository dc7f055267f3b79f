/**
 * Which node `redis-sp` lets clients reach, judged rule by rule: the real HAProxy with the
 * rendered configuration and Lua (production1), in front of scripted stand-ins for the nodes and
 * their Sentinels (support/stand-in.ts). Each state below is one a real cluster passes through
 * for a moment during a failover or a partition; here it is held for seconds, so a rule that
 * admits a node it should not shows every time, not once in three runs.
 *
 * The rule under test (components/redis/haproxy.ts): a node is admitted only while it is the one
 * server whose own check passes (its pod's Sentinel names it and it answers `role:master`) *and*
 * a majority of Sentinels answered the proxy's last poll with the newest epoch naming it.
 */
import * as assert from "assert";
import * as http from "http";
import { Harness, until } from "./support/cluster";
import { PLAN } from "./support/loopback";
import { proxyReadiness } from "./support/probe";
import { renderRedis, RenderedRedis } from "./support/rendered";
import { Connection, once } from "./support/resp";
import { StandInNode, StandInSentinel } from "./support/stand-in";
import { MASTER_SET } from "../../components/redis/config";
import { EXPORTER_PORTS } from "../../components/shared/metrics";

/** How long a refusal must hold: several checks (500 ms) and Sentinel polls (250 ms). */
const HOLD_MS = 3000;
/** Bound of the proxy's reaction to a change: one poll of every Sentinel plus a check. */
const REACT_MS = 2000;

describe("redis-sp admits only the node the Sentinels' newest epoch names (real HAProxy, rendered config, scripted nodes and Sentinels)", function () {
    let rendered: RenderedRedis;
    let h: Harness;
    let nodes: StandInNode[];
    let sentinels: StandInSentinel[];
    let ready: (j: number) => Promise<boolean>;
    let k = 0;
    /** Time from each change of state to the proxy's first refusal. */
    const reactions: number[] = [];

    /** Sentinel i names node `master` under `epoch`; undefined: it answers errors. */
    const names = (i: number, master: number | undefined, epoch = 1) => {
        sentinels[i].view = master === undefined ? undefined : { master: PLAN.node(master), epoch };
    };

    /** One write on a fresh connection through the proxy: the node that took it, or the error. */
    async function write(): Promise<number | string> {
        const key = `choice:${k++}`;
        try {
            await once(PLAN.proxy(0), 6379, h.password, ["SET", key, "x"], 1500);
        } catch (e) {
            return (e as Error).message;
        }
        const i = nodes.findIndex((n) => n.written.includes(key));
        return i >= 0 ? i : "acknowledged, but no node has the key";
    }

    /** `haproxy_backend_active_servers{proxy="master"}`: servers whose own check passes. */
    function activeServers(): Promise<number> {
        return new Promise((resolve, reject) => {
            http.get(
                { host: PLAN.proxy(0), port: EXPORTER_PORTS.haproxy, path: "/metrics" },
                (res) => {
                    let body = "";
                    res.on("data", (d) => (body += d));
                    res.on("end", () => {
                        const m = body.match(
                            /^haproxy_backend_active_servers\{proxy="master"\} (\d+)/m,
                        );
                        if (!m) reject(new Error("no haproxy_backend_active_servers for master"));
                        else resolve(Number(m[1]));
                    });
                },
            ).on("error", reject);
        });
    }

    /**
     * Once the proxy has reacted to the new state (its next Sentinel poll or check, within
     * REACT_MS), for HOLD_MS: every write is refused and the proxy is not Ready.
     */
    async function refusesThroughout(why: string, active: number): Promise<void> {
        const t0 = Date.now();
        await until(`${why}: the proxy refuses`, REACT_MS, async () =>
            typeof (await write()) === "string" ? true : undefined,
        );
        reactions.push(Date.now() - t0);
        const end = Date.now() + HOLD_MS;
        let writes = 0;
        while (Date.now() < end) {
            const w = await write();
            assert.equal(typeof w, "string", `${why}: a write reached node ${w}`);
            assert.equal(await ready(0), false, `${why}: the proxy is Ready`);
            writes++;
        }
        assert.ok(writes >= 3, `only ${writes} writes tried in ${HOLD_MS} ms`);
        // The servers' own checks pass meanwhile: what refuses is the Sentinel poll.
        assert.equal(await activeServers(), active, "servers whose own check passes");
    }

    /** Waits until writes reach node i, then checks that several in a row all do. */
    async function admits(i: number, why: string): Promise<void> {
        await until(why, 10_000, async () => ((await write()) === i ? true : undefined));
        for (let n = 0; n < 10; n++) assert.equal(await write(), i, why);
        assert.equal(await ready(0), true, `${why}: the proxy is not Ready`);
    }

    before(async function () {
        rendered = await renderRedis("production1");
        h = new Harness(rendered);
        nodes = Array.from({ length: rendered.nodes }, (_, i) => new StandInNode(PLAN.node(i)));
        sentinels = nodes.map((_, i) => new StandInSentinel(PLAN.node(i), MASTER_SET));
        await Promise.all([...nodes, ...sentinels].map((s) => s.listen()));
        ready = proxyReadiness(rendered);
        h.startProxy(0);
    });

    after(async function () {
        if (reactions.length)
            console.log(
                `\n      the proxy refused within ${Math.max(...reactions)} ms of each change (${reactions.join(", ")} ms)\n`,
            );
        await h?.stop();
        await Promise.all([...(nodes ?? []), ...(sentinels ?? [])].map((s) => s.close()));
    });

    beforeEach(async function () {
        // Every Sentinel names node 0 under epoch 1; node 0 is the master.
        nodes.forEach((n, i) => (n.role = i === 0 ? "master" : "slave"));
        sentinels.forEach((_, i) => names(i, 0, 1));
        try {
            await admits(0, "every Sentinel names node 0, the master");
        } catch (e) {
            throw new Error(`${(e as Error).message}\n${h.tail("proxy-0", 30)}`);
        }
    });

    it("admits the master every Sentinel names, and only it", async function () {
        assert.equal(await activeServers(), 1);
        assert.ok(
            nodes.slice(1).every((n) => n.written.length === 0),
            "a replica took a write",
        );
    });

    it("refuses an old master that its own Sentinel still names once the others name a newer epoch", async function () {
        // Node 1 was promoted under epoch 2; the proxy has not seen it answer role:master yet.
        names(1, 1, 2);
        names(2, 1, 2);
        await refusesThroughout("the old master's own Sentinel is stale", 1);
        // The promotion shows, and the old master is demoted: node 1 is admitted.
        nodes[1].role = "master";
        nodes[0].role = "slave";
        await admits(1, "node 1 is the master under epoch 2");
    });

    it("refuses a node that a stale majority names while one Sentinel reports the newer epoch", async function () {
        // Only the Sentinel that ran the failover knows epoch 2 yet: the newest epoch decides.
        names(2, 1, 2);
        await refusesThroughout("two of three Sentinels still name node 0 under epoch 1", 1);
    });

    it("refuses two masters at once, even when the newest epoch names one of them", async function () {
        // Node 1 is promoted and named under epoch 2 by its own Sentinel and one other; node 0
        // has not been demoted and its own Sentinel still names it: both servers' checks pass.
        nodes[1].role = "master";
        names(1, 1, 2);
        names(2, 1, 2);
        await refusesThroughout("node 0 and node 1 both pass their own check", 2);
    });

    it("refuses while fewer than a majority of Sentinels answer", async function () {
        await sentinels[2].close();
        names(1, undefined);
        try {
            await refusesThroughout("one of three Sentinels answers", 1);
        } finally {
            await sentinels[2].listen();
        }
    });

    it("refuses when Sentinels under the same newest epoch name different nodes", async function () {
        names(1, 1, 2);
        names(2, 2, 2);
        await refusesThroughout("epoch 2 names node 1 and node 2", 1);
    });

    it("never admits a master that comes back after the Sentinels moved on, on a poll older than its return", async function () {
        // The cut-off old master's case, by the rule: node 0 drops out of the proxy (its check
        // fails), two Sentinels move to node 1, and node 0 claims role:master again at the same
        // moment while its own Sentinel still names it, so its own check passes. The proxy's
        // last finished poll still named node 0; a write admitted on it would be discarded when
        // node 0 rejoins. Repeated, because the next check and the next poll race differently
        // each time.
        const TRIALS = 10;
        let epoch = 10;
        for (let t = 0; t < TRIALS; t++) {
            nodes[0].role = "slave";
            await until("the proxy marks node 0 down", REACT_MS, async () =>
                (await activeServers()) === 0 ? true : undefined,
            );
            const before = nodes[0].written.length;
            epoch++;
            names(1, 1, epoch);
            names(2, 1, epoch);
            nodes[0].role = "master";
            const end = Date.now() + 1000;
            while (Date.now() < end) await write();
            assert.equal(
                nodes[0].written.length - before,
                0,
                `trial ${t + 1}: node 0 took writes after two of three Sentinels named node 1`,
            );
            epoch++;
            sentinels.forEach((_, i) => names(i, 0, epoch));
            await admits(0, "every Sentinel names node 0 again");
        }
    });

    it("closes the sessions of a master once the Sentinels name another node", async function () {
        // A client that connected while node 0 was admitted keeps its connection open.
        const held = await Connection.open(PLAN.proxy(0), 6379, h.password, 1500);
        try {
            assert.equal(await held.call(["SET", "held", "x"], 1500), "OK");
            const t0 = Date.now();
            names(1, 1, 2);
            names(2, 1, 2);
            await until("the proxy closes the held session to node 0", 5000, () =>
                held.call(["PING"], 500).then(
                    () => undefined,
                    () => true,
                ),
            );
            console.log(
                `      the held session to the old master closed ${Date.now() - t0} ms after the Sentinels moved`,
            );
            assert.deepEqual(
                nodes[0].written.filter((key) => key === "held"),
                ["held"],
            );
        } finally {
            held.close();
        }
    });
});
