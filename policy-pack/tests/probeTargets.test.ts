/** enforce-probe-targets: probes reach what the container has; liveness keeps the stack's window. */
import * as assert from "assert";
import { enforceProbeTargets } from "../policies/workloads/enforceProbeTargets";
import { compliantResources, pick } from "./fixtures/compliant";
import { PolicyPackConfig } from "@pulumi/policy";
import { FixtureResource, violations } from "./harness";

type Any = Record<string, any>;
const nginx = (resources: FixtureResource[]) =>
    pick(resources, "Deployment", "sapoche-frontend-web").props.spec.template.spec.containers[0];
const after = (change: (c: Any) => void) => {
    const resources = compliantResources();
    const c = nginx(resources);
    c.ports = [{ name: "http", containerPort: 8080 }];
    change(c);
    return resources;
};
const C = 'Deployment "sapoche-frontend-web" container "web"';

describe("enforce-probe-targets", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(enforceProbeTargets, compliantResources()), []);
    });

    // prettier-ignore
    const cases: [string, (c: Any) => void, string[]][] = [
        ["a readiness probe on a port name the container lacks", (c) => (c.readinessProbe = { httpGet: { path: "/", port: "metrics" } }), [`${C} readinessProbe.httpGet reaches port "metrics", which the container does not have (its ports: http (8080)).`]],
        ["a liveness probe on a port number the container lacks", (c) => (c.livenessProbe = { tcpSocket: { port: 9090 }, periodSeconds: 10 }), [`${C} livenessProbe.tcpSocket reaches port 9090, which the container does not have (its ports: http (8080)).`]],
        ["a startup probe over gRPC on no declared port", (c) => (c.startupProbe = { grpc: { port: 50051 } }), [`${C} startupProbe.grpc reaches port 50051, which the container does not have (its ports: http (8080)).`]],
        ["a port probe on a container without ports", (c) => { delete c.ports; c.readinessProbe = { tcpSocket: { port: 8080 } }; c.livenessProbe = { exec: { command: ["true"] } }; }, [`${C} readinessProbe.tcpSocket reaches port 8080, which the container does not have (its ports: none: probe it with exec).`]],
        ["an exec probe with an empty command", (c) => (c.livenessProbe = { exec: { command: [] } }), [`${C} livenessProbe.exec runs no command ([]); give the program and its arguments.`]],
        ["a probe with two handlers", (c) => (c.readinessProbe = { exec: { command: ["true"] }, tcpSocket: { port: "http" } }), [`${C} readinessProbe should have exactly one of exec, httpGet, tcpSocket, grpc (has exec, tcpSocket).`]],
        ["a liveness probe that restarts within 3 s", (c) => (c.livenessProbe = { tcpSocket: { port: "http" }, periodSeconds: 1, failureThreshold: 3 }), [`${C} livenessProbe restarts it after 1 s x 3 failures = 3 s; allowed: at least 10 s, or one slow answer restarts every pod at once.`]],
        ["Kubernetes' default period with one failure", (c) => (c.livenessProbe = { tcpSocket: { port: "http" }, failureThreshold: 1 }), [`${C} livenessProbe restarts it after 10 s x 1 failures = 10 s; allowed: at least 30 s, or one slow answer restarts every pod at once.`]],
    ];
    for (const [what, change, expected] of cases) {
        it(`rejects ${what}`, async () => {
            // The last case runs with production1's floor.
            const config: PolicyPackConfig = /default period/.test(what)
                ? { "enforce-probe-targets": { minLivenessWindowSeconds: 30 } }
                : {};
            assert.deepStrictEqual(
                await violations(enforceProbeTargets, after(change), config),
                expected,
            );
        });
    }

    it("accepts a probe by port name or number the container declares, as Kubernetes resolves it", async () => {
        const resources = after((c) => {
            c.readinessProbe = { httpGet: { path: "/", port: 8080 } };
            c.livenessProbe = {
                tcpSocket: { port: "http" },
                periodSeconds: 10,
                failureThreshold: 3,
            };
        });
        assert.deepStrictEqual(
            await violations(enforceProbeTargets, resources, {
                "enforce-probe-targets": { minLivenessWindowSeconds: 30 },
            }),
            [],
        );
    });
});
