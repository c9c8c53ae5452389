// The user-facing spec of one monitored feature (models[].features[]): its type, how its values
// are binned, and where it is in a request. Kept apart from modelSchema.ts, which lists them.
import { z } from "zod";
import { positiveInt } from "./specPrimitives.js";

export const featureSpec = z
  .strictObject({
    name: z.string().min(1),
    type: z.enum(["numeric", "categorical"]),
    bins: positiveInt.min(1).max(1000).optional(),
    edges: z.array(z.number().finite()).min(1).optional(),
    top_k: positiveInt.max(10_000).optional(),
    max_distinct_values: z.number().int().nonnegative().max(1000).optional(),
    // where a feature is in a request: an input (tensor) name, and a column of its last dimension
    input: z.string().min(1).optional(),
    column: z.number().int().nonnegative().max(1_000_000).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.edges) {
      for (let i = 1; i < f.edges.length; i++) {
        if (!((f.edges[i] as number) > (f.edges[i - 1] as number))) {
          ctx.addIssue({ code: "custom", path: ["edges"], message: "must be increasing" });
          break;
        }
      }
    }
    if (f.type === "categorical" && (f.bins !== undefined || f.edges !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [f.edges ? "edges" : "bins"],
        message: "only for numeric features",
      });
    }
    if (f.type === "categorical" && f.max_distinct_values !== undefined) {
      ctx.addIssue({ code: "custom", path: ["max_distinct_values"], message: "only for numeric features" });
    }
    if (f.edges !== undefined && f.max_distinct_values !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["max_distinct_values"],
        message: "not with edges (explicit edges are used as given)",
      });
    }
    if (f.type === "numeric" && f.top_k !== undefined) {
      ctx.addIssue({ code: "custom", path: ["top_k"], message: "only for categorical features" });
    }
    if (f.bins !== undefined && f.edges !== undefined) {
      ctx.addIssue({ code: "custom", path: ["bins"], message: "give either bins or edges, not both" });
    }
  });

export type FeatureSpec = z.infer<typeof featureSpec>;
