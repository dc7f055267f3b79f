import * as assert from "assert";
import { missingCriticalWorkloadAlert } from "../policies/monitoring/missingCriticalWorkloadAlert";
import { compliantResources, pick } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, violations } from "./harness";

/** A PrometheusRule with one alert per expression. */
function prometheusRule(...exprs: string[]): FixtureResource {
    return {
        type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
        name: "monitoring-rules",
        props: {
            metadata: { name: "monitoring-rules", namespace: "sapoche" },
            spec: {
                groups: [
                    {
                        name: "sapoche.queues",
                        rules: exprs.map((expr, i) => ({ alert: `Alert${i}`, expr })),
                    },
                ],
            },
        },
    };
}

/** The compliant namespace plus the rule that covers both of its running critical consumers. */
function monitored(): FixtureResource[] {
    return [
        ...compliantResources(),
        prometheusRule(
            'kube_deployment_status_replicas_available{namespace="sapoche", deployment=~"consumer-dicom|consumer-spc-pdf-generate"} == 0',
        ),
    ];
}

const uncovered = (name: string, alerts: number) =>
    `Deployment "${name}" is critical and should be selected by at least one alert ` +
    `(deployment="${name}") in a PrometheusRule of the stack; none of the ${alerts} alerts selects it.`;

describe("missing-critical-workload-alert", () => {
    it("passes a namespace whose critical consumers are selected by an alert", async () => {
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, monitored()), []);
    });

    it("rejects a critical consumer no alert selects", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule(
                'kube_deployment_status_replicas_available{deployment="consumer-dicom"} == 0',
            ),
        ];
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), [
            uncovered("consumer-spc-pdf-generate", 1),
        ]);
    });

    it("accepts coverage spread over several alerts, exact or by regex", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule(
                'kube_deployment_status_replicas_available{deployment="consumer-dicom"} == 0',
                'kube_deployment_spec_replicas{namespace=~"sap.*", deployment=~"consumer-spc-.*"} > 0',
            ),
        ];
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), []);
    });

    it("does not count a namespace-wide selector as covering a workload", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule(
                'kube_deployment_status_condition{namespace="sapoche", status="false"} == 1',
            ),
        ];
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), [
            uncovered("consumer-spc-pdf-generate", 1),
            uncovered("consumer-dicom", 1),
        ]);
    });

    it("does not count a selector of another namespace", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule(
                'kube_deployment_status_replicas_available{namespace="other", deployment=~"consumer-dicom|consumer-spc-pdf-generate"} == 0',
            ),
        ];
        assert.strictEqual((await violations(missingCriticalWorkloadAlert, resources)).length, 2);
    });

    it("does not count a regex that only matches part of the name (PromQL anchors it)", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule(
                'kube_deployment_status_replicas_available{deployment=~"consumer-dicom|consumer-spc-pdf"} == 0',
            ),
        ];
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), [
            uncovered("consumer-spc-pdf-generate", 1),
        ]);
    });

    it("does not count a negative matcher or a recording rule", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule('up{deployment!="consumer-dicom"}'),
        ];
        const rule = pick(resources, "PrometheusRule", "monitoring-rules");
        rule.props.spec.groups[0].rules.push({
            record: "sapoche:available",
            expr: 'kube_deployment_status_replicas_available{deployment=~"consumer-.*"}',
        });
        assert.strictEqual((await violations(missingCriticalWorkloadAlert, resources)).length, 2);
    });

    it("ignores braces inside label values when reading selectors", async () => {
        const resources = [
            ...compliantResources(),
            prometheusRule(
                'kube_deployment_status_replicas_available{pod=~"x{1}", deployment=~"consumer-(dicom|spc-pdf-generate)"} == 0',
            ),
        ];
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), []);
    });

    it("exempts a critical consumer parked at zero with a reason and a review date, not one without", async () => {
        const resources = monitored();
        // consumer-revenue is critical, at zero replicas, with both annotations: not reported.
        assert.strictEqual(
            pick(resources, "Deployment", "consumer-revenue").props.spec.replicas,
            0,
        );
        delete pick(resources, "Deployment", "consumer-revenue").props.metadata.annotations[
            "sapoche.io/review-date"
        ];
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), [
            uncovered("consumer-revenue", 1),
        ]);
    });

    it("checks a critical StatefulSet by its statefulset label", async () => {
        const resources = monitored();
        pick(resources, "StatefulSet", "redis").props.metadata.annotations = {
            "sapoche.io/critical": "true",
        };
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), [
            'StatefulSet "redis" is critical and should be selected by at least one alert ' +
                '(statefulset="redis") in a PrometheusRule of the stack; none of the 1 alerts selects it.',
        ]);
    });

    it("does not judge a stack that carries no PrometheusRule (monitoring kept elsewhere)", async () => {
        assert.deepStrictEqual(
            await violations(missingCriticalWorkloadAlert, compliantResources()),
            [],
        );
    });

    it("fails closed when the rules are unknown during preview", async () => {
        const resources = monitored();
        pick(resources, "PrometheusRule", "monitoring-rules").props.spec = UNKNOWN;
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources), [
            'PrometheusRule "monitoring-rules" should set .spec to a plain value known at preview; this rule cannot verify a computed value.',
            uncovered("consumer-spc-pdf-generate", 0),
            uncovered("consumer-dicom", 0),
        ]);
    });

    it("checks a workload the config names critical, whatever its annotations", async () => {
        const resources = monitored();
        const config = {
            "missing-critical-workload-alert": { criticalWorkloads: ["worker-booking"] },
        };
        assert.deepStrictEqual(await violations(missingCriticalWorkloadAlert, resources, config), [
            'Deployment "worker-booking" is critical and should be selected by at least one alert ' +
                '(deployment="worker-booking") in a PrometheusRule of the stack; none of the 1 alerts selects it.',
        ]);
    });

    it("does not let annotations park a workload the config names critical", async () => {
        const config = {
            "missing-critical-workload-alert": { criticalWorkloads: ["consumer-revenue"] },
        };
        assert.deepStrictEqual(
            await violations(missingCriticalWorkloadAlert, monitored(), config),
            [uncovered("consumer-revenue", 1)],
        );
    });
});
