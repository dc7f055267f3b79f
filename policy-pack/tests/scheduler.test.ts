import * as assert from "assert";
import { disallowScaledScheduler } from "../policies/scheduler/disallowScaledScheduler";
import { enforceSchedulerSingleton } from "../policies/scheduler/enforceSchedulerSingleton";
import { compliantResources, pick } from "./fixtures/compliant";
import { violations } from "./harness";

const scheduler = "sapoche-be--scheduler--prod";

describe("enforce-scheduler-singleton", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(
            await violations(enforceSchedulerSingleton, compliantResources()),
            [],
        );
    });

    it("rejects two scheduler replicas", async () => {
        const resources = compliantResources();
        pick(resources, "Deployment", scheduler).props.spec.replicas = 2;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            `Deployment "${scheduler}" should set spec.replicas to exactly 1, not 2.`,
        ]);
    });

    it("rejects a scheduler that leaves spec.replicas to an autoscaler", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", scheduler).props.spec.replicas;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            `Deployment "${scheduler}" should set spec.replicas to exactly 1, not unset.`,
        ]);
    });

    it("rejects the default rolling update, which briefly runs two schedulers", async () => {
        const resources = compliantResources();
        delete pick(resources, "Deployment", scheduler).props.spec.strategy;
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), [
            `Deployment "${scheduler}" should use strategy Recreate so two schedulers never overlap during a rollout, not RollingUpdate.`,
        ]);
    });
});

describe("enforce-scheduler-singleton: a scheduler recognised by what it runs", () => {
    const consumer = "consumer-spc-pdf-generate";
    /** The compliant namespace with the consumer's container running this command line. */
    const running = (command: string[] | undefined, env?: Record<string, string>) => {
        const resources = compliantResources();
        const container = pick(resources, "Deployment", consumer).props.spec.template.spec
            .containers[0];
        if (command !== undefined) container.command = command;
        if (env !== undefined) {
            container.env = Object.entries(env).map(([name, value]) => ({ name, value }));
        }
        return resources;
    };
    const second = (runs: string) =>
        `Deployment "${consumer}" runs ${JSON.stringify(runs)}, so it would be a second scheduler; only Deployment "${scheduler}" should run the scheduler, so two never run at once.`;

    // prettier-ignore
    const cases: [string, Record<string, any>[], string][] = [
        ["the backend's scheduler role", running(undefined, { SAPOCHE_ROLE: "scheduler" }), "SAPOCHE_ROLE=scheduler"],
        ["a cron daemon behind a shell", running(["/bin/sh", "-c", "exec crond -f -l 2"]), "crond -f -l 2"],
        ["supercronic through tini", running(["tini", "--", "/usr/local/bin/supercronic", "/etc/crontab"]), "supercronic /etc/crontab"],
        ["Laravel's schedule runner", running(["php", "artisan", "schedule:work"]), "php artisan schedule:work"],
        ["Symfony's scheduler transport", running(["bash", "-lc", "env APP_ENV=prod php bin/console messenger:consume scheduler_default --time-limit=3600"]), "php bin/console messenger:consume scheduler_default --time-limit=3600"],
    ];
    for (const [what, resources, runs] of cases) {
        it(`rejects a consumer that runs ${what}`, async () =>
            assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources as any), [
                second(runs),
            ]));
    }

    it("recognises the stack's own scheduler command line, however it is wrapped", async () => {
        const resources = running([
            "sh",
            "-c",
            "exec env A=1 /usr/bin/php /app/bin/console app:tick",
        ]);
        const config = {
            "enforce-scheduler-singleton": { schedulerCommands: ["php /app/bin/console app:tick"] },
        };
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources, config), [
            second("php /app/bin/console app:tick"),
        ]);
    });

    it("accepts a consumer running another console command", async () => {
        const resources = running(["php", "bin/console", "messenger:consume", "pdf"]);
        assert.deepStrictEqual(await violations(enforceSchedulerSingleton, resources), []);
    });
});

describe("disallow-scaled-scheduler", () => {
    it("passes the compliant namespace", async () => {
        assert.deepStrictEqual(await violations(disallowScaledScheduler, compliantResources()), []);
    });

    it("rejects an HPA, even at one replica, on the scheduler", async () => {
        const resources = compliantResources();
        resources.push({
            type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            name: "tick",
            props: {
                metadata: { name: "tick", namespace: "sapoche" },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: scheduler },
                    minReplicas: 1,
                    maxReplicas: 1,
                },
            },
        });
        assert.deepStrictEqual(await violations(disallowScaledScheduler, resources), [
            `HorizontalPodAutoscaler "tick" scales Deployment "${scheduler}", the scheduler: it runs exactly one replica, set by its Deployment, and no autoscaler.`,
        ]);
    });
});
