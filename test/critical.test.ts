/**
 * stacks/critical.ts against the program itself: the release guard knows every type the program
 * registers (an unknown type is treated as critical, so a missing one would refuse every
 * release), and every object Redis, Orthanc and the critical consumers render is critical.
 */
import { strict as assert } from "assert";
import { catalog } from "../stacks/catalog";
import { evaluateProgram, StackName } from "../lib/program";
const { judge } = require("../scripts/delivery/lib/release-guard");
const { criticalObjects } = require("../scripts/delivery/saved-plan");

describe("the release guard's critical objects (stacks/critical.ts)", () => {
    const critical = criticalObjects();
    for (const stack of ["production1", "staging"] as StackName[]) {
        it(`knows every type ${stack} registers, and marks each Redis, Orthanc and critical-consumer object`, async () => {
            const resources = await evaluateProgram(stack);
            const deleteOf = (r: { type: string; name: string; inputs?: object }) =>
                judge(
                    {
                        resourcePlans: {
                            [`urn:pulumi:${stack}::sapoche-stack::${r.type}::${r.name}`]: {
                                steps: ["delete"],
                            },
                        },
                    },
                    {
                        deployment: {
                            resources: [
                                {
                                    urn: `urn:pulumi:${stack}::sapoche-stack::${r.type}::${r.name}`,
                                    inputs: r.inputs,
                                },
                            ],
                        },
                    },
                    critical,
                ).refused;
            const creates = judge(
                {
                    resourcePlans: Object.fromEntries(
                        resources.map((r) => [
                            `urn:x::y::${r.type}::${r.name}`,
                            { steps: ["create"], goal: { type: r.type } },
                        ]),
                    ),
                },
                undefined,
                critical,
            );
            assert.deepEqual(creates.refused, []);
            for (const r of resources.filter((r) => r.type.startsWith("kubernetes:"))) {
                const type = r.type;
                assert.ok(critical.knownTypes.includes(type), `${type} is not in knownTypes`);
            }
            const owners = new Set(
                catalog
                    .filter(
                        (e) =>
                            e.family === "redis" ||
                            e.family === "orthanc" ||
                            (e.family === "queue-consumer" && e.critical),
                    )
                    .map((e) => e.name),
            );
            const theirs = resources.filter(
                (r) =>
                    r.type.startsWith("kubernetes:") &&
                    [...owners].some((o) => r.name === o || r.name.startsWith(`${o}-`)),
            );
            assert.ok(
                theirs.length > 20,
                `only ${theirs.length} objects of critical components found`,
            );
            for (const r of theirs) {
                assert.equal(
                    deleteOf(r).length,
                    1,
                    `deleting ${r.type} ${r.name} passes the guard`,
                );
            }
            // A worker holds nothing: deleting it passes.
            const worker = resources.find((r) => r.name === "worker-sapoche-pdf-deployment");
            assert.ok(worker);
            assert.deepEqual(deleteOf(worker), []);
        });
    }
});
