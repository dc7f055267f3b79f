/**
 * How import-live reads one live workload's facts into config shapes (scripts/import-live/live-config.ts
 * drives it): the main container, the pod's volumes, labels, selector and user, a probe, a KEDA
 * trigger. A literal that looks like a credential is reported in `dropped`, by name, never kept.
 */
import type { ProbeSettings } from "../../stacks/schema";
import type { ContainerSettings, PodSettings, TriggerSettings } from "../../stacks/schema/live";
import { credentialIn } from "../../policy-pack/policies/lib/credentials";
import { VOLUME_SOURCES } from "../../stacks/schema/pod";
import type { Dropped, LiveObject, Target } from "./live-types";

type Any = Record<string, any>;

/** Keeps only the named fields that are set. */
export function pick<T extends Any>(o: Any | undefined, fields: readonly (keyof T & string)[]): T {
    const out: Any = {};
    for (const f of fields) if (o?.[f] !== undefined) out[f] = o[f];
    return out as T;
}

/**
 * A probe's fields the stack config holds, or undefined when one of its headers or its command
 * carries a credential (reported in `dropped`).
 */
export function probeOf(
    probe: Any,
    where: string,
    workload: string,
    dropped: Dropped[],
): ProbeSettings | undefined {
    const found: Dropped[] = [];
    for (const h of probe.httpGet?.httpHeaders ?? []) {
        const f = credentialIn(String(h.value), String(h.name));
        if (f) found.push({ workload, where: `${where}.httpGet.httpHeaders`, name: h.name, ...f });
    }
    const command = probe.exec?.command;
    const f = command ? credentialIn(command.join(" ")) : undefined;
    if (f) found.push({ workload, where: `${where}.exec.command`, name: "", ...f });
    dropped.push(...found);
    return found.length > 0 ? undefined : pick<ProbeSettings>(probe, PROBE_FIELDS);
}

export const PROBE_FIELDS = [
    "exec",
    "httpGet",
    "tcpSocket",
    "grpc",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "failureThreshold",
    "successThreshold",
    "terminationGracePeriodSeconds",
] as const;

export function containerOf(
    c: Any,
    target: Target,
    services: ReadonlyMap<string, LiveObject>,
    volumes: ReadonlySet<string>,
    at: (what: string) => string,
    notes: string[],
    dropped: Dropped[],
): ContainerSettings {
    const leak = (where: string, name: string, value: string): boolean => {
        const found = credentialIn(value, name || undefined);
        if (found !== undefined)
            dropped.push({ workload: target.deployment, where, name, ...found });
        return found !== undefined;
    };
    const env = (c.env ?? []).flatMap((e: Any) => {
        if (e.value !== undefined && leak("env", String(e.name), String(e.value))) return [];
        if (e.valueFrom !== undefined) {
            return [
                {
                    name: e.name,
                    valueFrom: pick(e.valueFrom, [
                        "secretKeyRef",
                        "configMapKeyRef",
                        "fieldRef",
                        "resourceFieldRef",
                    ]),
                },
            ];
        }
        return [
            e.value === undefined ? { name: e.name } : { name: e.name, value: String(e.value) },
        ];
    });
    const mounts = (c.volumeMounts ?? []).flatMap((m: Any) => {
        if (!volumes.has(m.name)) return []; // its volume was not imported (noted there)
        return [pick(m, ["name", "mountPath", "readOnly", "subPath", "subPathExpr"])];
    });
    const ports: Any[] = (c.ports ?? []).map((p: Any) => {
        if (p.hostPort !== undefined)
            notes.push(at(`port ${p.containerPort}: hostPort not imported (the pack refuses it).`));
        return pick(p, ["name", "containerPort", "protocol"]);
    });
    // The program's Services target ports by name: name the port each live Service reaches.
    for (const sp of target.servicePorts) {
        const live = (services.get(sp.service)?.spec?.ports ?? []).find(
            (p: Any) => p.port === sp.port,
        );
        if (live === undefined) {
            notes.push(
                at(`Service ${sp.service} has no port ${sp.port}; port ${sp.name} not derived.`),
            );
            continue;
        }
        const reaches = live.targetPort ?? live.port;
        if (ports.some((p) => p.name === sp.name)) continue;
        const byNumber =
            typeof reaches === "number"
                ? ports.find((p) => p.containerPort === reaches)
                : undefined;
        if (typeof reaches === "string") {
            notes.push(
                at(
                    `Service ${sp.service} targets port name ${reaches}, the program's Service ${sp.name}: rename it.`,
                ),
            );
        } else if (byNumber === undefined) {
            ports.push({ name: sp.name, containerPort: reaches, protocol: "TCP" });
            notes.push(
                at(
                    `port ${sp.name}=${reaches} derived from Service ${sp.service} (the container declares none).`,
                ),
            );
        } else if (byNumber.name === undefined) {
            byNumber.name = sp.name;
        } else {
            notes.push(
                at(
                    `port ${reaches} is named ${byNumber.name}, the program's Service targets ${sp.name}: rename it.`,
                ),
            );
        }
    }
    // In Kubernetes' own shape; the stack schema validates it before anything is written.
    // A command line is read whole: `--password` and its value are two items.
    const command = c.command && !leak("command", "", c.command.join(" ")) ? c.command : undefined;
    const args = c.args && !leak("args", "", c.args.join(" ")) ? c.args : undefined;
    const container: Any = {
        ...(command ? { command: [...command] } : {}),
        ...(args ? { args: [...args] } : {}),
        ...(env.length ? { env } : {}),
        ...(c.envFrom
            ? {
                  envFrom: c.envFrom.map((e: Any) =>
                      pick(e, ["configMapRef", "secretRef", "prefix"]),
                  ),
              }
            : {}),
        ...(mounts.length ? { volumeMounts: mounts } : {}),
        ...(ports.length ? { ports } : {}),
    };
    return container as ContainerSettings;
}

export function volumesOf(
    list: Any[],
    at: (what: string) => string,
    notes: string[],
): Map<string, Any> {
    const out = new Map<string, Any>();
    for (const v of list) {
        const source = VOLUME_SOURCES.find((s) => v[s] !== undefined);
        if (source === undefined) {
            const kind = Object.keys(v).find((k) => k !== "name") ?? "unknown";
            notes.push(
                at(
                    `volume ${v.name} (${kind}) not imported, nor its mounts: the program renders ${VOLUME_SOURCES.join(", ")} only` +
                        (kind === "hostPath" ? " (the pack refuses hostPath)" : "") +
                        ".",
                ),
            );
            continue;
        }
        out.set(v.name, { name: v.name, [source]: v[source] });
    }
    return out;
}

export function podOf(
    d: LiveObject,
    pod: Any,
    main: Any | undefined,
    volumes: ReadonlyMap<string, Any>,
    at: (what: string) => string,
    notes: string[],
): PodSettings {
    const selector = d.spec?.selector ?? {};
    if (selector.matchExpressions?.length) {
        notes.push(
            at("its selector's matchExpressions are not imported (config holds matchLabels only)."),
        );
    }
    const ctx = pod.securityContext ?? {};
    const user = main?.securityContext?.runAsUser ?? ctx.runAsUser;
    const group = main?.securityContext?.runAsGroup ?? ctx.runAsGroup;
    const securityContext = {
        ...(typeof user === "number" && user > 0 ? { runAsUser: user } : {}),
        ...(typeof group === "number" ? { runAsGroup: group } : {}),
        ...(typeof ctx.fsGroup === "number" ? { fsGroup: ctx.fsGroup } : {}),
    };
    if (user === 0)
        notes.push(
            at(
                "runs as root; the program runs it as the image's known non-root user (README assumptions).",
            ),
        );
    const labels = d.spec?.template?.metadata?.labels;
    const facts: Any = {
        ...(labels ? { labels: { ...labels } } : {}),
        ...(selector.matchLabels ? { selector: { ...selector.matchLabels } } : {}),
        ...(Object.keys(securityContext).length ? { securityContext } : {}),
        ...(volumes.size ? { volumes: [...volumes.values()] } : {}),
    };
    return facts as PodSettings;
}

export function triggerOf(t: Any, workload: string, dropped: Dropped[]): TriggerSettings {
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries((t.metadata ?? {}) as Record<string, unknown>)) {
        if (key === "value") continue; // the threshold is autoscaling.queueThreshold
        const found = credentialIn(String(value), key);
        if (found !== undefined) {
            dropped.push({ workload, where: "ScaledObject trigger metadata", name: key, ...found });
            continue;
        }
        metadata[key] = String(value);
    }
    return {
        type: t.type,
        ...(t.name ? { name: t.name } : {}),
        metadata,
        ...(t.authenticationRef
            ? { authenticationRef: pick(t.authenticationRef, ["name", "kind"]) }
            : {}),
        ...(t.metricType ? { metricType: t.metricType } : {}),
        ...(t.useCachedMetrics !== undefined ? { useCachedMetrics: t.useCachedMetrics } : {}),
    } as TriggerSettings;
}
