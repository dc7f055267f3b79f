import * as assert from "assert";
import { enforceConsumerMinReplicas } from "../policies/consumers/enforceConsumerMinReplicas";
import { stackPolicyConfig } from "./evaluate";
import { compliantResources, pick } from "./fixtures/compliant";
import { UNKNOWN, violations } from "./harness";

const production1 = stackPolicyConfig("production1");
const staging = stackPolicyConfig("staging");

describe("enforce-consumer-min-replicas", () => {
    it("passes the compliant namespace with production1's floor", async () => {
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, compliantResources(), production1),
            [],
        );
    });

    it("rejects a critical consumer at one replica", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "consumer-dicom").props.spec.replicas = 1;
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            ['Deployment "consumer-dicom" is critical and should run at least 2 replicas, not 1.'],
        );
    });

    it("accepts a critical consumer at one replica with staging's floor", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "consumer-dicom").props.spec.replicas = 1;
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, staging),
            [],
        );
    });

    it("rejects a KEDA consumer whose ScaledObject minimum is below the floor", async () => {
        const resources = compliantResources();
        pick(resources, "ScaledObject", "consumer-spc-pdf-generate").props.spec.minReplicaCount = 1;
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            [
                'Deployment "consumer-spc-pdf-generate" is critical and should run at least 2 replicas, ' +
                    'but ScaledObject "consumer-spc-pdf-generate" has a minimum of 1.',
            ],
        );
    });

    it("treats a ScaledObject without minReplicaCount as KEDA's default of zero", async () => {
        const resources = compliantResources();
        delete pick(resources, "ScaledObject", "consumer-spc-pdf-generate").props.spec
            .minReplicaCount;
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            [
                'Deployment "consumer-spc-pdf-generate" is critical and should run at least 2 replicas, ' +
                    'but ScaledObject "consumer-spc-pdf-generate" has a minimum of 0.',
            ],
        );
    });

    it("rejects a critical consumer scaled to zero without a review date", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", "consumer-revenue").props.metadata.annotations[
            "sapoche.io/review-date"
        ];
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            [
                'Deployment "consumer-revenue" is critical and should run at least 2 replicas, not 0; to keep it scaled ' +
                    "to zero, annotate sapoche.io/scaled-to-zero-reason and sapoche.io/review-date.",
            ],
        );
    });

    it("rejects a critical consumer scaled to zero with an empty reason", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "consumer-revenue").props.metadata.annotations[
            "sapoche.io/scaled-to-zero-reason"
        ] = " ";
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            [
                'Deployment "consumer-revenue" is critical and should run at least 2 replicas, not 0; to keep it scaled ' +
                    "to zero, annotate sapoche.io/scaled-to-zero-reason and sapoche.io/review-date.",
            ],
        );
    });

    it("holds the floor of a consumer named critical in config after its annotation is dropped", async () => {
        const resources = compliantResources();
        const dicom = pick(resources, "Deployment", "consumer-dicom").props;
        dicom.spec.replicas = 1;
        delete dicom.metadata.annotations;
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            ['Deployment "consumer-dicom" is critical and should run at least 2 replicas, not 1.'],
        );
    });

    it('treats an annotation spelt "True" as critical', async () => {
        const resources = compliantResources();
        const dicom = pick(resources, "Deployment", "consumer-dicom").props;
        dicom.spec.replicas = 1;
        dicom.metadata.annotations["sapoche.io/critical"] = "True";
        assert.deepStrictEqual(await violations(enforceConsumerMinReplicas, resources), [
            'Deployment "consumer-dicom" is critical and should run at least 2 replicas, not 1.',
        ]);
    });

    it("does not let scaled-to-zero annotations park a consumer named critical in config", async () => {
        const resources = compliantResources();
        const dicom = pick(resources, "Deployment", "consumer-dicom").props;
        dicom.spec.replicas = 0;
        dicom.metadata.annotations["sapoche.io/scaled-to-zero-reason"] =
            "Paused for the migration.";
        dicom.metadata.annotations["sapoche.io/review-date"] = "2027-01-31";
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            ['Deployment "consumer-dicom" is critical and should run at least 2 replicas, not 0.'],
        );
    });

    it("ignores consumers neither named in config nor annotated critical", async () => {
        const resources = compliantResources();
        const dicom = pick(resources, "Deployment", "consumer-dicom").props;
        dicom.spec.replicas = 1;
        delete dicom.metadata.annotations;
        assert.deepStrictEqual(await violations(enforceConsumerMinReplicas, resources), []);
    });

    it("refuses a critical consumer whose ScaledObject minimum is unknown (fails closed)", async () => {
        const resources = compliantResources();
        pick(resources, "ScaledObject", "consumer-spc-pdf-generate").props.spec.minReplicaCount =
            UNKNOWN;
        assert.deepStrictEqual(
            await violations(enforceConsumerMinReplicas, resources, production1),
            [
                'Deployment "consumer-spc-pdf-generate" is critical, and ScaledObject "consumer-spc-pdf-generate" that may scale it ' +
                    "should set its replica bounds and target to plain values known at preview; this rule cannot verify computed ones.",
            ],
        );
    });
});
