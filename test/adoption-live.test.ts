/**
 * How a new stack knows its namespace holds nothing to adopt (stacks/adoption-live.ts): kubectl,
 * bound to the stack's cluster, lists the Deployments and Services no field manager of the
 * Kubernetes provider wrote. A stand-in kubectl on PATH answers as the API server does: without
 * `--show-managed-fields` it leaves managedFields out.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { kubectlReader, writtenByProgram } from "../stacks/adoption-live";

const UID = "5d1c2a8e-0000-4000-8000-000000000001";
const item = (kind: string, name: string, managers: string[]) => ({
    kind,
    metadata: { name, managedFields: managers.map((manager) => ({ manager })) },
});
const ITEMS = [
    item("Deployment", "worker-booking", ["pulumi-kubernetes-3f2a9c", "kube-controller-manager"]),
    item("Deployment", "consumer-dicom", ["kubectl-client-side-apply", "kube-controller-manager"]),
    item("Service", "redis-sp", ["helm"]),
];

/** A kubectl that answers the uid read and the list, and logs its arguments. */
function fakeKubectl(dir: string): string {
    const log = path.join(dir, "args.log");
    const list = JSON.stringify({ items: ITEMS });
    const bare = JSON.stringify({
        items: ITEMS.map((i) => ({ ...i, metadata: { name: i.metadata.name } })),
    });
    fs.writeFileSync(
        path.join(dir, "kubectl"),
        `#!/bin/sh
echo "$*" >>'${log}'
case "$*" in
  *kube-system*) printf '%s' '${UID}' ;;
  *--show-managed-fields*) printf '%s' '${list}' ;;
  *) printf '%s' '${bare}' ;;
esac
`,
        { mode: 0o755 },
    );
    return log;
}

describe("what a new stack's namespace holds to adopt (kubectl)", () => {
    let dir: string;
    let log: string;
    const PATH = process.env.PATH;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sapoche-kubectl-"));
        log = fakeKubectl(dir);
        process.env.PATH = `${dir}${path.delimiter}${PATH}`;
    });
    after(() => {
        process.env.PATH = PATH;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lists what no field manager of the provider wrote, reading managedFields", async () => {
        assert.deepEqual(await kubectlReader("sapoche", UID), [
            "Deployment/consumer-dicom",
            "Service/redis-sp",
        ]);
        assert.match(fs.readFileSync(log, "utf8"), /-n sapoche -o json --show-managed-fields/);
    });

    it("refuses to read another cluster than the stack's", async () => {
        await assert.rejects(
            kubectlReader("sapoche", "another-uid"),
            /kubectl reaches the cluster whose kube-system uid is 5d1c2a8e-.*, not the stack's \(another-uid\)/,
        );
    });

    it("counts an object as the program's only when the provider wrote it", () => {
        assert.equal(writtenByProgram(ITEMS[0]), true);
        assert.equal(writtenByProgram(ITEMS[1]), false);
        assert.equal(writtenByProgram({ metadata: { name: "x" } }), false);
    });
});
