/**
 * Credentials anywhere in a stack file: every string under the project's keys is read by the
 * detector the pack and `npm run import-live` use (policy-pack/policies/lib/credentials.ts), so
 * one in args, a probe header or any key the schema adds later is refused like one in env.
 * Environment variables and trigger metadata are judged by their own schema (container.ts,
 * live.ts: name and value together); the rest here. A finding names the key and shows the value
 * with the credential masked, never the credential.
 */
import { credentialIn } from "../../policy-pack/policies/lib/credentials";

/** What a literal credential should be instead, for every message that refuses one. */
export const ACCEPTED =
    "a reference to a Secret (env valueFrom.secretKeyRef or envFrom.secretRef, read as $(VAR) " +
    "in command, args and headers; a KEDA authenticationRef), or a value that is not a credential";

/** Lists whose items are one command line: `--password` and its value are two items. */
const COMMAND_LINES = new Set(["command", "args"]);

/** One problem per string that carries a credential, as `<project>:<key path>: ...`. */
export function credentialProblems(input: Record<string, unknown>, project: string): string[] {
    const out: string[] = [];
    const report = (path: string[], value: string, name?: string) => {
        const found = credentialIn(value, name);
        if (found !== undefined) {
            out.push(
                `${project}:${path.join(".")}: got a literal credential (${found.kind}: ` +
                    `${JSON.stringify(found.redacted)}); expected ${ACCEPTED}`,
            );
        }
    };
    const walk = (node: unknown, path: string[]): void => {
        if (typeof node === "string") {
            report(path, node);
        } else if (Array.isArray(node)) {
            const key = path[path.length - 1];
            if (key === "env") return; // judged by its own schema, name and value together
            if (COMMAND_LINES.has(key) && node.every((n) => typeof n === "string")) {
                report(path, node.join(" "));
            } else {
                node.forEach((n, i) => walk(n, [...path, String(i)]));
            }
        } else if (node !== null && typeof node === "object") {
            const o = node as Record<string, unknown>;
            // Trigger metadata is judged by its own schema, key and value together.
            if (path[path.length - 1] === "metadata" && path[path.length - 3] === "triggers")
                return;
            // A header is a name/value pair: `Authorization` says its value is a credential.
            if (path[path.length - 2] === "httpHeaders" && typeof o.value === "string") {
                report([...path, "value"], o.value, typeof o.name === "string" ? o.name : "");
                return;
            }
            for (const [k, v] of Object.entries(o)) walk(v, [...path, k]);
        }
    };
    for (const [key, value] of Object.entries(input)) walk(value, [key]);
    return out;
}
