/**
 * A real Alertmanager for the inhibition tests: the AlertmanagerConfig's inhibit rules translated
 * the way the Prometheus Operator translates them, checked by amtool, and served by Debian's
 * `prometheus-alertmanager` on loopback, where alerts are posted and read back through its API.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import type { IInhibitRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/InhibitRule";
import type { IMatcher } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/Matcher";

/** Alertmanager's inhibit rule as its configuration file spells it. */
export interface AmInhibitRule {
    readonly source_matchers: string[];
    readonly target_matchers: string[];
    readonly equal?: string[];
}

// monitoringv1alpha1.Matcher.String() of the operator v0.91.0 (openMetricsEscape on the value).
function matcherString(m: IMatcher): string {
    const value = (m.value ?? "").replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
    return `${m.name}${m.matchType}"${value}"`;
}

/**
 * An AlertmanagerConfig's inhibit rules as the operator (v0.91.0, pkg/alertmanager/amcfg.go,
 * Alertmanager >= 0.22, the default `OnNamespace` matcher strategy) writes them into the
 * Alertmanager's configuration: each matcher in matchers-v2 syntax, then `namespace="<ns>"`
 * appended to both sides unless already there. Matchers without a `matchType` (deprecated) are
 * refused here: the component always sets it.
 */
export function operatorInhibitRules(
    namespace: string,
    rules: readonly IInhibitRule[],
): AmInhibitRule[] {
    const ns = `namespace="${namespace}"`;
    const side = (ms: readonly IMatcher[] | undefined) => {
        const out = (ms ?? []).map((m) => {
            if (!m.matchType) throw new Error(`matcher ${m.name} has no matchType`);
            return matcherString(m);
        });
        return out.includes(ns) ? out : [...out, ns];
    };
    return rules.map((r) => ({
        source_matchers: side(r.sourceMatch),
        target_matchers: side(r.targetMatch),
        ...(r.equal ? { equal: [...r.equal] } : {}),
    }));
}

/** The configuration an operator-managed Alertmanager runs with no route of its own. */
export function alertmanagerConfig(inhibit: readonly AmInhibitRule[]): string {
    return yaml.dump(
        {
            route: { receiver: "null", group_by: ["namespace"] },
            receivers: [{ name: "null" }],
            inhibit_rules: inhibit,
        },
        { lineWidth: -1 },
    );
}

function tool(bin: string, pkg: string): string {
    const found = spawnSync(bin, ["--version"], { encoding: "utf8" });
    if (found.error || found.status !== 0) {
        throw new Error(
            `${bin} is not available; install ${pkg}: bash scripts/toolchain/behaviour-tools.sh`,
        );
    }
    return bin;
}

/** `amtool check-config` on a configuration file: its output, or its own error as a throw. */
export function amtoolCheck(file: string): string {
    const bin = tool(process.env.AMTOOL ?? "amtool", "prometheus-alertmanager");
    return execFileSync(bin, ["check-config", file], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** A free loopback port (the OS picks it; the Alertmanager binds it a moment later). */
async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

/** An alert as Alertmanager's API v2 returns it. */
export interface AmAlert {
    readonly labels: Record<string, string>;
    readonly fingerprint: string;
    readonly status: { state: string; inhibitedBy: string[] };
}

/** A running Alertmanager on loopback, with the given configuration. */
export class Alertmanager {
    private constructor(
        private readonly child: ChildProcess,
        private readonly base: string,
        private readonly dir: string,
        private readonly log: () => string,
    ) {}

    static async start(config: string): Promise<Alertmanager> {
        const bin = tool(
            process.env.ALERTMANAGER ?? "prometheus-alertmanager",
            "prometheus-alertmanager",
        );
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-am-"));
        fs.writeFileSync(path.join(dir, "alertmanager.yml"), config);
        const port = await freePort();
        let output = "";
        const child = spawn(
            bin,
            [
                `--config.file=${path.join(dir, "alertmanager.yml")}`,
                `--storage.path=${path.join(dir, "data")}`,
                `--web.listen-address=127.0.0.1:${port}`,
                // A single instance: no gossip port, nothing bound beyond the API.
                "--cluster.listen-address=",
            ],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        child.stdout?.on("data", (d) => (output += String(d)));
        child.stderr?.on("data", (d) => (output += String(d)));
        const am = new Alertmanager(child, `http://127.0.0.1:${port}/api/v2`, dir, () => output);
        const deadline = Date.now() + 20_000;
        for (;;) {
            if (child.exitCode !== null) {
                throw new Error(`alertmanager exited ${child.exitCode}:\n${output}`);
            }
            try {
                const r = await fetch(`${am.base}/status`);
                if (r.ok) return am;
            } catch {
                // not listening yet
            }
            if (Date.now() > deadline) {
                am.stop();
                throw new Error(`alertmanager did not answer on 127.0.0.1:${port}:\n${output}`);
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }

    /** Posts alerts firing now (or, with `resolved`, ended a minute ago). */
    async post(labelSets: readonly Record<string, string>[], resolved = false): Promise<void> {
        const now = Date.now();
        const body = labelSets.map((labels) => ({
            labels,
            startsAt: new Date(now - 120_000).toISOString(),
            ...(resolved ? { endsAt: new Date(now - 60_000).toISOString() } : {}),
        }));
        const r = await fetch(`${this.base}/alerts`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
        });
        if (!r.ok) throw new Error(`POST /alerts: ${r.status} ${await r.text()}`);
    }

    /** Every alert the Alertmanager holds now, with its state (`active`, `suppressed`). */
    async alerts(): Promise<AmAlert[]> {
        const r = await fetch(`${this.base}/alerts`);
        if (!r.ok) throw new Error(`GET /alerts: ${r.status} ${await r.text()}`);
        return (await r.json()) as AmAlert[];
    }

    /** Polls until `done` holds of the alerts (the inhibitor learns sources asynchronously). */
    async until(done: (alerts: AmAlert[]) => boolean, what: string): Promise<AmAlert[]> {
        const deadline = Date.now() + 10_000;
        for (;;) {
            const alerts = await this.alerts();
            if (done(alerts)) return alerts;
            if (Date.now() > deadline) {
                throw new Error(`${what}: not within 10 s; alerts: ${JSON.stringify(alerts)}`);
            }
            await new Promise((r) => setTimeout(r, 50));
        }
    }

    /** Logs, for a failing test's message. */
    output(): string {
        return this.log();
    }

    stop(): void {
        this.child.kill("SIGTERM");
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
