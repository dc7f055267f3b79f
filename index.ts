import * as k8s from "@pulumi/kubernetes";
import { isHpa, isKeda, loadSettings } from "./stacks/settings";
import { namespacePeak } from "./stacks/capacity";
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

const settings = loadSettings();
const { images, workloads, nodePorts } = settings;

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

for (const c of catalog.consumers) {
    const w = workloads[c.name];
    new QueueConsumer(
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
}

for (const entry of catalog.workers) {
    const w = workloads[entry.name];
    new Worker(
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
}

const fpm = workloads[catalog.phpBackend.fpm.name];
const nginx = workloads[catalog.phpBackend.nginx.name];
if (!isHpa(fpm.autoscaling)) throw new Error("unreachable: the schema requires HPA settings");
new PhpBackend(
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

new Redis(
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

new Scheduler(
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

const orthanc = workloads[catalog.orthanc.name];
new Orthanc(
    catalog.orthanc.name,
    {
        namespace,
        serviceAccountName: sa.orthanc,
        image: images.orthanc,
        proxyImage: images.orthancProxy,
        purpose: catalog.orthanc.purpose,
        replicas: orthanc.replicas ?? 0,
        scaledToZero: orthanc.scaledToZero,
        resources: orthanc.resources,
        sidecarResources: orthanc.sidecarResources ?? orthanc.resources,
        serviceName: catalog.orthanc.service,
        nodePort: nodePorts[catalog.orthanc.service].http,
    },
    opts,
);

for (const f of catalog.frontends) {
    const w = workloads[f.name];
    new Frontend(
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
}

/** The namespace this stack owns. */
export const namespaceName = namespace;
/** Image reference of every workload: what staging has run is what production1 may run. */
export const workloadImages = catalog.workloadImages(settings.images, settings.scheduler.name);
