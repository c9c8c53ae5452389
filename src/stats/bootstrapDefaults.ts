// The bootstrap's defaults, apart from the sampler so `infermon baseline --help` can show them
// without loading it.
export const DEFAULT_BOOTSTRAP = { resamples: 1000, percentiles: { warning: 99, critical: 99.9 }, seed: 1 };
