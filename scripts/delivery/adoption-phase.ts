// Refuses a policy config generated for another adoption phase than the stack file names: the
// pack checks the phase its config says (enforce-adoption-phase), so after editing
// `sapoche-stack:adoption.phase` the config must be regenerated (docs/operations/adoption.md).
// Usage: node -r ts-node/register/transpile-only scripts/delivery/adoption-phase.ts <Pulumi.<stack>.yaml> <policy config.json>
import * as fs from "fs";
import * as path from "path";
import { parseStackFile } from "../../lib/stack-file";

const [stackFile, packFile] = process.argv.slice(2);
if (!stackFile || !packFile) {
    console.error("usage: adoption-phase.ts <stack file> <policy config>");
    process.exit(2);
}
const { config } = parseStackFile(fs.readFileSync(stackFile, "utf8"), stackFile);
const stack = (config["sapoche-stack:adoption"] as { phase?: string } | undefined)?.phase;
const pack = JSON.parse(fs.readFileSync(packFile, "utf8"))["enforce-adoption-phase"]?.phase;
if (stack !== pack) {
    console.error(
        `${path.basename(stackFile)} is in adoption phase ${stack ?? "(none)"}, but ` +
            `${path.basename(packFile)} makes the pack check phase ${pack ?? "(none)"}: run ` +
            "node -r ts-node/register/transpile-only scripts/pack-config.ts and commit both.",
    );
    process.exit(1);
}
