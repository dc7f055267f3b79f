/**
 * The requests and limits of one container, shared by workloads, Redis and the scheduler.
 */
import { z } from "zod";
import { cpuProblem, mebibytes, memoryProblem, millicores } from "../../components/shared/quantity";
import { CONTAINER_LIMIT_RANGE } from "../../components/shared/limit-range";
import { cpu, memory } from "./primitives";

/**
 * Ephemeral storage a container gets when its stack file does not say (Redis, Sentinel, HAProxy,
 * the scheduler, sidecars): enough for logs and small scratch files. Workloads that write real
 * files (the PDF and CSV workers' /tmp) set their own in the stack file.
 */
export const EPHEMERAL_STORAGE_DEFAULTS = { request: "256Mi", limit: "1Gi" } as const;

const { max: MAX } = CONTAINER_LIMIT_RANGE;

/** Requests and limits of one container, within the LimitRange the program creates. */
export const resourcesSchema = z
    .strictObject({
        cpu,
        memory,
        cpuLimit: cpu,
        memoryLimit: memory,
        ephemeralStorage: memory.default(EPHEMERAL_STORAGE_DEFAULTS.request),
        ephemeralStorageLimit: memory.default(EPHEMERAL_STORAGE_DEFAULTS.limit),
    })
    .superRefine((r, ctx) => {
        const pairs = [
            ["cpu", "cpuLimit", cpuProblem, millicores, MAX.cpu],
            ["memory", "memoryLimit", memoryProblem, mebibytes, MAX.memory],
            [
                "ephemeralStorage",
                "ephemeralStorageLimit",
                memoryProblem,
                mebibytes,
                MAX["ephemeral-storage"],
            ],
        ] as const;
        for (const [request, limit, problem, amount, max] of pairs) {
            const [req, lim] = [r[request], r[limit]];
            const ok = (v: unknown): v is string => typeof v === "string" && !problem(v);
            if (ok(req) && ok(lim) && amount(lim) < amount(req)) {
                ctx.addIssue({
                    code: "custom",
                    path: [limit],
                    message: `at least ${request} (${req})`,
                });
            }
            // A limit above the LimitRange's max is refused at admission, mid-rollout; the
            // request is at most the limit, so checking the limit covers both.
            if (ok(lim) && amount(lim) > amount(max)) {
                ctx.addIssue({
                    code: "custom",
                    path: [limit],
                    message: `at most ${max} (the max of the namespace's LimitRange sapoche-defaults)`,
                });
            } else if (ok(req) && !ok(lim) && amount(req) > amount(max)) {
                ctx.addIssue({
                    code: "custom",
                    path: [request],
                    message: `at most ${max} (the max of the namespace's LimitRange sapoche-defaults)`,
                });
            }
        }
    });

export type Resources = z.infer<typeof resourcesSchema>;
