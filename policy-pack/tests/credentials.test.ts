import * as assert from "assert";
import { disallowLiteralCredential } from "../policies/workloads/disallowLiteralCredential";
import { compliantPodSpec, podBearing } from "./fixtures/compliant";
import { FixtureResource, UNKNOWN, validateResource } from "./harness";

const TOKEN = "x9Kq2LmZ7pVt4RwY8sNc3BdJ";
const JWT =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzYXBvY2hlIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const ACCEPTED =
    "read it from a Secret (env valueFrom.secretKeyRef or envFrom.secretRef, as $(VAR) in command, " +
    "args and headers; a KEDA TriggerAuthentication for trigger metadata), or hold a value that is " +
    "not a credential.";

function deployment(mutate: (pod: Record<string, any>) => void): FixtureResource {
    const pod = compliantPodSpec();
    mutate(pod);
    return podBearing("Deployment", "worker-booking", pod);
}

const of = (type: string, props: Record<string, any>): FixtureResource => ({
    type,
    name: props.metadata.name,
    props,
});

const D = 'Deployment "worker-booking"';
const C = `${D} container "worker"`;
// Each place a credential can sit, the object that holds one there, and the message.
// prettier-ignore
const cases: [string, FixtureResource, string][] = [
    ["args", deployment((p) => (p.containers[0].args = ["--api-token", TOKEN])), `${C} args holds a value of --api-token, a high-entropy token ("--api-token ***")`],
    ["command", deployment((p) => (p.containers[0].command = ["redis-server", "--requirepass", "s3cr3t-redis"])), `${C} command holds a value of --requirepass ("redis-server --requirepass ***")`],
    ["an env value under an innocent name", deployment((p) => (p.containers[0].env = [{ name: "BROKER_URL", value: "amqp://app:br0ker-pw@mq:5672/" }])), `${C} env BROKER_URL holds a URL with a password ("amqp://app:***@mq:5672/")`],
    ["a probe header", deployment((p) => (p.containers[0].readinessProbe = { httpGet: { path: "/", port: 8080, httpHeaders: [{ name: "Authorization", value: `Bearer ${JWT}` }] } })), `${C} readinessProbe.httpGet.httpHeaders["Authorization"] holds a literal under the credential name Authorization ("***")`],
    ["a lifecycle hook", deployment((p) => (p.containers[0].lifecycle = { preStop: { exec: { command: ["curl", "-H", `X-Token: ${TOKEN}`, "http://x/drain"] } } })), `${C} lifecycle.preStop.exec.command holds a value of X-Token, a high-entropy token ("curl -H X-Token: *** http://x/drain")`],
    ["an init container", deployment((p) => (p.initContainers = [{ ...p.containers[0], name: "init", args: [JWT] }])), `${D} container "init" args holds a JWT ("***")`],
    ["a pod template annotation", deployment((p) => p), ""],
    ["an annotation", of("kubernetes:core/v1:Service", { metadata: { name: "web", annotations: { "example.com/auth": `Basic ${Buffer.from("admin:pw-in-annotation").toString("base64")}` } }, spec: {} }), `Service "web" metadata.annotations["example.com/auth"] holds a Basic authorization, a high-entropy token ("Basic ***")`],
    ["ConfigMap data", of("kubernetes:core/v1:ConfigMap", { metadata: { name: "sapoche-env" }, data: { "redis.conf": "maxmemory 1gb\nrequirepass from-configmap\n" } }), `ConfigMap "sapoche-env" data["redis.conf"] holds a value of requirepass ("maxmemory 1gb\\nrequirepass ***\\n")`],
    ["ConfigMap binaryData", of("kubernetes:core/v1:ConfigMap", { metadata: { name: "blob" }, binaryData: { env: Buffer.from("DSN=mysql://app:bin-pw@db/sapoche").toString("base64") } }), `ConfigMap "blob" binaryData["env"] holds a high-entropy token, base64 of database-connection-string token (secretlint), base64 of a URL with a password ("***")`],
    ["KEDA trigger metadata", of("kubernetes:keda.sh/v1alpha1:ScaledObject", { metadata: { name: "consumer" }, spec: { scaleTargetRef: { name: "consumer" }, triggers: [{ type: "rabbitmq", metadata: { queueName: "q", host: "amqp://u:keda-pw@mq/" } }] } }), `ScaledObject "consumer" spec.triggers[0].metadata.host holds a URL with a password ("amqp://u:***@mq/")`],
];
// The pod template's own annotations, on the same Deployment shape.
{
    const d = cases.find((c) => c[0] === "a pod template annotation")!;
    d[1].props.spec.template.metadata.annotations = { "example.com/token": TOKEN };
    d[2] = `${D} pod template annotations["example.com/token"] holds a high-entropy token ("***")`;
}

describe("disallow-literal-credential: the shared detector wherever a credential can sit", () => {
    for (const [where, resource, message] of cases) {
        it(`refuses one in ${where}, naming the field, masked`, async () => {
            const messages = await validateResource(disallowLiteralCredential, resource);
            assert.deepStrictEqual(messages, [`${message}; ${ACCEPTED}`]);
            assert.ok(
                !/x9Kq2LmZ|s3cr3t|br0ker-pw|from-configmap|keda-pw|dozjgNry/.test(messages[0]),
            );
        });
    }

    it("accepts references, a Secret's own data, and values computed at preview", async () => {
        const refs = deployment((p) => {
            p.containers[0].env = [
                {
                    name: "DB_PASSWORD",
                    valueFrom: { secretKeyRef: { name: "db", key: "password" } },
                },
            ];
            p.containers[0].args = ["--password=$(DB_PASSWORD)"];
        });
        const secret = of("kubernetes:core/v1:Secret", {
            metadata: { name: "db" },
            stringData: { password: "belongs-here" },
        });
        const computed = of("kubernetes:core/v1:ConfigMap", {
            metadata: { name: "c" },
            data: UNKNOWN,
        });
        for (const r of [refs, secret, computed]) {
            assert.deepStrictEqual(await validateResource(disallowLiteralCredential, r), []);
        }
    });
});
