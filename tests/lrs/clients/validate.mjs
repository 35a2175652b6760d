// Judge xAPI statements with Learning Locker's independent validator (@learninglocker/xapi-validation).
// stdin: a JSON array of statements. stdout: a JSON array, one entry per statement, in order:
//   {"valid": true|false, "warnings": ["<WarningClass> at <path> (<detail>)", ...]}
// One process judges the whole list, so a table of a hundred statements costs one node start.
import { readFileSync } from "node:fs";
import validation from "@learninglocker/xapi-validation";

const validate = validation.default ?? validation;

function describe(warning) {
  const where = Array.isArray(warning.path) ? warning.path.join(".") : String(warning.path);
  const detail = warning.typeName ?? warning.type?.name ?? warning.value ?? "";
  const suffix = detail === "" ? "" : ` (${typeof detail === "string" ? detail : JSON.stringify(detail)})`;
  return `${warning.constructor.name} at ${where}${suffix}`;
}

const statements = JSON.parse(readFileSync(0, "utf8"));
if (!Array.isArray(statements)) {
  process.stderr.write("expected a JSON array of statements on stdin\n");
  process.exit(2);
}
const verdicts = statements.map((statement) => {
  const warnings = validate(statement).map(describe);
  return { valid: warnings.length === 0, warnings };
});
process.stdout.write(JSON.stringify(verdicts));
