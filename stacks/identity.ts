/**
 * The guard's own parameters, per stack: the namespace the stack owns (the one the policy pack
 * pins every object to) and the stack whose runs gate its images (the promotion source). They are
 * constants of the project, changed here under review, never by a stack file: a stack file that
 * could move them would move the guard together with what it guards (issue 24 item 6). A stack
 * file may still carry `namespace` and `promotion.fromStack`, but only with these values; a stack
 * not listed here (a sandbox copy under another name) names its own, and has no pack config.
 *
 * Format note: lib/sandbox.ts `relocate` rewrites a stack's `namespace` in its sandbox copy of
 * this file; keep each entry's `namespace` a string literal.
 */
export interface StackIdentity {
    readonly namespace: string;
    /** A stack reference (`organization/<project>/<stack>`), or "" for none. */
    readonly promotionSource: string;
}

export const STACK_IDENTITY: Readonly<Record<string, StackIdentity>> = {
    // The seed's namespace (../shared/seed/sapoche-namespace.txt); staging mirrors it on its own cluster.
    production1: { namespace: "sapoche", promotionSource: "organization/sapoche-stack/staging" },
    staging: { namespace: "sapoche", promotionSource: "" },
};

/** The identity of a stack of this project, or undefined for a stack not listed here. */
export function identityOf(stack: string | undefined): StackIdentity | undefined {
    return stack !== undefined && Object.prototype.hasOwnProperty.call(STACK_IDENTITY, stack)
        ? STACK_IDENTITY[stack]
        : undefined;
}
