import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { describe, objectName } from "../lib/kube";
import { isKind } from "../lib/resourceTypes";
import { failClosed } from "../lib/unknown";

/** A Service as the catalog renders it (scripts/pack-derived.ts generates one per Service). */
interface ServiceShape {
    type: string;
    headless?: boolean;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string | number; nodePort?: number }[];
}

const configSchema: PolicyConfigSchema = {
    properties: {
        // Generated from the catalog (scripts/pack-config.ts); with none, every Service is refused.
        services: { type: "object", default: {} },
    },
};

const show = (v: unknown) => JSON.stringify(v ?? null);
const sortedEntries = (o: Record<string, unknown>) =>
    JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Whoever re-points a Service (its type, its selector, an ExternalName, a port's target) sends
 * its clients' traffic, patients' data included, somewhere new. The catalog is the one place that
 * says where each Service leads; any other change goes through it, under review.
 */
export const enforceCataloguedService: ResourceValidationPolicy = {
    name: "enforce-catalogued-service",
    description:
        "Checks that every Service is one the catalog lists, with exactly the type, selector, ports and targets the catalog gives it (no ExternalName, no selector-less Service).",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "Service")) return;
        const { services } = configOf<{ services: Record<string, ServiceShape> }>(
            configSchema,
            args.getConfig(),
        );
        failClosed(describe(args), reportViolation, () => {
            const name = objectName(args);
            const expected = Object.prototype.hasOwnProperty.call(services, name)
                ? services[name]
                : undefined;
            const what = describe(args);
            if (expected === undefined) {
                reportViolation(
                    `${what} is not a catalogued Service (catalogued: ${Object.keys(services).sort().join(", ") || "none"}); ` +
                        `add it to stacks/catalog.ts, from which the pack config takes each Service's shape.`,
                );
                return;
            }
            const spec = args.props.spec ?? {};
            const type = spec.type ?? "ClusterIP";
            const problems: string[] = [];
            if (type !== expected.type) problems.push(`type ${type}, not ${expected.type}`);
            if (spec.externalName !== undefined)
                problems.push(`externalName ${show(spec.externalName)}, not none`);
            const headless = spec.clusterIP === "None";
            if (headless !== Boolean(expected.headless)) {
                problems.push(
                    `clusterIP ${show(spec.clusterIP)}, ${expected.headless ? 'not "None" (headless)' : 'not "None"'}`,
                );
            }
            const selector = spec.selector ?? {};
            if (sortedEntries(selector) !== sortedEntries(expected.selector)) {
                problems.push(`selector ${show(spec.selector)}, not ${show(expected.selector)}`);
            }
            const ports = (spec.ports ?? []) as Record<string, unknown>[];
            const byName = new Map(ports.map((p) => [String(p.name ?? ""), p]));
            for (const want of expected.ports) {
                const got = byName.get(want.name);
                if (got === undefined) {
                    problems.push(`no port ${want.name}`);
                    continue;
                }
                // targetPort defaults to port, as the API fills it in.
                const target = got.targetPort ?? got.port;
                const fields: [string, unknown, unknown][] = [
                    ["port", got.port, want.port],
                    ["targetPort", String(target), String(want.targetPort)],
                    ["protocol", got.protocol ?? "TCP", "TCP"],
                    ...(want.nodePort !== undefined
                        ? [["nodePort", got.nodePort, want.nodePort] as [string, unknown, unknown]]
                        : []),
                ];
                for (const [field, value, allowed] of fields) {
                    if (value !== allowed)
                        problems.push(
                            `port ${want.name} ${field} ${show(value)}, not ${show(allowed)}`,
                        );
                }
            }
            const extra = [...byName.keys()].filter(
                (n) => !expected.ports.some((p) => p.name === n),
            );
            if (extra.length > 0)
                problems.push(
                    `ports ${extra.map((n) => n || "(unnamed)").join(", ")} the catalog does not list`,
                );
            if (problems.length > 0) {
                reportViolation(
                    `${what} differs from its catalogued shape: ${problems.join("; ")}. ` +
                        `A Service is re-pointed only by changing stacks/catalog.ts (then scripts/pack-config.ts).`,
                );
            }
        });
    },
};
