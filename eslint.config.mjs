// Lint for the program, its tests and scripts, and the policy pack (each type-checked against
// its own tsconfig through the project service).
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    {
        // test/fixtures/architecture/ breaks the house rules on purpose (.dependency-cruiser.cjs).
        ignores: [
            "**/node_modules/**",
            "bin/**",
            "**/*.js",
            "**/*.mjs",
            "**/*.cjs",
            "test/fixtures/architecture/**",
        ],
    },
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", ignoreRestSiblings: true, varsIgnorePattern: "^_" },
            ],
        },
    },
    {
        // Pulumi resources register themselves: `new Resource(...)` is used for its effect.
        files: ["index.ts", "components/**/*.ts", "scripts/bench/flat-program.ts"],
        rules: { "no-new": "off" },
    },
);
