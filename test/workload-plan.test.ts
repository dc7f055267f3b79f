import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { QueueConsumer, Worker } from "../components";
import { workloadImages } from "../stacks/promotion";
import { RecordingMocks } from "../lib/mocks";
import { PROJECT, settle, StackName, stackResources, stackSettings } from "../lib/program";

type Any = Record<string, any>;

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`the workload plan of ${stack}`, () => {
        const settings = stackSettings(stack);

        it("records for the promotion gate exactly the images the containers run", async () => {
            const running = new Map<string, string[]>();
            for (const r of await stackResources(stack)) {
                if (!/apps\/v1:(Deployment|StatefulSet)$/.test(r.type)) continue;
                const props = r.props as Any;
                const images = props.spec.template.spec.containers.map((c: Any) => c.image);
                running.set(props.metadata.name, [...new Set<string>(images)].sort());
            }
            const promoted = settings.plan.flatMap((p) => p.promoted);
            const recorded = new Map<string, string[]>();
            for (const i of promoted) {
                recorded.set(i.workload, [...(recorded.get(i.workload) ?? []), i.image].sort());
            }
            assert.deepEqual(new Map([...recorded].sort()), new Map([...running].sort()));
            assert.equal(Object.keys(workloadImages(settings.plan)).length, promoted.length);
        });

        it("gives each consumer either KEDA scaling with its broker Secret or replicas, never both", () => {
            for (const p of settings.plan) {
                if (p.family !== "queue-consumer") continue;
                if (p.keda) {
                    assert.ok("autoscaling" in p.settings, p.name);
                    assert.equal(p.settings.autoscaling.brokerSecretName, "keda-rabbitmq");
                    assert.ok(!("replicas" in p.settings), p.name);
                } else {
                    assert.ok("replicas" in p.settings && !("autoscaling" in p.settings), p.name);
                }
            }
        });

        it("resolves node ports into each Service's ports", () => {
            const frontend = settings.plan.find((p) => p.name === "sapoche-frontend-web");
            assert.ok(frontend?.family === "frontend");
            assert.deepEqual(frontend.settings.service, {
                name: "sapoche-frontend-web",
                ports: [{ name: "http", port: 80, targetPort: "http", nodePort: 31620 }],
            });
        });
    });
}

describe("components without the config layer", () => {
    const common = {
        namespace: "ns",
        serviceAccountName: "sa",
        image: "registry.example/app:1.0.0",
        purpose: "test",
        resources: {
            cpu: "100m",
            memory: "128Mi",
            cpuLimit: "200m",
            memoryLimit: "256Mi",
            ephemeralStorage: "64Mi",
            ephemeralStorageLimit: "256Mi",
        },
    };

    // A queue process's probes always come from the caller.
    const probing = {
        probes: { liveness: { exec: { command: ["true"] } } },
        minReadySeconds: 5,
    };

    async function registered(create: () => void) {
        const mocks = new RecordingMocks();
        await pulumi.runtime.setMocks(mocks, PROJECT, "unit", false);
        create();
        await settle(mocks);
        return mocks.resources;
    }

    it("build a worker from plain Args, named `${name}-<role>`", async () => {
        const rs = await registered(
            () =>
                new Worker("w", {
                    ...common,
                    ...probing,
                    queue: "q",
                    replicas: 2,
                    liveName: "live-w",
                }),
        );
        assert.deepEqual(
            rs
                .filter((r) => r.custom)
                .map((r) => [r.type, r.name, (r.props as Any).metadata.name])
                .sort(),
            [
                ["kubernetes:apps/v1:Deployment", "w-deployment", "live-w"],
                ["kubernetes:policy/v1:PodDisruptionBudget", "w-pdb", "live-w"],
            ],
        );
    });

    it("reject a consumer given both replicas and KEDA scaling, naming both fields", () => {
        const keda = {
            minReplicas: 1,
            maxReplicas: 2,
            queueThreshold: 20,
            pollingInterval: 30,
            cooldownPeriod: 300,
            brokerSecretName: "broker",
        };
        const both = { ...common, queue: "q", replicas: 1, autoscaling: keda } as Any;
        assert.throws(
            () => new QueueConsumer("c", both as never),
            /QueueConsumer c: set exactly one of `replicas` and `autoscaling`/,
        );
    });
});
