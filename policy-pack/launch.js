// The analyzer's Node entry point (started by ./analyzer): what the SDK's own entry,
// @pulumi/pulumi/cmd/run-policy-pack, does for a pack, less two costs a precompiled pack never
// needs, measured in issue 22 (half of the analyzer's start-up, which the engine waits for
// before the program runs):
//   - it registers ts-node with type checking, loading the TypeScript compiler: bin/ is already
//     JavaScript (compile.sh);
//   - it attaches the V8 inspector (Debugger domain) before loading anything, for the closure
//     serialisation of Pulumi programs; a policy pack serialises no function, and every module
//     compiled with the debugger attached costs more.
//   - it loads @npmcli/arborist (about 500 of the 760 modules @pulumi/pulumi pulls in) at import,
//     for the closure serialisation's code paths: here it loads on first use only.
// And one cost of the policy SDK (@pulumi/policy 1.21): every policy's call converts the
// resource's protobuf Struct to JavaScript again (59 policies: 59 conversions of each resource per
// Analyze, and of every resource per AnalyzeStack). The conversion is kept per Struct; each policy
// still gets its own deserialised copy, as before.
// Usage: node launch.js <engine-address> <pack directory>
"use strict";
require("source-map-support/register");
const Module = require("module");

const loadModule = Module._load;
Module._load = function (request, parent, isMain) {
    if (request !== "@npmcli/arborist") return loadModule.apply(this, arguments);
    let real;
    const load = () => (real ??= loadModule.call(this, request, parent, isMain));
    // __esModule: the SDK's __importStar then keeps this object as it is, rather than copying
    // (and so loading) every export.
    return new Proxy(
        {},
        {
            get: (_, key) =>
                key === "__esModule" ? true : key === "default" ? load() : load()[key],
        },
    );
};

const deserialize = require("@pulumi/policy/deserialize");
const deserializeProperties = deserialize.deserializeProperties;
const converted = new WeakMap();
deserialize.deserializeProperties = (struct, proxySecrets) => {
    let js = converted.get(struct);
    if (js === undefined) {
        js = struct.toJavaScript();
        converted.set(struct, js);
    }
    return deserializeProperties({ toJavaScript: () => js }, proxySecrets);
};

const [engine, pack] = process.argv.slice(2);
if (!engine || !pack) {
    console.error("usage: node launch.js <engine-address> <pack directory>");
    process.exit(2);
}

// As the SDK's entry: any uncaught error ends the analyzer non-zero, whatever else happened, so
// the engine never reads a half-run pack as a pass. Errors the SDK already logged to the engine
// exit with 32, which tells the engine not to print them again.
const uncaught = new Set();
const logged = new Set();
let running = false;
const onUncaught = (err) => {
    uncaught.add(err);
    if (!running) console.error((err && (err.stack || err.message)) || String(err));
};
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUncaught);
process.on("exit", (code) => {
    if (code !== 0 || uncaught.size === 0) return;
    process.exitCode = [...uncaught].every((e) => logged.has(e)) ? 32 : 1;
});

require("@pulumi/pulumi/cmd/run-policy-pack/run")
    .run({
        argv: { _: [pack] },
        programStarted: () => (running = true),
        reportLoggedError: (err) => logged.add(err),
        typeScript: false,
    })
    .then(() => (running = false));
