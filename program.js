// The engine's entry point (Pulumi.yaml `main`). The scripts (preview.sh, release.sh, local.sh, the
// e2e sandbox) compile the program ahead of the engine with scripts/lib/compiled-program.sh and
// name the output in SAPOCHE_COMPILED_PROGRAM: a preview then loads plain JavaScript and pays for
// no TypeScript compiler (issue 22). A plain `pulumi preview`, without the scripts, runs index.ts
// through ts-node as the language host would (type-checked unless
// PULUMI_NODEJS_TRANSPILE_ONLY=true).
const fs = require("fs");
const path = require("path");

const compiled = process.env.SAPOCHE_COMPILED_PROGRAM;
if (compiled) {
    const entry = path.join(compiled, "index.js");
    if (!fs.existsSync(entry)) {
        throw new Error(
            `SAPOCHE_COMPILED_PROGRAM=${compiled} holds no index.js: run scripts/lib/compiled-program.sh ` +
                "(it prints the directory to use), or unset the variable to run index.ts through ts-node",
        );
    }
    // Stack traces still name the TypeScript lines: the Node host installs source-map-support,
    // which reads .build/program's source maps when a trace is printed. (Node's own
    // setSourceMapsEnabled would parse every dependency's map at load: 0.17 s of CPU per run.)
    module.exports = require(entry);
} else {
    require("ts-node").register({
        project: path.join(__dirname, "tsconfig.json"),
        transpileOnly: process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true",
    });
    module.exports = require("./index.ts");
}
