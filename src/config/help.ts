import { optionRows } from "./describe.js";
import { META_FLAGS } from "./table.js";

const COLUMN = 26;

function line(left: string, right: string): string {
  return left.length < COLUMN
    ? `  ${left.padEnd(COLUMN)}${right}`
    : `  ${left}\n  ${"".padEnd(COLUMN)}${right}`;
}

/** `mailproof serve --help`, from the option table. */
export function serveHelp(): string {
  const sections = optionRows().map(({ group, rows }) => {
    const lines = rows
      .filter((row) => row.flag !== null)
      .map((row) =>
        line(
          `--${row.flag}${row.arg ? ` ${row.arg}` : ""}`,
          `${row.help}${row.repeatable ? " (repeatable)" : ""} [${row.defaultText}]`,
        ),
      );
    return `${group}\n${lines.join("\n")}`;
  });
  const meta = Object.entries(META_FLAGS).map(([flag, { arg, help }]) =>
    line(`${flag === "help" ? "-h, " : ""}--${flag}${arg ? ` ${arg}` : ""}`, help),
  );
  return `mailproof [serve] [options]   run the sandbox (the default command)

${sections.join("\n\n")}

Config file and help
${meta.join("\n")}

Each option is also read from MAILPROOF_<NAME> (MAILPROOF_SMTP_PORT=2525) and from the --config
file's camelCase key ({ "smtpPort": 2525 }). A flag wins over the environment, which wins over
the file. Through npm, options go after --: npm start -- --smtp-port 2525
`;
}
