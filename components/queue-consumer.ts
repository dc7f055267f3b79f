import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { ITriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { ANNOTATIONS, labelsFor } from "./shared/labels";
import { USERS, heartbeatProbe, resourcesOf, secureContainer } from "./shared/defaults";
import { deployment, disruptionBudget, needsPdb } from "./shared/workload";
import type { KedaScaling, Resources, ScaledToZero } from "../stacks/schema";

export const QUEUE_CONSUMER_TYPE = "sapoche:workloads:QueueConsumer";

/** Arguments of a queue consumer. */
export interface QueueConsumerArgs {
    /** Namespace to run in. */
    readonly namespace: pulumi.Input<string>;
    /** Service account of the family (token automount is off). */
    readonly serviceAccountName: pulumi.Input<string>;
    /** Image reference of the backend. */
    readonly image: string;
    /** Broker queue it consumes. */
    readonly queue: string;
    /** What it is for (catalog). */
    readonly purpose: string;
    /** Critical consumers carry the annotation the replica-floor policy reads. @default false */
    readonly critical?: boolean;
    /** Fixed replicas; exactly one of `replicas` and `keda`. */
    readonly replicas?: number;
    /** Required when `replicas` is 0. */
    readonly scaledToZero?: ScaledToZero;
    /** KEDA queue-depth scaling; KEDA then owns `spec.replicas`. */
    readonly keda?: KedaScaling;
    /** Secret (managed outside the stack) with the broker's `host` URL, for KEDA. */
    readonly brokerSecretName: string;
    readonly resources: Resources;
}

/**
 * A consumer of one message-queue queue: a Deployment, with an optional KEDA ScaledObject (and
 * its TriggerAuthentication) and a PDB when it can run more than one pod.
 */
export class QueueConsumer extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly scaledObject?: k8s.apiextensions.CustomResource;

    constructor(name: string, args: QueueConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(QUEUE_CONSUMER_TYPE, name, {}, opts);
        if ((args.replicas === undefined) === (args.keda === undefined)) {
            throw new Error(`QueueConsumer ${name}: set exactly one of \`replicas\` and \`keda\``);
        }
        const critical = args.critical ?? false;
        const annotations: Record<string, string> = { [ANNOTATIONS.queue]: args.queue };
        if (critical) annotations[ANNOTATIONS.critical] = "true";

        this.deployment = deployment(this, name, {
            namespace: args.namespace,
            component: "queue-consumer",
            purpose: args.purpose,
            replicas: args.keda ? "autoscaled" : (args.replicas as number),
            scaledToZero: args.scaledToZero,
            annotations,
            pod: {
                serviceAccountName: args.serviceAccountName,
                runAsUser: USERS.backend,
                containers: [
                    secureContainer({
                        name: "consumer",
                        image: args.image,
                        env: { SAPOCHE_ROLE: "consumer", QUEUE_NAME: args.queue },
                        resources: resourcesOf(args.resources),
                        livenessProbe: heartbeatProbe,
                        writable: ["/tmp"],
                    }),
                ],
            },
        });

        if (args.keda) {
            this.scaledObject = this.createScaler(name, args, args.keda, annotations);
        }
        if (needsPdb(args.replicas, args.keda?.maxReplicas)) {
            disruptionBudget(this, name, args.namespace, "queue-consumer");
        }
        this.registerOutputs({ deployment: this.deployment, scaledObject: this.scaledObject });
    }

    private createScaler(
        name: string,
        args: QueueConsumerArgs,
        keda: KedaScaling,
        annotations: Record<string, string>,
    ): k8s.apiextensions.CustomResource {
        const labels = labelsFor(name, "queue-consumer");
        const authSpec: ITriggerAuthentication["spec"] = {
            secretTargetRef: [{ parameter: "host", name: args.brokerSecretName, key: "host" }],
        };
        const auth = new k8s.apiextensions.CustomResource(
            `${name}-triggerauth`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "TriggerAuthentication",
                metadata: { name: `${name}-broker`, namespace: args.namespace, labels },
                spec: authSpec,
            },
            { parent: this },
        );
        // KEDA names the HPA it creates `keda-hpa-<name>`, which keeps today's HPA names.
        const spec: IScaledObject["spec"] = {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
            minReplicaCount: keda.minReplicas,
            maxReplicaCount: keda.maxReplicas,
            pollingInterval: keda.pollingInterval,
            cooldownPeriod: keda.cooldownPeriod,
            triggers: [
                {
                    type: "rabbitmq",
                    metadata: {
                        mode: "QueueLength",
                        value: String(keda.queueThreshold),
                        queueName: args.queue,
                    },
                    authenticationRef: { name: `${name}-broker` },
                },
            ],
        };
        return new k8s.apiextensions.CustomResource(
            `${name}-scaledobject`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name, namespace: args.namespace, labels, annotations },
                spec,
            },
            // KEDA's webhook rejects a ScaledObject whose target or auth does not exist yet.
            { parent: this, dependsOn: [this.deployment, auth] },
        );
    }
}
