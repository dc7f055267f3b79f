/**
 * Reads the inventory of today's live namespace (docs/live-namespace.txt, a copy of the platform
 * team's seed) into plain records, so the inventory test compares against the document itself
 * rather than a transcription of it.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../lib/program";

export interface SeedDeployment {
    readonly name: string;
    readonly replicas: number;
}
export interface SeedHpa {
    readonly name: string;
    readonly target: string;
    readonly min: number;
    readonly max: number;
    /** CPU target in percent, when the HPA scales on CPU. */
    readonly cpu?: number;
    readonly keda: boolean;
}
export interface SeedService {
    readonly name: string;
    readonly type: string;
    readonly ports: number[];
    readonly nodePorts: number[];
}
export interface Seed {
    readonly deployments: SeedDeployment[];
    readonly hpas: SeedHpa[];
    readonly services: SeedService[];
}

const NAME = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

export function readSeed(file = path.join(ROOT, "docs", "live-namespace.txt")): Seed {
    const rows = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("| "))
        .map((l) =>
            l
                .split("|")
                .slice(1, -1)
                .map((c) => c.trim()),
        );
    const seed: Seed = { deployments: [], hpas: [], services: [] };
    for (const r of rows) {
        if (!NAME.test(r[0])) continue;
        const replicas = /^(\d+)\/(\d+)$/.exec(r[1]);
        if (r.length === 4 && replicas) {
            seed.deployments.push({ name: r[0], replicas: Number(replicas[2]) });
        } else if (r.length === 6 && /^\d+$/.test(r[2]) && /^\d+$/.test(r[3])) {
            const cpu = /CPU: \d+%\/(\d+)%/.exec(r[5]);
            seed.hpas.push({
                name: r[0],
                target: r[1].replace(/ deployment$/, ""),
                min: Number(r[2]),
                max: Number(r[3]),
                cpu: cpu ? Number(cpu[1]) : undefined,
                keda: r[0].startsWith("keda-hpa-"),
            });
        } else if (r.length === 6 && /^(NodePort|ClusterIP)$/.test(r[1])) {
            const numbers = (s: string) => (s.match(/\d+/g) ?? []).map(Number);
            seed.services.push({
                name: r[0],
                type: r[1],
                ports: numbers(r[3]),
                nodePorts: numbers(r[4]),
            });
        }
    }
    return seed;
}
