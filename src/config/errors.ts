/** One problem in the configuration, located by its key path (`models[0].features[2].edges`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Thrown at setup time only; the CLI turns it into exit code 2 with one line per issue. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(
      `${source}: invalid configuration\n${issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** `["models", 0, "features", 2, "edges"]` → `models[0].features[2].edges` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
