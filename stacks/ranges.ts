/**
 * Every numeric range and list the stack config schema enforces, in one place. The policy pack
 * enforces the same rules on the rendered objects; `test/guardrails.test.ts` proves each range here
 * lies inside the pack's (its config defaults and the generated per-stack config), so a value the
 * pack would refuse at preview is refused here first, naming the config key instead of an object.
 */

/** An inclusive integer range. */
export interface Range {
    readonly min: number;
    readonly max: number;
}

/**
 * Most replicas any workload or autoscaler may ask for: above every maximum we run today (php-fpm
 * 20), far below what a typo (3e9) asks; the ResourceQuota is sized from these maxima.
 */
export const REPLICA_CEILING = 50;

export const RANGES = {
    /** Fixed replicas (0 needs a scaled-to-zero reason). */
    replicas: { min: 0, max: REPLICA_CEILING },
    /** KEDA floor (0 lets KEDA scale a queue consumer to zero). */
    kedaMinReplicas: { min: 0, max: REPLICA_CEILING },
    /** HPA floor (an HPA cannot scale to zero). */
    hpaMinReplicas: { min: 1, max: REPLICA_CEILING },
    /** Autoscaler ceilings. */
    maxReplicas: { min: 1, max: REPLICA_CEILING },
    /** KEDA messages per replica (pack: enforce-keda-trigger-threshold). */
    queueThreshold: { min: 1, max: 1000 },
    /** KEDA seconds between queue checks (pack: enforce-keda-polling-interval). */
    pollingInterval: { min: 5, max: 300 },
    /** KEDA seconds before scaling to the floor (pack: enforce-keda-cooldown-period). */
    cooldownPeriod: { min: 30, max: 3600 },
    /** HPA CPU target % (pack: enforce-hpa-cpu-target, at most 70). */
    cpuUtilization: { min: 1, max: 70 },
    /** Redis + Sentinel pods: odd, at least 3 (pack: enforce-redis-replicas). */
    redisNodes: { min: 3, max: 9 },
    /** HAProxy pods in front of Redis. */
    proxyReplicas: { min: 1, max: 10 },
    /**
     * Seconds a new pod must stay ready before it counts as available: below the Deployment's
     * progress deadline (600 s), or every rollout would be reported as failed.
     */
    minReadySeconds: { min: 0, max: 300 },
    /** A probe's initial delay, in seconds. */
    probeSeconds: { min: 0, max: 3600 },
    /** A probe's period, timeout and termination grace, in seconds (Kubernetes: at least 1). */
    probePeriod: { min: 1, max: 3600 },
    /** A probe's failure and success thresholds. */
    probeThreshold: { min: 1, max: 100 },
} as const satisfies Record<string, Range>;

/** Replica floor of critical consumers per stack (production runs two, staging one). */
export const CRITICAL_CONSUMER_FLOOR: Readonly<Record<string, number>> = {
    production1: 2,
    staging: 1,
};

/** The environment word each known stack must run (the scheduler's live name ends with it). */
export const STACK_ENVIRONMENTS: Readonly<Record<string, string>> = {
    production1: "prod",
    staging: "staging",
};

/**
 * Environment variable names that carry a credential: a literal value under one is refused (the
 * pack's `disallow-literal-credential` list, held equal by test/guardrails.test.ts) and never
 * written by `npm run import-live`.
 */
export const CREDENTIAL_ENV_NAME =
    /(PASSW(OR)?D|PASSPHRASE|PWD$|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|DSN$|CONNECTION_?STRING)/i;

/** A URL with a password: the shared detector's check (policy-pack/policies/lib/credentials.ts). */
export { hasUrlPassword } from "../policy-pack/policies/lib/credentials";

/** A scaled-to-zero review date may be at most this many days ahead. */
export const REVIEW_HORIZON_DAYS = 180;

/** A reason (scaled to zero, promotion bypass) is at least a short sentence. */
export const REASON_MIN = { characters: 20, words: 4 } as const;

/**
 * Tags that name a channel, not a build; refused in any letter case. The pack's list
 * (`policy-pack/policies/lib/images.ts`) is the same; `test/guardrails.test.ts` proves it.
 */
export const FLOATING_TAGS: readonly string[] = [
    "latest",
    "stable",
    "main",
    "master",
    "edge",
    "dev",
    "develop",
    "development",
    "nightly",
    "current",
    "lts",
    "release",
    "prod",
    "production",
    "staging",
    "test",
    "testing",
    "canary",
    "beta",
    "alpha",
    "rc",
    "snapshot",
    "head",
    "trunk",
    "unstable",
    "mainline",
    "rolling",
    "newest",
    "default",
    "next",
    "preview",
];

/**
 * The least time a liveness probe may take to restart a container, periodSeconds x
 * failureThreshold with Kubernetes' defaults (10 s, 3): below it one slow garbage collection or
 * a busy node restarts every pod at once, the outage the probe was meant to prevent.
 */
export const LIVENESS_WINDOW_MIN_SECONDS = 10;

/**
 * Safety floors a stack keeps whatever its file says: production1 must not count a pod available
 * the instant it starts (minReadySeconds), probe so often that a probe's own cost or one slow
 * answer decides (periodSeconds), restart a container within seconds of its first failed
 * liveness check (periodSeconds x failureThreshold: the program's own server probes take 30 s),
 * nor roll out a queue process without a readiness probe. Staging runs lower values on purpose
 * (the kwok e2e suite). The pack holds rendered probes to the same liveness window
 * (enforce-probe-targets, scripts/pack-derived.ts).
 */
export const STACK_FLOORS: Readonly<
    Record<
        string,
        {
            readonly minReadySeconds: number;
            readonly probePeriodSeconds: number;
            readonly livenessWindowSeconds: number;
            readonly queueReadiness: boolean;
        }
    >
> = {
    production1: {
        minReadySeconds: 10,
        probePeriodSeconds: 5,
        livenessWindowSeconds: 30,
        queueReadiness: true,
    },
};
