/**
 * The task scheduler recognised by what it runs, not by its name or labels: the command line the
 * stack's scheduler runs (generated into the pack config from the stack file), the backend
 * image's scheduler role, and the programs that fire jobs on a timetable (cron daemons, the PHP
 * frameworks' schedule runners). A second object that runs one fires every job twice.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import { configOf } from "./config";
import { Container } from "./kube";
import { invocationsOf, Invocation } from "./runs";

export const schedulerConfigSchema: PolicyConfigSchema = {
    properties: {
        // Generated from the catalog and the stack's environment (scripts/pack-config.ts).
        schedulerName: { type: "string", minLength: 1, default: "sapoche-be--scheduler--prod" },
        // The scheduler's command lines as the stack runs them (scripts/pack-config.ts); added to the built-in signatures.
        schedulerCommands: { type: "array", items: { type: "string" }, default: [] },
    },
};

export interface SchedulerConfig {
    schedulerName: string;
    schedulerCommands: string[];
}

export function schedulerConfigOf(given: object): SchedulerConfig {
    return configOf<SchedulerConfig>(schedulerConfigSchema, given);
}

/**
 * The backend image picks its role from SAPOCHE_ROLE (an assumption of both stack files until
 * `npm run import-live` reads the live command; docs/assumptions.md).
 */
export const SCHEDULER_ROLE = { name: "SAPOCHE_ROLE", value: "scheduler" };

/** Daemons that fire jobs on a timetable. */
const CRON_DAEMONS = new Set([
    "cron",
    "crond",
    "supercronic",
    "go-crond",
    "dcron",
    "fcron",
    "anacron",
]);

/** Whether one program run is a scheduler: a cron daemon or a framework's schedule runner. */
function isSchedulerRun(inv: Invocation): boolean {
    if (CRON_DAEMONS.has(inv.program)) return true;
    // Laravel's `artisan schedule:run|work`, Symfony's `messenger:consume scheduler_<name>`.
    return inv.args.some(
        (arg, i) =>
            /^schedule:(run|work)$/.test(arg) ||
            (arg === "messenger:consume" &&
                inv.args.slice(i + 1).some((t) => /^scheduler_/.test(t))),
    );
}

const line = (inv: Invocation) => [inv.program, ...inv.args].join(" ");

/** The normalised lines of the configured scheduler command lines (unwrapped like a container's). */
function configuredLines(config: SchedulerConfig): Set<string> {
    return new Set(
        config.schedulerCommands.flatMap((text) =>
            invocationsOf({ name: "", command: ["sh", "-c", text] }).map(line),
        ),
    );
}

/** What in a container makes it run the scheduler, or undefined. */
export function schedulerSignature(
    container: Container,
    config: SchedulerConfig,
): string | undefined {
    const role = (container.env ?? []).find(
        (e) => e.name === SCHEDULER_ROLE.name && e.value === SCHEDULER_ROLE.value,
    );
    if (role !== undefined) return `${SCHEDULER_ROLE.name}=${SCHEDULER_ROLE.value}`;
    const configured = configuredLines(config);
    for (const inv of invocationsOf(container)) {
        if (configured.has(line(inv)) || isSchedulerRun(inv)) return line(inv);
    }
    return undefined;
}
