// Lint: typescript-eslint's type-checked rules over the server, client, UI, tests and examples.
// Formatting is Prettier's job; no stylistic rules here.
import eslint from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "ui/dist/**",
      "**/node_modules/**",
      "**/*.d.mts",
      "coverage/**",
      "examples/*/dist/**",
      ".docs-snippets/**",
      "test/e2e/artifacts/**",
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        project: [
          "./tsconfig.test.json",
          "./ui/tsconfig.json",
          "./examples/saas-auth/tsconfig.json",
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Store and resolver methods implement async interfaces; some answer synchronously.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  // TypeScript checks names itself (typescript-eslint's advice for no-undef).
  { files: ["**/*.ts", "**/*.tsx"], rules: { "no-undef": "off" } },
  // Benches, scripts and config files in plain JavaScript: no types to check them against.
  {
    files: ["**/*.mjs", "**/*.js", "**/vitest.config.ts", "ui/vite.config.ts"],
    ...tseslint.configs.disableTypeChecked,
  },
  { files: ["ui/src/**"], languageOptions: { globals: { ...globals.browser } } },
  // Tests read JSON answers as `any` on purpose (the shape is what they assert).
  {
    files: ["test/**", "examples/*/test/**"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
