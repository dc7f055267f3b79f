/**
 * One incident pages once: the program's AlertmanagerConfig, translated as the Prometheus
 * Operator translates it, run by a real Alertmanager. The alerts posted to it are the ones the
 * promtool scenarios prove the rules produce (their full label sets), so an inhibition whose
 * `equal` labels the real alerts do not carry fails here instead of muting by accident.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { IInhibitRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/InhibitRule";
import type { IMatcher } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/Matcher";
import { renderInhibitRules } from "../../components/monitoring-inhibit";
import { ALERTS } from "../../components/monitoring-model";
import { renderRuleGroups } from "../../components/monitoring-rules";
import type { StackName } from "../../lib/program";
import {
    Alertmanager,
    AmAlert,
    alertmanagerConfig,
    amtoolCheck,
    operatorInhibitRules,
} from "./alertmanager";
import { ruleFor } from "./promtool";
import { scenarios } from "./scenarios";
import { StackMonitoring, stackArgs, stackMonitoring } from "./stack";

type Labels = Record<string, string>;
const ALERTMANAGER_CONFIG = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";

const matches = (m: IMatcher, labels: Labels) => {
    const v = labels[m.name] ?? "";
    if (m.matchType === "=") return v === m.value;
    if (m.matchType === "=~") return new RegExp(`^(?:${m.value})$`).test(v);
    throw new Error(`unexpected matchType ${m.matchType}`);
};
const matchAll = (ms: readonly IMatcher[] | undefined, labels: Labels) =>
    (ms ?? []).every((m) => matches(m, labels));
const alternatives = (r: IInhibitRule) => {
    const name = (r.targetMatch ?? []).find((m) => m.name === "alertname");
    if (!name?.value) throw new Error(`inhibit rule without a target alertname`);
    return name.value.split("|");
};

for (const stack of ["production1", "staging"] as StackName[]) {
    describe(`the inhibitions of ${stack} in a real Alertmanager`, function () {
        this.timeout(120_000);
        // Known at definition time so that every rule gets its own test; the first test proves
        // the program registers exactly these.
        const args = stackArgs(stack);
        const rules = renderInhibitRules(
            args.targets,
            renderRuleGroups(args.targets, args.thresholds),
        );
        let m: StackMonitoring;
        let proven: Labels[];
        let am: Alertmanager;
        let dir: string;

        before(async () => {
            m = await stackMonitoring(stack);
            // Every alert a firing scenario proves, with the labels promtool checked it carries.
            proven = scenarios(m.targets, m.thresholds).flatMap((s) =>
                s.expect.map((e) => ({
                    alertname: s.alert,
                    ...e.labels,
                    ...(ruleFor(m.groups, s).labels ?? {}),
                })),
            );
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-inhibit-"));
            const config = alertmanagerConfig(operatorInhibitRules(m.targets.namespace, rules));
            fs.writeFileSync(path.join(dir, "alertmanager.yml"), config);
            am = await Alertmanager.start(config);
        });
        after(() => {
            am?.stop();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("registers one AlertmanagerConfig in the namespace, with exactly these inhibitions", () => {
            const configs = m.resources.filter((r) => r.type === ALERTMANAGER_CONFIG);
            assert.equal(configs.length, 1);
            const props = configs[0].props as {
                metadata: { namespace: string };
                spec: { inhibitRules: IInhibitRule[]; route?: unknown };
            };
            assert.equal(props.metadata.namespace, m.targets.namespace);
            assert.deepEqual(props.spec.inhibitRules, rules);
            assert.equal(props.spec.route, undefined);
        });

        it("passes amtool check-config as the operator writes it", () => {
            const out = amtoolCheck(path.join(dir, "alertmanager.yml"));
            assert.match(out, new RegExp(`- ${rules.length} inhibit rules`));
        });

        it("covers the incidents that page twice without it", () => {
            const muted = (source: string, target: string) =>
                rules.some(
                    (r) =>
                        (r.sourceMatch ?? []).some((s) => s.value === source) &&
                        alternatives(r).includes(target),
                );
            const A = ALERTS;
            assert.ok(muted(A.redisProxyNoMaster, A.redisNoMaster));
            assert.ok(muted(A.serviceDown, A.serviceDegraded));
            assert.ok(muted(A.criticalConsumerUnavailable, A.queueStuck));
            assert.ok(muted(A.scrapeTargetDown, A.redisNoMaster));
            // Every input guard mutes what reads its input (the guards read nothing themselves).
            const readers = new Set(
                rules
                    .filter((r) =>
                        (r.sourceMatch ?? []).some((s) => s.value === A.alertInputAbsent),
                    )
                    .flatMap(alternatives),
            );
            const guarded = Object.values(A).filter(
                (a) => a !== A.alertInputAbsent && a !== A.scrapeTargetDown,
            );
            assert.deepEqual(
                guarded.filter((a) => !readers.has(a)),
                [],
            );
        });

        rules.forEach((rule, i) => {
            const sources = (rule.sourceMatch ?? []).map((s) => `${s.name}=${s.value}`).join(",");
            for (const target of alternatives(rule)) {
                it(`#${i} ${sources} mutes ${target} with equal ${rule.equal?.join(",")}, not with a different one`, async () => {
                    const equal = rule.equal ?? [];
                    const source = proven.find((l) => matchAll(rule.sourceMatch, l));
                    const seen = proven.find((l) => l.alertname === target);
                    assert.ok(source, `no firing scenario proves a source alert (${sources})`);
                    assert.ok(seen, `no firing scenario proves ${target}`);
                    for (const l of equal) {
                        assert.ok(source[l], `the source alert carries no ${l}`);
                        assert.ok(seen[l], `${target} carries no ${l}`);
                    }
                    const tag = { case: `${stack}-${i}-${target}` };
                    const src = { ...source, ...tag };
                    const same: Labels = { ...seen, ...pick(src, equal), ...tag };
                    const differing = equal.map((l) => ({ ...same, [l]: `${same[l]}-other` }));
                    // An alert about the same object that the source has no inhibition for
                    // (and that mutes nothing itself, so the target has one source only).
                    const others = proven.filter(
                        (l) =>
                            l.alertname !== source.alertname &&
                            !rules.some(
                                (r) =>
                                    matchAll(r.sourceMatch, l) ||
                                    (matchAll(r.sourceMatch, source) &&
                                        alternatives(r).includes(l.alertname)),
                            ),
                    );
                    const other = { ...others[0], ...pick(src, equal), ...tag };
                    const posted = [src, same, ...differing, other];
                    const check = async () => {
                        const fp = (all: AmAlert[], labels: Labels) => {
                            const found = all.find((a) => sameLabels(a.labels, labels));
                            assert.ok(found, `${JSON.stringify(labels)} not in the Alertmanager`);
                            return found;
                        };
                        const all = await am.until(
                            (alerts) =>
                                alerts.some(
                                    (a) =>
                                        sameLabels(a.labels, same) &&
                                        a.status.state === "suppressed",
                                ),
                            `${target} muted by ${sources}`,
                        );
                        const by = fp(all, src).fingerprint;
                        assert.deepEqual(fp(all, same).status.inhibitedBy, [by]);
                        for (const d of [...differing, other]) {
                            assert.ok(
                                !fp(all, d).status.inhibitedBy.includes(by),
                                `${JSON.stringify(d)} is muted by ${JSON.stringify(src)}`,
                            );
                        }
                    };
                    await am.post(posted);
                    try {
                        await check();
                    } finally {
                        // Resolved, so that no alert of this case mutes one of the next.
                        await am.post(posted, true);
                        await am.until(
                            (alerts) => !alerts.some((a) => a.labels.case === tag.case),
                            "the case's alerts resolved",
                        );
                    }
                });
            }
        });
    });
}

function pick(labels: Labels, keys: readonly string[]): Labels {
    return Object.fromEntries(keys.map((k) => [k, labels[k]]));
}

function sameLabels(a: Labels, b: Labels): boolean {
    const ka = Object.keys(a).sort();
    return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
