import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { podTemplatePaths } from "../policies/lib/kube";
import { podSecurityChecks } from "../policies/lib/podSecurity";
import { enforcePodSecurityStandard } from "../policies/security/enforcePodSecurityStandard";
import { disallowHostNamespaces } from "../policies/workloads/disallowHostNamespaces";
import { disallowHostPathVolume } from "../policies/workloads/disallowHostPathVolume";
import { disallowHostPort } from "../policies/workloads/disallowHostPort";
import { disallowServiceAccountToken } from "../policies/workloads/disallowServiceAccountToken";
import { enforceContainerSecurityContext } from "../policies/workloads/enforceContainerSecurityContext";
import { enforceRunAsNonRoot } from "../policies/workloads/enforceRunAsNonRoot";
import { enforceSeccompProfile } from "../policies/workloads/enforceSeccompProfile";
import { FixtureResource, validateResource } from "./harness";

/**
 * The official Pod Security Standards corpus (restricted, latest version), fetched at a pinned
 * version by scripts/pss-fixtures.sh: every `fail` fixture is refused, by the check it was written
 * for, and every `pass` fixture is accepted except for the deliberate strictness the pack README
 * lists, judged as a bare Pod and as the pod template of every kind that keeps one.
 */

/** The pack's policies that judge a pod's security; the others (probes, resources, ...) are not the standard's. */
const podSecurityPolicies: ResourceValidationPolicy[] = [
    enforcePodSecurityStandard,
    enforceContainerSecurityContext,
    enforceRunAsNonRoot,
    enforceSeccompProfile,
    disallowHostNamespaces,
    disallowHostPathVolume,
    disallowHostPort,
    disallowServiceAccountToken,
];

/** The type token each kind is registered under (any group works: the pack reads the kind). */
const typeOf: Record<string, string> = {
    Pod: "kubernetes:core/v1:Pod",
    PodTemplate: "kubernetes:core/v1:PodTemplate",
    Deployment: "kubernetes:apps/v1:Deployment",
    StatefulSet: "kubernetes:apps/v1:StatefulSet",
    DaemonSet: "kubernetes:apps/v1:DaemonSet",
    ReplicaSet: "kubernetes:apps/v1:ReplicaSet",
    ReplicationController: "kubernetes:core/v1:ReplicationController",
    Job: "kubernetes:batch/v1:Job",
    CronJob: "kubernetes:batch/v1:CronJob",
    ScaledJob: "kubernetes:keda.sh/v1alpha1:ScaledJob",
    Rollout: "kubernetes:argoproj.io/v1alpha1:Rollout",
};

/** The fixture pod placed where its kind keeps a pod template. */
function asKind(kind: string, pod: Record<string, any>): FixtureResource {
    const name = String(pod.metadata.name).replace(/_/g, "-");
    const metadata = { name, namespace: "sapoche" };
    if (kind === "Pod") {
        return {
            type: typeOf.Pod,
            name,
            props: { ...pod, metadata: { ...pod.metadata, ...metadata } },
        };
    }
    const template = { metadata: { annotations: pod.metadata.annotations }, spec: pod.spec };
    const props: Record<string, any> = { metadata };
    const pathTo = podTemplatePaths[kind];
    let node = props;
    pathTo.slice(0, -1).forEach((key) => (node = node[key] ??= {}));
    node[pathTo[pathTo.length - 1]] = template;
    return { type: typeOf[kind], name, props };
}

/** The check a fixture was written for, as the restricted profile names it after its overrides. */
function checkOf(file: string): string {
    const prefix = file.replace(/\d*\.yaml$/, "").toLowerCase();
    const overridden: Record<string, string> = {
        capabilities_baseline: "capabilities_restricted",
        seccompprofile_baseline: "seccompprofile_restricted",
        procmount: "procmount_restricted",
        hostpathvolumes: "restrictedvolumes",
    };
    const id = overridden[prefix] ?? prefix;
    return podSecurityChecks.find((c) => c.toLowerCase() === id) ?? `(base fixture ${file})`;
}

/** The deliberate-strictness table of the pack README: policy and the words of its message. */
function deliberateStrictness(): { policy: string; message: string }[] {
    const readme = fs.readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
    const section = readme.split("## Deliberately stricter than the standard")[1] ?? "";
    return section
        .split("\n")
        .filter((line) => /^\| `[a-z-]+` +\|/.test(line))
        .map((line) => line.split("|").map((cell) => cell.trim()))
        .map(([, policy, message]) => ({
            policy: policy.replace(/`/g, ""),
            message: message.replace(/`/g, ""),
        }));
}

const fixturesDir = execFileSync("bash", [path.resolve(__dirname, "../scripts/pss-fixtures.sh")], {
    encoding: "utf8",
}).trim();

function fixtures(verdict: "pass" | "fail"): [string, Record<string, any>][] {
    return fs
        .readdirSync(path.join(fixturesDir, verdict))
        .sort()
        .map((file) => [
            file,
            yaml.load(fs.readFileSync(path.join(fixturesDir, verdict, file), "utf8")) as any,
        ]);
}

const tally = new Map<
    string,
    { refused: number; failing: number; accepted: number; passing: number }
>();
function count(check: string, field: "refused" | "failing" | "accepted" | "passing") {
    const row = tally.get(check) ?? { refused: 0, failing: 0, accepted: 0, passing: 0 };
    row[field]++;
    tally.set(check, row);
}

describe(`the official Pod Security Standards corpus (${path.basename(fixturesDir)}, restricted)`, () => {
    after(() => {
        console.log("      check                          refused/fail  accepted/pass");
        for (const [check, row] of [...tally].sort()) {
            console.log(
                `      ${check.padEnd(30)} ${`${row.refused}/${row.failing}`.padStart(12)}  ${`${row.accepted}/${row.passing}`.padStart(13)}`,
            );
        }
    });

    for (const kind of Object.keys(typeOf)) {
        describe(`as ${kind === "Pod" ? "a bare Pod" : `the pod template of a ${kind}`}`, () => {
            for (const [file, pod] of fixtures("fail")) {
                it(`refuses fail/${file} by check ${checkOf(file)}`, async () => {
                    const check = checkOf(file);
                    count(check, "failing");
                    const found = await validateResource(
                        enforcePodSecurityStandard,
                        asKind(kind, pod),
                    );
                    assert.ok(
                        found.some((m) => m.includes(`check ${check}:`)),
                        `expected check ${check}, got ${JSON.stringify(found)}`,
                    );
                    count(check, "refused");
                });
            }
            for (const [file, pod] of fixtures("pass")) {
                it(`accepts pass/${file}, apart from the README's deliberate strictness`, async () => {
                    const check = checkOf(file);
                    count(check, "passing");
                    const allowed = deliberateStrictness();
                    const unexplained: string[] = [];
                    for (const policy of podSecurityPolicies) {
                        for (const message of await validateResource(policy, asKind(kind, pod))) {
                            const explained = allowed.some(
                                (row) =>
                                    row.policy === policy.name && message.includes(row.message),
                            );
                            if (!explained) unexplained.push(`${policy.name}: ${message}`);
                        }
                    }
                    assert.deepStrictEqual(unexplained, []);
                    count(check, "accepted");
                });
            }
        });
    }
});
