/**
 * Command-line helpers of the review tools (`npm run render | diagram | capacity`): the stack
 * argument, flags, and how a script's `main` exits.
 */
import { rethrownByEvaluate, StackName } from "../../lib/program";

export const STACKS: readonly StackName[] = ["production1", "staging"];

/** The stack named on the command line, or a usage error. */
export function stackArg(argv: readonly string[], usage: string): StackName {
    const stack = argv.find((a) => !a.startsWith("-"));
    if (!stack || !(STACKS as readonly string[]).includes(stack)) {
        throw new UsageError(`usage: ${usage}\n  <stack>: one of ${STACKS.join(", ")}`);
    }
    return stack as StackName;
}

/** The value of `--flag value` on the command line. */
export function flagArg(argv: readonly string[], flag: string): string | undefined {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
}

export class UsageError extends Error {}

/** Runs a script's `main` with its arguments: exit 2 on a usage error, 1 on any other failure. */
export function runMain(main: (argv: string[]) => Promise<number>): void {
    // A refused promotion is handled (reported, then rendered ungated); its second, unawaited
    // rejection from the SDK's root stack must not end the process. Anything else still does.
    process.on("unhandledRejection", (reason) => {
        if (!rethrownByEvaluate(reason)) throw reason;
    });
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof UsageError ? e.message : e);
            process.exit(e instanceof UsageError ? 2 : 1);
        },
    );
}
