import { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policies";
import { enforcementLevelOf, FixtureResource, SKIPPED_UNKNOWN, violations } from "./harness";

/** One finding of the pack, as `pulumi preview` would list it. */
export interface Finding {
    policy: string;
    level: EnforcementLevel;
    message: string;
}

/**
 * Evaluates the whole pack over a resource list the way the engine does: every resource policy on
 * every resource, every stack policy on the list, levels from `packConfig`. Used by the pack test
 * and by the bench script to time the pack.
 */
export async function evaluatePack(
    resources: FixtureResource[],
    packConfig: PolicyPackConfig = {},
): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const policy of policies) {
        const level = enforcementLevelOf(policy, packConfig);
        if (level === "disabled") {
            continue;
        }
        const messages = await violations(policy, resources, packConfig);
        for (const message of messages) {
            // The engine downgrades "can't run during preview" to advisory, whatever the policy's level.
            const skipped = message.startsWith(SKIPPED_UNKNOWN);
            findings.push({ policy: policy.name, level: skipped ? "advisory" : level, message });
        }
    }
    return findings;
}

/** The stacks that have a policy config file in `policy-pack/config/`. */
export type StackName = "production1" | "staging";

/** A stack's `--policy-pack-config` file, parsed. */
export function stackPolicyConfig(stack: StackName): PolicyPackConfig {
    return JSON.parse(
        fs.readFileSync(path.resolve(__dirname, "../config", `${stack}.json`), "utf8"),
    );
}
