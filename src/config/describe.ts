import { envOf, flagOf, OPTION_GROUPS, type OptionGroup, type OptionSpec } from "./option.js";
import { OPTIONS } from "./table.js";

/** One option as help and docs show it. */
interface OptionRow {
  key: string;
  flag: string | null;
  env: string | null;
  arg: string | undefined;
  defaultText: string;
  help: string;
  repeatable: boolean;
}

function defaultText(spec: OptionSpec<unknown>): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === false) return "off";
  return typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
}

/** The table's options by docs group, in table order. */
export function optionRows(): Array<{ group: OptionGroup; rows: OptionRow[] }> {
  const rows = (Object.entries(OPTIONS) as Array<[string, OptionSpec<unknown>]>).map(
    ([key, spec]) => {
      const flag = flagOf(key, spec);
      return {
        group: spec.group,
        row: {
          key,
          flag,
          env: flag === null ? null : envOf(flag),
          arg: spec.arg,
          defaultText: defaultText(spec),
          help: spec.help,
          repeatable: spec.repeatable === true,
        },
      };
    },
  );
  return OPTION_GROUPS.map((group) => ({
    group,
    rows: rows.filter((r) => r.group === group).map((r) => r.row),
  })).filter((g) => g.rows.length > 0);
}
