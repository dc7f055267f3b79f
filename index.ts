import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isHpa, isKeda, loadSettings } from "./stacks/settings";
import { namespacePeak } from "./stacks/capacity";
import { annotateBypass, checkPromotion } from "./stacks/promotion";
import { adoptLiveObjects } from "./stacks/adoption";
import * as catalog from "./stacks/catalog";
import {
    Frontend,
    NamespaceBaseline,
    Orthanc,
    PhpBackend,
    QueueConsumer,
    Redis,
    Scheduler,
    Worker,
} from "./components";

// An async program: the promotion gate must pass before anything is registered, so that a
// refused image never reaches the cluster, not even partially.
export = async () => {
    const settings = loadSettings();
    const { images, workloads, nodePorts } = settings;
    annotateBypass(settings, await checkPromotion(settings));
    adoptLiveObjects(settings);

    // An explicit provider, so no resource can fall back to an ambient default provider.
    const provider = new k8s.Provider("sapoche", { enableServerSideApply: true });
    const opts = { providers: [provider] };

    const baseline = new NamespaceBaseline(
        settings.namespace,
        { namespace: settings.namespace, peak: namespacePeak(settings) },
        opts,
    );
    const namespace = baseline.namespace;
    const sa = baseline.serviceAccounts;

    const consumers = catalog.consumers.map((c) => {
        const w = workloads[c.name];
        return new QueueConsumer(
            c.name,
            {
                namespace,
                serviceAccountName: sa["queue-consumer"],
                image: images.backend,
                queue: c.queue,
                purpose: c.purpose,
                critical: c.critical,
                replicas: w.replicas,
                scaledToZero: w.scaledToZero,
                keda: isKeda(w.autoscaling) ? w.autoscaling : undefined,
                brokerSecretName: settings.keda.brokerSecretName,
                resources: w.resources,
            },
            opts,
        );
    });

    const workers = catalog.workers.map((entry) => {
        const w = workloads[entry.name];
        return new Worker(
            entry.name,
            {
                namespace,
                serviceAccountName: sa.worker,
                image: images.backend,
                queue: entry.queue,
                purpose: entry.purpose,
                replicas: w.replicas ?? 0,
                scaledToZero: w.scaledToZero,
                resources: w.resources,
            },
            opts,
        );
    });

    const fpm = workloads[catalog.phpBackend.fpm.name];
    const nginx = workloads[catalog.phpBackend.nginx.name];
    if (!isHpa(fpm.autoscaling)) throw new Error("unreachable: the schema requires HPA settings");
    const php = new PhpBackend(
        "php-backend",
        {
            namespace,
            serviceAccountName: sa["php-backend"],
            fpmImage: images.backend,
            nginxImage: images.backendNginx,
            fpmScaling: fpm.autoscaling,
            fpmResources: fpm.resources,
            nginxReplicas: nginx.replicas ?? 0,
            nginxResources: nginx.resources,
            nodePorts,
        },
        opts,
    );

    const redis = new Redis(
        "redis",
        {
            namespace,
            serviceAccountName: sa.redis,
            image: images.redis,
            proxyImage: images.redisProxy,
            settings: settings.redis,
        },
        opts,
    );

    const scheduler = new Scheduler(
        settings.scheduler.name,
        {
            namespace,
            serviceAccountName: sa.scheduler,
            image: images.backend,
            purpose: catalog.scheduler.purpose,
            resources: settings.scheduler.resources,
        },
        opts,
    );

    const o = workloads[catalog.orthanc.name];
    const orthanc = new Orthanc(
        catalog.orthanc.name,
        {
            namespace,
            serviceAccountName: sa.orthanc,
            image: images.orthanc,
            proxyImage: images.orthancProxy,
            purpose: catalog.orthanc.purpose,
            replicas: o.replicas ?? 0,
            scaledToZero: o.scaledToZero,
            resources: o.resources,
            sidecarResources: o.sidecarResources ?? o.resources,
            configSecretName: settings.orthanc.configSecretName,
            serviceName: catalog.orthanc.service,
            nodePort: nodePorts[catalog.orthanc.service].http,
        },
        opts,
    );

    const frontends = catalog.frontends.map((f) => {
        const w = workloads[f.name];
        return new Frontend(
            f.name,
            {
                namespace,
                serviceAccountName: sa.frontend,
                image: images[f.image],
                purpose: f.purpose,
                replicas: w.replicas ?? 0,
                scaledToZero: w.scaledToZero,
                serviceName: f.service,
                nodePort: nodePorts[f.service].http,
                resources: w.resources,
            },
            opts,
        );
    });

    const rollouts: pulumi.CustomResource[] = [
        ...consumers.map((c) => c.deployment),
        ...workers.map((w) => w.deployment),
        php.fpm,
        php.nginx,
        redis.statefulSet,
        redis.proxy,
        scheduler.deployment,
        orthanc.deployment,
        ...frontends.map((f) => f.deployment),
    ];
    return {
        namespace,
        /**
         * Image of every workload. Resolves only once every workload's update succeeded (the
         * provider waits for each rollout), so it records what this stack ran successfully:
         * production1's promotion gate reads it from staging.
         */
        workloadImages: pulumi
            .all(rollouts.map((r) => r.id))
            .apply(() => catalog.workloadImages(images)),
        sourceRevision: settings.sourceRevision,
    };
};
