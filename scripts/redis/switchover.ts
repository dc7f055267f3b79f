/**
 * `npm run redis:switchover -- <stack>`: the planned switchover of the Redis master
 * (docs/operations/redis.md), run where the program put it: the rendered `/scripts/switchover.sh`
 * in a Redis pod of the stack's namespace, through `kubectl exec`. It refuses, before anything
 * runs, a kubeconfig context that reaches another cluster than the stack's (the kube-system uid
 * recorded in the stack file), as a release does.
 *
 * Options: `--context <name>` (kubectl's context; default: the current one), `--pod <ordinal>`
 * (the pod to run in; default: the first that answers, since the script asks the Sentinels which
 * node is the master). Exit status: the script's (0 switched; 1 not switched, said why; 3 the
 * failover neither completed nor verifiably aborted: writes stay paused on the old master, said
 * what to check); 2 refused.
 */
import { execFileSync, spawnSync } from "child_process";
import { readStackConfig } from "../../lib/program";
import { redis } from "../../stacks/catalog";
import { clusterMismatch } from "../../stacks/cluster";
import { flagArg, runMain, stackArg, UsageError } from "../lib/cli";

const USAGE = "npm run redis:switchover -- <stack> [--context <name>] [--pod <ordinal>]";
const KUBECTL = process.env.KUBECTL ?? "kubectl";

/** The kubectl command line for `args`, with the chosen context. */
export function kubectlArgs(context: string | undefined, args: string[]): string[] {
    return [...(context ? ["--context", context] : []), ...args];
}

async function main(argv: string[]): Promise<number> {
    const stack = stackArg(
        argv.filter((_, i) => !["--context", "--pod"].includes(argv[i - 1] ?? "")),
        USAGE,
    );
    const context = flagArg(argv, "--context");
    const pod = flagArg(argv, "--pod");
    if (pod !== undefined && !/^\d+$/.test(pod)) {
        throw new UsageError(`--pod: got "${pod}"; expected a pod ordinal (0, 1, ...)\n${USAGE}`);
    }
    const config = readStackConfig(stack);
    const namespace = String(config["sapoche-stack:namespace"]);
    const settings = {
        stackFile: `Pulumi.${stack}.yaml`,
        clusterUid: String(config["sapoche-stack:clusterUid"]),
    };
    const uid = execFileSync(
        KUBECTL,
        kubectlArgs(context, ["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]),
        { encoding: "utf8" },
    ).trim();
    const problem = clusterMismatch(settings, uid || undefined);
    if (problem) {
        console.error(
            `redis:switchover: ${problem.replace("Nothing was registered.", "Nothing was run.")}`,
        );
        return 2;
    }
    const nodes = Number((config["sapoche-stack:redis"] as { nodes?: number } | undefined)?.nodes);
    const ordinals = pod !== undefined ? [Number(pod)] : [...Array(nodes > 0 ? nodes : 1).keys()];
    for (const i of ordinals) {
        const target = [
            ...kubectlArgs(context, ["-n", namespace, "exec", `${redis.statefulSet}-${i}`]),
            "-c",
            "redis",
            "--",
        ];
        // A pod that is not running is skipped: any pod runs the script the same way.
        if (spawnSync(KUBECTL, [...target, "true"], { stdio: "ignore" }).status !== 0) {
            console.error(
                `redis:switchover: ${redis.statefulSet}-${i} does not answer; trying the next pod`,
            );
            continue;
        }
        return (
            spawnSync(KUBECTL, [...target, "sh", "/scripts/switchover.sh"], { stdio: "inherit" })
                .status ?? 1
        );
    }
    console.error(`redis:switchover: no Redis pod of ${namespace} answers; nothing was run`);
    return 1;
}

if (require.main === module) runMain(main);
