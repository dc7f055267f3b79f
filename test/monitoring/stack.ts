/**
 * One stack's monitoring as the program deploys it (the PrometheusRule registered under mocks)
 * and as its config describes it (targets and thresholds from the stack file), for the tests.
 */
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
import type { MonitoringArgs } from "../../components/monitoring";
import { monitoringArgs } from "../../stacks/monitoring";
import { parseSettings } from "../../stacks/settings";
import type { RegisteredResource } from "../../lib/mocks";
import { PROJECT, StackName, readStackConfig, toEngineConfig } from "../../lib/program";
import { adoptedResources } from "../support/phases";

export const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

/** What the monitoring tests need of one stack. */
export interface StackMonitoring extends Omit<MonitoringArgs, "namespace"> {
    /** Every resource the program registered. */
    readonly resources: readonly RegisteredResource[];
    /** The groups of the program's PrometheusRule. */
    readonly groups: readonly IRuleGroup[];
}

/** The Monitoring component's arguments from the stack file alone (no program run). */
export function stackArgs(stack: StackName): Omit<MonitoringArgs, "namespace"> {
    const raw = Object.fromEntries(
        Object.entries(toEngineConfig(readStackConfig(stack))).map(([k, v]) => [
            k.slice(PROJECT.length + 1),
            v,
        ]),
    );
    const settings = parseSettings(raw, PROJECT, `Pulumi.${stack}.yaml`);
    return monitoringArgs(settings.namespace, settings.plan, settings.monitoring);
}

/** The stack's monitoring: the program's rules and the config's targets and thresholds. */
export async function stackMonitoring(stack: StackName): Promise<StackMonitoring> {
    const resources = await adoptedResources(stack);
    const rules = resources.filter((r) => r.type === PROMETHEUS_RULE);
    if (rules.length !== 1) {
        throw new Error(
            `${stack}: expected one PrometheusRule, the program registered ${rules.length}`,
        );
    }
    const args = stackArgs(stack);
    const spec = (rules[0].props as { spec: { groups: IRuleGroup[] } }).spec;
    return { ...args, resources, groups: spec.groups };
}
