/**
 * `sapoche-stack:monitoring` admits only durations Prometheus accepts and thresholds an alert can
 * cross. Every key of a class is tried (the classes come from the schema's own shape and the
 * stack file, not from a list of examples), and each refusal names the file, key, value and what
 * is allowed.
 */
import { strict as assert } from "assert";
import { ConfigError, parseSettings } from "../../stacks/settings";
import { RETENTION_MS, SCRAPE_INTERVAL_MS, monitoringSchema } from "../../stacks/schema/monitoring";
import { monitoringArgs } from "../../stacks/monitoring";
import { renderRuleGroups } from "../../components/monitoring-rules";
import { PROJECT, readStackConfig, toEngineConfig } from "../../lib/program";

type Config = Record<string, any>;
const FILE = "Pulumi.production1.yaml";
const KEY = `${PROJECT}:monitoring`;

function production1(): Config {
    const c = readStackConfig("production1");
    return JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k.split(":")[1], v]))),
    );
}

const MONITORING = production1().monitoring;

/** The stack file's `monitoring` with `monitoring.<path>` set to each value given. */
function withValues(sets: readonly [readonly string[], unknown][]): Config {
    const m = JSON.parse(JSON.stringify(MONITORING));
    for (const [path, value] of sets) {
        let at = m;
        for (const p of path.slice(0, -1)) at = at[p];
        at[path[path.length - 1]] = value;
    }
    return m;
}

/**
 * The problems of production1's `monitoring` with these keys set, as the stack config reports
 * them (`<key>: got <value>; expected <allowed>`), from the section's schema: the whole config's
 * parse (file name included) is checked once per class below.
 */
function problemsWith(...sets: [readonly string[], unknown][]): string[] {
    const m = withValues(sets);
    const r = monitoringSchema.safeParse(m);
    if (r.success) return [];
    return r.error.issues.map((i) => {
        let v: any = m;
        for (const p of i.path) v = v?.[p as string];
        return `${KEY}.${i.path.join(".")}: got ${JSON.stringify(v)}; expected ${i.message}`;
    });
}
const problems = (path: readonly string[], value: unknown) => problemsWith([path, value]);

/** The full parse of production1 with one key set: the file, key, value and allowed, in one line. */
function parsed(path: readonly string[], value: unknown): string[] {
    const c = production1();
    c.monitoring = withValues([[path, value]]);
    try {
        parseSettings(toEngineConfig(c), PROJECT, FILE);
    } catch (e) {
        if (e instanceof ConfigError) {
            assert.match(e.message, /in Pulumi\.production1\.yaml/);
            return [...e.problems];
        }
        throw e;
    }
    return [];
}

/** Every leaf of the stack's `monitoring` with its path. */
function leaves(value: Config, prefix: string[] = []): [string[], unknown][] {
    return Object.entries(value).flatMap(([k, v]) =>
        typeof v === "object" && v !== null ? leaves(v, [...prefix, k]) : [[[...prefix, k], v]],
    );
}

/** A window (read back over) refuses one scrape's worth; a `for` takes it. */
const isWindow = (path: readonly string[]) => problems(path, "30s").length > 0;
const strings = leaves(MONITORING).filter(
    ([p, v]) =>
        typeof v === "string" &&
        !["prometheusNamespace", "runbookBaseUrl", "storageClaim"].includes(p[p.length - 1]),
);
const durations = strings.map(([p]) => p);
const percents = leaves(MONITORING)
    .map(([p]) => p)
    .filter((p) => /Percent$/.test(p[p.length - 1]));

const refusal = (path: readonly string[], value: unknown, allowed: RegExp) => {
    const found = problems(path, value);
    assert.equal(found.length, 1, `${path.join(".")}=${JSON.stringify(value)}: ${found}`);
    const head = `${KEY}.${path.join(".")}: got ${JSON.stringify(value)}; expected `;
    assert.ok(found[0].startsWith(head), found[0]);
    assert.match(found[0].slice(head.length), allowed);
};

describe("monitoring thresholds Prometheus accepts and that can fire", () => {
    it("treats as windows exactly the durations the rules read back over", () => {
        // Each duration a distinct value, then where each lands in the rendered rules.
        const c = production1();
        durations.forEach((path, i) => {
            let at = c.monitoring;
            for (const p of path.slice(0, -1)) at = at[p];
            at[path[path.length - 1]] = `${2 + i}m${7 + i}s`;
        });
        const settings = parseSettings(toEngineConfig(c), PROJECT, FILE);
        const { targets, thresholds } = monitoringArgs(
            settings.namespace,
            settings.plan,
            settings.monitoring,
        );
        const rules = renderRuleGroups(targets, thresholds).flatMap((g) => g.rules ?? []);
        durations.forEach((path, i) => {
            const v = `${2 + i}m${7 + i}s`;
            const read = rules.some((r) =>
                new RegExp(`\\[${v}\\]|offset ${v}\\b`).test(String(r.expr)),
            );
            const waited = rules.some((r) => r.for === v);
            assert.ok(read || waited, `${path.join(".")} is used by no rule`);
            assert.equal(isWindow(path), read, `${path.join(".")}: window ${read}, for ${waited}`);
        });
        assert.equal(durations.filter(isWindow).length, 4);
    });

    it("names the file, the key, the value and what is allowed, once per class", () => {
        for (const [path, value] of [
            [["redis", "noMasterFor"], "1.5m"],
            [["redis", "noMasterFor"], "0"],
            [["queues", "stuckFor"], "2d"],
            [["orthanc", "minFreePercent"], 100],
            [["autoscaling", "flappingChanges"], 100],
        ] as const) {
            const [found, ...more] = parsed(path, value);
            assert.equal(more.length, 0);
            assert.deepEqual(found, problems(path, value)[0]);
            assert.ok(
                found.startsWith(
                    `${KEY}.${path.join(".")}: got ${JSON.stringify(value)}; expected `,
                ),
            );
        }
    });

    // Prometheus' model.ParseDuration refuses each (fractions, spaces, unit order, repeats,
    // capitals, signs, no unit, a number).
    const bad = ["1.5h", "5 m", "30m1h", "1h1h", "5M", "-5m", "5", "", "m", "1h 30m", 300];
    for (const path of durations) {
        it(`${path.join(".")}: refuses what Prometheus' duration grammar refuses`, () => {
            for (const v of bad) refusal(path, v, /a Prometheus duration: integers with units/);
        });
    }

    for (const path of durations.filter((p) => !isWindow(p))) {
        it(`${path.join(".")} (a for): at least one evaluation, composite units accepted`, () => {
            for (const v of ["0", "10s", "29s999ms"]) refusal(path, v, /at least 30 s/);
            refusal(path, "300y", /at most 292y/);
            for (const v of ["30s", "1h30m", "2d3h", "1w"]) assert.deepEqual(problems(path, v), []);
        });
    }

    for (const path of durations.filter(isWindow)) {
        it(`${path.join(".")} (a window): two scrapes to Prometheus' retention`, () => {
            const allowed = /from 1m \(two scrapes 30s apart.*to 1d \(Prometheus' retention/;
            for (const v of ["0", "30s", "59s999ms", "1d1ms", "2d", "1w"])
                refusal(path, v, allowed);
            const flapping = path[path.length - 1] === "flappingWindow";
            // One flapping change needs three scrapes (below): that window starts at 1m30s.
            const ok = [flapping ? "1m30s" : "1m", "1h30m", "23h59m59s", "1d"];
            for (const v of ok) {
                const found = flapping
                    ? problemsWith([path, v], [["autoscaling", "flappingChanges"], 1])
                    : problems(path, v);
                assert.deepEqual(found, [], v);
            }
            assert.equal(2 * SCRAPE_INTERVAL_MS, 60_000);
            assert.equal(RETENTION_MS, 86_400_000);
        });
    }

    it("each percent: 1 to 99 (never crossed at 0 or 100), integers only", () => {
        assert.deepEqual(percents.map((p) => p.join(".")).sort(), [
            "orthanc.minFreePercent",
            "redis.memoryPercent",
        ]);
        for (const path of percents) {
            for (const v of [0, 100, 150, -5, 50.5, "85"]) {
                refusal(
                    path,
                    v,
                    /an integer from 1 to 99 \(a percent of .*never goes below 0 or above 100\)/,
                );
            }
            for (const v of [1, 50, 99]) assert.deepEqual(problems(path, v), []);
        }
    });

    it("flappingChanges: below the changes the window's scrapes can show", () => {
        for (const [window, most] of [
            ["1m", 1],
            ["5m", 9],
            ["30m", 59],
            ["45m", 89],
        ] as const) {
            const key = ["autoscaling", "flappingChanges"];
            const over = problemsWith([["autoscaling", "flappingWindow"], window], [key, most]);
            assert.equal(over.length, 1, `${window}: ${over}`);
            assert.equal(
                over[0],
                `${KEY}.autoscaling.flappingChanges: got ${most}; expected an integer below ` +
                    `${most}: flappingWindow (${window}) holds ${most + 1} scrapes 30s apart, so ` +
                    `at most ${most} changes, and the alert fires only above this count`,
            );
            if (most - 1 >= 1 && most - 1 <= 100) {
                assert.deepEqual(
                    problemsWith([["autoscaling", "flappingWindow"], window], [key, most - 1]),
                    [],
                );
            }
        }
    });
});
