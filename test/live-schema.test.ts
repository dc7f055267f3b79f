/**
 * The schema of the live facts (`workloads.<name>.container|pod|triggers`, `scheduler.container|
 * pod`): what `npm run import-live` writes is accepted, and mistakes are refused with the key, the
 * value (never a credential's) and what is allowed.
 */
import { strict as assert } from "assert";
import { ACCEPTED } from "../stacks/schema/credentials";
import { Config, problemsAfter, settingsAfter } from "./support/config";

const W = "sapoche-stack:workloads";
const SECRET_VALUE = "hunter2-in-plain-text";
const A_CONTAINER = {
    command: ["php"],
    args: ["artisan", "queue:work"],
    env: [
        { name: "APP_ENV", value: "prod" },
        {
            name: "DB_PASSWORD",
            valueFrom: { secretKeyRef: { name: "sapoche-db", key: "password" } },
        },
        { name: "LOCALE", valueFrom: { configMapKeyRef: { name: "sapoche-app", key: "locale" } } },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "EMPTY" },
    ],
    envFrom: [
        { configMapRef: { name: "sapoche-app" } },
        { secretRef: { name: "sapoche-env" }, prefix: "X_" },
    ],
    volumeMounts: [{ name: "app-config", mountPath: "/app/config", readOnly: true }],
};
const A_POD = {
    labels: { "app.kubernetes.io/name": "worker-booking", app: "worker-booking", tier: "backend" },
    selector: { app: "worker-booking" },
    securityContext: { runAsUser: 33, runAsGroup: 33, fsGroup: 33 },
    volumes: [
        { name: "app-config", configMap: { name: "sapoche-app", defaultMode: 420 } },
        { name: "scratch", emptyDir: {} },
    ],
};
const withFacts = (c: Config) => {
    c.workloads["worker-booking"].container = structuredClone(A_CONTAINER);
    c.workloads["worker-booking"].pod = structuredClone(A_POD);
};

describe("live facts in stack config", () => {
    it("accepts what import-live writes: container, pod, probes and KEDA triggers", () => {
        const s = settingsAfter((c) => {
            withFacts(c);
            c.workloads["consumer-lis-testresult"].triggers = [
                {
                    type: "rabbitmq",
                    metadata: {
                        mode: "QueueLength",
                        queueName: "lis.results",
                        vhostName: "sapoche",
                    },
                    authenticationRef: { name: "keda-trigger-auth-rabbitmq" },
                },
            ];
            c.scheduler.pod = { labels: { app: "scheduler" }, selector: { app: "scheduler" } };
        });
        const booking = s.plan.find((p) => p.name === "worker-booking");
        assert.ok(booking?.family === "worker");
        assert.deepEqual(booking.settings.container, A_CONTAINER);
        assert.deepEqual(booking.settings.pod, A_POD);
        const lis = s.plan.find((p) => p.name === "consumer-lis-testresult");
        assert.ok(lis?.family === "queue-consumer" && "autoscaling" in lis.settings);
        assert.equal(lis.settings.autoscaling.triggers?.[0].metadata.queueName, "lis.results");
    });

    // One row per bad input.
    // prettier-ignore
    const cases: [string, (c: Config) => void, string[]][] = [
        ["a literal password", (c) => (c.workloads["worker-booking"].container = { env: [{ name: "DB_PASSWORD", value: SECRET_VALUE }] }), [`${W}.worker-booking.container.env.0.value: got a literal (not shown); expected ${ACCEPTED}: DB_PASSWORD holds a literal under the credential name DB_PASSWORD ("***"), and a literal lands in the state, every preview and kubectl get (policy disallow-literal-credential)`]],
        ["a URL with a password under an innocent name", (c) => (c.workloads["worker-booking"].container = { env: [{ name: "BROKER_URL", value: `amqp://app:${SECRET_VALUE}@rabbitmq:5672/` }] }), [`${W}.worker-booking.container.env.0.value: got a literal (not shown); expected ${ACCEPTED}: BROKER_URL holds a URL with a password ("amqp://app:***@rabbitmq:5672/"), and a literal lands in the state, every preview and kubectl get (policy disallow-literal-credential)`]],
        ["a value and a reference at once", (c) => (c.workloads["worker-booking"].container = { env: [{ name: "A", value: "1", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] }), [`${W}.worker-booking.container.env.0: got {"name":"A","value":"1","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}; expected value or valueFrom, not both`]],
        ["a reference to two sources", (c) => (c.workloads["worker-booking"].container = { env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" }, configMapKeyRef: { name: "c", key: "k" } } }] }), [`${W}.worker-booking.container.env.0.valueFrom: got {"secretKeyRef":{"name":"s","key":"k"},"configMapKeyRef":{"name":"c","key":"k"}}; expected exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef (got secretKeyRef, configMapKeyRef)`]],
        ["an unquoted number as a value", (c) => (c.workloads["worker-booking"].container = { env: [{ name: "WORKERS", value: 4 }] }), [`${W}.worker-booking.container.env.0.value: got 4; expected a string (quote numbers and booleans)`]],
        ["a variable set twice", (c) => (c.workloads["worker-booking"].container = { env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] }), [`${W}.worker-booking.container.env.1.name: got "A"; expected a variable name not used above`]],
        ["a mount of a volume the pod lacks", (c) => (c.workloads["worker-booking"].container = { volumeMounts: [{ name: "data", mountPath: "/data" }] }), [`${W}.worker-booking.container.volumeMounts.0.name: got "data"; expected a volume of pod.volumes (none)`]],
        ["a relative mount path", (c) => { withFacts(c); c.workloads["worker-booking"].container.volumeMounts[0].mountPath = "config"; }, [`${W}.worker-booking.container.volumeMounts.0.mountPath: got "config"; expected an absolute path such as /etc/app`]],
        ["a host path volume", (c) => { withFacts(c); c.workloads["worker-booking"].pod.volumes.push({ name: "node", hostPath: { path: "/var/run" } }); }, [`${W}.worker-booking.pod.volumes.2.hostPath: unknown key; allowed keys: name, configMap, secret, emptyDir, persistentVolumeClaim, projected, downwardAPI`, `${W}.worker-booking.pod.volumes.2: got {"name":"node","hostPath":{"path":"/var/run"}}; expected exactly one of configMap, secret, emptyDir, persistentVolumeClaim, projected, downwardAPI`]],
        ["a selector the pods' labels do not match", (c) => { withFacts(c); c.workloads["worker-booking"].pod.selector = { app: "booking" }; }, [`${W}.worker-booking.pod.selector.app: got "booking"; expected a label of pod.labels (the selector must match the pods' labels)`]],
        ["a selector on a label the program sets otherwise", (c) => { withFacts(c); c.workloads["worker-booking"].pod.selector = { "app.kubernetes.io/component": "backend" }; }, [`${W}.worker-booking.pod.selector.app.kubernetes.io/component: got "backend"; expected worker: the program sets app.kubernetes.io/component on every pod (a live selector on another value cannot be adopted in place)`]],
        ["a pod running as root", (c) => { withFacts(c); c.workloads["worker-booking"].pod.securityContext.runAsUser = 0; }, [`${W}.worker-booking.pod.securityContext.runAsUser: got 0; expected a user id from 1 (never root: the namespace enforces the restricted Pod Security profile)`]],
        ["a frontend without the port its Service targets", (c) => (c.workloads["sapoche-frontend-web"].container = { ports: [{ name: "web", containerPort: 80 }] }), [`${W}.sapoche-frontend-web.container.ports: got [{"name":"web","containerPort":80}]; expected ports named http too: the workload's Service targets them by name`]],
        ["a host port", (c) => (c.workloads["sapoche-frontend-web"].container = { ports: [{ name: "http", containerPort: 80, hostPort: 80 }] }), [`${W}.sapoche-frontend-web.container.ports.0.hostPort: unknown key; allowed keys: name, containerPort, protocol`]],
        ["a trigger carrying its own threshold", (c) => (c.workloads["consumer-lis-testresult"].triggers = [{ type: "rabbitmq", metadata: { queueName: "q", value: "5" } }]), [`${W}.consumer-lis-testresult.triggers.0.metadata.value: got "5"; expected no value here: the threshold is autoscaling.queueThreshold`]],
        ["a trigger carrying a password", (c) => (c.workloads["consumer-lis-testresult"].triggers = [{ type: "rabbitmq", metadata: { queueName: "q", password: SECRET_VALUE } }]), [`${W}.consumer-lis-testresult.triggers.0.metadata.password: got a literal (not shown); expected ${ACCEPTED}: password holds a literal under the credential name password ("***"), and a literal lands in the state, every preview and kubectl get (policy disallow-literal-credential)`]],
        ["triggers on a consumer KEDA does not scale", (c) => (c.workloads["consumer-dicom"].triggers = [{ type: "rabbitmq", metadata: {} }]), [`${W}.consumer-dicom.triggers: unknown key; allowed keys: replicas, scaledToZero, resources, probes, container, pod`]],
        ["a scheduler selector the pods' labels do not match", (c) => (c.scheduler.pod = { selector: { app: "scheduler" } }), [`sapoche-stack:scheduler.pod.selector.app: got "scheduler"; expected a label of pod.labels (the selector must match the pods' labels)`]],
    ];
    for (const [what, breakIt, expected] of cases) {
        it(`rejects ${what}`, () => assert.deepEqual(problemsAfter(breakIt), expected));
    }

    it("never prints a credential it refuses", () => {
        const report = problemsAfter((c) => {
            c.workloads["worker-booking"].container = {
                env: [
                    { name: "MAIL_PASSWORD", value: SECRET_VALUE },
                    { name: "CACHE_URL", value: `redis://default:${SECRET_VALUE}@redis-sp:6379` },
                ],
            };
            c.workloads["consumer-lis-testresult"].triggers = [
                { type: "rabbitmq", metadata: { host: `amqp://u:${SECRET_VALUE}@broker/` } },
            ];
        }).join("\n");
        assert.match(report, /MAIL_PASSWORD/);
        assert.match(report, /CACHE_URL/);
        assert.match(report, /metadata\.host/);
        assert.doesNotMatch(report, new RegExp(SECRET_VALUE));
    });
});
