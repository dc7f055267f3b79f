/**
 * The adoption phases, one row each: the single place that says what a phase means
 * (docs/operations/adoption.md is the runbook). The program renders from it (stacks/adoption.ts),
 * the config schema reads its Redis rules (stacks/schema/adoption.ts), the history rule reads its
 * order and traffic columns (stacks/adoption-history.ts, stacks/adoption-traffic.ts), and
 * scripts/pack-config.ts writes its relaxations into the pack's config. The pack builds on its own,
 * so it keeps a copy of the columns it checks (policy-pack/policies/lib/adoption.ts), which
 * test/adoption-phases.test.ts holds equal to this table.
 *
 * Imports nothing: the schema, the program and the generator all read it without a circle.
 */

/** The phases, in the order they are released (one release each). */
export const ADOPTION_PHASES = [
    "import",
    "reshape",
    "services",
    "redis-moved",
    "enforce",
    "done",
] as const;

/** One adoption phase. */
export type AdoptionPhase = (typeof ADOPTION_PHASES)[number];

/** Fields that carry traffic, which only some phases may change (stacks/adoption-traffic.ts). */
export const TRAFFIC_FIELDS = ["serviceSpec", "podLabels", "legacyTarget"] as const;
export type TrafficField = (typeof TRAFFIC_FIELDS)[number];

/** What one phase means. */
export interface PhaseRow {
    /** Live objects are imported (this update brings them under management, unchanged). */
    readonly importsLive: boolean;
    /** Live Services keep their live spec (selector, ports); their metadata is the program's. */
    readonly servicesAsLive: boolean;
    /**
     * The ResourceQuota, the LimitRange, the NetworkPolicies and the Pod Security enforce labels
     * exist. Before, nothing restricts which pods are admitted or what traffic passes.
     */
    readonly enforced: boolean;
    /**
     * Live objects carry `pulumi.com/patchForce`: the program's values win over the field manager
     * that created them (server-side apply refuses to change a field another manager owns: the
     * HPA's target, a ScaledObject's floor, a Service's target port). Deployments carry it always;
     * the others only while the adoption changes them, so `done` renders as before.
     */
    readonly forcesLive: boolean;
    /** A live object left out of the stack would be deleted (or not adopted, on `import`). */
    readonly adopting: boolean;
    /**
     * `redis.legacyMaster`: `required` while `redis-sp` sends clients to the proxy and the live
     * `redis-master` still holds the data; `empty` once the data has moved (a recreated legacy pod
     * would meet the LimitRange's defaults); `optional` otherwise.
     */
    readonly legacyTarget: "optional" | "required" | "empty";
    /**
     * Traffic-bearing fields this phase's release may change against the last released phase.
     * The others must render as that release recorded them.
     */
    readonly changes: Readonly<Record<TrafficField, boolean>>;
    /**
     * Pack rules that report instead of refusing in this phase, for what it deliberately leaves as
     * it is live (scripts/pack-config.ts writes them as `advisory`).
     */
    readonly relaxed: readonly string[];
}

/**
 * Rules today's live objects break (the pack rejects the live namespace, by design). The import
 * must bring those objects under management unchanged, and CLI 3.274 shows the pack the imported
 * (live) object, so during that one update these rules report instead of refusing. The reshape
 * that follows enforces every one of them. Caveat: objects the import creates are judged by the
 * same relaxed config.
 */
const LIVE_OBJECTS_BREAK: readonly string[] = [
    "disallow-evictable-last-pod",
    "disallow-service-account-token",
    "enforce-consumer-min-replicas",
    "enforce-container-security-context",
    "enforce-hpa-cpu-target",
    "enforce-pod-security-standard",
    // The live Deployments run the images they run today until the reshape sets the catalog's.
    "disallow-unlisted-image",
    "enforce-run-as-non-root",
    "enforce-scheduler-singleton",
    "enforce-seccomp-profile",
    "missing-container-probes",
    "missing-container-resources",
    "missing-ephemeral-storage",
    "missing-recommended-labels",
    "missing-scaled-to-zero-reason",
    // Live probes are the live pods' own until the reshape renders the program's.
    "enforce-probe-targets",
];

/**
 * Relaxed until `enforce`: the Namespace carries no Pod Security enforce label (`import` keeps
 * every live label, so audit and warn are missing too; from `reshape` on they are set), there is
 * no ResourceQuota nor LimitRange (so no ephemeral-storage quota either), and until `done`
 * php-fpm's FastCGI node port keeps the live contract (docs/network.md, "FastCGI").
 */
const UNENFORCED = [
    "enforce-pod-security-labels",
    "missing-ephemeral-storage-quota",
    "disallow-exposed-fastcgi",
];
/**
 * Until `services`, `redis-sp` still selects the unmanaged `redis-master`, and the live Services
 * keep their live shape, not the catalogued one.
 */
const LIVE_SELECTOR = ["missing-service-workload", "enforce-catalogued-service"];

const ONLY = (...fields: TrafficField[]) =>
    Object.fromEntries(TRAFFIC_FIELDS.map((f) => [f, fields.includes(f)])) as Record<
        TrafficField,
        boolean
    >;

/**
 * The table. Traffic columns: Service specs switch in `services`; pod labels take the program's
 * shape in `reshape`; the legacy Redis target is set before any client reaches it (`import`,
 * `reshape`) and cleared in `redis-moved`; `done` is the steady state, where every field may
 * change again (the step from `enforce` into `done` follows `enforce`'s column:
 * stacks/adoption-traffic.ts).
 */
export const PHASES: Readonly<Record<AdoptionPhase, PhaseRow>> = {
    import: {
        importsLive: true,
        servicesAsLive: true,
        enforced: false,
        forcesLive: false,
        adopting: true,
        legacyTarget: "optional",
        changes: ONLY("legacyTarget"),
        relaxed: [
            ...LIVE_OBJECTS_BREAK,
            ...LIVE_SELECTOR,
            "missing-pod-security-audit-labels",
            ...UNENFORCED,
        ],
    },
    reshape: {
        importsLive: false,
        servicesAsLive: true,
        enforced: false,
        forcesLive: true,
        adopting: true,
        legacyTarget: "optional",
        changes: ONLY("podLabels", "legacyTarget"),
        relaxed: [...LIVE_SELECTOR, ...UNENFORCED],
    },
    services: {
        importsLive: false,
        servicesAsLive: false,
        enforced: false,
        forcesLive: true,
        adopting: true,
        legacyTarget: "required",
        changes: ONLY("serviceSpec"),
        relaxed: UNENFORCED,
    },
    "redis-moved": {
        importsLive: false,
        servicesAsLive: false,
        enforced: false,
        forcesLive: true,
        adopting: true,
        legacyTarget: "empty",
        changes: ONLY("legacyTarget"),
        relaxed: UNENFORCED,
    },
    enforce: {
        importsLive: false,
        servicesAsLive: false,
        enforced: true,
        forcesLive: true,
        adopting: true,
        legacyTarget: "empty",
        changes: ONLY(),
        relaxed: ["disallow-exposed-fastcgi"],
    },
    done: {
        importsLive: false,
        servicesAsLive: false,
        enforced: true,
        forcesLive: false,
        adopting: false,
        legacyTarget: "empty",
        changes: ONLY(...TRAFFIC_FIELDS),
        relaxed: [],
    },
};

/** The phases whose row has `column` true. */
export function phasesWhere(column: keyof PhaseRow, value: unknown = true): AdoptionPhase[] {
    return ADOPTION_PHASES.filter((p) => PHASES[p][column] === value);
}

/** The phase released after `phase` (`done` is the last). */
export function nextPhase(phase: AdoptionPhase): AdoptionPhase {
    const i = ADOPTION_PHASES.indexOf(phase);
    return ADOPTION_PHASES[Math.min(i + 1, ADOPTION_PHASES.length - 1)];
}
