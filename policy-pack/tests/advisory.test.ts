import * as assert from "assert";
import { enforceImagePullPolicy } from "../policies/advisory/enforceImagePullPolicy";
import { missingTopologySpread } from "../policies/advisory/missingTopologySpread";
import { reportNodePortExposure } from "../policies/advisory/reportNodePortExposure";
import { reportOverdueScaleToZeroReview } from "../policies/advisory/reportOverdueScaleToZeroReview";
import { reportPromotionBypass } from "../policies/advisory/reportPromotionBypass";
import { compliantResources, pick } from "./fixtures/compliant";
import { violations } from "./harness";

const onToday = (today: string) => ({ "report-overdue-scale-to-zero-review": { today } });

describe("report-overdue-scale-to-zero-review", () => {
    it("passes the compliant namespace before the review date", async () => {
        assert.deepStrictEqual(
            await violations(
                reportOverdueScaleToZeroReview,
                compliantResources(),
                onToday("2027-03-31"),
            ),
            [],
        );
    });

    it("reports a workload scaled to zero past its review date", async () => {
        assert.deepStrictEqual(
            await violations(
                reportOverdueScaleToZeroReview,
                compliantResources(),
                onToday("2027-04-01"),
            ),
            [
                'Deployment "consumer-revenue" is scaled to zero and should have been reviewed by 2027-03-31: remove it or scale it back up.',
            ],
        );
    });

    it("uses the current date when today is not configured", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "consumer-revenue").props.metadata.annotations[
            "sapoche.io/review-date"
        ] = "2000-01-01";
        assert.deepStrictEqual(await violations(reportOverdueScaleToZeroReview, resources), [
            'Deployment "consumer-revenue" is scaled to zero and should have been reviewed by 2000-01-01: remove it or scale it back up.',
        ]);
    });
});

describe("report-node-port-exposure", () => {
    it("reports only the frontend's live node port in the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(reportNodePortExposure, compliantResources()), [
            'Service "sapoche-frontend-web" is exposed on every node (NodePort 31620) and should be reached through the gateway instead.',
        ]);
    });

    it("reports a NodePort left to the cluster to assign", async () => {
        const resources = compliantResources().filter((r) => r.name === "redis-sp");
        pick(resources, "Service", "redis-sp").props.spec.type = "NodePort";
        assert.deepStrictEqual(await violations(reportNodePortExposure, resources), [
            'Service "redis-sp" is exposed on every node (NodePort auto-assigned) and should be reached through the gateway instead.',
        ]);
    });
});

describe("missing-topology-spread", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(missingTopologySpread, compliantResources()), []);
    });

    it("reports a multi-replica workload without a spread", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", "sp-bnkd-php").props.spec.template.spec
            .topologySpreadConstraints;
        assert.deepStrictEqual(await violations(missingTopologySpread, resources), [
            'Deployment "sp-bnkd-php" runs up to 20 replicas and should spread them across nodes with topologySpreadConstraints.',
        ]);
    });

    it("ignores a single-replica workload without a spread", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", "sapoche-be--scheduler--prod").props.spec.template.spec
            .topologySpreadConstraints;
        assert.deepStrictEqual(await violations(missingTopologySpread, resources), []);
    });
});

describe("enforce-image-pull-policy", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceImagePullPolicy, compliantResources()), []);
    });

    it("reports imagePullPolicy Always", async () => {
        const resources = compliantResources();
        pick(
            resources,
            "Deployment",
            "worker-booking",
        ).props.spec.template.spec.containers[0].imagePullPolicy = "Always";
        assert.deepStrictEqual(await violations(enforceImagePullPolicy, resources), [
            'Deployment "worker-booking" container "worker" should use imagePullPolicy IfNotPresent, not Always.',
        ]);
    });
});

describe("report-promotion-bypass", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(reportPromotionBypass, compliantResources()), []);
    });

    it("reports a Deployment rolled out without staging promotion, with its reason", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", "consumer-dicom").props.metadata.annotations[
            "sapoche.io/promotion-bypass"
        ] = "INC-2291 hotfix approved by on-call";
        assert.deepStrictEqual(await violations(reportPromotionBypass, resources), [
            'Deployment "consumer-dicom" was deployed without staging promotion: INC-2291 hotfix approved by on-call',
        ]);
    });
});
