// Reading Prometheus text exposition back in tests (the same reader the demo's view uses).
export { metricValue, parseMetrics, type Sample } from "../../src/demo/metricsText.js";
