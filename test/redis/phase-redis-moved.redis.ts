/**
 * Adoption phase `redis-moved` for the Redis tier (docs/operations/adoption.md, step 5 of the
 * move in docs/operations/redis.md): `redis.legacyMaster` becomes "", so the tier's rendering
 * forgets the live Redis. The release replaces the two content-named ConfigMaps, and the
 * StatefulSet and the proxy Deployment roll onto them in place. This file renders both phases
 * under mocks, shows what differs between them, then performs that transition with real
 * processes: the tier as phase `services` runs it, the legacy instance already moved into node 0
 * by `migrate.sh`, then, under sustained write load through `redis-sp`:
 * - the StatefulSet rolls highest ordinal first, each old pod's `preStop` hook (the old
 *   ConfigMap's `switchover.sh`) handing the master over, each new pod from the new rendering;
 * - at the same time the proxy Deployment surges (`maxSurge` one pod, `maxUnavailable` 0): a new
 *   pod joins `redis-sp` once its readiness probe passes, then an old one leaves it and stops;
 * - then `SENTINEL RESET mymaster` on each Sentinel in turn, as the runbook says.
 * Asserted: no `+OK`-acknowledged write missing on the master of record, no `READONLY`, no
 * restarted node answering as master. The write pauses are printed, never asserted.
 */
import * as assert from "assert";
import { Harness, rollStatefulSet, settled, until } from "./support/cluster";
import { LoadFigures, WriteLoad } from "./support/load";
import { PLAN } from "./support/loopback";
import { proxyReadiness } from "./support/probe";
import { RenderedRedis, renderRedis } from "./support/rendered";
import { once } from "./support/resp";
import { LEGACY_MASTER, phaseConfig } from "../support/phases";

const atPhase = (phase: "services" | "redis-moved") =>
    renderRedis("production1", (c) => Object.assign(c, phaseConfig(phase, "production1", c)));

describe("Adoption phase redis-moved under write load, real processes (production1, rendered at services then redis-moved)", function () {
    let services: RenderedRedis;
    let moved: RenderedRedis;
    let h: Harness;
    const figures: string[] = [];

    const report = (what: string, f: LoadFigures) =>
        figures.push(
            `${what}: +OK acknowledged ${f.acknowledged}, lost ${f.lost}; READONLY ${f.readonly}; ` +
                `longest write pause ${f.pauseMs} ms` +
                (f.errors.length ? `; clients saw: ${f.errors.slice(0, 4).join(" | ")}` : ""),
        );

    before(async function () {
        // One evaluation at a time: the mocks are process-wide.
        services = await atPhase("services");
        moved = await atPhase("redis-moved");
    });

    /** Write loads still running when a test fails: stopped, or mocha would never exit. */
    const loads: WriteLoad[] = [];

    after(async function () {
        await Promise.all(loads.map((l) => l.halt()));
        await h?.stop();
        if (figures.length)
            console.log(`\n  Redis phase redis-moved figures:\n    ${figures.join("\n    ")}\n`);
    });

    it("changes only what names the live Redis: its scripts and the proxy's configuration, so both roll", function () {
        const mentions = (r: RenderedRedis) =>
            [
                ...Object.entries(r.scripts).map(([f, t]) => [`scripts/${f}`, t]),
                ...Object.entries(r.proxyFiles).map(([f, t]) => [`proxy/${f}`, t]),
            ]
                .filter(([, t]) => t.includes(LEGACY_MASTER))
                .map(([f]) => f);
        assert.deepEqual(mentions(services).sort(), [
            "proxy/haproxy.cfg",
            "scripts/migrate.sh",
            "scripts/redis.sh",
            "scripts/sentinel.sh",
        ]);
        assert.deepEqual(mentions(moved), [], "redis-moved still names the live Redis");
        assert.ok(!("migrate.sh" in moved.scripts), "redis-moved still renders migrate.sh");
        assert.match(services.haproxyCfg, /^backend legacy$/m);
        assert.doesNotMatch(moved.haproxyCfg, /^backend legacy$/m);
        // Same containers (commands, environment, probes, hook): the pods roll only because
        // their ConfigMaps are new, and the old pods' preStop hook is the new pods' too.
        for (const c of ["redis", "sentinel", "haproxy"] as const) {
            assert.deepEqual(
                moved[c],
                services[c],
                `the ${c} container differs between the phases`,
            );
        }
        for (const f of ["switchover.sh"]) assert.equal(moved.scripts[f], services.scripts[f]);
        const changed = [
            ...Object.keys(services.scripts).filter(
                (f) => moved.scripts[f] !== services.scripts[f],
            ),
            ...Object.keys(services.proxyFiles).filter(
                (f) => moved.proxyFiles[f] !== services.proxyFiles[f],
            ),
        ];
        figures.push(`files that change from services to redis-moved: ${changed.join(", ")}`);
    });

    it("rolls the StatefulSet (2, 1, 0, preStop) and the proxy onto the redis-moved rendering while writes flow, then resets each Sentinel: nothing lost, no READONLY", async function () {
        h = new Harness(services, { legacyName: LEGACY_MASTER });
        const ready = proxyReadiness(services);
        // Phase services with the data moved: the legacy instance replicates node 0.
        h.startLegacy();
        await until("the legacy instance is up", 10_000, async () =>
            (await once(PLAN.legacy, 6379, h.password, ["PING"])) === "PONG" ? true : undefined,
        );
        await h.startAll();
        await until("every node replicates the legacy instance", 60_000, async () => {
            for (let i = 0; i < h.nodes; i++) {
                const r = await h.replication(i);
                if (r.master_host !== PLAN.legacy || r.master_link_status !== "up")
                    return undefined;
            }
            return true;
        });
        const migrated = await h.runScript(0, "migrate.sh", "sentinel");
        await settled(h, 0);
        await until("both proxies Ready", 20_000, async () =>
            (await ready(0)) && (await ready(1)) ? true : undefined,
        );

        const rollProxy = async () => {
            const old = [...h.proxyEndpoints];
            for (const [n, address] of old.entries()) {
                const j = old.length + n; // a new pod: a new address
                h.startProxy(j, moved);
                await until(`new proxy ${j} Ready`, 20_000, async () =>
                    (await ready(j)) ? true : undefined,
                );
                h.proxyEndpoints.push(PLAN.proxy(j));
                h.proxyEndpoints.splice(h.proxyEndpoints.indexOf(address), 1);
                await h.kill(`proxy-${n}`, "SIGTERM");
            }
        };

        const load = new WriteLoad(h, "redis-moved");
        loads.push(load);
        await new Promise((r) => setTimeout(r, 500));
        // The old pods' hook runs the old ConfigMap's script (deleted only after the roll).
        await Promise.all([rollStatefulSet(h, services, moved), rollProxy()]);
        await new Promise((r) => setTimeout(r, 1000));
        const rolled = await load.stop(await h.masterNode());
        report("redis-moved release (StatefulSet 2, 1, 0 and proxy surge, together)", rolled);
        assert.equal(rolled.readonly, 0, "READONLY answers during the roll");
        assert.equal(rolled.lost, 0, "acknowledged writes lost during the roll");
        assert.ok(rolled.acknowledged > 0, "no write was acknowledged during the roll");

        // Step 5's SENTINEL RESET, one Sentinel at a time, each back to the full picture first.
        const resetLoad = new WriteLoad(h, "sentinel-reset");
        loads.push(resetLoad);
        for (let i = 0; i < h.nodes; i++) {
            const r = await once(PLAN.node(i), 26379, h.password, [
                "SENTINEL",
                "RESET",
                "mymaster",
            ]);
            assert.equal(r, 1, `SENTINEL RESET on Sentinel ${i}`);
            await settled(h, await h.masterNode());
        }
        await new Promise((r) => setTimeout(r, 1000));
        const reset = await resetLoad.stop(await h.masterNode());
        report("SENTINEL RESET mymaster on each Sentinel in turn", reset);
        figures.push(`migrate.sh before the release: ${migrated.trim().split("\n").pop()}`);
        assert.equal(reset.readonly, 0, "READONLY answers during the resets");
        assert.equal(reset.lost, 0, "acknowledged writes lost during the resets");
    });
});
