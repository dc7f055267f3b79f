/**
 * What a container runs (policies/lib/runs.ts) and the Redis settings read from it
 * (policies/lib/redisSettings.ts, enforce-redis-settings), whatever the workload is called.
 */
import * as assert from "assert";
import * as path from "path";
import { enforceRedisSettings } from "../policies/redis/enforceRedisSettings";
import { invocationsOf } from "../policies/lib/runs";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, violations } from "./harness";

const programs = (command: string[], args: string[] = [], files: Record<string, string> = {}) =>
    invocationsOf({ name: "c", command, args }, (f) => files[f]).map((i) =>
        [i.program, ...i.args].join(" "),
    );

describe("invocationsOf: the programs a container starts", () => {
    // prettier-ignore
    const cases: [string, string[], string[], string[]][] = [
        ["a plain program", ["redis-server", "--port", "6379"], [], ["redis-server --port 6379"]],
        ["an absolute path", ["/usr/local/bin/redis-server"], ["/etc/redis.conf"], ["redis-server /etc/redis.conf"]],
        ["sh -c with exec", ["sh", "-c", "exec redis-server --appendonly no"], [], ["redis-server --appendonly no"]],
        ["bash -lc with a chain", ["/bin/bash", "-lc", "cd /data && redis-server /etc/r.conf; echo done"], [], ["cd /data", "redis-server /etc/r.conf", "echo done"]],
        ["env with assignments", ["env", "X=1", "-u", "HOME", "redis-server"], [], ["redis-server"]],
        ["leading assignments in a script", ["sh", "-c", "A=1 B='two words' redis-server --save ''"], [], ["redis-server --save "]],
        ["tini and nice", ["tini", "-s", "--", "nice", "-n", "5", "valkey-server"], [], ["valkey-server"]],
        ["gosu to a user", ["gosu", "redis", "redis-server"], [], ["redis-server"]],
        ["a pipe and a substitution", ["sh", "-ec", 'm=$(redis-cli ping | head -n1); exec keydb-server'], [], ["redis-cli ping", "head -n1", "keydb-server"]],
        ["a script file the pack can read", ["/bin/sh", "/scripts/start.sh"], [], ["set -eu", "redis-server /tmp/r.conf"]],
        ["an args-only shell", [], ["sh", "-c", "redis-server"], ["redis-server"]],
        ["if/then keywords", ["sh", "-c", "if true; then exec redis-server; fi"], [], ["true", "redis-server"]],
    ];
    for (const [what, command, args, expected] of cases) {
        it(what, () =>
            assert.deepStrictEqual(
                programs(command, args, {
                    "/scripts/start.sh": "set -eu\nexec redis-server /tmp/r.conf\n",
                }),
                expected,
            ),
        );
    }

    it("keeps the lines a script writes, here-documents included", () => {
        const [inv] = invocationsOf({
            name: "c",
            command: [
                "sh",
                "-c",
                "cat > /r.conf <<EOF\nappendonly yes\nEOF\necho 'save \"\"' >> /r.conf\nexec redis-server /r.conf",
            ],
        }).filter((i) => i.program === "redis-server");
        assert.deepStrictEqual(inv.written, ["appendonly yes", 'save ""']);
    });

    it("names a script it cannot read", () => {
        const [inv] = invocationsOf({ name: "c", command: ["bash", "/opt/run.sh"] });
        assert.strictEqual(inv.unreadScript, "/opt/run.sh");
    });
});

/** The compliant namespace with its Redis container's command line (and ConfigMaps) replaced. */
function withRedis(
    command: string[] | undefined,
    args?: string[],
    extra: FixtureResource[] = [],
    mount?: object,
): FixtureResource[] {
    const resources = compliantResources();
    const redis = pick(resources, "StatefulSet", "redis").props.spec.template.spec;
    const container = redis.containers[0];
    if (command === undefined) delete container.command;
    else container.command = command;
    if (args !== undefined) container.args = args;
    if (mount !== undefined) {
        redis.volumes = [
            ...(redis.volumes ?? []),
            { name: "conf", configMap: { name: "redis-conf" } },
        ];
        container.volumeMounts = [...container.volumeMounts, mount];
    }
    return [...resources, ...extra];
}

const configMap = (data: Record<string, string>): FixtureResource => ({
    type: "kubernetes:core/v1:ConfigMap",
    name: "redis-conf",
    props: { metadata: { name: "redis-conf", namespace: "sapoche" }, data },
});

const R = 'StatefulSet "redis" container "redis"';
const ACCEPTED =
    "run redis-server with `--appendonly yes` on its command line, or load a config file from a ConfigMap of the stack " +
    "(or written by the script that starts it, itself in a mounted ConfigMap)";

describe("enforce-redis-settings", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceRedisSettings, compliantResources()), []);
    });

    // prettier-ignore
    const cases: [string, FixtureResource[], string[]][] = [
        ["the image's defaults (no append-only file)", withRedis(undefined), [`${R} runs redis-server with appendonly "no" (from built-in defaults); allowed: yes: the append-only file keeps every acknowledged job across a restart.`]],
        ["--appendonly no behind a shell", withRedis(["sh", "-c", "exec redis-server --appendonly no"]), [`${R} runs redis-server with appendonly "no" (from built-in defaults and its arguments); allowed: yes: the append-only file keeps every acknowledged job across a restart.`]],
        ["writable replicas through env and an absolute path", withRedis(["env", "X=1", "/usr/bin/redis-server", "--appendonly", "yes", "--slave-read-only", "no"]), [`${R} runs redis-server with replica-read-only "no" (from built-in defaults and its arguments); allowed: yes: a writable replica diverges from its master and loses those writes at the next sync.`]],
        ["appendfsync no in a mounted config file", withRedis(["redis-server", "/conf/redis.conf"], [], [configMap({ "redis.conf": "appendonly yes\nappendfsync no\n" })], { name: "conf", mountPath: "/conf" }), [`${R} runs redis-server with appendfsync "no" (from /conf/redis.conf); allowed: always or everysec: with \`no\` the kernel decides when queued jobs reach the disk.`]],
        ["a config file the pack cannot see", withRedis(["redis-server", "/etc/redis/redis.conf"]), [`${R}: the pack cannot determine its persistence settings: it loads /etc/redis/redis.conf, which is neither in a mounted ConfigMap nor written by its script; ${ACCEPTED}.`]],
        ["a script outside any ConfigMap", withRedis(["/bin/sh", "/opt/start.sh"]), [`${R} runs a Redis server the pack cannot follow (["/bin/sh","/opt/start.sh"]); ${ACCEPTED}.`]],
        ["a mounted script that writes appendonly no", withRedis(["/bin/sh", "/conf/start.sh"], [], [configMap({ "start.sh": "{\n  echo 'appendonly no'\n} > /tmp/r.conf\nexec redis-server /tmp/r.conf\n" })], { name: "conf", mountPath: "/conf" }), [`${R} runs redis-server with appendonly "no" (from /tmp/r.conf); allowed: yes: the append-only file keeps every acknowledged job across a restart.`]],
    ];
    for (const [what, resources, expected] of cases) {
        it(`rejects ${what}`, async () =>
            assert.deepStrictEqual(await violations(enforceRedisSettings, resources), expected));
    }

    it("accepts a mounted config file that sets the append-only file", async () => {
        const resources = withRedis(
            ["redis-server", "/conf/redis.conf"],
            [],
            [configMap({ "redis.conf": "# AOF\nappendonly yes\n" })],
            { name: "conf", mountPath: "/conf" },
        );
        assert.deepStrictEqual(await violations(enforceRedisSettings, resources), []);
    });

    it("finds a second Redis started from a mounted script, whatever the workload's name and image", async () => {
        const resources = compliantResources();
        const proxy = pick(resources, "Deployment", "redis-proxy").props.spec.template.spec;
        proxy.containers[0].command = ["/bin/sh", "/conf/start.sh"];
        proxy.volumes = [
            ...(proxy.volumes ?? []),
            { name: "conf", configMap: { name: "redis-conf" } },
        ];
        proxy.containers[0].volumeMounts = [{ name: "conf", mountPath: "/conf" }];
        resources.push(configMap({ "start.sh": "exec /usr/bin/redis-server --appendonly yes" }));
        assert.deepStrictEqual(await violations(enforceRedisSettings, resources), [
            `Deployment "redis-proxy" container "haproxy" starts a Redis-compatible server from a script; Redis should run only as the Sentinel StatefulSet "redis".`,
        ]);
    });
});

describe("enforce-redis-settings over the real program", function () {
    this.timeout(60_000);
    const { stackResources } = require(path.resolve(__dirname, "../../lib/program")) as {
        stackResources(stack: string): Promise<FixtureResource[]>;
    };

    it("reads production1's settings from the script in the redis-scripts ConfigMap", async () => {
        const resources = await stackResources("production1");
        assert.deepStrictEqual(await violations(enforceRedisSettings, resources), []);
        const scripts = resources.find(
            (r) =>
                r.type === "kubernetes:core/v1:ConfigMap" &&
                /^redis-scripts/.test(r.props.metadata.name),
        )!;
        scripts.props.data["redis.sh"] = scripts.props.data["redis.sh"].replace(
            "appendonly yes",
            "appendonly no",
        );
        assert.deepStrictEqual(await violations(enforceRedisSettings, resources), [
            `${R} runs redis-server with appendonly "no" (from /tmp/redis.conf); allowed: yes: the append-only file keeps every acknowledged job across a restart.`,
        ]);
    });
});
