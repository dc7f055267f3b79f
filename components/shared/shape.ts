/**
 * The shape every stateless family shares: a Deployment, a PodDisruptionBudget when it can run
 * more than one pod, and optionally its Service. Each family calls {@link deploymentShape} with
 * what differs (its pod, its scale, its Service); the logical names (`<prefix>-deployment`,
 * `<prefix>-pdb`, `<prefix>-service`) are decided here once, so every family's URNs follow one
 * rule (docs/reference/logical-names.md).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "./args";
import { service } from "./service";
import { DeploymentArgs, deployment, disruptionBudget, needsPdb } from "./workload";

/** Inputs of {@link deploymentShape}: what differs between families. */
export interface DeploymentShapeArgs {
    /** The Deployment; its live name also names the PDB and is what the Service selects. */
    readonly deployment: DeploymentArgs;
    /** The most pods it can run (an autoscaler's ceiling, or its fixed count): a PDB above 1. */
    readonly maxReplicas: number;
    /** Logical names the PDB had before. @default none */
    readonly pdbAliases?: readonly string[];
    /** Its Service. @default no Service */
    readonly service?: ShapeService;
}

/** A workload's Service: its live name and ports, and the logical names it had before. */
export interface ShapeService {
    readonly spec: ServiceSpec;
    readonly aliases?: readonly string[];
}

/** The objects of one {@link deploymentShape}. */
export interface DeploymentShape {
    readonly deployment: k8s.apps.v1.Deployment;
    /** Present when the workload can run more than one pod. */
    readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    /** Present when a Service was asked for. */
    readonly service?: k8s.core.v1.Service;
}

/** A Deployment, its PDB when it needs one, and its Service when it has one, under `parent`. */
export function deploymentShape(
    parent: pulumi.Resource,
    prefix: string,
    args: DeploymentShapeArgs & { readonly service: ShapeService },
): DeploymentShape & { readonly service: k8s.core.v1.Service };
export function deploymentShape(
    parent: pulumi.Resource,
    prefix: string,
    args: DeploymentShapeArgs,
): DeploymentShape;
export function deploymentShape(
    parent: pulumi.Resource,
    prefix: string,
    args: DeploymentShapeArgs,
): DeploymentShape {
    const d = args.deployment;
    const created = deployment(parent, `${prefix}-deployment`, d);
    const pdb = needsPdb(args.maxReplicas)
        ? disruptionBudget(parent, `${prefix}-pdb`, {
              name: d.name,
              namespace: d.namespace,
              component: d.component,
              aliases: args.pdbAliases,
              // The Deployment's own selector (the live one where config gives it).
              selector: d.pod.facts?.selector,
          })
        : undefined;
    const svc =
        args.service &&
        service(parent, `${prefix}-service`, {
            namespace: d.namespace,
            selects: d.name,
            component: d.component,
            spec: args.service.spec,
            aliases: args.service.aliases,
        });
    return { deployment: created, pdb, service: svc };
}
