import * as policy from "@pulumi/policy";

// @pulumi/policy 1.21 exports UnknownValueError at runtime but strips its declaration (@internal).
const UnknownValueError = (policy as unknown as { UnknownValueError: new () => Error })
    .UnknownValueError;

/** The error the engine's proxy throws when a policy reads a value not known during preview. */
export interface UnknownValue extends Error {
    props: (string | symbol)[];
}

/** Whether `error` is the engine's "value not known during preview". */
export function isUnknownValue(error: unknown): error is UnknownValue {
    return error instanceof UnknownValueError;
}

/**
 * Runs a domain check (Redis, consumer floors, the scheduler, autoscaler bounds) so that it fails
 * closed: the engine turns an unknown value into an advisory "can't run policy during preview",
 * which would let an unsafe value computed at preview pass the gate. Here it becomes a mandatory
 * violation that names the field.
 */
export function failClosed(subject: string, report: (message: string) => void, check: () => void) {
    try {
        check();
    } catch (error) {
        if (!isUnknownValue(error)) {
            throw error;
        }
        const field = error.props.map(String).join(".");
        report(
            `${subject} should set .${field} to a plain value known at preview; this rule cannot verify a computed value.`,
        );
    }
}
