// The severity policy (src/generate/severity.ts): defaults per concern, alerting.severity for every
// model, models[].severity for one, and what a level of a pair becomes under each urgency.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { severityAt, severityFor, topSeverity } from "../../src/generate/severity.js";

const config = (extra: Record<string, unknown> = {}, models: Record<string, unknown>[] = []) =>
  parseConfig(
    stringify({
      models: [
        { name: "nolabels", task: "binary_classification" },
        {
          name: "labelled",
          task: "binary_classification",
          quality: { accuracy: { warning: 0.9, critical: 0.8 } },
        },
        ...models,
      ],
      ...extra,
    }),
    "policy.yaml",
  );

describe("severity policy", () => {
  it("defaults: symptoms page, causes ticket; prediction drift pages only without labels", () => {
    const [none, labelled] = config().models;
    expect(none?.severity).toEqual({
      input_drift: "ticket",
      prediction_drift: "page",
      data_quality: "ticket",
      model_quality: "page",
      slo_burn: "page",
      labels: "ticket",
      variants: "ticket",
      shadow: "ticket",
      agent: "page",
    });
    expect(labelled?.severity.prediction_drift).toBe("ticket");
    // input drift tickets: its critical level goes to the ticket receiver, its warning level is info
    expect(severityFor(none!, "input_drift", "critical")).toBe("warning");
    expect(severityFor(none!, "input_drift", "warning")).toBe("info");
    expect(topSeverity(labelled!, "model_quality")).toBe("critical");
  });

  it("alerting.severity sets every model's policy, models[].severity one model's", () => {
    const c = config({ alerting: { severity: { input_drift: "page", agent: "ticket" } } }, [
      { name: "quiet", task: "regression", severity: { input_drift: "info" } },
    ]);
    const [a, , quiet] = c.models;
    expect(a?.severity.input_drift).toBe("page");
    expect(a?.severity.agent).toBe("ticket");
    expect(quiet?.severity.input_drift).toBe("info");
    expect(quiet?.severity.agent).toBe("ticket");
    expect(c.alerting.severity.agent).toBe("ticket");
  });

  it("maps an urgency and a level to the severity label, dropping what falls below info", () => {
    expect(severityAt("page", "critical")).toBe("critical");
    expect(severityAt("page", "warning")).toBe("warning");
    expect(severityAt("ticket", "critical")).toBe("warning");
    expect(severityAt("ticket", "warning")).toBe("info");
    expect(severityAt("info", "critical")).toBe("info");
    expect(severityAt("info", "warning")).toBeUndefined();
  });

  it("rejects an unknown concern or urgency, naming the key", () => {
    expect(() => config({ alerting: { severity: { drift: "page" } } })).toThrow(/alerting\.severity/);
    expect(() => config({ alerting: { severity: { input_drift: "wake-me" } } })).toThrow(
      /alerting\.severity\.input_drift/,
    );
  });
});
