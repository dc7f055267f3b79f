/**
 * Where each "pod" of the rendered Redis tier lives on this machine, and the one place where the
 * rendered text is adapted to it.
 *
 * In the cluster every pod has its own network namespace (its own IP, so every Redis listens on
 * 6379 and every Sentinel on 26379), its own filesystem mounts (`/data`, `/tmp`, `/sentinel`,
 * `/scripts`), and cluster DNS resolves `redis-N.redis-headless.<ns>.svc.cluster.local` and the
 * Services' names. Here all processes share one network namespace and one filesystem, and the
 * test cannot add names to the machine's resolver without root and side effects. So each pod gets
 * its own loopback address (127.0.0.x: same ports as in the cluster, nothing leaves the machine)
 * and its own directories under a temporary directory, and `toLoopback` rewrites exactly those
 * pod-environment facts in the rendered text, nothing else:
 *
 *   1. DNS names of pods and Services -> their loopback address. The scripts build a pod's name
 *      from the environment (`$(hostname).$HEADLESS`, `$STATEFULSET-$i.$HEADLESS`), HAProxy's
 *      configuration and the environment carry literal names, and HAProxy's master check builds
 *      one from the server's name (`%[srv_name].<headless>`; servers are named after pods, so
 *      here they are named after the pod's address), as does its Lua Sentinel poll
 *      (`POD_DOMAIN`, appended to a server's name: empty here). The exporters reach their own pod's Redis
 *      or Sentinel at `redis://localhost:<port>`: the pod's address here.
 *   2. Container mount paths -> the pod's directories.
 *   3. Listening addresses: what the pod's network namespace does for free. `redis-server` and
 *      `redis-sentinel` get `--bind <pod address>` on their exec line; HAProxy's `bind :6379`
 *      becomes `bind <pod address>:6379`, redis_exporter's `--web.listen-address=:9121`
 *      `--web.listen-address=<pod address>:9121`.
 *
 * Every other byte (commands, config directives, health checks, passwords handling) runs as
 * rendered. Each rule must match where it is expected and no pod-DNS name may survive, so a change
 * of the rendering that this mapping does not understand fails the test instead of silently
 * running something else.
 */

/** Loopback addresses of the test's pods and Services. */
export interface Plan {
    /** Redis node i (redis on 6379, Sentinel on 26379). */
    node(i: number): string;
    /** HAProxy replica j (6379). */
    proxy(j: number): string;
    /** The legacy single `redis-master` (6379). */
    readonly legacy: string;
    /** Service `redis-sentinel` (26379): forwards to a live Sentinel, like kube-proxy. */
    readonly sentinelService: string;
    /** Service `redis-sp` (6379): forwards to a live HAProxy. */
    readonly redisSp: string;
}

/**
 * Node addresses are 127.0.0.11..19: no address is a prefix of another, so the HAProxy check
 * comparing Sentinel's answer with a server's name cannot match the wrong node here either.
 */
export const PLAN: Plan = {
    node: (i) => `127.0.0.${11 + i}`,
    proxy: (j) => `127.0.0.${31 + j}`,
    legacy: "127.0.0.21",
    sentinelService: "127.0.0.41",
    redisSp: "127.0.0.42",
};

export interface PodContext {
    /** StatefulSet name and headless domain, as rendered (`redis`, `redis-headless.sapoche...`). */
    readonly statefulSet: string;
    readonly headless: string;
    readonly nodes: number;
    /** DNS names (Services, the legacy instance) -> loopback address. */
    readonly names: Record<string, string>;
    /** This pod's loopback address. */
    readonly self: string;
    /** Container mount path -> directory of this pod. */
    readonly mounts: Record<string, string>;
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Rewrites rendered text (a start script, HAProxy's config, an environment value) for a pod of
 * this machine: see the module comment for the three rules and why.
 */
export function toLoopback(text: string, pod: PodContext): string {
    let out = text;
    // 1. Pod DNS names built by the scripts from the pod's environment.
    out = out.replace(/\$\(hostname\)\.\$HEADLESS/g, pod.self);
    // `$STATEFULSET-<n or $var>.$HEADLESS`: node n's address, computed by the shell.
    out = out.replace(/\$STATEFULSET-(\d+|\$\w+|\$\{\w+\})\.\$HEADLESS/g, (_, n: string) =>
        /^\d+$/.test(n) ? `127.0.0.${11 + Number(n)}` : `127.0.0.$((11 + ${n}))`,
    );
    // HAProxy names each server after its pod and compares Sentinel's answer with the pod's DNS
    // name `%[srv_name].<headless>`; here a pod's name is its address, so the server is named
    // by its address and compared with it.
    out = out.replace(new RegExp(`%\\[srv_name\\]\\.${escape(pod.headless)}`, "g"), "%[srv_name]");
    // The proxy's Sentinel poll does the same comparison in Lua: server name + pod domain.
    out = out.replace(
        new RegExp(`^(local POD_DOMAIN = )"\\.${escape(pod.headless)}"$`, "gm"),
        '$1""',
    );
    out = out.replace(
        new RegExp(`^(\\s*server )${escape(pod.statefulSet)}-(\\d+) `, "gm"),
        (_, pre: string, n: string) => `${pre}127.0.0.${11 + Number(n)} `,
    );
    // Literal pod names (HAProxy's servers) and Service / legacy names.
    for (let i = 0; i < pod.nodes; i++) {
        out = out.replace(
            new RegExp(`${escape(`${pod.statefulSet}-${i}.${pod.headless}`)}(?![\\w.-])`, "g"),
            PLAN.node(i),
        );
    }
    for (const [name, addr] of Object.entries(pod.names)) {
        out = out.replace(new RegExp(`${escape(name)}(?![\\w.-])`, "g"), addr);
    }
    // The pod's own network namespace.
    out = out.replace(/^(--redis\.addr=redis:\/\/)localhost(?=:\d+$)/gm, `$1${pod.self}`);
    // 2. Container mount paths, as whole path components, in one pass (the pods' directories
    //    may themselves live under a path such as /tmp).
    const mounts = Object.keys(pod.mounts).sort((a, b) => b.length - a.length);
    if (mounts.length) {
        const re = new RegExp(
            `(^|[\\s"'=>:])(${mounts.map(escape).join("|")})(?=[/\\s"';]|$)`,
            "gm",
        );
        out = out.replace(re, (_, pre: string, m: string) => `${pre}${pod.mounts[m]}`);
    }
    // 3. Listening addresses (the pod network namespace's job).
    out = out.replace(/^(\s*exec redis-(?:server|sentinel) \S+)/gm, `$1 --bind ${pod.self}`);
    out = out.replace(/^(\s*bind )(:\d+)/gm, `$1${pod.self}$2`);
    out = out.replace(/^(--web\.listen-address=)(:\d+)$/gm, `$1${pod.self}$2`);

    // The bare headless domain (the value of `HEADLESS`) may stay: every pod name built from it
    // is one of the expressions rewritten above.
    const leftover = out
        .split(pod.headless)
        .join("")
        .match(/\$HEADLESS|\$\(hostname\)|svc\.cluster\.local|redis:\/\/localhost/);
    if (leftover) {
        throw new Error(
            `toLoopback: "${leftover[0]}" survives the rewrite; the rendering uses a name this ` +
                `test does not map:\n${out}`,
        );
    }
    return out;
}
