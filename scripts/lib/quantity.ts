/**
 * CPU and memory quantities as the objects write them, in millicores and mebibytes, and back for
 * people.
 */

/** CPU quantity (`250m`, `2`, `0.5`) in millicores. */
export function millicores(q: string | number): number {
    const s = String(q).trim();
    if (s.endsWith("m")) return Number(s.slice(0, -1));
    const n = Number(s);
    if (Number.isNaN(n)) throw new Error(`not a CPU quantity: ${q}`);
    return Math.round(n * 1000);
}

const BINARY: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Memory quantity (`128Mi`, `1Gi`, `500M`, bytes) in mebibytes. */
export function mebibytes(q: string | number): number {
    const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q).trim());
    if (!m) throw new Error(`not a memory quantity: ${q}`);
    const n = Number(m[1]);
    if (m[2] in BINARY) return n * BINARY[m[2]];
    if (m[2] in DECIMAL) return (n * DECIMAL[m[2]]) / 2 ** 20;
    if (m[2] === "") return n / 2 ** 20;
    throw new Error(`not a memory quantity: ${q}`);
}

/** Millicores as the API server would print them (`28600m`, `2`). */
export function formatCpu(m: number): string {
    return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Mebibytes as `1.5Gi` / `320Mi`, for people. */
export function formatMemory(mi: number): string {
    if (mi >= 1024) return `${(mi / 1024).toFixed(mi % 1024 === 0 ? 0 : 1)}Gi`;
    return `${Math.round(mi)}Mi`;
}
