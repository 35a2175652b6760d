// Validates statements with @learninglocker/xapi-validation (an independent validator).
// Usage: node validate_statements.mjs <file.json> (a JSON array); prints {"count": n, "errors": [...]}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const validate = require("@learninglocker/xapi-validation").default;
const statements = JSON.parse(readFileSync(process.argv[2], "utf8"));
const errors = [];
for (const statement of statements) {
  for (const warning of validate(statement)) {
    errors.push({ id: statement.id, path: warning.path, message: warning.message ?? String(warning) });
  }
}
console.log(JSON.stringify({ count: statements.length, errors }));
process.exitCode = errors.length ? 1 : 0;
