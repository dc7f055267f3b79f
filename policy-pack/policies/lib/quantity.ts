/** Multipliers of Kubernetes quantity suffixes (decimal and binary). */
const suffixes: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/**
 * A Kubernetes quantity as a number (`250m` is 0.25, `1Gi` is 1073741824, `1e3` is 1000);
 * undefined when it is not a quantity, so a rule can refuse it instead of comparing NaN.
 */
export function parseQuantity(value: unknown): number | undefined {
    if (typeof value === "number") {
        return Number.isFinite(value) ? value : undefined;
    }
    if (typeof value !== "string") {
        return undefined;
    }
    const match =
        /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(
            value.trim(),
        );
    if (!match) {
        return undefined;
    }
    const [, number, exponent, suffix = ""] = match;
    return Number(number + (exponent ?? "")) * suffixes[suffix];
}
