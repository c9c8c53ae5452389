// Reading labels: the {model, id, label|value, time} object, Seldon feedback messages, and label
// values checked against the model's task and configured classes.
import { describe, expect, it } from "vitest";
import type { ModelConfig } from "../../src/config/model.js";
import { toLabelEvent } from "../../src/labels/labelEvent.js";
import { LabelValues } from "../../src/labels/labelValues.js";
import { readFeedback } from "../../src/labels/seldonFeedback.js";

const model = (task: ModelConfig["task"], classes?: string[]) =>
  ({
    task,
    prediction: { output: "p", threshold: 0.5, bins: 10, ...(classes && { classes }) },
  }) as ModelConfig;

describe("toLabelEvent", () => {
  it("reads classification and regression labels with an optional time", () => {
    expect(toLabelEvent({ model: "m", id: 7, label: "1", time: "2026-11-30T00:00:00Z" })).toEqual({
      ok: true,
      label: { model: "m", id: "7", label: "1", time: Date.parse("2026-11-30T00:00:00Z") },
    });
    expect(toLabelEvent({ model: "m", id: "a", value: 3.5 })).toEqual({
      ok: true,
      label: { model: "m", id: "a", label: 3.5 },
    });
  });

  it("rejects objects without model, id or value", () => {
    for (const x of [null, [], "x", { id: "a", label: 1 }, { model: "m", label: 1 }, { model: "m", id: "a" }])
      expect(toLabelEvent(x).ok).toBe(false);
    expect(toLabelEvent({ model: "m", label: 1 })).toEqual({ ok: false, model: "m", reason: "wrong_shape" });
  });
});

describe("LabelValues", () => {
  it("binary: configured class names, numbers and booleans", () => {
    const v = new LabelValues(model("binary_classification", ["no", "yes"]));
    expect([v.label("yes"), v.label("no"), v.label(true), v.label(false), v.label(1)]).toEqual([
      1, 0, 1, 0, 1,
    ]);
    expect([v.label("maybe"), v.label(2), v.label(null), v.label({})]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(v.prediction("yes", 0.9)).toBe(1);
  });

  it("regression: finite numbers only (a string value is invalid)", () => {
    const v = new LabelValues(model("regression"));
    expect(v.label(12.5)).toBe(12.5);
    expect([v.label("12.5"), v.label(Number.NaN), v.label(true)]).toEqual([undefined, undefined, undefined]);
    expect(v.prediction(undefined, 3)).toBe(3);
  });

  it("multiclass without classes learns a bounded set (accuracy only)", () => {
    const v = new LabelValues(model("multiclass_classification"));
    expect(v.classes).toEqual([]);
    expect(v.label("cat")).toBe(v.prediction("cat", undefined));
    expect(v.label("dog")).not.toBe(v.label("cat"));
  });
});

describe("readFeedback (Seldon)", () => {
  it("joins the truth to the response's puid, one label per row", () => {
    const r = readFeedback(
      { response: { meta: { puid: "p1" } }, truth: { data: { ndarray: [[1], [0]] } } },
      "credit",
      "other",
    );
    expect(r).toEqual({
      ok: true,
      labels: [
        { model: "credit", id: "p1:0", label: 1 },
        { model: "credit", id: "p1:1", label: 0 },
      ],
    });
  });

  it("reads one-hot rows, tensors and OIP v2 outputs; falls back to the body id, then ce-requestid", () => {
    expect(readFeedback({ truth: { data: { ndarray: [[0, 1, 0]] } } }, "m", "rq")).toEqual({
      ok: true,
      labels: [{ model: "m", id: "rq", label: 1 }],
    });
    expect(
      readFeedback(
        { request: { id: "b1" }, truth: { data: { tensor: { shape: [1, 1], values: [4.5] } } } },
        "m",
        undefined,
      ),
    ).toEqual({ ok: true, labels: [{ model: "m", id: "b1", label: 4.5 }] });
    expect(
      readFeedback({ truth: { outputs: [{ name: "y", shape: [2], data: ["a", "b"] }] } }, "m", "rq"),
    ).toEqual({
      ok: true,
      labels: [
        { model: "m", id: "rq:0", label: "a" },
        { model: "m", id: "rq:1", label: "b" },
      ],
    });
  });

  it("refuses feedback without truth or without any id", () => {
    expect(readFeedback({ reward: 1 }, "m", "rq").ok).toBe(false);
    expect(readFeedback({ truth: { data: { ndarray: [1] } } }, "m", undefined).ok).toBe(false);
    expect(readFeedback("x", "m", "rq").ok).toBe(false);
  });
});

describe("label ids and models", () => {
  it("a non-finite numeric id is no id", () => {
    expect(toLabelEvent({ model: "m", id: Number.NaN, label: 1 }).ok).toBe(false);
    expect(toLabelEvent({ model: "m", id: Number.POSITIVE_INFINITY, label: 1 }).ok).toBe(false);
    expect(toLabelEvent({ model: "m", id: 7, label: 1 })).toEqual({
      ok: true,
      label: { model: "m", id: "7", label: 1 },
    });
  });
});
