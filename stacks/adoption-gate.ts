/**
 * The adoption's gate, run before anything is registered: reads what the stack last released
 * (its own `adoption` output), refuses a step the history does not allow
 * (stacks/adoption-history.ts), checks the traffic-bearing fields (stacks/adoption-traffic.ts),
 * and gives the output this update records once every rollout succeeded.
 */
import * as pulumi from "@pulumi/pulumi";
import { liveObjects } from "./adoption";
import { AdoptionRecord, ROLLBACK_ENV, decideStep, parseRecord } from "./adoption-history";
import { liveReader } from "./adoption-live";
import { TrafficCheck } from "./adoption-traffic";
import type { Settings } from "./settings";

/** The legacy Redis target of the plan's Redis entry ("" when none). */
function legacyTarget(settings: Pick<Settings, "plan">): string {
    const entry = settings.plan.find((p) => p.family === "redis");
    return entry?.family === "redis" ? entry.settings.legacyMaster : "";
}

/**
 * Refuses, before anything is registered, an adoption phase the stack's history does not allow;
 * returns the `adoption` output of this update. `self` is a StackReference to this very stack.
 */
export async function adoptionGate(
    settings: Settings,
    self: pulumi.StackReference,
): Promise<(rollouts: readonly pulumi.Input<string>[]) => pulumi.Output<AdoptionRecord>> {
    const [adoption, namespace] = await Promise.all([
        self.getOutputDetails("adoption"),
        self.getOutputDetails("namespace"),
    ]);
    let record: AdoptionRecord | undefined;
    try {
        record = parseRecord(adoption.value, settings.stackFile);
    } catch (e) {
        throw new pulumi.RunError((e as Error).message);
    }
    const { phase } = settings.adoption;
    const decision = await decideStep({
        phase,
        history: { record, deployedBefore: namespace.value !== undefined },
        rollbackTo: process.env[ROLLBACK_ENV],
        unadopted: () => liveReader()(settings.namespace, settings.clusterUid),
        stackFile: settings.stackFile,
        namespace: settings.namespace,
    });
    if ("refused" in decision) throw new pulumi.RunError(decision.refused);
    if (decision.notice) void pulumi.log.info(decision.notice);
    const traffic = new TrafficCheck(
        phase,
        record,
        decision.rollback,
        liveObjects(settings),
        legacyTarget(settings),
    );
    traffic.checkConfig(settings.stackFile);
    traffic.register();
    // Resolves only once every rollout succeeded: a failed update keeps the previous record.
    return (rollouts) =>
        pulumi.all([...rollouts]).apply(() => ({
            phase,
            imported: decision.imported,
            traffic: traffic.recorded(),
        }));
}
