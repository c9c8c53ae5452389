import { describe, expect, it } from "vitest";
import { LogThrottle } from "../../src/export/logThrottle.js";

describe("LogThrottle", () => {
  it("logs the first of a kind at once, then one per interval with the count left out", () => {
    let t = 0;
    const th = new LogThrottle(1000, () => t);
    expect(th.take("a")).toEqual({ suppressed: 0 });
    for (let i = 0; i < 5; i++) expect(th.take("a")).toBeUndefined();
    expect(th.take("b")).toEqual({ suppressed: 0 }); // kinds are independent
    t = 999;
    expect(th.take("a")).toBeUndefined();
    t = 1000;
    expect(th.take("a")).toEqual({ suppressed: 6 });
    expect(th.take("a")).toBeUndefined();
    t = 5000;
    expect(th.take("a")).toEqual({ suppressed: 1 });
  });

  it("forgets kinds beyond its bound instead of growing", () => {
    const th = new LogThrottle(1000, () => 0, 3);
    for (const k of ["a", "b", "c"]) th.take(k);
    expect(th.take("a")).toBeUndefined();
    expect(th.take("d")).toEqual({ suppressed: 0 }); // the table was full: cleared, d remembered
    expect(th.take("a")).toEqual({ suppressed: 0 });
  });
});
