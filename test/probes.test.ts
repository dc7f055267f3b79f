/**
 * Probes and minReadySeconds from stack config: `sapoche-stack:queueProcess` for every queue
 * process, `workloads.<name>.probes` and `scheduler.probes` per workload; the schema's messages
 * and what the components render.
 */
import { strict as assert } from "assert";
import { RegisteredResource } from "../lib/mocks";
import { evaluateProgram, stackResources, StackName } from "../lib/program";
import { Config, configOf, problemsAfter, settingsAfter, stackConfigAfter } from "./support/config";
import { consumers, schedulerName, workers } from "../stacks/catalog";
import { SERVER_PORTS } from "../stacks/schema/probe-targets";

type Any = Record<string, any>;
const Q = "sapoche-stack:queueProcess";
const W = "sapoche-stack:workloads";
const ONE_HANDLER = "exactly one of exec, httpGet, tcpSocket, grpc";
const HTTP_PROBE = { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5 };

const deploymentOf = (rs: readonly RegisteredResource[], name: string) =>
    rs.find(
        (r) =>
            r.type === "kubernetes:apps/v1:Deployment" && (r.props as Any).metadata.name === name,
    )?.props as Any;

describe("probes in stack config", () => {
    // One row per bad input.
    // prettier-ignore
    const cases: [string, (c: Config) => void, string[]][] = [
        ["no queueProcess key", (c) => delete c.queueProcess, [`${Q}: missing; expected an object with keys liveness, readiness, minReadySeconds`]],
        ["a queue process without liveness", (c) => delete c.queueProcess.liveness, [`${Q}.liveness: missing; expected an object with keys exec, httpGet, tcpSocket, grpc, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold, successThreshold, terminationGracePeriodSeconds`]],
        ["a probe with two handlers", (c) => (c.queueProcess.liveness.tcpSocket = { port: 9000 }), [`${Q}.liveness: got {"exec":{"command":["/bin/sh","-c","find /tmp/heartbeat -mmin -2 | grep -q ."]},"initialDelaySeconds":60,"periodSeconds":30,"timeoutSeconds":5,"failureThreshold":3,"tcpSocket":{"port":9000}}; expected ${ONE_HANDLER} (got exec and tcpSocket)`]],
        ["a probe without a handler", (c) => delete c.queueProcess.readiness.exec, [`${Q}.readiness: got {"initialDelaySeconds":5,"periodSeconds":10,"timeoutSeconds":5,"failureThreshold":3}; expected ${ONE_HANDLER}`]],
        ["an empty command", (c) => (c.queueProcess.readiness.exec.command = []), [`${Q}.readiness.exec.command: got []; expected a list of strings: the program and its arguments`]],
        ["a command written as one string", (c) => (c.queueProcess.liveness.exec.command = "true"), [`${Q}.liveness.exec.command: got "true"; expected a list of strings: the program and its arguments`]],
        ["a liveness probe that needs two successes", (c) => (c.queueProcess.liveness.successThreshold = 2), [`${Q}.liveness.successThreshold: got 2; expected 1 (Kubernetes requires 1 for a liveness probe)`]],
        ["a period of zero", (c) => (c.queueProcess.readiness.periodSeconds = 0), [`${Q}.readiness.periodSeconds: got 0; expected an integer from 1 to 3600`]],
        ["a misspelt timing", (c) => (c.queueProcess.readiness.periodSecond = 10), [`${Q}.readiness.periodSecond: unknown key (did you mean "periodSeconds"?); allowed keys: exec, httpGet, tcpSocket, grpc, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold, successThreshold, terminationGracePeriodSeconds`]],
        ["minReadySeconds beyond the progress deadline", (c) => (c.queueProcess.minReadySeconds = 900), [`${Q}.minReadySeconds: got 900; expected an integer from 0 to 300`]],
        ["minReadySeconds written as a duration", (c) => (c.queueProcess.minReadySeconds = "30s"), [`${Q}.minReadySeconds: got "30s"; expected an integer from 0 to 300`]],
        ["a startup probe per workload", (c) => (c.workloads["worker-booking"].probes = { startup: HTTP_PROBE }), [`${W}.worker-booking.probes.startup: unknown key; allowed keys: liveness, readiness, minReadySeconds`]],
        ["an HTTP probe on a port name too long", (c) => (c.workloads["sp-bknd-nginx"].probes = { readiness: { httpGet: { path: "/", port: "http-for-the-clinics" } } }), [`${W}.sp-bknd-nginx.probes.readiness.httpGet.port: got "http-for-the-clinics"; expected a port number from 1 to 65535 or a container port name (at most 15 characters)`]],
        ["an HTTP path without a slash", (c) => (c.workloads["sp-bknd-nginx"].probes = { readiness: { httpGet: { path: "healthz", port: 8080 } } }), [`${W}.sp-bknd-nginx.probes.readiness.httpGet.path: got "healthz"; expected a path starting with /`]],
        ["scheduler probes with a negative delay", (c) => (c.scheduler.probes = { liveness: { exec: { command: ["true"] }, initialDelaySeconds: -1 } }), [`sapoche-stack:scheduler.probes.liveness.initialDelaySeconds: got -1; expected an integer from 0 to 3600`]],
        // Probes reach a port the container has (issue 24 item 7); production1 keeps its floors.
        ["a readiness probe on a port name the server lacks", (c) => (c.workloads["sp-bknd-nginx"].probes = { readiness: { httpGet: { path: "/", port: "metrics" } } }), [`${W}.sp-bknd-nginx.probes.readiness.httpGet.port: got "metrics"; expected a port the container of sp-bknd-nginx has (http (8080))`]],
        ["a liveness probe on a port number the server lacks", (c) => (c.workloads["sp-bnkd-php"].probes = { liveness: { tcpSocket: { port: 9001 }, periodSeconds: 10 } }), [`${W}.sp-bnkd-php.probes.liveness.tcpSocket.port: got 9001; expected a port the container of sp-bnkd-php has (fpm (9000), http (8080))`]],
        ["a gRPC probe on Orthanc's proxy port (not its main container's)", (c) => (c.workloads["orthanc-read-api"].probes = { readiness: { grpc: { port: 8080 } } }), [`${W}.orthanc-read-api.probes.readiness.grpc.port: got 8080; expected a port the container of orthanc-read-api has (orthanc (8042))`]],
        ["a port probe for every queue process", (c) => (c.queueProcess.readiness = { httpGet: { path: "/", port: 8080 } }), [`${Q}.readiness.httpGet.port: got 8080; expected a port the container of consumer-dicom, consumer-ecg, consumer-employee and 29 more has (none; a queue process serves no port, so probe it with exec)`]],
        ["a scheduler probe on a port", (c) => (c.scheduler.probes = { liveness: { tcpSocket: { port: "http" }, periodSeconds: 30 } }), [`sapoche-stack:scheduler.probes.liveness.tcpSocket.port: got "http"; expected a port the container of scheduler has (none; a queue process serves no port, so probe it with exec)`]],
        ["production1 without a queue readiness probe", (c) => delete c.queueProcess.readiness, [`${Q}.readiness: missing; expected a readiness probe in production1 (its safety floor: without one a rollout counts each consumer, worker and the scheduler ready the moment it starts)`]],
        ["a production1 liveness probe that restarts within 15 s", (c) => (c.queueProcess.liveness.periodSeconds = 5), [`${Q}.liveness.periodSeconds: got 5; expected periodSeconds x failureThreshold of at least 30 s in production1 (its safety floor), not 5 x 3 = 15 s`]],
        ["a production1 liveness override with Kubernetes' default period and one failure", (c) => (c.workloads["worker-booking"].probes = { liveness: { exec: { command: ["true"] }, failureThreshold: 2 } }), [`${W}.worker-booking.probes.liveness.failureThreshold: got 2; expected periodSeconds x failureThreshold of at least 30 s in production1 (its safety floor), not 10 x 2 = 20 s`]],
    ];
    for (const [what, breakIt, expected] of cases) {
        it(`rejects ${what}`, () => assert.deepEqual(problemsAfter(breakIt), expected));
    }

    it("accepts a probe on a port the stack file gives the container, and staging's shorter liveness window", () => {
        assert.deepEqual(
            problemsAfter((c) => {
                c.workloads["worker-booking"].container.ports = [
                    { name: "health", containerPort: 8081 },
                ];
                c.workloads["worker-booking"].probes = {
                    readiness: { httpGet: { path: "/", port: "health" } },
                };
            }),
            [],
        );
        assert.deepEqual(
            problemsAfter((c) => (c.queueProcess.liveness.periodSeconds = 5), "staging"),
            [],
        );
    });

    it("knows each server's ports as the components render them (SERVER_PORTS)", async () => {
        const rs = await stackResources("production1");
        for (const [name, ports] of Object.entries(SERVER_PORTS)) {
            const main = deploymentOf(rs, name).spec.template.spec.containers[0];
            const rendered = Object.fromEntries(
                main.ports.map((p: Any) => [p.name, p.containerPort]),
            );
            assert.deepEqual(rendered, ports, name);
        }
    });

    it("accepts a queue process without readiness in staging (production1's floor requires one)", () => {
        const s = settingsAfter((c) => delete c.queueProcess.readiness, "staging");
        const booking = s.plan.find((p) => p.name === "worker-booking");
        assert.ok(booking?.family === "worker");
        assert.equal(booking.settings.probes.readiness, undefined);
    });

    it("resolves a queue process's probes field by field: its own, else queueProcess", () => {
        const q = configOf("production1").queueProcess;
        const s = settingsAfter((c) => {
            // A health port on the worker, as import-live writes it from a live container.
            c.workloads["worker-booking"].container.ports = [{ name: "http", containerPort: 8080 }];
            c.workloads["worker-booking"].probes = { readiness: HTTP_PROBE };
            c.workloads["consumer-lis-testresult"].probes = { minReadySeconds: 60 };
            c.scheduler.probes = { liveness: { exec: { command: ["/bin/true"] } } };
        });
        const find = (name: string) => s.plan.find((p) => p.name === name) as Any;
        assert.deepEqual(find("worker-booking").settings.probes, {
            liveness: q.liveness,
            readiness: HTTP_PROBE,
        });
        assert.equal(find("worker-booking").settings.minReadySeconds, q.minReadySeconds);
        assert.equal(find("consumer-lis-testresult").settings.minReadySeconds, 60);
        assert.deepEqual(find("scheduler").settings.probes, {
            liveness: { exec: { command: ["/bin/true"] } },
            readiness: q.readiness,
        });
    });
});

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`queue processes of ${stack}`, () => {
        it("render the stack's liveness, readiness and minReadySeconds, none of them from code", async () => {
            const rs = await stackResources(stack);
            const q = configOf(stack).queueProcess;
            const env = configOf(stack).environment;
            const names = [...consumers, ...workers].map((e) => e.name);
            for (const name of [...names, schedulerName(env)]) {
                const spec = deploymentOf(rs, name).spec;
                const [container] = spec.template.spec.containers;
                assert.deepEqual(container.livenessProbe, q.liveness, name);
                assert.deepEqual(container.readinessProbe, q.readiness, name);
                assert.equal(spec.minReadySeconds, q.minReadySeconds, name);
            }
        });
    });
}

describe("queue-process probes rendered from config", () => {
    it("a workload's own probes replace the stack's, and a server's replace the component's", async () => {
        const rs = await evaluateProgram(
            "staging",
            stackConfigAfter((c) => {
                c.workloads["worker-booking"].container.ports = [
                    { name: "http", containerPort: 8080 },
                ];
                c.workloads["worker-booking"].probes = {
                    liveness: { ...HTTP_PROBE, periodSeconds: 10 },
                    minReadySeconds: 45,
                };
                c.workloads["sapoche-frontend-web"].probes = {
                    readiness: HTTP_PROBE,
                    minReadySeconds: 5,
                };
            }, "staging"),
        );
        const booking = deploymentOf(rs, "worker-booking").spec;
        assert.deepEqual(booking.template.spec.containers[0].livenessProbe, {
            ...HTTP_PROBE,
            periodSeconds: 10,
        });
        assert.equal(booking.minReadySeconds, 45);
        const web = deploymentOf(rs, "sapoche-frontend-web").spec;
        assert.deepEqual(web.template.spec.containers[0].readinessProbe, HTTP_PROBE);
        // The liveness it did not replace stays the component's own port probe.
        assert.deepEqual(web.template.spec.containers[0].livenessProbe.httpGet, {
            port: "http",
            path: "/",
        });
        assert.equal(web.minReadySeconds, 5);
        // A server without probes in config keeps its own, and no minReadySeconds.
        assert.equal(deploymentOf(rs, "sp-bknd-nginx").spec.minReadySeconds, undefined);
    });
});
