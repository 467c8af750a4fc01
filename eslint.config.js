import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".cache/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "bin/*.js", "src/playground/ui/*.js"] }, tsconfigRootDir: import.meta.dirname },
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
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  { files: ["*.js", "bin/*.js"], ...tseslint.configs.disableTypeChecked, languageOptions: { globals: { process: "readonly" } } },
  {
    // the playground's page: plain JavaScript for the browser, no build step
    files: ["src/playground/ui/*.js"], ...tseslint.configs.disableTypeChecked,
    languageOptions: { sourceType: "module", globals: { document: "readonly", window: "readonly", fetch: "readonly", localStorage: "readonly", EventSource: "readonly", Node: "readonly", CSS: "readonly", setTimeout: "readonly" } },
  },
);
