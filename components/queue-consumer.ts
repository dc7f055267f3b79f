import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { ITriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import type { QueueProcessArgs, Scale, WorkloadArgs } from "./shared/args";
import { childOf } from "./shared/child";
import { USERS } from "./shared/defaults";
import { ANNOTATIONS, labelsFor } from "./shared/labels";
import { processContainer } from "./shared/pod";
import { deploymentShape } from "./shared/shape";
import { maxReplicasOf, replicasOf } from "./shared/workload";

export const QUEUE_CONSUMER_TYPE = "sapoche:workloads:QueueConsumer";

/** KEDA queue-depth scaling of a consumer; KEDA then owns `spec.replicas`. */
export interface KedaScaling {
    /** Floor (KEDA may scale to 0). */
    readonly minReplicas: number;
    /** Ceiling. */
    readonly maxReplicas: number;
    /** Messages per replica. */
    readonly queueThreshold: number;
    /** Seconds between queue checks. */
    readonly pollingInterval: number;
    /** Seconds before scaling back to the floor. */
    readonly cooldownPeriod: number;
    /** Secret (managed outside the stack) whose `host` key is the broker URL KEDA reads. */
    readonly brokerSecretName: string;
    /**
     * The triggers, as the live ScaledObject has them (read by `npm run import-live`): rendered as
     * given, with `metadata.value` set to `queueThreshold`, and no TriggerAuthentication of ours
     * (theirs is named by `authenticationRef`). @default one RabbitMQ `QueueLength` trigger on
     * `queue`, authenticated by a TriggerAuthentication reading `brokerSecretName`
     */
    readonly triggers?: readonly KedaTrigger[];
}

/** A KEDA trigger as the live ScaledObject has it; its threshold is the scaling's. */
export interface KedaTrigger {
    /** Scaler type (`rabbitmq`, `redis`, ...). */
    readonly type: string;
    /** Trigger name. @default none */
    readonly name?: string;
    /** Scaler settings, without the threshold `value`. */
    readonly metadata: Readonly<Record<string, string>>;
    /** The TriggerAuthentication (or ClusterTriggerAuthentication) it reads credentials from. */
    readonly authenticationRef?: { readonly name: string; readonly kind?: string };
    /** How the metric is compared. @default KEDA's (AverageValue) */
    readonly metricType?: string;
    /** Whether KEDA may answer from its cache. @default KEDA's */
    readonly useCachedMetrics?: boolean;
}

/** Arguments of a queue consumer: fixed replicas, or KEDA scaling on its queue's depth. */
export type QueueConsumerArgs = WorkloadArgs &
    QueueProcessArgs &
    Scale<KedaScaling> & {
        /** Broker queue it consumes (also the KEDA trigger's queue). */
        readonly queue: string;
        /** Critical consumers carry the annotation the replica-floor policy reads. @default false */
        readonly critical?: boolean;
        /** Name of its Deployment and ScaledObject. @default the component's name */
        readonly liveName?: string;
    };

/**
 * A consumer of one message-queue queue: a Deployment, with an optional KEDA ScaledObject (and
 * its TriggerAuthentication) and a PDB when it can run more than one pod.
 */
export class QueueConsumer extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    /** KEDA's ScaledObject, when KEDA scales it. */
    public readonly scaledObject?: k8s.apiextensions.CustomResource;
    /** Its PodDisruptionBudget, when it can run more than one pod. */
    public readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    /** The Deployments and StatefulSets whose rollout this component waits for. */
    public readonly workloads: readonly pulumi.CustomResource[];

    constructor(name: string, args: QueueConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(QUEUE_CONSUMER_TYPE, name, {}, opts);
        if ((args.replicas === undefined) === (args.autoscaling === undefined)) {
            throw new Error(
                `QueueConsumer ${name}: set exactly one of \`replicas\` and \`autoscaling\``,
            );
        }
        const liveName = args.liveName ?? name;
        const critical = args.critical ?? false;
        const annotations: Record<string, string> = { [ANNOTATIONS.queue]: args.queue };
        if (critical) annotations[ANNOTATIONS.critical] = "true";

        const shape = deploymentShape(this, name, {
            deployment: {
                name: liveName,
                namespace: args.namespace,
                component: "queue-consumer",
                purpose: args.purpose,
                replicas: replicasOf(args),
                scaledToZero: args.scaledToZero,
                minReadySeconds: args.minReadySeconds,
                annotations,
                pod: {
                    serviceAccountName: args.serviceAccountName,
                    runAsUser: USERS.backend,
                    facts: args.pod,
                    containers: [processContainer("consumer", args)],
                },
                // Logical name before children were named `${name}-<role>`: the live name.
                aliases: [liveName],
            },
            maxReplicas: maxReplicasOf(args),
        });
        this.deployment = shape.deployment;
        this.pdb = shape.pdb;
        if (args.autoscaling) {
            this.scaledObject = this.createScaler(name, liveName, args, annotations);
        }
        this.workloads = [this.deployment];
        this.registerOutputs({}); // children are properties, not outputs: see shared/child.ts
    }

    private createScaler(
        name: string,
        liveName: string,
        args: QueueConsumerArgs & { readonly autoscaling: KedaScaling },
        annotations: Record<string, string>,
    ): k8s.apiextensions.CustomResource {
        const keda = args.autoscaling;
        const labels = labelsFor(liveName, "queue-consumer");
        const spec = (triggers: IScaledObject["spec"]["triggers"]): IScaledObject["spec"] => ({
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: liveName },
            minReplicaCount: keda.minReplicas,
            maxReplicaCount: keda.maxReplicas,
            pollingInterval: keda.pollingInterval,
            cooldownPeriod: keda.cooldownPeriod,
            triggers,
        });
        const scaledObject = (s: IScaledObject["spec"], dependsOn: pulumi.Resource[]) =>
            new k8s.apiextensions.CustomResource(
                `${name}-scaledobject`,
                {
                    apiVersion: "keda.sh/v1alpha1",
                    kind: "ScaledObject",
                    metadata: { name: liveName, namespace: args.namespace, labels, annotations },
                    spec: s,
                },
                // KEDA's webhook rejects a ScaledObject whose target or auth does not exist yet.
                { ...childOf(this), dependsOn },
            );
        if (keda.triggers !== undefined) {
            const value = String(keda.queueThreshold);
            const given = keda.triggers.map((t) => ({ ...t, metadata: { ...t.metadata, value } }));
            return scaledObject(spec(given), [this.deployment]);
        }
        const authSpec: ITriggerAuthentication["spec"] = {
            secretTargetRef: [{ parameter: "host", name: keda.brokerSecretName, key: "host" }],
        };
        const auth = new k8s.apiextensions.CustomResource(
            `${name}-triggerauth`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "TriggerAuthentication",
                metadata: { name: `${liveName}-broker`, namespace: args.namespace, labels },
                spec: authSpec,
            },
            childOf(this),
        );
        // KEDA names the HPA it creates `keda-hpa-<name>`, which keeps today's HPA names.
        const assumed = [
            {
                type: "rabbitmq",
                metadata: {
                    mode: "QueueLength",
                    value: String(keda.queueThreshold),
                    queueName: args.queue,
                },
                authenticationRef: { name: `${liveName}-broker` },
            },
        ];
        return scaledObject(spec(assumed), [this.deployment, auth]);
    }
}
