import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policies";
import { classify, isKubeObject, objectKind, wrapperTypes } from "../policies/lib/resourceTypes";
import { evaluatePack, stackPolicyConfig } from "./evaluate";
import { compliantResources } from "./fixtures/compliant";

/** The program's @pulumi/kubernetes (the pack does not depend on it; the program does). */
const sdk = path.resolve(__dirname, "../../node_modules/@pulumi/kubernetes");

/** Every `.js` file of the SDK. */
function sdkFiles(dir = sdk): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : sdkFiles(full);
        }
        return entry.name.endsWith(".js") ? [full] : [];
    });
}

/**
 * The SDK's resource type tokens, split into the component wrappers (classes extending
 * ComponentResource, the type they register and the aliases they carry) plus Helm's Release, and
 * everything else a class declares as `__pulumiType`. Function tokens (`kubernetes:yaml:decode`,
 * lower-case) are invokes, not resources.
 */
function sdkTypes(): { wrappers: Set<string>; objects: Set<string> } {
    const wrappers = new Set<string>();
    const objects = new Set<string>();
    for (const file of sdkFiles()) {
        const text = fs.readFileSync(file, "utf8");
        const component =
            /extends (pulumi\.ComponentResource|(yaml\.)?CollectionComponentResource)\b/.test(text);
        const declared = [...text.matchAll(/__pulumiType = '([^']+)'/g)].map((m) => m[1]);
        if (component) {
            const registered = [
                ...text.matchAll(/["'](kubernetes:[a-z0-9./-]+:[A-Z][A-Za-z]+)["']/g),
            ].map((m) => m[1]);
            for (const type of [...declared, ...registered]) {
                wrappers.add(type);
            }
        } else {
            for (const type of declared.filter((t) => t.startsWith("kubernetes:"))) {
                (type === "kubernetes:helm.sh/v3:Release" ? wrappers : objects).add(type);
            }
        }
    }
    return { wrappers, objects };
}

describe("the resource type classifier", () => {
    for (const type of Object.keys(wrapperTypes)) {
        it(`takes ${type} for a wrapper, not a Kubernetes object`, () => {
            assert.strictEqual(classify(type).category, "wrapper");
            assert.strictEqual(isKubeObject(type), false);
        });
    }

    for (const type of [
        "sapoche:workloads:QueueConsumer",
        "sapoche:namespace:Baseline",
        "pulumi:pulumi:Stack",
        "pulumi:providers:kubernetes",
        "random:index/randomPassword:RandomPassword",
    ]) {
        it(`takes ${type} for neither an object nor a provider wrapper`, () => {
            assert.strictEqual(classify(type).category, "other");
        });
    }

    it("takes a future provider component (helm.sh/v5, yaml/v3) for a wrapper", () => {
        assert.strictEqual(classify("kubernetes:helm.sh/v5:Chart").category, "wrapper");
        assert.strictEqual(classify("kubernetes:yaml/v3:ConfigGroup").category, "wrapper");
    });

    it("reads group, version and kind of core, named-group and custom objects", () => {
        assert.deepStrictEqual(classify("kubernetes:core/v1:Service"), {
            category: "object",
            apiVersion: "v1",
            kind: "Service",
            patch: false,
            list: false,
        });
        assert.deepStrictEqual(classify("kubernetes:keda.sh/v1alpha1:ScaledObject"), {
            category: "object",
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledObject",
            patch: false,
            list: false,
        });
        assert.strictEqual(
            objectKind("kubernetes:monitoring.coreos.com/v1:PrometheusRule"),
            "PrometheusRule",
        );
        assert.strictEqual(objectKind("kubernetes:extensions/v1beta1:Deployment"), "Deployment");
    });

    it("marks patches and lists, which are not whole objects", () => {
        const patch = classify("kubernetes:apps/v1:DeploymentPatch");
        assert.ok(patch.category === "object" && patch.patch && patch.kind === "Deployment");
        const list = classify("kubernetes:core/v1:PodList");
        assert.ok(list.category === "object" && list.list && list.kind === "Pod");
        assert.strictEqual(objectKind("kubernetes:apps/v1:DeploymentPatch"), undefined);
        assert.strictEqual(objectKind("kubernetes:core/v1:PodList"), undefined);
    });

    describe("against the installed @pulumi/kubernetes", () => {
        const { wrappers, objects } = sdkTypes();

        it("finds the SDK's wrappers and objects", () => {
            assert.ok(wrappers.size >= 10, `found ${[...wrappers].join(", ")}`);
            assert.ok(objects.size > 400, `found ${objects.size} object types`);
        });

        it("lists every wrapper type the SDK defines", () => {
            assert.deepStrictEqual([...wrappers].sort(), Object.keys(wrapperTypes).sort());
        });

        it("takes every other resource type of the SDK for a Kubernetes object", () => {
            const misread = [...objects].filter((type) => !isKubeObject(type));
            assert.deepStrictEqual(misread, []);
        });
    });

    it("makes no policy report on any wrapper or program component", async () => {
        const components = [...Object.keys(wrapperTypes), "sapoche:workloads:QueueConsumer"].map(
            (type, index) => ({
                type,
                name: `fixture-${index}`,
                props: { files: ["fixture.yaml"] },
            }),
        );
        const findings = await evaluatePack(
            [...compliantResources(), ...components],
            stackPolicyConfig("production1"),
        );
        const about = findings.filter((f) => /fixture-\d/.test(f.message));
        // Helm Release is the one wrapper refused, because its objects never reach the pack.
        assert.deepStrictEqual(
            about.map((f) => `${f.policy}: ${f.message}`),
            [
                'disallow-opaque-object: Release "fixture-7" should be a helm.v4.Chart, whose objects the pack checks one by one, not a Helm Release it cannot see into.',
            ],
        );
    });

    it("leaves no policy reading type tokens on its own", () => {
        const dir = path.resolve(__dirname, "../policies");
        const offenders = fs
            .readdirSync(dir, { withFileTypes: true })
            .filter((e) => e.isDirectory() && e.name !== "lib" && e.name !== "monitoring")
            .flatMap((area) =>
                fs.readdirSync(path.join(dir, area.name)).map((f) => path.join(area.name, f)),
            )
            .filter((file) =>
                /\b(args|r|resource|workload|service|pdb)\.type (===|!==) |startsWith\("kubernetes:|"kubernetes:[a-z]/.test(
                    fs.readFileSync(path.join(dir, file), "utf8"),
                ),
            );
        assert.deepStrictEqual(offenders, []);
        assert.ok(policies.length > 0);
    });
});
