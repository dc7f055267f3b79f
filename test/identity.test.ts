/**
 * The guard's own parameters are constants of the project (stacks/identity.ts, issue 24 item 6):
 * a stack file can neither move the namespace the pack pins objects to nor pick the stack whose
 * runs gate its images, and the generated pack config never follows the file.
 */
import { strict as assert } from "assert";
import { packConfig } from "../scripts/pack-config";
import { STACK_IDENTITY } from "../stacks/identity";
import { STACK_ENVIRONMENTS } from "../stacks/ranges";
import { ConfigError, parseSettings } from "../stacks/settings";
import { PROJECT, readStackConfig, StackName, toEngineConfig } from "../lib/program";
import { Config, configOf, problemsAfter, settingsAfter } from "./support/config";

const STACKS: StackName[] = ["production1", "staging"];
const constant = (what: string, stack: string, value: string) =>
    `expected "${value}" or no key: the ${what} of ${stack} is a constant of the project (stacks/identity.ts, changed under review), not a stack-file value`;

describe("the namespace and the promotion source are constants of the project", () => {
    for (const stack of STACKS) {
        const { namespace, promotionSource } = STACK_IDENTITY[stack];

        it(`${stack} takes both from stacks/identity.ts, with or without the keys in its file`, () => {
            for (const edit of [
                () => undefined,
                (c: Config) => (delete c.namespace, delete c.promotion.fromStack),
            ]) {
                const s = settingsAfter(edit, stack);
                assert.equal(s.namespace, namespace);
                assert.equal(s.promotion.fromStack, promotionSource);
            }
        });

        // prettier-ignore
        const moves: [string, (c: Config) => void, string][] = [
            ["the namespace moved to default", (c) => (c.namespace = "default"), `sapoche-stack:namespace: got "default"; ${constant("namespace", stack, namespace)}`],
            ["the namespace moved to kube-system", (c) => (c.namespace = "kube-system"), `sapoche-stack:namespace: got "kube-system"; ${constant("namespace", stack, namespace)}`],
            ["the namespace written as a number", (c) => (c.namespace = 7), `sapoche-stack:namespace: got "7"; ${constant("namespace", stack, namespace)}`],
            ["another readable stack as promotion source", (c) => (c.promotion.fromStack = "organization/sapoche-stack/sandbox"), `sapoche-stack:promotion.fromStack: got "organization/sapoche-stack/sandbox"; ${constant("promotion source", stack, promotionSource)}`],
        ];
        for (const [what, edit, problem] of moves) {
            it(`refuses ${what} in ${stack}'s file`, () =>
                assert.deepEqual(problemsAfter(edit, stack), [problem]));
        }

        it(`generates ${stack}'s pack config from the constant, never from the file`, () => {
            const config = readStackConfig(stack) as Config;
            delete config[`${PROJECT}:namespace`];
            assert.deepEqual(packConfig(stack, config)["enforce-namespace"], { namespace });
            config[`${PROJECT}:namespace`] = "kube-system";
            assert.throws(() => packConfig(stack, config), ConfigError);
        });
    }

    it("keeps the promotion rules on the constants: production names another stack of this project", () => {
        for (const [stack, { promotionSource }] of Object.entries(STACK_IDENTITY)) {
            if (STACK_ENVIRONMENTS[stack] !== "prod") continue;
            const [, project, source] = promotionSource.split("/");
            assert.equal(project, PROJECT, stack);
            assert.ok(source in STACK_IDENTITY && source !== stack, `${stack} <- ${source}`);
        }
    });

    describe("a stack not listed there (a sandbox copy under another name)", () => {
        const problems = (edit: (c: Config) => void) => {
            const c = configOf("production1");
            edit(c);
            try {
                parseSettings(toEngineConfig(c), PROJECT, "Pulumi.sandbox.yaml");
                return [];
            } catch (e) {
                if (e instanceof ConfigError) return e.problems;
                throw e;
            }
        };

        it("names its own namespace and source, and has no pack config of its own", () => {
            const c = configOf("production1");
            c.namespace = "sapoche-sandbox";
            c.promotion.fromStack = "";
            const s = parseSettings(toEngineConfig(c), PROJECT, "Pulumi.sandbox.yaml");
            assert.equal(s.namespace, "sapoche-sandbox");
            assert.equal(s.promotion.fromStack, "");
        });

        // prettier-ignore
        const cases: [string, (c: Config) => void, string][] = [
            ["no namespace", (c) => delete c.namespace, "sapoche-stack:namespace: missing; expected a Kubernetes name (lowercase letters, digits and '-')"],
            ["a namespace that is not a Kubernetes name", (c) => (c.namespace = "Sapoche_NS"), `sapoche-stack:namespace: got "Sapoche_NS"; expected a Kubernetes name (lowercase letters, digits and '-')`],
            ["a source that is not a stack reference", (c) => (c.promotion.fromStack = "staging"), `sapoche-stack:promotion.fromStack: got "staging"; expected a stack reference such as "organization/sapoche-stack/staging", or ""`],
            ["itself as source", (c) => (c.promotion.fromStack = "organization/sapoche-stack/sandbox"), `sapoche-stack:promotion.fromStack: got "organization/sapoche-stack/sandbox"; expected another stack than sandbox itself, such as "organization/sapoche-stack/staging"`],
            ["a source in another project", (c) => (c.promotion.fromStack = "organization/billing/staging"), `sapoche-stack:promotion.fromStack: got "organization/billing/staging"; expected a stack of this project (sapoche-stack), such as "organization/sapoche-stack/staging"`],
        ];
        for (const [what, edit, problem] of cases) {
            it(`refuses ${what}`, () => assert.deepEqual(problems(edit), [problem]));
        }
    });
});
