// The rules that keep the house (issue 23), checked by dependency-cruiser in `npm run lint`
// (`npm run lint:architecture`). Each rule has a fixture under test/fixtures/architecture/ that
// must fail it (test/architecture.lint.ts). Paths are relative to the repository root.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
    forbidden: [
        {
            name: "no-circular",
            comment:
                "No import circle anywhere, type-only imports included: a circle means two files are one idea " +
                "split in two, or one idea in the wrong file.",
            severity: "error",
            from: {},
            to: { circular: true },
        },
        {
            name: "components-never-import-stacks",
            comment:
                "components/ stand alone: they take what they need as Args and never read the config layer or " +
                "the model (stacks/).",
            severity: "error",
            from: { path: "^components/" },
            to: { path: "^stacks/" },
        },
        {
            name: "config-never-imports-the-model",
            comment:
                "The config layer (the schema and its ranges: stacks/schema.ts, stacks/schema/, stacks/ranges.ts) " +
                "reads the catalog's names (and the components' published limits); it never imports the model " +
                "built from it: the plan, the composition, the settings.",
            severity: "error",
            from: { path: "^stacks/(schema\\.ts|schema/|ranges\\.ts)" },
            to: {
                path: "^stacks/(plan|families|containers|capacity|adoption|promotion|cluster|settings)\\.ts",
            },
        },
        {
            name: "tools-never-import-tests",
            comment:
                "Tools (scripts/) never import test code: what tools and tests share lives in lib/, which both import.",
            severity: "error",
            from: { path: "^scripts/" },
            to: { path: "^test/" },
        },
        {
            name: "lib-never-imports-tests-or-tools",
            comment: "lib/ is what tools and tests share: it depends on neither.",
            severity: "error",
            from: { path: "^lib/" },
            to: { path: "^(test|scripts)/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        // The fixtures break the rules on purpose; test/architecture.lint.ts cruises them on their own.
        exclude: { path: "(^|/)node_modules/|^test/fixtures/architecture/" },
        tsConfig: { fileName: "tsconfig.json" },
        // Type-only imports count: a circle through types is still one idea in two places.
        tsPreCompilationDeps: true,
    },
};
