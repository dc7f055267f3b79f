/**
 * The one place that decides what a resource type token is. The engine shows the pack every
 * resource of the stack: Kubernetes objects (`kubernetes:apps/v1:Deployment`), but also the Pulumi
 * components that expand to them (a YAML ConfigFile, a Helm Chart, the program's own
 * `sapoche:*` components), providers and the stack itself. Policies judge Kubernetes objects only;
 * a wrapper has no metadata, namespace or pod spec of its own, and the objects it expands to are
 * shown to the pack one by one.
 */

/**
 * Every wrapper type `@pulumi/kubernetes` 4.24 defines: components that expand to objects, and
 * Helm's Release, a provider resource whose objects the engine never shows the pack (see
 * disallow-opaque-object).
 */
export const wrapperTypes: Readonly<Record<string, string>> = {
    "kubernetes:yaml:ConfigFile": "YAML file (yaml.ConfigFile)",
    "kubernetes:yaml:ConfigGroup": "YAML group (yaml.ConfigGroup)",
    "kubernetes:yaml/v2:ConfigFile": "YAML file (yaml.v2.ConfigFile)",
    "kubernetes:yaml/v2:ConfigGroup": "YAML group (yaml.v2.ConfigGroup)",
    "kubernetes:helm.sh/v2:Chart": "Helm chart (helm.v2.Chart, an alias of helm.v3.Chart)",
    "kubernetes:helm.sh/v3:Chart": "Helm chart (helm.v3.Chart)",
    "kubernetes:helm.sh/v4:Chart": "Helm chart (helm.v4.Chart)",
    "kubernetes:helm.sh/v3:Release": "Helm release (helm.v3.Release)",
    "kubernetes:kustomize:Directory": "Kustomize directory (kustomize.Directory)",
    "kubernetes:kustomize/v2:Directory": "Kustomize directory (kustomize.v2.Directory)",
};

/** Wrappers that deploy objects themselves instead of registering them with the engine. */
const opaqueWrappers = ["kubernetes:helm.sh/v3:Release"];

/** Modules of the provider's own components, whatever version a later SDK adds (helm.sh/v5 ...). */
const wrapperModules = /^(yaml|kustomize|helm\.sh|helm)(\/v\d+)?$/;

/** `core/v1`, `apps/v1`, `keda.sh/v1alpha1`, `monitoring.coreos.com/v1`: a served group/version. */
const groupVersion = /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?)\/(v\d+((alpha|beta)\d+)?)$/;

/** A Kubernetes object, described by its type token. */
export interface ObjectType {
    readonly category: "object";
    /** `apps/v1`; the core group reads `v1`, as in an object's apiVersion. */
    readonly apiVersion: string;
    /** The object's kind: `Deployment` also for `DeploymentPatch` and `DeploymentList`. */
    readonly kind: string;
    /** A `<Kind>Patch` resource: a server-side apply patch of an object owned elsewhere. */
    readonly patch: boolean;
    /** A `<Kind>List` resource: a collection, not an object the API server stores. */
    readonly list: boolean;
}

/** What a resource type token names. */
export type ResourceType =
    | ObjectType
    | {
          readonly category: "wrapper";
          readonly description: string;
          /** Installs objects the engine never shows the pack (Helm Release). */
          readonly opaque: boolean;
      }
    | { readonly category: "other" };

/**
 * Classifies a type token: a Kubernetes object (`kubernetes:<group>/<version>:<Kind>`), a wrapper
 * of objects (the provider's components and Helm Release), or anything else (the program's own
 * components, providers, the stack, other providers' resources).
 */
export function classify(type: string): ResourceType {
    const parts = type.split(":");
    if (parts[0] !== "kubernetes" || parts.length !== 3) {
        return { category: "other" };
    }
    const [, module, name] = parts;
    if (type in wrapperTypes) {
        return {
            category: "wrapper",
            description: wrapperTypes[type],
            opaque: opaqueWrappers.includes(type),
        };
    }
    const match = groupVersion.exec(module);
    if (wrapperModules.test(module) || !match || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
        // A kubernetes: token that names no group/version and kind: a provider component.
        return { category: "wrapper", description: `provider component ${type}`, opaque: false };
    }
    const [, group, , version] = match;
    const patch = name.endsWith("Patch") && name !== "Patch";
    // A bare `List` carries objects of any kind: as opaque as a typed list.
    const list = !patch && name.endsWith("List");
    const kind = patch
        ? name.slice(0, -"Patch".length)
        : list && name !== "List"
          ? name.slice(0, -"List".length)
          : name;
    return {
        category: "object",
        apiVersion: group === "core" ? version : `${group}/${version}`,
        kind,
        patch,
        list,
    };
}

/** Whether the type token names a Kubernetes object (whole, patch or list) rather than a wrapper. */
export function isKubeObject(type: string): boolean {
    return classify(type).category === "object";
}

/** The kind of a whole Kubernetes object (not a patch, not a list); undefined for anything else. */
export function objectKind(type: string): string | undefined {
    const resourceType = classify(type);
    return resourceType.category === "object" && !resourceType.patch && !resourceType.list
        ? resourceType.kind
        : undefined;
}

/** Whether the type token names a whole object of one of these kinds, in any API version. */
export function isKind(type: string, ...kinds: string[]): boolean {
    const kind = objectKind(type);
    return kind !== undefined && kinds.includes(kind);
}
