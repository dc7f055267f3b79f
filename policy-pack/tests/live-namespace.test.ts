import * as assert from "assert";
import { Finding, evaluatePack, stackPolicyConfig } from "./evaluate";
import { compliantResources, pick } from "./fixtures/compliant";
import { liveNamespaceResources } from "./fixtures/live-namespace";
import { UNKNOWN } from "./harness";

const production1 = stackPolicyConfig("production1");

describe("the live sapoche namespace", () => {
    let mandatory: Finding[];

    before(async () => {
        const findings = await evaluatePack(liveNamespaceResources(), production1);
        mandatory = findings.filter((f) => f.level === "mandatory");
    });

    function assertReported(policy: string, message: string): void {
        assert.ok(
            mandatory.some((f) => f.policy === policy && f.message === message),
            `expected ${policy} to report: ${message}`,
        );
    }

    it("is rejected because Redis runs as a single Deployment", () => {
        assertReported(
            "disallow-unsanctioned-redis",
            'Deployment "redis-master" container "redis-master" runs a Redis-compatible server ("bitnami/redis:6.2.7"); ' +
                'Redis should run only as the Sentinel StatefulSet "redis".',
        );
    });

    it("is rejected because critical consumers run a single replica", () => {
        assertReported(
            "enforce-consumer-min-replicas",
            'Deployment "consumer-dicom" is critical and should run at least 2 replicas, not 1.',
        );
        assertReported(
            "enforce-consumer-min-replicas",
            'Deployment "consumer-lis-testresult" is critical and should run at least 2 replicas, but ScaledObject "consumer-lis-testresult" has a minimum of 1.',
        );
    });

    it("is rejected because the PHP backend's HPA targets 85 % CPU", () => {
        assertReported(
            "enforce-hpa-cpu-target",
            'HorizontalPodAutoscaler "sp-bnkd-php" should target CPU utilization at most 70%, not 85%.',
        );
    });

    it("is rejected because multi-replica workloads have no PodDisruptionBudget", () => {
        assertReported(
            "missing-disruption-budget",
            'Deployment "worker-sapoche-default" runs up to 10 replicas and should have a PodDisruptionBudget selecting its pods.',
        );
    });

    it("is rejected because pods run without a security context", () => {
        assertReported(
            "enforce-run-as-non-root",
            'Deployment "sp-bnkd-php" should set securityContext.runAsNonRoot: true on its pod template.',
        );
        assertReported(
            "enforce-container-security-context",
            'Deployment "sp-bnkd-php" container "sp-bnkd-php" should set securityContext.allowPrivilegeEscalation: false.',
        );
    });

    it("is rejected because autoscaled Deployments also set spec.replicas", () => {
        assertReported(
            "disallow-replicas-on-autoscaled",
            'Deployment "sp-bnkd-php" is scaled by HorizontalPodAutoscaler "sp-bnkd-php" and should not set spec.replicas (found 8).',
        );
    });

    it("is rejected because workloads are scaled to zero without a reason", () => {
        assertReported(
            "missing-scaled-to-zero-reason",
            'Deployment "diag-design-system-nginx" is scaled to zero and should explain why in the sapoche.io/scaled-to-zero-reason annotation.',
        );
    });
});

describe("the whole pack over the compliant namespace", () => {
    const config = {
        ...production1,
        "report-overdue-scale-to-zero-review": { today: "2026-11-26" },
        // The fixture pins tags, as staging does; digests are production1's advisory.
        "report-image-without-digest": "disabled" as const,
        "disallow-divergent-image-pull": "disabled" as const,
        // The fixture's Services are not the catalog's; enforce-catalogued-service has its own tests.
        "enforce-catalogued-service": "disabled" as const,
    };

    it("reports nothing but the frontend's node port", async () => {
        assert.deepStrictEqual(
            (await evaluatePack(compliantResources(), config)).map((f) => `${f.level} ${f.policy}`),
            ["advisory report-node-port-exposure"],
        );
    });

    it("keeps its verdict when an unrelated resource holds an unknown value", async () => {
        const resources = compliantResources();
        pick(resources, "ConfigMap", "sapoche-env").props.data = UNKNOWN;
        pick(resources, "TriggerAuthentication", "rabbitmq-auth").props.spec = UNKNOWN;
        assert.deepStrictEqual(
            (await evaluatePack(resources, config)).map((f) => `${f.level} ${f.policy}`),
            ["advisory report-node-port-exposure"],
        );
    });

    it("fails closed on an unknown Redis replica count, and skips it elsewhere as the engine does", async () => {
        const resources = compliantResources();
        pick(resources, "StatefulSet", "redis").props.spec.replicas = UNKNOWN;
        const findings = (await evaluatePack(resources, config)).filter(
            (f) => f.policy !== "report-node-port-exposure",
        );
        assert.deepStrictEqual(
            findings.map((f) => `${f.level} ${f.policy}`),
            [
                "mandatory enforce-redis-replicas",
                "mandatory enforce-sentinel-quorum",
                "mandatory enforce-redis-disruption-budget",
                "advisory enforce-disruption-budget-headroom",
                "advisory missing-scaled-to-zero-reason",
                "advisory missing-disruption-budget",
                "advisory report-overdue-scale-to-zero-review",
                "advisory missing-topology-spread",
            ],
        );
        assert.strictEqual(
            findings[0].message,
            'StatefulSet "redis" should set .spec.replicas to a plain value known at preview; this rule cannot verify a computed value.',
        );
    });
});
