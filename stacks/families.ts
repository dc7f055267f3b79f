/**
 * The one place that maps a workload family to its component: each plan entry becomes one
 * ComponentResource, from the entry's catalog row and its own, already narrowed settings.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
    Frontend,
    NamespaceBaseline,
    Orthanc,
    PhpBackend,
    QueueConsumer,
    Redis,
    Scheduler,
    Worker,
} from "../components";
import type { PlanEntry } from "./plan";

/** A workload component: it lists the Deployments and StatefulSets whose rollout it waits for. */
export interface WorkloadComponent extends pulumi.ComponentResource {
    readonly workloads: readonly pulumi.CustomResource[];
}

/** The component of one plan entry, in the namespace and with the service account the baseline made. */
export function createWorkload(
    p: PlanEntry,
    baseline: NamespaceBaseline,
    opts: pulumi.ComponentResourceOptions,
): WorkloadComponent {
    const namespace = baseline.namespace;
    const serviceAccountName = baseline.serviceAccounts[p.family];
    const base = { namespace, serviceAccountName, purpose: p.purpose };
    switch (p.family) {
        case "queue-consumer":
            return new QueueConsumer(
                p.name,
                {
                    ...base,
                    ...p.settings,
                    image: p.images.main,
                    queue: p.queue,
                    critical: p.critical,
                },
                opts,
            );
        case "worker":
            return new Worker(
                p.name,
                { ...base, ...p.settings, image: p.images.main, queue: p.queue },
                opts,
            );
        case "frontend":
            return new Frontend(p.name, { ...base, ...p.settings, image: p.images.main }, opts);
        case "orthanc":
            return new Orthanc(
                p.name,
                { ...base, ...p.settings, image: p.images.main, proxyImage: p.images.proxy },
                opts,
            );
        case "php-backend":
            return new PhpBackend(
                p.name,
                {
                    namespace,
                    serviceAccountName,
                    fpm: { ...p.fpm, ...p.settings.fpm, image: p.images.fpm },
                    nginx: { ...p.nginx, ...p.settings.nginx, image: p.images.nginx },
                },
                opts,
            );
        case "redis":
            return new Redis(
                p.name,
                {
                    namespace,
                    serviceAccountName,
                    ...p.settings,
                    image: p.images.main,
                    proxyImage: p.images.proxy,
                    exporterImage: p.images.exporter,
                    names: p,
                },
                opts,
            );
        case "scheduler":
            // The component was named after the live name, which differs per stack; it now has
            // one logical name everywhere, and the alias keeps the deployed one.
            return new Scheduler(
                p.name,
                { ...base, ...p.settings, image: p.images.main },
                { ...opts, aliases: [{ name: p.settings.liveName }] },
            );
    }
}
