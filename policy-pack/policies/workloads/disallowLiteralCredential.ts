import { ResourceValidationPolicy } from "@pulumi/policy";
import { credentialIn } from "../lib/credentials";
import { allContainers, describe, kindOf, podTemplateOf } from "../lib/kube";
import { isUnknownValue } from "../lib/unknown";

/** What a literal credential should be instead. */
const ACCEPTED =
    "read it from a Secret (env valueFrom.secretKeyRef or envFrom.secretRef, as $(VAR) in command, " +
    "args and headers; a KEDA TriggerAuthentication for trigger metadata), or hold a value that is " +
    "not a credential";

/** A string the object carries, where it sits, and the name that goes with it (env, header, key). */
interface Literal {
    readonly field: string;
    readonly value: string;
    readonly name?: string;
}

type Any = Record<string, any>;

const str = (v: unknown): v is string => typeof v === "string";

/**
 * The literals of one place, or none when the place is computed at preview: a value another
 * resource outputs is no literal, and the update's run of the pack reads it known.
 */
function known<T>(read: () => T[]): T[] {
    try {
        return read();
    } catch (error) {
        if (isUnknownValue(error)) return [];
        throw error;
    }
}

function annotations(meta: Any | undefined, at: string): Literal[] {
    return Object.entries((meta?.annotations ?? {}) as Any)
        .filter(([, v]) => str(v))
        .map(([k, v]) => ({ field: `${at}annotations["${k}"]`, value: v }));
}

/** A command line is judged whole: `--password` and its value are two items. */
function commandLine(list: unknown, field: string): Literal[] {
    return Array.isArray(list) && list.length > 0
        ? [{ field, value: list.filter(str).join(" ") }]
        : [];
}

/** A probe's or a lifecycle hook's headers (by name and value) and command. */
function handler(h: Any | undefined, at: string): Literal[] {
    if (h === undefined || h === null) return [];
    const headers = Array.isArray(h.httpGet?.httpHeaders) ? h.httpGet.httpHeaders : [];
    return [
        ...headers
            .filter((x: Any) => str(x?.value))
            .map((x: Any) => ({
                field: `${at}.httpGet.httpHeaders["${x.name}"]`,
                value: x.value,
                name: str(x.name) ? x.name : undefined,
            })),
        ...commandLine(h.exec?.command, `${at}.exec.command`),
    ];
}

function containerLiterals(c: Any): Literal[] {
    const at = `container "${c.name}" `;
    const env: Any[] = Array.isArray(c.env) ? c.env : [];
    return [
        ...env
            .filter((e) => str(e?.value))
            .map((e) => ({ field: `${at}env ${e.name}`, value: e.value, name: String(e.name) })),
        ...commandLine(c.command, `${at}command`),
        ...commandLine(c.args, `${at}args`),
        ...["livenessProbe", "readinessProbe", "startupProbe"].flatMap((p) =>
            handler(c[p], `${at}${p}`),
        ),
        ...["postStart", "preStop"].flatMap((p) =>
            handler(c.lifecycle?.[p], `${at}lifecycle.${p}`),
        ),
    ];
}

/** Every literal of an object where a credential can sit; a Secret is where one belongs. */
function literalsOf(type: string, props: Any): Literal[] {
    const kind = kindOf(type);
    if (kind === "Secret") return [];
    const out: Literal[] = known(() => annotations(props.metadata, "metadata."));
    if (kind === "ConfigMap") {
        for (const field of ["data", "binaryData"]) {
            out.push(
                ...known(() =>
                    Object.entries((props[field] ?? {}) as Any)
                        .filter(([, v]) => str(v))
                        .map(([k, v]) => ({ field: `${field}["${k}"]`, value: v })),
                ),
            );
        }
    }
    if (kind === "ScaledObject" || kind === "ScaledJob") {
        out.push(...known(() => triggerLiterals(props)));
    }
    return out;
}

function triggerLiterals(props: Any): Literal[] {
    const out: Literal[] = [];
    const triggers: Any[] = Array.isArray(props.spec?.triggers) ? props.spec.triggers : [];
    triggers.forEach((t, i) => {
        for (const [k, v] of Object.entries((t?.metadata ?? {}) as Any)) {
            if (str(v)) out.push({ field: `spec.triggers[${i}].metadata.${k}`, value: v, name: k });
        }
    });
    return out;
}

/**
 * A literal credential lands in the state file, every preview and `kubectl get -o yaml`. The
 * shared detector (lib/credentials.ts, also the stack schema's and import-live's) reads every
 * place one can sit: env, command, args, probe and lifecycle headers and commands, annotations,
 * ConfigMap data, KEDA trigger metadata.
 */
export const disallowLiteralCredential: ResourceValidationPolicy = {
    name: "disallow-literal-credential",
    description:
        "Checks that no credential is a literal: env, command, args, probe and lifecycle headers, annotations, ConfigMap data and KEDA trigger metadata hold Secret references or values that are not credentials.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const literals = literalsOf(args.type, args.props);
        const template = podTemplateOf(args);
        if (template !== undefined) {
            literals.push(...known(() => annotations(template.metadata, "pod template ")));
            for (const c of known(() => allContainers(template.spec ?? {}))) {
                literals.push(...known(() => containerLiterals(c as Any)));
            }
        }
        for (const l of literals) {
            const found = credentialIn(l.value, l.name);
            if (found !== undefined) {
                reportViolation(
                    `${describe(args)} ${l.field} holds ${found.kind} (${JSON.stringify(found.redacted)}); ${ACCEPTED}.`,
                );
            }
        }
    },
};
