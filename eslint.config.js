import js from "@eslint/js";
import tseslint from "typescript-eslint";

const ADAPTERS = [
  "slack",
  "alerts",
  "cli",
  "kubernetes",
  "prometheus",
  "store",
  "playground",
  "chart",
  "in-memory",
  "commands",
];
const SDKS = [
  "@slack/bolt",
  "@slack/web-api",
  "@kubernetes/client-node",
  "pg",
  "prometheus-query",
  "@resvg/resvg-wasm",
  "ws",
];

/** One no-restricted-imports rule per layer: the folders (under src/, or commands/) and packages it must not reach. */
function layers(rules) {
  return rules.map(([files, folders, packages]) => ({
    files: [files],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: packages.map((name) => ({ name, message: "the inner layers know no SDK: go through a port" })),
          patterns: [
            {
              // a folder of src/ (src/chart is an adapter; src/core/chart is core's own)
              regex: `(^|/)(?<!core/)(${folders.join("|")})(/|\\.ts$)`,
              message: "dependencies point one way: core ← engine ← app ← adapters ← main (DESIGN.md)",
            },
          ],
        },
      ],
    },
  }));
}

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".cache/", "coverage/", "scratch/", "test/**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "bin/*.js", "src/playground/ui/*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "no-empty": ["error", { allowEmptyCatch: false }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/require-await": "off",
    },
  },
  // Dependencies point one way: core ← engine ← app ← adapters (slack, alerts, cli, kubernetes, prometheus,
  // store, playground, chart, commands) ← main. Each layer names what it may not import.
  ...layers([
    ["src/core/**/*.ts", ["ports", "engine", "app", ...ADAPTERS, "main", "config"], SDKS.concat(["pino"])],
    ["src/engine/**/*.ts", ["app", ...ADAPTERS, "main", "config"], SDKS],
    ["src/app/**/*.ts", [...ADAPTERS, "main", "config"], SDKS],
  ]),
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["*.js", "bin/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly" } },
  },
  {
    // the playground's page: plain JavaScript for the browser, no build step
    files: ["src/playground/ui/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: "module",
      globals: {
        document: "readonly",
        window: "readonly",
        fetch: "readonly",
        localStorage: "readonly",
        EventSource: "readonly",
        Node: "readonly",
        CSS: "readonly",
        setTimeout: "readonly",
      },
    },
  },
);
