/**
 * One table says what each adoption phase means (stacks/adoption-phases.ts): the program renders
 * from it, the schema and the pack-config generator read it, and the pack's own copy of the
 * columns it checks is held equal to it here.
 */
import { strict as assert } from "assert";
import { phaseRendering } from "../stacks/adoption";
import { ADOPTION_PHASES, PHASES, nextPhase, phasesWhere } from "../stacks/adoption-phases";
import { LEGACY_REDIS_GONE, LEGACY_REDIS_REQUIRED } from "../stacks/schema/adoption";
import * as pack from "../policy-pack/policies/lib/adoption";
import { packConfig } from "../scripts/pack-config";
import { phaseConfig } from "./support/phases";

describe("the adoption phase table", () => {
    it("is the pack's copy: the same phases, in order, and the same checked columns", () => {
        assert.deepEqual([...pack.ADOPTION_PHASES], [...ADOPTION_PHASES]);
        for (const phase of ADOPTION_PHASES) {
            const { importsLive, servicesAsLive, enforced, adopting } = PHASES[phase];
            assert.deepEqual(
                pack.PACK_PHASES[phase],
                { importsLive, servicesAsLive, enforced, adopting },
                phase,
            );
        }
    });

    it("is what the program renders and what the schema requires of redis.legacyMaster", () => {
        for (const phase of ADOPTION_PHASES) {
            const { importsLive, servicesAsLive, enforced, forcesLive } = PHASES[phase];
            assert.deepEqual(phaseRendering(phase), {
                ...phaseRendering(phase),
                importsLive,
                servicesAsLive,
                enforced,
                forcesLive,
            });
        }
        assert.deepEqual(LEGACY_REDIS_REQUIRED, ["services"]);
        assert.deepEqual(LEGACY_REDIS_GONE, ["redis-moved", "enforce", "done"]);
        assert.deepEqual(phasesWhere("importsLive"), ["import"]);
    });

    it("is what the generated pack config relaxes and checks, phase by phase", () => {
        const advisoryIn = (phase: (typeof ADOPTION_PHASES)[number]) => {
            const config = packConfig("production1", phaseConfig(phase)) as Record<string, any>;
            return Object.keys(config).filter((k) => config[k] === "advisory");
        };
        // Nothing is advisory whatever the phase: production1's images must be digests in every
        // phase (only the live Deployments an import leaves as they run are not judged, below).
        const stackWide = advisoryIn("done");
        assert.deepEqual(stackWide, []);
        for (const phase of ADOPTION_PHASES) {
            const config = packConfig("production1", phaseConfig(phase)) as Record<string, any>;
            const advisory = advisoryIn(phase);
            assert.deepEqual(
                advisory.sort(),
                [...new Set([...PHASES[phase].relaxed, ...stackWide])].sort(),
                phase,
            );
            assert.equal(config["enforce-adoption-phase"].phase, phase);
            const digests = config["disallow-divergent-image-pull"];
            assert.equal(digests.enforcementLevel, undefined, phase);
            assert.equal(digests.stackFile, "Pulumi.production1.yaml");
            assert.deepEqual(
                digests.importedLive,
                PHASES[phase].importsLive
                    ? config["enforce-adoption-phase"].liveObjects.filter((o: string) =>
                          o.startsWith("Deployment/"),
                      )
                    : undefined,
                phase,
            );
            assert.equal(
                config["enforce-adoption-phase"].liveObjects !== undefined,
                phase !== "done",
            );
        }
    });

    it("changes each traffic-bearing field in one adoption phase, and every field once done", () => {
        const adopting = ADOPTION_PHASES.filter((p) => p !== "done");
        assert.deepEqual(
            adopting.filter((p) => PHASES[p].changes.serviceSpec),
            ["services"],
        );
        assert.deepEqual(
            adopting.filter((p) => PHASES[p].changes.podLabels),
            ["reshape"],
        );
        // Set before any client reaches it, cleared once the data has moved.
        assert.deepEqual(
            adopting.filter((p) => PHASES[p].changes.legacyTarget),
            ["import", "reshape", "redis-moved"],
        );
        assert.ok(Object.values(PHASES.done.changes).every(Boolean));
        assert.equal(nextPhase("enforce"), "done");
        assert.equal(nextPhase("done"), "done");
    });
});
