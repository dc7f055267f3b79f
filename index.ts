import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceBaseline } from "./components";
import { Monitoring } from "./components/monitoring";
import { adoptLiveObjects } from "./stacks/adoption";
import { namespacePeak } from "./stacks/capacity";
import { createWorkload } from "./stacks/families";
import { monitoringArgs } from "./stacks/monitoring";
import { annotateBypass, checkPromotion, workloadImages } from "./stacks/promotion";
import { loadSettings } from "./stacks/settings";

// An async program: the promotion gate must pass before anything is registered, so that a
// refused image never reaches the cluster, not even partially.
export = async () => {
    const settings = loadSettings();
    annotateBypass(settings, await checkPromotion(settings));
    adoptLiveObjects(settings);

    // An explicit provider, so no resource can fall back to an ambient default provider.
    const provider = new k8s.Provider("sapoche", { enableServerSideApply: true });
    const opts = { providers: [provider] };

    const baseline = new NamespaceBaseline(
        settings.namespace,
        { namespace: settings.namespace, peak: namespacePeak(settings.plan) },
        opts,
    );
    const components = settings.plan.map((entry) => createWorkload(entry, baseline, opts));
    const rollouts = components.flatMap((c) => c.workloads);
    const { namespace, plan, monitoring } = settings;
    new Monitoring(
        "monitoring",
        { namespace: baseline.namespace, ...monitoringArgs(namespace, plan, monitoring) },
        opts,
    );

    return {
        namespace: baseline.namespace,
        /**
         * Image of every workload. Resolves only once every workload's update succeeded (the
         * provider waits for each rollout), so it records what this stack ran successfully:
         * production1's promotion gate reads it from staging.
         */
        workloadImages: pulumi
            .all(rollouts.map((r) => r.id))
            .apply(() => workloadImages(settings.plan)),
        sourceRevision: settings.sourceRevision,
    };
};
