import * as k8s from "@pulumi/kubernetes";
import { NamespaceBaseline } from "./components";
import { Monitoring } from "./components/monitoring";
import { adoptLiveObjects, phaseRendering } from "./stacks/adoption";
import { adoptionGate } from "./stacks/adoption-gate";
import { capacityOutput, namespacePeak } from "./stacks/capacity";
import { bindToCluster } from "./stacks/cluster";
import { createWorkload } from "./stacks/families";
import { monitoringArgs } from "./stacks/monitoring";
import { networkArgs } from "./stacks/network";
import {
    annotateBypass,
    checkPromotion,
    ownStack,
    previousRun,
    ranSuccessfully,
} from "./stacks/promotion";
import { loadSettings } from "./stacks/settings";

// An async program: the promotion gate must pass before anything is registered, so that a
// refused image never reaches the cluster, not even partially.
export = async () => {
    const settings = loadSettings();
    annotateBypass(settings, await checkPromotion(settings));
    // Read before anything is registered: the outputs of the last update that completed.
    const self = ownStack();
    const previous = await previousRun(self);
    // An explicit provider, so no resource can fall back to an ambient default provider.
    const provider = new k8s.Provider("sapoche", { enableServerSideApply: true });
    // Before any object: refuse a kubeconfig that reaches another cluster than the stack's.
    await bindToCluster(settings, provider);
    // Before any object: the phase must follow the stack's released history.
    const adoptionRecord = await adoptionGate(settings, self);
    adoptLiveObjects(settings);
    const opts = { providers: [provider] };

    // Before the adoption's enforce phase, nothing restricts admission or traffic yet.
    const { enforced } = phaseRendering(settings.adoption.phase);
    const baseline = new NamespaceBaseline(
        settings.namespace,
        {
            namespace: settings.namespace,
            peak: namespacePeak(settings.plan),
            admission: enforced,
            ...networkArgs(settings),
        },
        opts,
    );
    const components = settings.plan.map((entry) => createWorkload(entry, baseline, opts));
    const rollouts = components.flatMap((c) => c.workloads);
    const { namespace, plan, monitoring } = settings;
    new Monitoring(
        "monitoring",
        {
            namespace: baseline.namespace,
            ...monitoringArgs(namespace, plan, monitoring),
            networkPolicy: enforced,
        },
        opts,
    );

    return {
        namespace: baseline.namespace,
        // What this update ran, once every rollout succeeded: production1's gate reads staging's.
        ...ranSuccessfully(
            settings,
            rollouts.map((r) => r.id),
            previous,
        ),
        // What the next update's phase is checked against (stacks/adoption-history.ts).
        adoption: adoptionRecord(rollouts.map((r) => r.id)),
        sourceRevision: settings.sourceRevision,
        capacity: capacityOutput(settings.plan),
    };
};
