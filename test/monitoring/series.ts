/** Small builders for promtool input series and scenarios. */
import type { Duration } from "../../components/monitoring-model";
import type { Expected, Scenario, Series } from "./promtool";

/** Minutes of a Prometheus duration (`90s` -> 1.5, `2h` -> 120). */
export function minutes(d: Duration): number {
    const m = /^([0-9]+)(s|m|h|d)$/.exec(d);
    if (!m) throw new Error(`unsupported duration ${d}`);
    return Number(m[1]) * { s: 1 / 60, m: 1, h: 60, d: 1440 }[m[2] as "s" | "m" | "h" | "d"];
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
