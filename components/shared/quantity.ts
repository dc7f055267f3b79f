/**
 * Kubernetes resource quantities: the one module the program, the config layer, the review tools
 * and the tests read and write them with.
 *
 * Config is restricted to the canonical forms the API server echoes back: a non-canonical
 * quantity (`1024Mi`, `1000m`) is normalised by the server (`1Gi`, `1`) and then shows up as a
 * spurious diff on every preview (`cpuProblem`, `memoryProblem`; `formatCpu` and `formatMemory`
 * write canonical forms). Reading accepts any quantity an object may carry (`0.5`, `500M`, bytes),
 * and `readableMemory` rounds for people (`1.5Gi`), never for an object.
 */

const CPU = /^(?:[1-9][0-9]*m|[1-9][0-9]*)$/;
const MEMORY = /^[1-9][0-9]*(?:Mi|Gi)$/;

/** Why a CPU quantity is not acceptable, or undefined when it is. */
export function cpuProblem(value: string): string | undefined {
    // A decimal is a valid Kubernetes quantity, but the server echoes it in millicores.
    const decimal = /^([0-9]+\.[0-9]+)$/.exec(value);
    if (decimal && Number.isInteger(Number(decimal[1]) * 1000) && Number(decimal[1]) > 0) {
        return `a CPU quantity such as 250m or 2: write ${formatCpu(Number(decimal[1]) * 1000)} for ${value}`;
    }
    if (!CPU.test(value)) return "a CPU quantity such as 250m or 2";
    if (value.endsWith("m") && parseInt(value, 10) % 1000 === 0) {
        return `the canonical form ${parseInt(value, 10) / 1000} (the API server rewrites ${value})`;
    }
    return undefined;
}

/** Why a memory quantity is not acceptable, or undefined when it is. */
export function memoryProblem(value: string): string | undefined {
    // `1.5Gi` is a valid Kubernetes quantity, but the server echoes it as `1536Mi`.
    const decimal = /^([0-9]+\.[0-9]+)(Mi|Gi)$/.exec(value);
    const mi = decimal ? Number(decimal[1]) * (decimal[2] === "Gi" ? 1024 : 1) : NaN;
    if (Number.isInteger(mi) && mi > 0) {
        return `a whole number of Mi or Gi: write ${formatMemory(mi)} for ${value}`;
    }
    if (!MEMORY.test(value)) return "a memory quantity in Mi or Gi such as 256Mi or 2Gi";
    if (value.endsWith("Mi") && parseInt(value, 10) % 1024 === 0) {
        return `the canonical form ${parseInt(value, 10) / 1024}Gi (the API server rewrites ${value})`;
    }
    return undefined;
}

/** A CPU quantity (`250m`, `2`, `0.5`) in millicores; throws on anything else. */
export function millicores(q: string | number): number {
    const s = String(q).trim();
    if (s.endsWith("m")) return Number(s.slice(0, -1));
    const n = Number(s);
    if (Number.isNaN(n)) throw new Error(`not a CPU quantity: ${q}`);
    return Math.round(n * 1000);
}

const BINARY: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A memory quantity (`128Mi`, `1Gi`, `500M`, bytes) in mebibytes; throws on anything else. */
export function mebibytes(q: string | number): number {
    const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q).trim());
    if (!m) throw new Error(`not a memory quantity: ${q}`);
    const n = Number(m[1]);
    if (m[2] in BINARY) return n * BINARY[m[2]];
    if (m[2] in DECIMAL) return (n * DECIMAL[m[2]]) / 2 ** 20;
    if (m[2] === "") return n / 2 ** 20;
    throw new Error(`not a memory quantity: ${q}`);
}

/** Canonical CPU quantity from millicores. */
export function formatCpu(m: number): string {
    return m % 1000 === 0 ? `${m / 1000}` : `${m}m`;
}

/** Canonical memory quantity from MiB. */
export function formatMemory(mi: number): string {
    return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/**
 * Mebibytes as `1.5Gi` / `320Mi`, rounded, for people (capacity reports, the diagram). Not a
 * quantity to write into an object: `formatMemory` writes the canonical one (`1536Mi`).
 */
export function readableMemory(mi: number): string {
    if (mi >= 1024) return `${(mi / 1024).toFixed(mi % 1024 === 0 ? 0 : 1)}Gi`;
    return `${Math.round(mi)}Mi`;
}
