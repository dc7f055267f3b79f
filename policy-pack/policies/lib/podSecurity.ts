/**
 * The Pod Security Standard "restricted", latest version (k8s.io/pod-security-admission v0.37.2,
 * policy/check_*.go), check by check with the standard's own semantics: which fields, which
 * values, the overrides between baseline and restricted checks, the Windows and user-namespace
 * relaxations. `tests/podSecurityConformance.test.ts` runs the official fixture corpus through it.
 */

/** The standard version these checks implement (the latest the pinned module knows). */
export const podSecurityVersion = "v1.37";

// Loosely typed on purpose: the checks read fields the pack's narrower types leave out, and an
// attacker's object is not bound by those types either.
type Obj = Record<string, any>;

/** One finding: the check's id (as the module names it) and what breaks it. */
export interface PodSecurityFinding {
    check: string;
    detail: string;
}

function containersOf(spec: Obj): Obj[] {
    // visitContainers: init containers, containers, ephemeral containers.
    return [
        ...(spec.initContainers ?? []),
        ...(spec.containers ?? []),
        ...(spec.ephemeralContainers ?? []),
    ];
}

/** Set, as the Go structs see it: a JSON null is the same as leaving the field out. */
const present = (value: unknown): boolean => value !== undefined && value !== null;
const isWindows = (spec: Obj) => spec.os?.name === "windows";
/** relaxPolicyForUserNamespacePod: hostUsers explicitly false. */
const inUserNamespace = (spec: Obj) => spec.hostUsers === false;

/** Volume sources restrictedVolumes admits; a volume with no source is defaulted to emptyDir by the API. */
export const restrictedVolumeSources = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
] as const;

/** sysctls v1.37: the namespaced sysctls the standard considers safe. */
export const safeSysctls = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

const seLinuxTypes = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];
const validSeccomp = (type: unknown) => type === "Localhost" || type === "RuntimeDefault";
const validAppArmorType = (type: unknown) => type === "Localhost" || type === "RuntimeDefault";
const appArmorAnnotation = "container.apparmor.security.beta.kubernetes.io/";
const validAppArmorAnnotation = (value: string) =>
    value === "" || value === "runtime/default" || value.startsWith("localhost/");

type Check = (metadata: Obj, spec: Obj) => string[];

/** Every container named, with its security context (never undefined). */
function eachContext(spec: Obj): [string, Obj][] {
    return containersOf(spec).map((c) => [`container "${c.name}"`, c.securityContext ?? {}]);
}

function probeHosts(handler: Obj | undefined): string[] {
    return [handler?.httpGet?.host, handler?.tcpSocket?.host].filter(
        (host) => typeof host === "string" && host !== "",
    );
}

/** The restricted profile's checks, after the overrides (capabilities, seccomp, volumes, procMount). */
const checks: Record<string, Check> = {
    hostNamespaces: (_m, spec) =>
        (["hostNetwork", "hostPID", "hostIPC"] as const)
            .filter((field) => spec[field] === true)
            .map((field) => `${field}: true is forbidden`),
    privileged: (_m, spec) =>
        eachContext(spec)
            .filter(([, sc]) => sc.privileged === true)
            .map(([who]) => `${who} sets securityContext.privileged: true`),
    capabilities_restricted: (_m, spec) => {
        if (isWindows(spec)) return [];
        const found: string[] = [];
        for (const [who, sc] of eachContext(spec)) {
            if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
                found.push(`${who} must set securityContext.capabilities.drop: ["ALL"]`);
            }
            for (const added of sc.capabilities?.add ?? []) {
                if (added !== "NET_BIND_SERVICE") {
                    found.push(`${who} adds capability ${added}; only NET_BIND_SERVICE is allowed`);
                }
            }
        }
        return found;
    },
    restrictedVolumes: (_m, spec) =>
        (spec.volumes ?? []).flatMap((volume: Obj) => {
            const sources = Object.keys(volume).filter((k) => k !== "name" && present(volume[k]));
            const bad = sources.filter(
                (s) => !(restrictedVolumeSources as readonly string[]).includes(s),
            );
            return bad.length === 0
                ? []
                : [
                      `volume "${volume.name}" uses ${bad.join(", ")}; allowed: ${restrictedVolumeSources.join(", ")}`,
                  ];
        }),
    hostPorts: (_m, spec) =>
        containersOf(spec).flatMap((c) =>
            (c.ports ?? [])
                .filter((p: Obj) => present(p.hostPort) && p.hostPort !== 0)
                .map((p: Obj) => `container "${c.name}" binds hostPort ${p.hostPort}`),
        ),
    appArmorProfile: (metadata, spec) => {
        const found: string[] = [];
        const profileType = spec.securityContext?.appArmorProfile;
        if (present(profileType) && !validAppArmorType(profileType?.type)) {
            found.push(`pod sets appArmorProfile.type ${profileType?.type}`);
        }
        for (const [who, sc] of eachContext(spec)) {
            if (present(sc.appArmorProfile) && !validAppArmorType(sc.appArmorProfile?.type)) {
                found.push(`${who} sets appArmorProfile.type ${sc.appArmorProfile?.type}`);
            }
        }
        for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
            if (key.startsWith(appArmorAnnotation) && !validAppArmorAnnotation(String(value))) {
                found.push(`annotation ${key}="${value}"`);
            }
        }
        return found.map((f) => `${f}; allowed: RuntimeDefault, Localhost`);
    },
    seLinuxOptions: (_m, spec) => {
        const setters: [string, Obj][] = [
            ["pod", spec.securityContext?.seLinuxOptions],
            ...eachContext(spec).map(([who, sc]): [string, Obj] => [who, sc.seLinuxOptions]),
        ];
        return setters.flatMap(([who, options]) => {
            if (!present(options)) return [];
            const bad: string[] = [];
            if (!seLinuxTypes.includes(options.type ?? "")) bad.push(`type "${options.type}"`);
            if ((options.user ?? "") !== "") bad.push("user may not be set");
            if ((options.role ?? "") !== "") bad.push("role may not be set");
            return bad.length === 0 ? [] : [`${who} sets seLinuxOptions: ${bad.join("; ")}`];
        });
    },
    procMount_restricted: (_m, spec) =>
        eachContext(spec)
            .filter(([, sc]) => present(sc.procMount) && sc.procMount !== "Default")
            .map(([who, sc]) => `${who} sets procMount ${sc.procMount}; allowed: Default`),
    seccompProfile_restricted: (_m, spec) => {
        if (isWindows(spec)) return [];
        const podProfile = spec.securityContext?.seccompProfile;
        const found: string[] = [];
        if (present(podProfile) && !validSeccomp(podProfile?.type)) {
            found.push(`pod sets seccompProfile.type ${podProfile?.type}`);
        }
        const podSet = present(podProfile) && validSeccomp(podProfile?.type);
        for (const [who, sc] of eachContext(spec)) {
            if (present(sc.seccompProfile)) {
                if (!validSeccomp(sc.seccompProfile?.type)) {
                    found.push(`${who} sets seccompProfile.type ${sc.seccompProfile?.type}`);
                }
            } else if (!podSet) {
                found.push(`${who} runs without a seccomp profile on it or on the pod`);
            }
        }
        return found.map((f) => `${f}; allowed: RuntimeDefault, Localhost`);
    },
    sysctls: (_m, spec) =>
        (spec.securityContext?.sysctls ?? [])
            .filter((s: Obj) => !safeSysctls.includes(s.name))
            .map((s: Obj) => `sysctl ${s.name} is not one of the safe sysctls`),
    windowsHostProcess: (_m, spec) =>
        [["pod", spec.securityContext ?? {}] as [string, Obj], ...eachContext(spec)]
            .filter(([, sc]) => sc.windowsOptions?.hostProcess === true)
            .map(([who]) => `${who} sets windowsOptions.hostProcess: true`),
    hostProbesAndHostLifecycle: (_m, spec) =>
        containersOf(spec).flatMap((c) =>
            [
                ...probeHosts(c.livenessProbe),
                ...probeHosts(c.readinessProbe),
                ...probeHosts(c.startupProbe),
                ...probeHosts(c.lifecycle?.postStart),
                ...probeHosts(c.lifecycle?.preStop),
            ].map((host) => `container "${c.name}" probes or hooks host "${host}"`),
        ),
    allowPrivilegeEscalation: (_m, spec) =>
        isWindows(spec)
            ? []
            : eachContext(spec)
                  .filter(([, sc]) => sc.allowPrivilegeEscalation !== false)
                  .map(
                      ([who]) => `${who} must set securityContext.allowPrivilegeEscalation: false`,
                  ),
    runAsNonRoot: (_m, spec) => {
        if (inUserNamespace(spec)) return [];
        const pod = spec.securityContext?.runAsNonRoot;
        const found: string[] = pod === false ? ["pod sets runAsNonRoot: false"] : [];
        for (const [who, sc] of eachContext(spec)) {
            if (sc.runAsNonRoot === false) found.push(`${who} sets runAsNonRoot: false`);
            else if (!present(sc.runAsNonRoot) && pod !== true) {
                found.push(`${who} must set runAsNonRoot: true (on it or on the pod)`);
            }
        }
        return found;
    },
    runAsUser: (_m, spec) =>
        inUserNamespace(spec)
            ? []
            : [["pod", spec.securityContext ?? {}] as [string, Obj], ...eachContext(spec)]
                  .filter(([, sc]) => sc.runAsUser === 0)
                  .map(([who]) => `${who} sets runAsUser: 0`),
};

/** The ids of the restricted profile's checks at the latest version. */
export const podSecurityChecks = Object.keys(checks);

/** Every way a pod (its metadata and spec) breaks the restricted standard; empty when it conforms. */
export function podSecurityFindings(
    metadata: Obj | undefined,
    spec: Obj | undefined,
): PodSecurityFinding[] {
    return Object.entries(checks).flatMap(([check, run]) =>
        run(metadata ?? {}, spec ?? {}).map((detail) => ({ check, detail })),
    );
}
