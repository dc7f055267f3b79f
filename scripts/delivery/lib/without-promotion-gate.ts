// Writes a copy of a stack file whose promotion gate is bypassed, for the
// pull-request preview of production1 (`pulumi preview --config-file <copy>`): a pull request that
// bumps an image in both stack files must show production1's real diff and policy results before
// staging has run the image, or it could never merge. The gate itself is reported separately
// (`npm run render -- production1 --promotion-source ...`) and enforced on main, whose jobs use the
// committed stack file. The copy goes outside the checkout, so the tree stays clean.
// The copy keeps its promotion source and sets an explicit bypass reason: production1 may never
// run with an empty source (the config schema refuses it), and a bypass is always visible (a
// warning, the sapoche.io/promotion-bypass annotation, the pack's advisory report).
//
// Usage: node -r ts-node/register/transpile-only scripts/delivery/lib/without-promotion-gate.ts <stack> <out-file>
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { loadStackYaml } from "../../../lib/stack-file";

const KEY = "sapoche-stack:promotion";

export function withoutGate(doc: any): any {
    const promotion = doc.config?.[KEY];
    if (!promotion) throw new Error(`no ${KEY} in the stack file`);
    return { ...doc, config: { ...doc.config, [KEY]: { ...promotion, bypassReason: BYPASS } } };
}

/** The bypass reason of a pull-request preview. */
export const BYPASS =
    "Pull-request preview: the promotion gate is reported separately and enforced on main";

function main([stack, out]: string[]): number {
    if (!stack || !out) {
        console.error("usage: without-promotion-gate.ts <stack> <out-file>");
        return 2;
    }
    const file = path.join(__dirname, "..", "..", "..", `Pulumi.${stack}.yaml`);
    const doc = loadStackYaml(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(out, yaml.dump(withoutGate(doc), { lineWidth: -1 }));
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
