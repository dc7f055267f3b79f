/**
 * The stack file edits of an import (`npm run import-live`): under each workload's entry, its
 * `container`, `pod` and `triggers` are replaced by the live ones; its live probes replace the
 * configured ones probe by probe (a `minReadySeconds` set in config stays: it is config's
 * decision, not a live fact). Nothing else in the file changes.
 */
import type { LiveImport } from "./live-types";
import type { Edit } from "../../lib/yaml-edit";

type Any = Record<string, any>;

/** The edits that write `live` into a stack file whose config (prefixed keys) is `config`. */
export function importEdits(live: LiveImport, config: Any, provenance: string): Edit[] {
    return live.entries.flatMap((entry) => {
        const [top, name] = entry.target.key;
        const current: Any = (name === undefined ? config[top] : config[top]?.[name]) ?? {};
        const at = (field: string) => ["config", ...entry.target.key, field];
        const dropped = live.dropped.filter((d) => d.workload === entry.target.deployment);
        const edits: Edit[] = [];
        if (entry.container !== undefined) {
            edits.push({
                path: at("container"),
                value: entry.container,
                comments: [
                    `read from the live namespace by npm run import-live (${provenance})`,
                    ...dropped.map(
                        (d) =>
                            `not imported: ${d.where} ${d.name} (a literal that looks like a credential; ` +
                            `move it to a Secret)`,
                    ),
                ],
            });
        }
        if (entry.pod !== undefined && Object.keys(entry.pod).length > 0) {
            edits.push({ path: at("pod"), value: entry.pod });
        }
        if (entry.probes !== undefined) {
            edits.push({ path: at("probes"), value: { ...current.probes, ...entry.probes } });
        }
        if (entry.triggers !== undefined) {
            edits.push({ path: at("triggers"), value: entry.triggers });
        }
        return edits;
    });
}
