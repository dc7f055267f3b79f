/**
 * Runs the rendered Redis tier as real processes on loopback: per node a `redis-server` and a
 * `redis-sentinel` started by the rendered start scripts, the HAProxy replicas with the rendered
 * configuration, and the two Services (`redis-sentinel`, `redis-sp`) as small TCP forwarders that
 * pick a live endpoint per connection, as kube-proxy does with ready endpoints.
 *
 * Every process gets its own directories under one temporary directory, its log there, and is
 * stopped by `stop()`; a process-exit hook kills whatever is left if the test runner dies first.
 */
import * as assert from "assert";
import { ChildProcess, execFile, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PLAN, PodContext, toLoopback } from "./loopback";
import type { Container, RenderedRedis } from "./rendered";
import { info, once } from "./resp";

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(
    what: string,
    timeoutMs: number,
    probe: () => Promise<T | undefined>,
    everyMs = 100,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await probe();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            throw new Error(
                `${what}: not within ${timeoutMs} ms` +
                    (last ? ` (last error: ${(last as Error).message})` : ""),
            );
        }
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
    for (const p of live) killGroup(p, "SIGKILL");
});

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
    try {
        process.kill(-p.pid!, signal);
    } catch {
        // already gone
    }
}

/** A pod's process: the container's command run with the rewritten environment. */
interface Proc {
    readonly child: ChildProcess;
    readonly log: string;
    readonly exited: Promise<number | null>;
}

/** A TCP forwarder standing in for a ClusterIP Service. */
class ServiceForwarder {
    private readonly server: net.Server;
    private readonly sockets = new Set<net.Socket>();

    constructor(
        readonly address: string,
        readonly port: number,
        private readonly endpoints: () => string[],
    ) {
        this.server = net.createServer((client) => void this.forward(client));
    }

    listen(): Promise<void> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(this.port, this.address, () => resolve());
        });
    }

    /** A random endpoint that accepts the connection (a dead pod's endpoint is not ready). */
    private async forward(client: net.Socket): Promise<void> {
        this.sockets.add(client);
        client.on("close", () => this.sockets.delete(client));
        client.on("error", () => client.destroy());
        client.pause();
        const order = [...this.endpoints()].sort(() => Math.random() - 0.5);
        for (const host of order) {
            const upstream = await new Promise<net.Socket | undefined>((resolve) => {
                const s = net.connect({ host, port: this.port });
                const t = setTimeout(() => {
                    s.destroy();
                    resolve(undefined);
                }, 500);
                s.once("connect", () => {
                    clearTimeout(t);
                    resolve(s);
                });
                s.once("error", () => {
                    clearTimeout(t);
                    resolve(undefined);
                });
            });
            if (!upstream) continue;
            if (client.destroyed) return void upstream.destroy();
            this.sockets.add(upstream);
            upstream.on("close", () => {
                this.sockets.delete(upstream);
                client.destroy();
            });
            upstream.on("error", () => upstream.destroy());
            client.on("close", () => upstream.destroy());
            client.pipe(upstream);
            upstream.pipe(client);
            client.resume();
            return;
        }
        client.destroy();
    }

    close(): Promise<void> {
        for (const s of this.sockets) s.destroy();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}

export interface HarnessOptions {
    /** DNS name of the legacy instance in the rendering, mapped to PLAN.legacy. */
    readonly legacyName?: string;
}

export class Harness {
    readonly dir: string;
    /** Generated for this run: the value of the password Secret. */
    readonly password = crypto.randomBytes(18).toString("base64url");
    private readonly procs = new Map<string, Proc>();
    private readonly services: ServiceForwarder[] = [];
    /**
     * The ready endpoints of `redis-sp` (proxy addresses): every proxy replica at start; a test
     * that rolls the proxy Deployment adds a new pod once its readiness probe passes and removes
     * an old one before stopping it, as the endpoints controller does.
     */
    readonly proxyEndpoints: string[] = [];

    constructor(
        readonly rendered: RenderedRedis,
        private readonly options: HarnessOptions = {},
    ) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-redis-"));
    }

    get nodes(): number {
        return this.rendered.nodes;
    }

    /** The names the rendering uses for Services and the legacy instance. */
    private names(): Record<string, string> {
        const names: Record<string, string> = {
            [this.rendered.redis.env.SENTINEL_HOST]: PLAN.sentinelService,
        };
        if (this.options.legacyName) names[this.options.legacyName] = PLAN.legacy;
        return names;
    }

    /**
     * The pod's directories for container `c`: one per volume, shared by the pod's containers,
     * except volumes in `ownCopy` (ConfigMaps), which each container gets rewritten for its own
     * mounts.
     */
    private pod(podName: string, self: string, c: Container, ownCopy: string[] = []): PodContext {
        const mounts: Record<string, string> = {};
        for (const m of c.volumeMounts) {
            const d = path.join(
                this.dir,
                podName,
                ownCopy.includes(m.mountPath) ? `${c.name}-${m.name}` : m.name,
            );
            fs.mkdirSync(d, { recursive: true });
            mounts[m.mountPath] = d;
        }
        return {
            statefulSet: this.rendered.statefulSet,
            headless: this.rendered.headless,
            nodes: this.nodes,
            names: this.names(),
            self,
            mounts,
        };
    }

    /**
     * Starts container `c` of pod `podName` at `self`: files it mounts from ConfigMaps are written
     * into the pod's directories (rewritten), then its command runs with its environment (plain
     * values rewritten, Secret values from this run), in its own process group.
     */
    private start(
        key: string,
        podName: string,
        self: string,
        c: Container,
        files: Record<string, Record<string, string>>,
        argv: string[],
    ): void {
        if (this.procs.has(key)) throw new Error(`${key} is already running`);
        const pod = this.pod(podName, self, c, Object.keys(files));
        for (const [mountPath, data] of Object.entries(files)) {
            for (const [file, text] of Object.entries(data)) {
                fs.writeFileSync(path.join(pod.mounts[mountPath], file), toLoopback(text, pod));
            }
        }
        const env: NodeJS.ProcessEnv = {
            PATH: `${process.env.PATH}:/usr/sbin:/sbin`,
            HOME: this.dir,
        };
        for (const [k, v] of Object.entries(c.env)) env[k] = toLoopback(v, pod);
        for (const k of c.secretEnv) {
            if (k !== "REDIS_PASSWORD") throw new Error(`unknown Secret variable ${k}`);
            env[k] = this.password;
        }
        const log = path.join(this.dir, podName, `${c.name}.log`);
        const fd = fs.openSync(log, "a");
        const [cmd, ...rest] = argv.map((a) => toLoopback(a, pod));
        const child = spawn(cmd, rest, {
            env,
            cwd: path.join(this.dir, podName),
            detached: true,
            stdio: ["ignore", fd, fd],
        });
        fs.closeSync(fd);
        live.add(child);
        const exited = new Promise<number | null>((resolve) =>
            child.once("exit", (code) => {
                live.delete(child);
                resolve(code);
            }),
        );
        this.procs.set(key, { child, log, exited });
    }

    /**
     * Starts node i's Redis container, from `r` (another release's rendering of the same tier,
     * as a rolled pod runs its new template) or the harness's.
     */
    startRedis(i: number, r: RenderedRedis = this.rendered): void {
        const c = r.redis;
        const pod = `${r.statefulSet}-${i}`;
        this.start(`redis-${i}`, pod, PLAN.node(i), c, { "/scripts": r.scripts }, c.command!);
    }

    /** Starts node i's Sentinel container (from `r`, as {@link startRedis}). */
    startSentinel(i: number, r: RenderedRedis = this.rendered): void {
        const c = r.sentinel;
        const pod = `${r.statefulSet}-${i}`;
        this.start(`sentinel-${i}`, pod, PLAN.node(i), c, { "/scripts": r.scripts }, c.command!);
    }

    /**
     * Starts HAProxy replica j with the rendered configuration and the container's args. The
     * official image's entrypoint runs `haproxy -W -db <args>` (master-worker, foreground), so do we.
     */
    startProxy(j: number, r: RenderedRedis = this.rendered): void {
        const c = r.haproxy;
        const cfgMount = c.volumeMounts.find((m) => m.name === "config")!.mountPath;
        this.start(
            `proxy-${j}`,
            `redis-proxy-${j}`,
            PLAN.proxy(j),
            c,
            { [cfgMount]: r.proxyFiles },
            ["haproxy", "-W", "-db", ...(c.args ?? [])],
        );
    }

    /**
     * Starts node i's redis_exporter beside Redis (`redis`) or beside Sentinel (`sentinel`) with
     * the container's rendered args and the Secret's password in its environment. The image runs
     * `/redis_exporter <args>`; here it is Debian's build of the same program
     * (`prometheus-redis-exporter`, or `REDIS_EXPORTER_BIN`).
     */
    startExporter(i: number, beside: "redis" | "sentinel"): void {
        const c = beside === "redis" ? this.rendered.redisExporter : this.rendered.sentinelExporter;
        this.start(`${c.name}-${i}`, `${this.rendered.statefulSet}-${i}`, PLAN.node(i), c, {}, [
            process.env.REDIS_EXPORTER_BIN ?? "prometheus-redis-exporter",
            ...(c.args ?? []),
        ]);
    }

    /** The Services: `redis-sentinel` over the nodes' Sentinels, `redis-sp` over the proxies. */
    async startServices(): Promise<void> {
        const nodes = Array.from({ length: this.nodes }, (_, i) => PLAN.node(i));
        this.proxyEndpoints.splice(
            0,
            this.proxyEndpoints.length,
            ...Array.from({ length: this.rendered.proxyReplicas }, (_, j) => PLAN.proxy(j)),
        );
        for (const s of [
            new ServiceForwarder(PLAN.sentinelService, 26379, () => nodes),
            new ServiceForwarder(PLAN.redisSp, 6379, () => this.proxyEndpoints),
        ]) {
            await s.listen();
            this.services.push(s);
        }
    }

    /** Starts everything in the order the StatefulSet would (OrderedReady), then the proxies. */
    async startAll(): Promise<void> {
        for (const addr of [
            ...Array.from({ length: this.nodes }, (_, i) => PLAN.node(i)),
            ...Array.from({ length: this.rendered.proxyReplicas }, (_, j) => PLAN.proxy(j)),
            PLAN.sentinelService,
            PLAN.redisSp,
        ]) {
            for (const port of [6379, 26379]) {
                if (await accepts(addr, port)) {
                    throw new Error(`${addr}:${port} is already in use: another run of this test?`);
                }
            }
        }
        await this.startServices();
        for (let i = 0; i < this.nodes; i++) {
            this.startRedis(i);
            this.startSentinel(i);
            await until(`node ${i} ready`, 20_000, async () =>
                (await once(PLAN.node(i), 6379, this.password, ["PING"])) === "PONG" &&
                (await accepts(PLAN.node(i), 26379))
                    ? true
                    : undefined,
            );
        }
        for (let j = 0; j < this.rendered.proxyReplicas; j++) this.startProxy(j);
    }

    running(key: string): boolean {
        return this.procs.has(key);
    }

    /** Sends a signal to a process (SIGSTOP / SIGCONT freeze and thaw it). */
    signal(key: string, sig: NodeJS.Signals): void {
        const p = this.procs.get(key);
        if (!p) throw new Error(`${key} is not running`);
        killGroup(p.child, sig);
    }

    /** Kills a process (SIGKILL: a lost pod, no shutdown) and waits for it to be gone. */
    async kill(key: string, sig: NodeJS.Signals = "SIGKILL"): Promise<void> {
        const p = this.procs.get(key);
        if (!p) return;
        killGroup(p.child, "SIGCONT");
        killGroup(p.child, sig);
        const gone = await Promise.race([
            p.exited.then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        if (!gone) {
            killGroup(p.child, "SIGKILL");
            await p.exited;
        }
        this.procs.delete(key);
    }

    /** Stops every process and Service and removes the temporary directory. */
    async stop(): Promise<void> {
        await Promise.all([...this.procs.keys()].map((k) => this.kill(k)));
        await Promise.all(this.services.map((s) => s.close()));
        this.services.length = 0;
        if (!process.env.KEEP_REDIS_TEST_DIR) fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** The last lines of a process's log, for failure messages. */
    tail(key: string, lines = 15): string {
        const p = this.procs.get(key);
        const file = p?.log;
        if (!file || !fs.existsSync(file)) return `(${key}: no log)`;
        return `--- ${key}\n${fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")}`;
    }

    /** Address of the master according to Sentinel `i` (undefined when it has none or is down). */
    async sentinelMaster(i: number): Promise<string | undefined> {
        const r = await once(PLAN.node(i), 26379, this.password, [
            "SENTINEL",
            "GET-MASTER-ADDR-BY-NAME",
            "mymaster",
        ]);
        return Array.isArray(r) ? String(r[0]) : undefined;
    }

    /** INFO replication of node i. */
    replication(i: number): Promise<Record<string, string>> {
        return info(PLAN.node(i), 6379, this.password, "replication");
    }

    /**
     * The node that the first Sentinel to answer names as master, waiting up to `timeoutMs` for
     * one to name any (stopped Sentinels are skipped).
     */
    masterNode(timeoutMs = 30_000): Promise<number> {
        return until("a Sentinel names the master", timeoutMs, async () => {
            for (let i = 0; i < this.nodes; i++) {
                if (!this.running(`sentinel-${i}`)) continue;
                const m = await this.sentinelMaster(i).catch(() => undefined);
                if (m) return this.nodeAt(m);
            }
            return undefined;
        });
    }

    /** Index of the node at `address`. */
    nodeAt(address: string): number {
        const i = Array.from({ length: this.nodes }, (_, k) => PLAN.node(k)).indexOf(address);
        if (i < 0) throw new Error(`${address} is not a node`);
        return i;
    }

    /**
     * Runs a rendered script of the scripts ConfigMap in node i's container `container`, as
     * `kubectl exec` would (that container's environment and mounts), without blocking the test's
     * event loop (writers keep running meanwhile).
     */
    runScript(
        i: number,
        file: string,
        container: "redis" | "sentinel",
        timeoutMs = 60_000,
        args: string[] = [],
    ): Promise<string> {
        const c = this.rendered[container];
        const pod = this.pod(`${this.rendered.statefulSet}-${i}`, PLAN.node(i), c, ["/scripts"]);
        const script = toLoopback(this.rendered.scripts[file], pod);
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: this.dir,
            REDIS_PASSWORD: this.password,
        };
        for (const [k, v] of Object.entries(c.env)) env[k] = toLoopback(v, pod);
        return new Promise((resolve, reject) =>
            execFile(
                "/bin/sh",
                ["-c", script, "sh", ...args],
                { env, timeout: timeoutMs },
                (err, stdout, stderr) =>
                    err
                        ? reject(
                              new Error(
                                  `${file} failed (exit ${err.code}): ${err.message}\n${stdout}${stderr}`,
                              ),
                          )
                        : resolve(`${stdout}${stderr}`),
            ),
        );
    }

    /**
     * Starts a stand-in for today's single `redis-master` (its configuration is not in this
     * repository): a plain redis-server with the same password, on the legacy address.
     */
    startLegacy(): void {
        const dir = path.join(this.dir, "redis-master");
        fs.mkdirSync(dir, { recursive: true });
        const conf = path.join(dir, "redis.conf");
        fs.writeFileSync(
            conf,
            // bind-source-addr: its connections (as node 0's replica) come from its own address,
            // as a pod's do, so the master lists it where it can be reached.
            `bind ${PLAN.legacy}\nbind-source-addr ${PLAN.legacy}\nport 6379\ndir ${dir}\n` +
                `appendonly yes\nrequirepass ${this.password}\n`,
        );
        const log = path.join(dir, "redis.log");
        const fd = fs.openSync(log, "a");
        const child = spawn("redis-server", [conf], {
            cwd: dir,
            detached: true,
            stdio: ["ignore", fd, fd],
        });
        fs.closeSync(fd);
        live.add(child);
        const exited = new Promise<number | null>((resolve) =>
            child.once("exit", (code) => {
                live.delete(child);
                resolve(code);
            }),
        );
        this.procs.set("legacy", { child, log, exited });
    }
}

/** True when something accepts a TCP connection at address:port within 500 ms. */
export function accepts(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect({ host, port });
        const done = (ok: boolean) => {
            clearTimeout(t);
            s.destroy();
            resolve(ok);
        };
        const t = setTimeout(() => done(false), 500);
        s.once("connect", () => done(true));
        s.once("error", () => done(false));
    });
}

/** Entries of `SENTINEL REPLICAS|SENTINELS` that are up, as `ip` values. */
export async function upEntries(h: Harness, sentinel: number, what: string): Promise<string[]> {
    const r = await once(PLAN.node(sentinel), 26379, h.password, ["SENTINEL", what, "mymaster"]);
    return (r as string[][])
        .map((flat) =>
            Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]]))),
        )
        .filter((e) => !/s_down|o_down|disconnected/.test(e.flags))
        .map((e) => e.ip);
}

/**
 * Waits until every running Sentinel agrees on `master` and knows every running replica and
 * Sentinel (Sentinel discovers replicas from the master's INFO every 10 s: one it does not know
 * yet would not be reconfigured by a failover), and every other node replicates the master.
 */
export async function settled(h: Harness, master: number, deadlineMs = 60_000): Promise<void> {
    const running = (kind: string) =>
        [...Array(h.nodes).keys()].filter((i) => h.running(`${kind}-${i}`));
    await until(`cluster settled on node ${master}`, deadlineMs, async () => {
        const replicas = running("redis").filter((i) => i !== master);
        for (const i of running("sentinel")) {
            if ((await h.sentinelMaster(i)) !== PLAN.node(master)) return undefined;
            const known = await upEntries(h, i, "REPLICAS");
            if (!replicas.every((r) => known.includes(PLAN.node(r)))) return undefined;
            const peers = await upEntries(h, i, "SENTINELS");
            if (peers.length < running("sentinel").length - 1) return undefined;
        }
        for (const i of replicas) {
            const r = await h.replication(i);
            if (
                r.role !== "slave" ||
                r.master_host !== PLAN.node(master) ||
                r.master_link_status !== "up"
            ) {
                return undefined;
            }
        }
        const m = await h.replication(master);
        return m.role === "master" ? true : undefined;
    });
}

/**
 * A rolling restart of the StatefulSet as Kubernetes runs it, highest ordinal first: each old
 * pod's `preStop` hook (from `old`, the rendering the old pods run) while its Sentinel gets
 * SIGTERM (Kubernetes stops a pod's containers together; only Redis has a hook), then Redis, then
 * the new pod from `next`. Asserts after each pod: the hook handed the master over through a
 * Sentinel that outlives the pod (never waiting past its deadline with writes held), and the
 * restarted node comes back as a replica, never as master.
 */
export async function rollStatefulSet(
    h: Harness,
    old: RenderedRedis = h.rendered,
    next: RenderedRedis = old,
): Promise<void> {
    const [, script, ...args] = old.redis.preStop ?? [];
    assert.ok(script, "the Redis container has no preStop hook");
    for (let i = h.nodes - 1; i >= 0; i--) {
        const [out] = await Promise.all([
            h.runScript(i, path.basename(script), "redis", 60_000, args),
            h.kill(`sentinel-${i}`, "SIGTERM"),
        ]);
        await h.kill(`redis-${i}`, "SIGTERM");
        h.startRedis(i, next);
        h.startSentinel(i, next);
        const now = await h.masterNode();
        assert.notEqual(now, i, `node ${i} is still the master after its preStop hook\n${out}`);
        assert.doesNotMatch(
            out,
            /no new master named yet/,
            `node ${i}'s preStop waited past its deadline\n${out}`,
        );
        await until(`node ${i} back as a replica`, 60_000, async () => {
            const r = await h.replication(i).catch(() => undefined);
            assert.notEqual(r?.role, "master", `restarted node ${i} answered role:master`);
            return r?.role === "slave" && r.master_link_status === "up" ? true : undefined;
        });
        await settled(h, await h.masterNode());
    }
}
