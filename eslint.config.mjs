// ESLint, flat config: ESLint's and typescript-eslint's recommended rules over the library, its
// tests, the bench and the scripts. `npm run lint`, part of `npm run test:lib`. (Import cycles are
// checked by test/imports.test.ts, which also counts type-only imports.)
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".venv/", "notebooks/", "test/artifacts/", ".devbench/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter kept for its position or type (as tsc's noUnusedParameters).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Targets run in a worker, rebuilt from their source text, where require() is how they load modules.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly" } },
  },
);
