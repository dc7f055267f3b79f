/**
 * The local walk of docs/operations/releases.md on the real engine, as an operator types it:
 * `npm run release -- --local` of staging, then of production1, each confirmed at a terminal and
 * each on a control plane of its own (bound to it by its kube-system uid), from this checkout;
 * the committed stack files stay untouched. Its control planes sit in a temporary folder on ports
 * of their own, beside the suite's.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, Run, must, run } from "../../lib/sandbox";

describe("local releases, each stack on its own control plane", function () {
    this.timeout(40 * 60 * 1000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-local-"));
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        SAPOCHE_LOCAL_DIR: path.join(dir, "local"),
        SAPOCHE_LOCAL_CLUSTERS: path.join(dir, "clusters"),
        // Beside the suite's own ports; a run on private ports (SAPOCHE_LOCAL_PORT_OFFSET) keeps
        // its local planes private too.
        SAPOCHE_LOCAL_PORT_OFFSET: process.env.SAPOCHE_LOCAL_PORT_OFFSET || "1000",
        // Not the suite's control plane: local.sh picks each stack's own.
        SAPOCHE_CLUSTER_DIR: "",
        SAPOCHE_APISERVER_PORT: "",
        SAPOCHE_ETCD_PORT: "",
        SAPOCHE_KCM_PORT: "",
        SAPOCHE_SCHEDULER_PORT: "",
    };
    const status = () => must(run("git", ["status", "--porcelain"], { cwd: ROOT })).stdout;
    let checkoutBefore: string;
    const uids: Record<string, string> = {};

    /** `npm run release -- --local` at a terminal (`script`), typing the stack's name. */
    function release(stack: string): Run {
        const r = run(
            "script",
            ["-qec", `npm run release -- --local --stack ${stack}`, "/dev/null"],
            {
                cwd: ROOT,
                env,
                input: `${stack}\n`,
                timeoutMs: 20 * 60 * 1000,
            },
        );
        // What the terminal showed, colours taken out.
        const shown = r.output.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
        assert.equal(r.code, 0, shown.slice(-4000));
        const bound = new RegExp(
            `stack ${stack} on its own control plane \\(([^,]+), kube-system uid ([0-9a-f-]+)\\)`,
        ).exec(shown);
        assert.ok(bound, "local.sh names the stack's control plane and its uid");
        assert.equal(bound[1], path.join(dir, "clusters", `sapoche-cluster-${stack}`));
        uids[stack] = bound[2];
        assert.match(shown, new RegExp(`Release of ${stack}: \\d+ to create, 0 to update`));
        assert.match(shown, new RegExp(`Type the stack name \\(${stack}\\) to apply this plan`));
        assert.match(shown, /Resources:\s+\+ \d+ created/);
        return r;
    }

    before(() => {
        checkoutBefore = status();
    });

    it("releases staging through every gate, confirmed by typing its name", () => {
        release("staging");
    });

    it("releases production1 on another control plane, after staging ran its images", () => {
        release("production1");
        assert.notEqual(uids.production1, uids.staging, "two clusters, two identities");
    });

    it("leaves the committed stack files, and every other file of the checkout, untouched", () => {
        assert.equal(status(), checkoutBefore);
    });

    after(() => {
        for (const stack of ["staging", "production1"]) {
            run("bash", ["scripts/cluster/local.sh", "down", stack], { cwd: ROOT, env });
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
