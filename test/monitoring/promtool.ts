/**
 * Runs promtool on rendered rules: `check rules` on the rule file, `test rules` on unit tests
 * written from scenarios (synthetic series, an evaluation time, the alerts expected then).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";

/** One input series in promtool's expanding notation (`0+1x30`, `_x5 1x10`). */
export interface Series {
    readonly series: string;
    readonly values: string;
}

/** An alert expected at the evaluation time: its series labels and, when shown, its value. */
export interface Expected {
    readonly labels: Record<string, string>;
    readonly value?: number;
}

/** A named situation: series, when to look, which alerts (none: the rule stays quiet). */
export interface Scenario {
    readonly title: string;
    readonly alert: string;
    readonly series: readonly Series[];
    /** Minutes after the first sample. */
    readonly evalMinutes: number;
    readonly expect: readonly Expected[];
    /** Picks the rule whose labels match, where several rules share the alert name. */
    readonly ruleLabels?: Record<string, string>;
    /** Picks the rule with this expression, where several share the alert name and labels. */
    readonly ruleExpr?: string;
}

/** The promtool binary: `PROMTOOL` or the one on PATH (scripts/toolchain/behaviour-tools.sh installs it). */
export function promtool(): string {
    const bin = process.env.PROMTOOL ?? "promtool";
    const found = spawnSync(bin, ["--version"], { encoding: "utf8" });
    if (found.error || found.status !== 0) {
        throw new Error(
            `promtool is not available (${bin}); install it with: bash scripts/toolchain/behaviour-tools.sh`,
        );
    }
    return bin;
}

/** `{{ $labels.x }}` and `{{ $value }}` as Prometheus expands them (values print like Go's %v). */
export function expand(template: string, labels: Record<string, string>, value?: number): string {
    return template.replace(
        /\{\{ *\$(labels\.([a-zA-Z_][a-zA-Z0-9_]*)|value) *\}\}/g,
        (_, what, key) => {
            if (what === "value") {
                if (value === undefined) throw new Error(`template ${template} shows $value`);
                return goFloat(value);
            }
            return labels[key] ?? "";
        },
    );
}

/** Go's %v of a float64: shortest digits, exponent form from 1e6 or below 1e-4 (`1.5e+06`). */
function goFloat(v: number): string {
    if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) {
        const [mantissa, exponent] = v.toExponential().split("e");
        const e = Number(exponent);
        return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    }
    return String(v);
}

/** The one rule a scenario is about (its alert name, narrowed by its rule labels or expression). */
export function ruleFor(groups: readonly IRuleGroup[], scenario: Scenario): IRule {
    const rules = groups
        .flatMap((g) => g.rules ?? [])
        .filter(
            (r) =>
                r.alert === scenario.alert &&
                (scenario.ruleExpr === undefined || r.expr === scenario.ruleExpr) &&
                Object.entries(scenario.ruleLabels ?? {}).every(([k, v]) => r.labels?.[k] === v),
        );
    if (rules.length !== 1) {
        throw new Error(`${scenario.title}: ${rules.length} rules match ${scenario.alert}`);
    }
    return rules[0];
}

/** promtool's unit-test group for one scenario, expected labels and annotations filled in. */
function testGroup(groups: readonly IRuleGroup[], scenario: Scenario): object {
    const rule = ruleFor(groups, scenario);
    return {
        name: scenario.title,
        interval: "1m",
        input_series: scenario.series,
        alert_rule_test: [
            {
                eval_time: `${scenario.evalMinutes}m`,
                alertname: scenario.alert,
                exp_alerts: scenario.expect.map((e) => {
                    const labels = { ...e.labels, ...rule.labels };
                    return {
                        exp_labels: labels,
                        exp_annotations: Object.fromEntries(
                            Object.entries(rule.annotations ?? {}).map(([k, v]) => [
                                k,
                                expand(v, labels, e.value),
                            ]),
                        ),
                    };
                }),
            },
        ],
    };
}

/** A fresh directory holding `rules.yml` (the PrometheusRule's groups, as Prometheus reads them). */
export function writeRules(groups: readonly IRuleGroup[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-rules-"));
    fs.writeFileSync(path.join(dir, "rules.yml"), yaml.dump({ groups }, { lineWidth: -1 }));
    return dir;
}

/** Output of `promtool check rules`; throws with promtool's own message when it fails. */
export function checkRules(dir: string): string {
    return execFileSync(promtool(), ["check", "rules", path.join(dir, "rules.yml")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** Runs `promtool test rules` on the scenarios; resolves to promtool's failure text, or "". */
export function testRules(
    dir: string,
    groups: readonly IRuleGroup[],
    scenarios: readonly Scenario[],
    file = "tests.yml",
): string {
    const tests = {
        rule_files: ["rules.yml"],
        evaluation_interval: "1m",
        tests: scenarios.map((s) => testGroup(groups, s)),
    };
    fs.writeFileSync(path.join(dir, file), yaml.dump(tests, { lineWidth: -1 }));
    const run = spawnSync(promtool(), ["test", "rules", file], { cwd: dir, encoding: "utf8" });
    return run.status === 0 ? "" : `${run.stdout}${run.stderr}`;
}
