import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, type ConfigIssue, formatPath } from "./errors.js";
import type { Config } from "./model.js";
import { normalize } from "./normalize.js";
import { configSpec } from "./schema.js";

/** Parse and validate configuration text. Throws ConfigError naming every bad key. */
export function parseConfig(text: string, source = "infermon.yaml", baseDir = "."): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? "?"}`,
        message: e.message.split("\n")[0] ?? e.message,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  const result = configSpec.safeParse(raw ?? {});
  if (!result.success) {
    const issues: ConfigIssue[] = result.error.issues.flatMap((i) => {
      // zod reports unknown keys on the parent object; name the key itself
      if (i.code === "unrecognized_keys") {
        return i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: "unknown key" }));
      }
      return [{ path: formatPath(i.path), message: i.message }];
    });
    throw new ConfigError(source, issues);
  }
  const config = normalize(result.data, source, baseDir);
  config.document = raw as Record<string, unknown>;
  return config;
}

/** Read, parse and validate a configuration file. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, dirname(resolve(file)));
}

/** The model named `name`, or a ConfigError listing the known ones. */
export function findModel(config: Config, name: string) {
  const m = config.models.find((x) => x.name === name);
  if (!m) {
    throw new ConfigError(config.source, [
      {
        path: "models",
        message: `no model named "${name}" (known: ${config.models.map((x) => x.name).join(", ")})`,
      },
    ]);
  }
  return m;
}
