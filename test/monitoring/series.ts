/** Small builders for promtool input series and scenarios. */
import type { Duration } from "../../components/monitoring-model";
import { prometheusDurationMs } from "../../stacks/schema/primitives";
import type { Expected, Scenario, Series } from "./promtool";

/** Minutes of a Prometheus duration (`90s` -> 1.5, `1h30m` -> 90). */
export function minutes(d: Duration): number {
    const ms = prometheusDurationMs(d);
    if (ms === undefined) throw new Error(`not a Prometheus duration: ${d}`);
    return ms / 60_000;
}

/** Whole minutes of a duration, rounded up: where a test must be past it. */
export function after(d: Duration): number {
    return Math.ceil(minutes(d));
}

/** `metric{k="v", ...}` for an input series. */
export function s(metric: string, labels: Record<string, string>): string {
    const body = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ");
    return `${metric}{${body}}`;
}

/** One input series. */
export function series(metric: string, labels: Record<string, string>, values: string): Series {
    return { series: s(metric, labels), values };
}

/** `n` samples alternating between two values (`a b a b ...`). */
export function alternate(a: number, b: number, n: number): string {
    return Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b)).join(" ");
}

/** A scenario in one call: the alert, what happens, when to look, what must be firing then. */
export function scenario(
    alert: string,
    title: string,
    input: readonly Series[],
    evalMinutes: number,
    expect: readonly Expected[],
    ruleLabels?: Record<string, string>,
): Scenario {
    return { title: `${alert} ${title}`, alert, series: input, evalMinutes, expect, ruleLabels };
}
