/**
 * Kubernetes resource quantities, restricted to the canonical forms the API server echoes back.
 * A non-canonical quantity (`1024Mi`, `1000m`) is normalised by the server (`1Gi`, `1`) and then
 * shows up as a spurious diff on every preview, so config must use the canonical form.
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

/** CPU in millicores (`250m` -> 250, `2` -> 2000). Assumes a valid quantity. */
export function millicores(value: string): number {
    return value.endsWith("m") ? parseInt(value, 10) : parseInt(value, 10) * 1000;
}

/** Memory in MiB (`2Gi` -> 2048). Assumes a valid quantity. */
export function mebibytes(value: string): number {
    return value.endsWith("Gi") ? parseInt(value, 10) * 1024 : parseInt(value, 10);
}

/** Canonical CPU quantity from millicores. */
export function formatCpu(m: number): string {
    return m % 1000 === 0 ? `${m / 1000}` : `${m}m`;
}

/** Canonical memory quantity from MiB. */
export function formatMemory(mi: number): string {
    return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}
